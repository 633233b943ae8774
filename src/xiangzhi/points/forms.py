"""Forms of the points pages: the shape of the input only (required, lengths, choices). The rules (the item of the
village's active scheme, the cap, the sign, who may act, the state and the version) are the services'; a refusal
they raise is shown next to its field with `show_error`, and the form re-renders with what was typed."""

import re
import secrets

from django import forms

from xiangzhi.cases.forms import PhotosField
from xiangzhi.core.errors import DomainError
from xiangzhi.points import services
from xiangzhi.points.models import CATEGORY_CHOICES, PERIOD_CHOICES
from xiangzhi.web.errors import add_domain_error

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"]


def new_token() -> str:
    return secrets.token_urlsafe(18)


def _required(label: str) -> dict:
    return {"required": f"请填写{label}。", "max_length": f"{label}太长：最多 %(limit_value)d 字。"}


def _choice(label: str) -> dict:
    return {"required": f"请选择{label}。", "invalid_choice": f"请从列表中选择{label}。"}


def _int(label: str) -> dict:
    return {
        "required": f"请填写{label}。",
        "invalid": f"{label}须为整数。",
        "min_value": f"{label}不能小于 %(limit_value)s。",
        "max_value": f"{label}不能大于 %(limit_value)s。",
    }


def text_area(label: str, *, required: bool = True, limit: int = 1000, rows: int = 3):
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages=_required(label),
    )


def date_field(label: str, *, required: bool = True):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": f"请填写{label}。",
            "invalid": f"请按“年-月-日”填写{label}，如 2026-05-01。",
        },
    )


def show_error(form: forms.Form, exc: DomainError) -> None:
    """A service's refusal next to its field (the file store speaks of "file": on these forms, the photos)."""
    if exc.field == "file" and "photos" in form.fields:
        form.add_error("photos", exc.message)
        return
    add_domain_error(form, exc)


class TokenMixin(forms.Form):
    """A one-time form token: the same token sent twice lands on what the first submission made."""

    token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean_token(self):
        token = self.cleaned_data.get("token") or ""
        # a missing or mangled token only loses the double-submit guard
        return token if TOKEN_RE.match(token) else new_token()


class VersionMixin(forms.Form):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "页面已过期，请刷新后再操作。",
            "invalid": "页面已过期，请刷新后再操作。",
        },
    )


def item_label(item, *, village: str = "") -> str:
    cap = f"，每期最多 {item.cap_per_period} 分" if item.cap_per_period else ""
    photo = "，须附照片" if item.evidence_required else ""
    where = f"{village} · " if village else ""
    return f"{where}{item.code} {item.name}（{item.points:+d} 分{cap}{photo}）"


class ItemChoiceField(forms.TypedChoiceField):
    def __init__(self, *, label: str = "积分项", **kwargs):
        super().__init__(label=label, coerce=int, empty_value=None, error_messages=_choice(label), **kwargs)


# -- schemes -------------------------------------------------------------------------------------------------------


class SchemeForm(forms.Form):
    region = forms.ChoiceField(label="村（或乡镇模板）", error_messages=_choice("村"))
    name = forms.CharField(label="方案名称", max_length=100, error_messages=_required("方案名称"))
    period = forms.ChoiceField(
        label="考核周期", choices=PERIOD_CHOICES, initial="month", error_messages=_choice("考核周期")
    )
    notice_days = forms.IntegerField(
        label="公示天数", min_value=1, max_value=60, initial=7, error_messages=_int("公示天数")
    )
    red_list_size = forms.IntegerField(
        label="红榜名额（户）", min_value=1, max_value=50, initial=5, error_messages=_int("红榜名额")
    )
    note = text_area("说明（依据的村规民约及通过时间）", required=False, limit=2000)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = {r.code: r for r in regions}
        self.fields["region"].choices = [
            ("", "请选择"),
            *((r.code, f"{r.name}（乡镇模板）" if r.level == "town" else r.name) for r in regions),
        ]

    def clean_region(self):
        return self.regions[self.cleaned_data["region"]]


class ItemForm(forms.Form):
    code = forms.CharField(
        label="编号", max_length=20, help_text="如 HJ01，同一方案内不重复。", error_messages=_required("编号")
    )
    name = forms.CharField(label="名称", max_length=100, error_messages=_required("名称"))
    category = forms.ChoiceField(label="类别", choices=CATEGORY_CHOICES, error_messages=_choice("类别"))
    points = forms.IntegerField(
        label="分值",
        min_value=-services.MAX_POINTS,
        max_value=services.MAX_POINTS,
        help_text="加分填正数，扣分填负数。",
        error_messages=_int("分值"),
    )
    cap_per_period = forms.IntegerField(
        label="每周期上限（分）",
        required=False,
        min_value=1,
        max_value=100 * services.MAX_POINTS,
        help_text="一户一个考核周期内这一项最多计多少分；不填为不限。",
        error_messages=_int("每周期上限"),
    )
    evidence_required = forms.BooleanField(label="申报须附照片", required=False)
    is_violation = forms.BooleanField(label="违反村规民约（扣分项，可能上黑榜）", required=False)
    source_article = forms.CharField(
        label="村规民约条款", max_length=200, required=False, help_text="如：第三章第十二条。"
    )
    sort = forms.IntegerField(
        label="排序", required=False, min_value=0, max_value=32767, error_messages=_int("排序")
    )


