"""Forms of the case pages: the shape of the input only (required, lengths, choices). The rules (who may act, the
state guard, the version, the photo check, the petition limits …) live in services.py; a ValidationFailed or
Conflict they raise is put next to its field with `add_domain_error`, so the form re-renders with what was typed.

Every action form carries the case `version` the page was drawn from: the service refuses a stale one."""

import re
import secrets

from django import forms

from xiangzhi.cases.models import CATEGORY_CHOICES, TRIAGE_CHOICES, URGENCY_CHOICES
from xiangzhi.cases.services import MAX_NOTE, MAX_PHOTOS, MAX_TEXT
from xiangzhi.core.errors import DomainError
from xiangzhi.web.errors import add_domain_error

RATING_CHOICES = [("satisfied", "满意"), ("partly", "基本满意"), ("unsatisfied", "不满意")]
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _required(label: str) -> dict:
    return {"required": f"请填写{label}。", "max_length": f"{label}太长：最多 %(limit_value)d 字。"}


def _choice(label: str) -> dict:
    return {"required": f"请选择{label}。", "invalid_choice": f"请从列表中选择{label}。"}


def text_area(label: str, *, required: bool = True, limit: int = MAX_NOTE, rows: int = 3, **attrs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows, **attrs}),
        error_messages=_required(label),
    )


def show_error(form: forms.Form, exc: DomainError) -> None:
    """A service's refusal on `form`. The file check speaks of "file": on these forms that is the photos."""
    if exc.field == "file" and "photos" in form.fields:
        form.add_error("photos", exc.message)
        return
    if exc.field == "longitude" and "latitude" in form.fields:
        exc.field = "latitude"
    add_domain_error(form, exc)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS photos; what they are is checked by the file store (by content, never by name)."""

    def __init__(self, *, label: str = "照片", capture: bool = False, **kwargs):
        attrs = {"accept": "image/*", "multiple": True}
        if capture:
            attrs["capture"] = "environment"
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault(
            "error_messages",
            {"invalid": "照片没有上传成功，请重新选择。", "empty": "照片是空的，请重新选择。"},
        )
        super().__init__(label=label, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data] if data else []
        cleaned = [super(PhotosField, self).clean(item, initial) for item in items]
        cleaned = [c for c in cleaned if c]
        if len(cleaned) > MAX_PHOTOS:
            raise forms.ValidationError(f"照片最多 {MAX_PHOTOS} 张，您选了 {len(cleaned)} 张。")
        return cleaned


# -- 提: the report form -------------------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(18)


class ReportForm(forms.Form):
    """The villager's report page: what happened, photos, where. `token` is a one-time form token: the same token
    submitted twice lands on the same case (the service's idempotency key)."""

    description = text_area("发生了什么事", limit=MAX_TEXT, rows=5)
    photos = PhotosField(label="照片", help_text=f"可以拍照，也可以从相册选，最多 {MAX_PHOTOS} 张。")
    region = forms.ChoiceField(label="在哪个村、哪个网格", error_messages=_choice("地点所在的村或网格"))
    place = forms.CharField(
        label="具体地点",
        required=False,
        max_length=120,
        help_text="比如：村口大桥东头、张家门前。",
        error_messages=_required("具体地点"),
    )
    latitude = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    category = forms.ChoiceField(
        label="是哪一类事",
        required=False,
        choices=[("", "不清楚（由网格员分类）"), *CATEGORY_CHOICES],
        error_messages=_choice("事件类别"),
    )
    token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "请选择"), *region_choices(regions)]

    def clean_token(self):
        token = self.cleaned_data.get("token") or ""
        # a missing or mangled token only loses the double-submit guard: the report itself still counts
        return token if TOKEN_RE.match(token) else new_token()


def region_choices(regions) -> list[tuple[str, str]]:
    """Villages and their grids, each grid named with its village so that the list reads on its own."""
    names = {r.code: r.name for r in regions}
    out = []
    for r in regions:
        if r.level == "village":
            out.append((r.code, f"{r.name}（不清楚哪个网格）"))
        else:
            village = names.get(r.code[:12]) or (r.parent.name if r.parent_id else "")
            out.append((r.code, f"{village} · {r.name}" if village else r.name))
    return out


# -- the action forms on the case page ---------------------------------------------------------------------------


class ActionForm(forms.Form):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "页面已过期，请刷新后再操作。",
            "invalid": "页面已过期，请刷新后再操作。",
        },
    )


class NoteForm(ActionForm):
    note = text_area("说明", required=False)


class AcceptForm(NoteForm):
    pass


