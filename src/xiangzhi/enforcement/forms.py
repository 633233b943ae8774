"""Forms of the enforcement pages: they only parse; the services decide."""

from django import forms

from xiangzhi.core.errors import ValidationFailed
from xiangzhi.core.money import yuan_to_fen
from xiangzhi.enforcement.models import PENALTY_CHOICES, SUBJECT_CHOICES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: str, **kw) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DATE,
        error_messages={"required": f"请填写{label}。", "invalid": "日期格式不正确。"},
        **kw,
    )


def _required(form: forms.Form, **labels) -> None:
    for name, message in labels.items():
        form.fields[name].error_messages["required"] = message


class InspectionForm(forms.Form):
    department = forms.TypedChoiceField(label="执法部门", coerce=int)
    village = forms.ChoiceField(label="检查的村", required=False)
    date = _date("检查日期")
    place = forms.CharField(label="检查地点", max_length=200)
    inspectors = forms.CharField(
        label="执法人员", max_length=200, help_text="持证执法人员姓名，至少两人，用顿号隔开。"
    )
    subject_kind = forms.ChoiceField(
        label="当事人类别", choices=SUBJECT_CHOICES, widget=forms.RadioSelect, initial="person"
    )
    subject_name = forms.CharField(label="当事人（姓名或单位名称）", max_length=100)
    id_number = forms.CharField(
        label="身份证号",
        max_length=30,
        required=False,
        help_text="个人当事人填写；加密保存，页面只显示后四位。",
    )
    org_code = forms.CharField(
        label="统一社会信用代码", max_length=30, required=False, help_text="单位当事人填写。"
    )
    findings = forms.CharField(label="检查情况", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    problem_found = forms.BooleanField(label="发现问题", required=False)

    def __init__(self, *args, departments=(), villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "请选择")] + [
            (d.pk, f"{d.town.name} {d.name}") for d in departments
        ]
        self.fields["department"].error_messages["invalid_choice"] = "只能选择本人所在（或负责）的执法部门。"
        self.fields["village"].choices = [("", "乡镇本级（不限于某村）")] + [
            (v.code, v.name) for v in villages
        ]
        self.fields["village"].error_messages["invalid_choice"] = "所选的村不属于该乡镇。"
        _required(
            self,
            department="请选择执法部门。",
            place="请填写检查地点。",
            inspectors="请填写执法人员。",
            subject_name="请填写当事人。",
            findings="请填写检查情况。",
            subject_kind="请选择当事人类别。",
        )


class NoteForm(forms.Form):
    note = forms.CharField(label="记录内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self, note="请填写记录内容。")


class AttachmentForm(forms.Form):
    label = forms.CharField(
        label="附件说明", max_length=100, help_text="如：现场照片、询问笔录、处罚决定书。"
    )
    file = forms.FileField(label="文件", help_text="图片（JPEG/PNG/WebP）或 PDF，最大 10 MB。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self, label="请填写附件说明。", file="请选择要上传的文件。")


class ProposeForm(forms.Form):
    kind = forms.ChoiceField(label="处罚种类", choices=[("", "请选择"), *PENALTY_CHOICES])
    amount = forms.CharField(
        label="金额（元）",
        max_length=20,
        required=False,
        initial="0",
        help_text="罚款、没收违法所得的金额；其他种类填 0。",
    )
    legal_basis = forms.CharField(label="法律依据", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    facts = forms.CharField(label="违法事实", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    is_major = forms.BooleanField(
        label="重大执法决定（须经法制审核）",
        required=False,
        help_text="涉及重大公共利益、可能造成重大社会影响、案情疑难复杂或法律法规规定的情形（《行政处罚法》第五十八条）。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self, kind="请选择处罚种类。", legal_basis="请填写法律依据。", facts="请填写违法事实。")
        self.fields["kind"].error_messages["invalid_choice"] = "请选择处罚种类。"

    def clean_amount(self) -> int:
        raw = (self.cleaned_data.get("amount") or "0").strip() or "0"
        try:
            return yuan_to_fen(raw)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None


class ReviewForm(forms.Form):
    passed = forms.TypedChoiceField(
        label="审核结论",
        choices=[("1", "审核通过"), ("0", "审核不通过")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(label="审核意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self, passed="请选择审核结论。", opinion="请填写审核意见。")


class DecideForm(forms.Form):
    case_number = forms.CharField(label="文书编号", max_length=60, help_text="如：尉庄乡罚〔2026〕3号。")
    decided_on = _date("决定日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self, case_number="请填写文书编号。")


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self, reason="请填写撤回理由。")


class PublishForm(forms.Form):
    mask_names = forms.CharField(
        label="公示中需隐去的其他姓名",
        max_length=200,
        required=False,
        help_text="个人当事人的姓名会自动显示为“张某”；违法事实中出现的其他人的姓名请列在这里，用逗号或空格隔开。",
    )

    def names(self) -> list[str]:
        import re

        return [n for n in re.split(r"[\s,，、;；]+", self.cleaned_data.get("mask_names") or "") if n]
