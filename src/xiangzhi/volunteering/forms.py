"""Forms of the volunteering pages: they only parse; the services decide."""

from django import forms

from xiangzhi.volunteering.models import KIND_CHOICES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TeamForm(forms.Form):
    village = forms.ChoiceField(label="所在村")
    name = forms.CharField(label="队伍名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=KIND_CHOICES, widget=forms.RadioSelect, initial="daily")
    description = forms.CharField(
        label="简介", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [(v.code, v.name) for v in villages]
        self.fields["village"].error_messages["invalid_choice"] = "只能在本人负责的村组建志愿服务队。"
        self.fields["village"].error_messages["required"] = "请选择所在村。"
        self.fields["name"].error_messages["required"] = "请填写队伍名称。"


class MemberForm(forms.Form):
    resident = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, error_messages={"required": "请先查找并选择居民。"}
    )
    is_leader = forms.BooleanField(label="设为队长", required=False)


class ActivityForm(forms.Form):
    title = forms.CharField(label="活动名称", max_length=100, error_messages={"required": "请填写活动名称。"})
    date = forms.DateField(
        label="活动日期",
        widget=DATE,
        error_messages={"required": "请填写活动日期。", "invalid": "日期格式不正确。"},
    )
    place = forms.CharField(label="地点", max_length=100, required=False)
    description = forms.CharField(
        label="内容", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    item = forms.TypedChoiceField(
        label="服务时长折算积分的积分项", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "不折算积分")] + [
            (i.pk, f"{i.code} {i.name}（每小时 {i.points:+d} 分）") for i in items
        ]
        self.fields[
            "item"
        ].help_text = "确认服务时长后，按每开始一小时记该项分值，为每位参加者所在户录入积分申报。"


class HoursForm(forms.Form):
    volunteer = forms.TypedChoiceField(label="队员", coerce=int, error_messages={"required": "请选择队员。"})
    hours = forms.IntegerField(
        label="小时", min_value=0, max_value=24, initial=1, error_messages={"invalid": "请填写整数小时。"}
    )
    minutes = forms.IntegerField(label="分钟", min_value=0, max_value=59, initial=0, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].choices = [("", "请选择")] + [(m.pk, m.resident.name) for m in members]
        self.fields["volunteer"].error_messages["invalid_choice"] = "只能选择本队在队队员。"

    def total_minutes(self) -> int:
        d = self.cleaned_data
        return (d.get("hours") or 0) * 60 + (d.get("minutes") or 0)