class CopyForm(forms.Form):
    """采用模板 (pick the village) or 新版本 (the village is the scheme's own)."""

    region = forms.ChoiceField(label="用于哪个村", required=False, error_messages=_choice("村"))
    name = forms.CharField(label="新方案名称", max_length=100, required=False, help_text="不填则沿用原名称。")

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = {r.code: r for r in regions}
        self.fields["region"].choices = [("", "请选择"), *((r.code, r.name) for r in regions)]


# -- claims --------------------------------------------------------------------------------------------------------


class ClaimForm(TokenMixin):
    """The villager's claim from a phone: pick an item, say when and what, add photos."""

    item = ItemChoiceField(label="申报哪一项", widget=forms.RadioSelect(attrs={"class": "choice"}))
    occurred_on = date_field("哪天的事")
    description = text_area("做了什么", required=False, rows=4)
    photos = PhotosField(label="照片", help_text=f"可以拍照，也可以从相册选，最多 {services.MAX_PHOTOS} 张。")

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(i.pk, item_label(i)) for i in items]


class RecordForm(forms.Form):
    """A cadre or grid worker records points for a household."""

    household = forms.TypedChoiceField(
        label="哪一户", coerce=int, empty_value=None, error_messages=_choice("户")
    )
    item = ItemChoiceField()
    points = forms.IntegerField(
        label="分值",
        required=False,
        min_value=-services.MAX_POINTS,
        max_value=services.MAX_POINTS,
        help_text="不填按积分项的分值；填写须与积分项同为加分或扣分。",
        error_messages=_int("分值"),
    )
    occurred_on = date_field("发生日期")
    description = text_area("事由", required=False)
    photos = PhotosField(label="照片")

    def __init__(self, *args, households, items, villages, **kwargs):
        super().__init__(*args, **kwargs)
        many = len({i.scheme.region_code for i in items}) > 1
        self.fields["household"].choices = [
            ("", "请选择"),
            *(
                (
                    h.pk,
                    f"{h.head_name or '（无户主）'}户 · {h.region.name}{' · ' + h.number if h.number else ''}",
                )
                for h in households
            ),
        ]
        self.fields["item"].choices = [
            ("", "请选择"),
            *(
                (i.pk, item_label(i, village=villages.get(i.scheme.region_code, "") if many else ""))
                for i in items
            ),
        ]


class BulkForm(TokenMixin):
    """The shared part of the bulk screen; the rows (item_<household>, points_<household>) are read by the view."""

    region = forms.CharField(widget=forms.HiddenInput, max_length=18)
    occurred_on = date_field("检查日期")
    description = forms.CharField(
        label="事由",
        required=False,
        max_length=1000,
        help_text="如：2026年5月人居环境检查。",
        error_messages=_required("事由"),
    )


class ReviewForm(VersionMixin):
    decision = forms.ChoiceField(
        label="评议结果",
        choices=[("approve", "通过"), ("adjust", "调整分值后通过"), ("reject", "不通过")],
        widget=forms.RadioSelect(attrs={"class": "choice"}),
        error_messages=_choice("评议结果"),
    )
    points = forms.IntegerField(
        label="调整后的分值",
        required=False,
        min_value=-services.MAX_POINTS,
        max_value=services.MAX_POINTS,
        help_text="只在“调整分值后通过”时填写。",
        error_messages=_int("分值"),
    )
    note = text_area("评议意见", required=False, limit=500, rows=2)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("note"):
            self.add_error("note", "不通过时请写明理由。")
        if data.get("decision") == "adjust":
            if data.get("points") is None and "points" not in self.errors:
                self.add_error("points", "调整分值时请填写分值。")
            if not data.get("note"):
                self.add_error("note", "调整分值时请写明理由。")
        return data


class WithdrawForm(VersionMixin):
    pass


class ObjectionForm(forms.Form):
    text = text_area("异议内容", limit=1000, rows=3)


class AnswerForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="答复结论",
        choices=[("0", "异议不成立，维持评议结果"), ("1", "异议成立，退回重新评议")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect(attrs={"class": "choice"}),
        error_messages=_choice("答复结论"),
    )
    answer = text_area("答复内容", limit=1000, rows=3)
