"""Forms of the grid pages: the shape of the input only. The rules (whose grid, which dates, how many photos …) live
in services.py; what they refuse is put next to its field with `add_domain_error`."""

from django import forms

from xiangzhi.core import clock
from xiangzhi.grid.models import PURPOSE_CHOICES
from xiangzhi.people.forms import DATE_INVALID, DateInput, grid_label

TIME_INVALID = "请按“时:分”填写时间，如 08:30。"


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one input (`multiple`): a list of uploads, possibly empty. The service checks them."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}),
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(d, initial) for d in items if d]


def _time_field(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": TIME_INVALID},
    )


def _date_field(label: str, *, required: bool, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        help_text=help_text,
        error_messages={"required": f"请填写{label}。", "invalid": DATE_INVALID},
    )


class CaseFields(forms.Form):
    """“发现问题，上报事件”: inline on the patrol and visit forms."""

    case_description = forms.CharField(
        label="发现的问题（上报为事件）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="需要村里或镇里解决的问题写在这里，会作为事件上报；没有可不填。",
        error_messages={"max_length": "事件内容太长：最多 2000 字。"},
    )
    case_photos = PhotosField(label="事件照片", help_text="最多 9 张。")

    def case_drafts(self):
        from xiangzhi.grid.services import CaseDraft

        d = self.cleaned_data
        if not (d.get("case_description") or "").strip():
            return []
        return [CaseDraft(description=d["case_description"], photos=d.get("case_photos") or [])]

    def clean(self):
        data = super().clean()
        if data.get("case_photos") and not (data.get("case_description") or "").strip():
            self.add_error("case_description", "上传了事件照片，请同时写明发现的问题。")
        return data


class PatrolForm(CaseFields):
    field_order = ["grid", "date", "notes", "photos", "route", "started_at", "ended_at"]

    date = _date_field("巡查日期", required=True, help_text="默认今天；漏报的可补录 7 天内的。")
    notes = forms.CharField(
        label="巡查情况",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "如：沿主街、河道巡查，未发现异常。"}),
        error_messages={"max_length": "巡查情况太长：最多 2000 字。"},
    )
    photos = PhotosField(label="巡查照片", help_text="可一次选多张，最多 9 张。")
    route = forms.CharField(label="巡查路线", required=False, max_length=200)
    started_at = _time_field("开始时间")
    ended_at = _time_field("结束时间")

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.grids = {g.code: g for g in grids}
        self.fields["grid"] = forms.ChoiceField(
            label="网格",
            choices=[(g.code, grid_label(g)) for g in grids],
            error_messages={
                "required": "请选择网格。",
                "invalid_choice": "该网格不在您负责的范围内，请从列表中选择。",
            },
        )
        self.fields["date"].initial = clock.today()
        self.order_fields(self.field_order)

    def clean_grid(self):
        return self.grids[self.cleaned_data["grid"]]


class VisitForm(CaseFields):
    field_order = ["date", "purpose", "notes", "needs", "follow_up_due"]

    household = forms.CharField(
        label="走访户", widget=forms.HiddenInput, error_messages={"required": "请先查找并选择要走访的户。"}
    )
    date = _date_field("走访日期", required=True, help_text="默认今天；可补录 7 天内的。")
    purpose = forms.ChoiceField(
        label="走访事由",
        choices=PURPOSE_CHOICES,
        initial="routine",
        widget=forms.RadioSelect(attrs={"class": "choice"}),
        error_messages={"required": "请选择走访事由。", "invalid_choice": "请从列表中选择走访事由。"},
    )
    notes = forms.CharField(
        label="走访情况",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "走访情况太长：最多 2000 字。"},
    )
    needs = forms.CharField(
        label="发现的诉求",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="群众提出的需求、困难；需要再去的，填下面的回访期限。",
        error_messages={"max_length": "发现的诉求太长：最多 2000 字。"},
    )
    follow_up_due = _date_field("回访期限", required=False, help_text="需要回访的，选回访的最晚日期。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = clock.today()


class PeriodForm(forms.Form):
    """The coverage page's period and region (GET)."""

    start = _date_field("开始日期", required=False)
    end = _date_field("结束日期", required=False)
    region = forms.RegexField(
        label="辖区", regex=r"^\d{6,18}$", required=False, error_messages={"invalid": "请从列表中选择辖区。"}
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "结束日期不能早于开始日期。")
        return data
