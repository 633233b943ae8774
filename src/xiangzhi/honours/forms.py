"""Forms of the 红黑榜 pages: they only check the shape of what was typed; the rules are the services'."""

import datetime as dt

from django import forms

from xiangzhi.honours.services import MAX_APPEAL_DAYS


class GenerateForm(forms.Form):
    village = forms.ChoiceField(
        label="村", error_messages={"required": "请选择村。", "invalid_choice": "请从列表中选择村。"}
    )
    month = forms.CharField(
        label="考核期（该期内任一月份）",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "例如 2026-03"}),
        error_messages={"required": "请选择月份。"},
    )

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", "请选择")] + [(v.code, v.name) for v in villages]

    def clean_month(self) -> dt.date:
        value = (self.cleaned_data.get("month") or "").strip()
        try:
            year, month = value.split("-")
            return dt.date(int(year), int(month), 1)
        except ValueError:
            raise forms.ValidationError("月份格式应为“年-月”，例如 2026-03。") from None


class NotifyForm(forms.Form):
    appeal_days = forms.IntegerField(
        label="申诉期（天）",
        min_value=1,
        max_value=MAX_APPEAL_DAYS,
        error_messages={
            "required": "请填写申诉期天数。",
            "invalid": "申诉期须为整数天。",
            "min_value": "申诉期至少 1 天。",
            "max_value": f"申诉期最多 {MAX_APPEAL_DAYS} 天。",
        },
    )


class AppealForm(forms.Form):
    text = forms.CharField(
        label="申诉理由",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "请填写申诉理由。", "max_length": "申诉理由最多 1000 字。"},
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="处理结果",
        choices=[("upheld", "申诉成立：从榜单撤下"), ("dismissed", "申诉不成立：保留")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择处理结果。", "invalid_choice": "请选择处理结果。"},
    )
    reason = forms.CharField(
        label="处理意见",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请填写处理意见。", "max_length": "处理意见最多 1000 字。"},
    )
