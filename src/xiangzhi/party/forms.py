"""Forms of the party pages: the shape of the input. The rules (one membership a resident, the 联户 limit, the
org's reach …) are the services'; their refusals are put next to the field with xiangzhi.web.errors.add_domain_error.

A person is picked from a search: the form's "查找" button posts the whole form back (nothing typed is lost),
the page lists what matched, and the chosen id is checked again against the scoped candidates when saving,
so a forged id finds nothing."""

from django import forms

from xiangzhi.party.models import PartyMember
from xiangzhi.people.forms import date_field

SEARCH_ATTRS = {"autocomplete": "off", "enterkeyhint": "search"}


class MemberAddForm(forms.Form):
    SOURCE_RESIDENT, SOURCE_NAME = "resident", "name"
    source = forms.ChoiceField(
        label="党员来源",
        choices=[
            (SOURCE_RESIDENT, "本村居民（从户籍中查找）"),
            (SOURCE_NAME, "流动党员（户籍不在本村，按姓名登记）"),
        ],
        initial=SOURCE_RESIDENT,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择党员来源。", "invalid_choice": "请选择党员来源。"},
    )
    q = forms.CharField(
        label="查找居民",
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={**SEARCH_ATTRS, "type": "search"}),
        help_text="姓名、拼音首字母（如 zs）或身份证后四位，然后点“查找”。",
    )
    resident = forms.IntegerField(required=False, widget=forms.HiddenInput)  # drawn as a list of radios
    name = forms.CharField(
        label="流动党员姓名",
        max_length=50,
        required=False,
        help_text="选“流动党员”时填写；本村居民的姓名取自户籍。",
    )
    status = forms.ChoiceField(
        label="类别",
        choices=PartyMember.STATUS_CHOICES,
        initial=PartyMember.STATUS_FULL,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择党员类别。", "invalid_choice": "请选择党员类别。"},
    )
    joined_on = date_field("入党日期", required=False)
    is_mobile = forms.BooleanField(label="流动党员（长期外出，不能正常参加组织生活）", required=False)

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates  # the scoped queryset a chosen resident must be in

    def clean(self):
        data = super().clean()
        source = data.get("source")
        if source == self.SOURCE_RESIDENT:
            pk = data.get("resident")
            found = self.candidates.filter(pk=pk).first() if pk and self.candidates is not None else None
            if found is None:
                self.add_error("resident", "请先查找并在结果中选择一名居民。")
            data["resident"] = found
        elif source == self.SOURCE_NAME:
            data["resident"] = None
            data["is_mobile"] = True
            if not (data.get("name") or "").strip():
                self.add_error("name", "请填写党员姓名。")
        return data


class LinkHouseholdForm(forms.Form):
    """From a member's page: pick a household to look after."""

    q = forms.CharField(
        label="查找户",
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={**SEARCH_ATTRS, "type": "search"}),
        help_text="户主姓名、拼音首字母或身份证后四位，然后点“查找”。不查找时列出尚无党员联系的户。",
    )
    household = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates

    def clean(self):
        data = super().clean()
        pk = data.get("household")
        found = self.candidates.filter(pk=pk).first() if pk and self.candidates is not None else None
        if found is None:
            self.add_error("household", "请在列表中选择一户。")
        data["household"] = found
        return data


class LinkMemberForm(forms.Form):
    """From a household's page: pick the member who will look after it."""

    member = forms.ChoiceField(
        label="联系党员",
        widget=forms.RadioSelect,
        error_messages={"required": "请选择一名党员。", "invalid_choice": "请从列表中选择党员。"},
    )

    def __init__(self, *args, members, labels: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.pk): m for m in members}
        self.fields["member"].choices = [(str(m.pk), labels[m.pk]) for m in members]

    def clean_member(self):
        return self.members[self.cleaned_data["member"]]