class StartForm(NoteForm):
    pass


class ResumeForm(NoteForm):
    pass


class AssignForm(ActionForm):
    category = forms.ChoiceField(label="事件类别", choices=[("", "请选择"), *CATEGORY_CHOICES])
    triage = forms.ChoiceField(
        label="三事类型",
        choices=TRIAGE_CHOICES,
        widget=forms.RadioSelect(attrs={"class": "choice"}),
        error_messages=_choice("三事类型（民事、村事或政事）"),
    )
    urgency = forms.ChoiceField(label="紧急程度", choices=URGENCY_CHOICES, initial="normal")
    department = forms.TypedChoiceField(
        label="承办部门",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="只有政事派给乡镇部门；不选则按分流规则的默认部门。",
        error_messages=_choice("承办部门"),
    )
    note = text_area("说明", required=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].error_messages = _choice("事件类别")
        self.fields["urgency"].error_messages = _choice("紧急程度")
        self.departments = {d.pk: d for d in departments}
        if self.departments:
            self.fields["department"].choices = [("", "按默认"), *((d.pk, d.name) for d in departments)]
        else:
            del self.fields["department"]

    def clean_department(self):
        pk = self.cleaned_data.get("department")
        return self.departments.get(pk) if pk else None


class ReturnForm(ActionForm):
    reason = text_area("退回理由")


class SuspendForm(ActionForm):
    reason = text_area("挂起原因")


class DeliberateForm(ActionForm):
    note = text_area("议事事由")
    matter_ref = forms.CharField(
        label="议题编号", required=False, max_length=40, help_text="已在议事协商中立了议题的，填它的编号。"
    )


class EscalateForm(ActionForm):
    reason = text_area("上报理由")


class ExtendForm(ActionForm):
    new_deadline = forms.DateTimeField(
        label="延至",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": "请填写延期后的时限。",
            "invalid": "请按“年-月-日 时:分”填写时限，如 2026-06-01 17:00。",
        },
    )
    reason = text_area("延期理由")


class DecideExtensionForm(forms.Form):
    extension = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": "页面已过期，请刷新。"}
    )
    approve = forms.TypedChoiceField(
        label="审批结果",
        choices=[("1", "批准延期"), ("0", "不批准")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect(attrs={"class": "choice"}),
        error_messages=_choice("批准或不批准"),
    )
    note = text_area("审批意见", required=False)

    def clean(self):
        data = super().clean()
        if data.get("approve") is False and not data.get("note"):
            self.add_error("note", "不批准时请写明理由。")
        return data


class ResolveForm(ActionForm):
    result = text_area("办理结果", limit=MAX_TEXT, rows=4)
    photos = PhotosField(label="现场照片")


class VerifyForm(ActionForm):
    passed = forms.TypedChoiceField(
        label="核查结果",
        choices=[("1", "已办好，核查通过"), ("0", "没办好，退回继续办理")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect(attrs={"class": "choice"}),
        error_messages=_choice("核查结果"),
    )
    note = text_area("核查情况", required=False)
    photos = PhotosField(label="核查照片")

    def clean(self):
        data = super().clean()
        if data.get("passed") is False and not data.get("note"):
            self.add_error("note", "核查未通过时请写明哪里没办好。")
        return data


class RateForm(ActionForm):
    """Three big buttons (满意 / 基本满意 / 不满意), each a submit button named `rating`."""

    rating = forms.ChoiceField(label="您满意吗", choices=RATING_CHOICES, error_messages=_choice("满意程度"))
    note = text_area("还想说的话", required=False, rows=2)


class VisitForm(ActionForm):
    rating = forms.ChoiceField(
        label="回访评价",
        choices=RATING_CHOICES,
        widget=forms.RadioSelect(attrs={"class": "choice"}),
        error_messages=_choice("回访得到的评价"),
    )
    note = text_area("回访情况")


class CloseForm(ActionForm):
    note = text_area("结案说明")


class MergeForm(ActionForm):
    into = forms.CharField(
        label="并入事件编号",
        max_length=20,
        help_text="重复的事件并入先报的那一件，填它的编号，如 SJ00000012。",
        error_messages=_required("并入事件编号"),
    )
    note = text_area("说明", required=False)

    def clean_into(self):
        raw = self.cleaned_data["into"].strip().upper()
        digits = raw[2:] if raw.startswith("SJ") else raw
        if not digits.isdigit() or int(digits) == 0:
            raise forms.ValidationError("事件编号应为 SJ 加数字，如 SJ00000012。")
        return int(digits)
