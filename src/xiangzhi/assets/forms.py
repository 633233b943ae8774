"""Forms of the 三资 pages: the shape of the input only (dates, 元 → 分, the schedule's lines). The rules live in
services.py; what they refuse is shown next to its field with `add_domain_error`."""

from django import forms

from xiangzhi.assets import rules, services
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.core.money import yuan_to_fen

YES_NO = [("1", "是"), ("0", "否")]
DATE_MESSAGES = {"invalid": "请填写有效的日期（如 2026-03-01）。"}


def _date(label: str, *, required: bool = True, **kw) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={**DATE_MESSAGES, "required": f"请填写{label}。"},
        **kw,
    )


def _yes_no(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=YES_NO, widget=forms.RadioSelect, error_messages={"required": f"请选择{label}。"}
    )


def _yuan(form, name: str, label: str) -> int:
    try:
        return yuan_to_fen(form.cleaned_data.get(name) or "")
    except ValidationFailed as exc:
        raise forms.ValidationError(f"{label}：{exc.message}") from None


class ContractForm(forms.Form):
    village = forms.ChoiceField(label="村", error_messages={"required": "请选择合同所属的村。"})
    code = forms.CharField(label="合同编号", max_length=40, error_messages={"required": "请填写合同编号。"})
    category = forms.ChoiceField(label="类别", choices=rules.CATEGORY_CHOICES, widget=forms.RadioSelect)
    matter = forms.ChoiceField(label="合同事项", choices=rules.MATTER_CHOICES)
    subject = forms.CharField(
        label="资产或地块", max_length=200, error_messages={"required": "请填写资产或地块。"}
    )
    area = forms.CharField(
        label="面积（亩）", max_length=20, required=False, help_text="最多两位小数，如 12.35"
    )
    amount = forms.CharField(label="金额（元）", max_length=20, error_messages={"required": "请填写金额。"})
    amount_basis = forms.ChoiceField(
        label="金额口径", choices=rules.AMOUNT_BASIS_CHOICES, widget=forms.RadioSelect
    )
    counterparty_name = forms.CharField(
        label="承包（承租）方", max_length=100, error_messages={"required": "请填写承包（承租）方。"}
    )
    counterparty_type = forms.ChoiceField(
        label="承包方类型", choices=rules.COUNTERPARTY_TYPE_CHOICES, widget=forms.RadioSelect
    )
    counterparty_is_member = _yes_no("是否本集体经济组织成员")
    counterparty_id_number = forms.CharField(
        label="身份证号",
        max_length=30,
        required=False,
        help_text="承包方为个人时填写；加密保存，页面只显示后四位",
    )
    starts_on = _date("起始日")
    ends_on = _date("截止日")
    has_written_contract = _yes_no("是否有书面合同")
    resolution = forms.ChoiceField(label="批准合同的决议", required=False)
    schedule = forms.CharField(
        label="付款计划",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "2026-03-01 5000\n2027-03-01 5000"}),
        help_text="每行一期：应付日期 金额（元）",
    )
    note = forms.CharField(
        label="备注", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, villages=(), resolutions=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("category", "amount_basis", "counterparty_type", "matter"):
            self.fields[name].error_messages["required"] = f"请选择{self.fields[name].label}。"
            self.fields[name].error_messages["invalid_choice"] = f"请选择{self.fields[name].label}。"
        self.fields["village"].choices = [("", "请选择")] + [(v.code, v.name) for v in villages]
        self.fields["village"].error_messages["invalid_choice"] = "所选的村不在您的辖区内。"
        self.fields["resolution"].choices = [("", "（无）")] + [
            (str(i.pk), f"{i.meeting.held_on:%Y-%m-%d} {i.meeting.title}：{i.title}") for i in resolutions
        ]
        self.fields["resolution"].error_messages["invalid_choice"] = "所选决议不是本村已通过的决议。"
        if editing:
            del self.fields["village"]

    def clean_amount(self):
        return _yuan(self, "amount", "金额")

    def clean_schedule(self):
        try:
            return services.parse_schedule(self.cleaned_data.get("schedule") or "")
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "code": d["code"],
            "category": d["category"],
            "matter": d["matter"],
            "subject": d["subject"],
            "area": d["area"],
            "amount": d["amount"],
            "amount_basis": d["amount_basis"],
            "counterparty_name": d["counterparty_name"],
            "counterparty_type": d["counterparty_type"],
            "counterparty_is_member": d["counterparty_is_member"] == "1",
            "counterparty_id_number": d["counterparty_id_number"],
            "starts_on": d["starts_on"],
            "ends_on": d["ends_on"],
            "has_written_contract": d["has_written_contract"] == "1",
            "resolution_id": d["resolution"] or None,
            "schedule": d["schedule"],
            "note": d["note"],
        }


class PaymentForm(forms.Form):
    amount = forms.CharField(
        label="收款金额（元）", max_length=20, error_messages={"required": "请填写收款金额。"}
    )
    paid_on = _date("收款日期")
    receipt_no = forms.CharField(label="收据号", max_length=40, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def clean_amount(self):
        return _yuan(self, "amount", "收款金额")


class SettingForm(forms.Form):
    land_period_ends_on = _date(
        "本轮土地承包期（二轮延包）截止日", required=False, help_text="发包土地的合同期限不得超过此日"
    )
    review_starts_on = _date("合同清理开始日", required=False)
    review_ends_on = _date("合同清理结束日", required=False, help_text="清理期间收回的欠款计入“清收欠款”")


class ImportForm(forms.Form):
    village = forms.ChoiceField(label="导入到哪个村", error_messages={"required": "请选择村。"})
    file = forms.FileField(label="合同台账（.xlsx）", error_messages={"required": "请选择要导入的文件。"})

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", "请选择")] + [(v.code, v.name) for v in villages]
        self.fields["village"].error_messages["invalid_choice"] = "所选的村不在您的辖区内。"
