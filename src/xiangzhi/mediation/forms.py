"""Forms of the mediation pages: the shape of the input only. The rules (DISPUTE cases only, one open mediation,
ID numbers, dates against the mediation) live in services.py; a refusal there goes next to its field."""

from django import forms

from xiangzhi.core import clock
from xiangzhi.mediation.models import (
    LEVEL_CHOICES,
    MEDIATOR_KIND_CHOICES,
    OUTCOME_CHOICES,
    SERVICE_KIND_CHOICES,
    Agreement,
    MediationParty,
)
from xiangzhi.people.forms import ID_ATTRS, date_field

MANUAL_OUTCOME_CHOICES = [(k, v) for k, v in OUTCOME_CHOICES if k != "success"]


def _required(label: str) -> dict:
    return {"required": f"请填写{label}。"}


def _choice(label: str) -> dict:
    return {"required": f"请选择{label}。", "invalid_choice": f"请从列表中选择{label}。"}


def _text(label: str, *, required: bool = True, rows: int = 4, help_text: str = "", max_length=4000):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
        error_messages={**_required(label), "max_length": f"{label}最多 {max_length} 字。"},
    )


class MediatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_kind_display()}）"


def mediators_field(queryset, *, required: bool = False) -> MediatorChoiceField:
    return MediatorChoiceField(
        label="调解员",
        queryset=queryset,
        required=required,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice"}),
        error_messages={
            "required": "请至少选择一名调解员。",
            "invalid_choice": "请从名册中选择调解员。",
            "invalid_pk_value": "请从名册中选择调解员。",
        },
        help_text="当事人可以选择或者接受调解员（人民调解法第二十三条）。",
    )


class OpenForm(forms.Form):
    level = forms.ChoiceField(
        label="调解层级",
        choices=LEVEL_CHOICES,
        initial="village",
        widget=forms.RadioSelect(attrs={"class": "choice"}),
        error_messages=_choice("调解层级"),
        help_text="组：村民小组内调解；村：村调委会调解；镇：乡镇调委会调解（由乡镇发起）。",
    )
    summary = _text("纠纷简要情况", help_text="双方是谁、为什么事起了纠纷、各自的诉求。")

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mediators"] = mediators_field(roster)


class MediatorsForm(forms.Form):
    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mediators"] = mediators_field(roster, required=True)


class PartyForm(forms.Form):
    """A resident picked from the search results, or an outsider typed in."""

    KIND_CHOICES = [("resident", "本地居民（从户籍中选择）"), ("outsider", "外来人员（手工登记）")]

    role = forms.ChoiceField(
        label="当事人身份",
        choices=MediationParty.ROLE_CHOICES,
        widget=forms.RadioSelect(attrs={"class": "choice"}),
        error_messages=_choice("当事人身份"),
    )
    kind = forms.ChoiceField(
        label="当事人类别",
        choices=KIND_CHOICES,
        initial="resident",
        widget=forms.RadioSelect(attrs={"class": "choice"}),
        error_messages=_choice("当事人类别"),
    )
    resident = forms.TypedChoiceField(label="选择居民", required=False, coerce=int, empty_value=None)
    name = forms.CharField(label="姓名（外来人员）", max_length=50, required=False)
    id_number = forms.CharField(
        label="身份证号（外来人员）",
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs=ID_ATTRS),
        help_text="18 位，最后一位可能是 X；页面和协议书上只显示后四位。可不填。",
    )
    address = forms.CharField(label="住址", max_length=200, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {r.pk: r for r in candidates}
        field = self.fields["resident"]
        field.choices = [(r.pk, f"{r.name}（{r.household.address}）") for r in candidates]
        field.widget = forms.RadioSelect(attrs={"class": "pick"})
        field.widget.choices = field.choices
        field.error_messages["invalid_choice"] = "请从搜索结果中选择居民。"

    def clean(self):
        data = super().clean()
        if data.get("kind") == "resident":
            if not data.get("resident"):
                self.add_error("resident", "请先搜索并选择一位居民；户籍中没有的，请选“外来人员”。")
            else:
                data["resident"] = self.candidates.get(data["resident"])
        elif data.get("kind") == "outsider" and not (data.get("name") or "").strip():
            self.add_error("name", "请填写当事人姓名。")
        return data


class RefuseForm(forms.Form):
    reason = _text(
        "拒绝调解的情况", rows=3, max_length=1000, help_text="如：当事人明确表示不接受调解，要求起诉。"
    )
    confirmed = forms.BooleanField(
        label="我已确认该当事人明确拒绝调解；调解将终止，并告知当事人可以通过仲裁、行政、司法等途径维护权利。",
        error_messages={"required": "请勾选确认后再提交。"},
    )


class SessionForm(forms.Form):
    date = date_field("调解日期")
    place = forms.CharField(label="调解地点", max_length=120, error_messages=_required("调解地点"))
    attendees = forms.CharField(
        label="参加人员", max_length=300, required=False, help_text="当事人、调解员及其他参加的人。"
    )
    notes = _text("调解情况", rows=5, help_text="各方陈述、调解员做的工作、达成的共识或分歧。")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"date": clock.today()})
        super().__init__(*args, **kwargs)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="调解结果",
        choices=MANUAL_OUTCOME_CHOICES,
        widget=forms.RadioSelect(attrs={"class": "choice"}),
        error_messages=_choice("调解结果"),
        help_text="调解成功请记录调解协议：协议生效时自动登记为调解成功。",
    )
    note = _text("结果说明", rows=3, max_length=1000)


class AgreementForm(forms.Form):
    form = forms.ChoiceField(
        label="协议形式",
        choices=Agreement.FORM_CHOICES,
        initial=Agreement.WRITTEN,
        widget=forms.RadioSelect(attrs={"class": "choice"}),
        error_messages=_choice("协议形式"),
        help_text="书面协议经各方当事人签名、调委会盖章后生效；口头协议记录即生效（人民调解法第二十八至三十条）。",
    )
    facts = _text("纠纷的主要事实、争议事项", rows=5)
    terms = _text("协议内容（各方当事人的权利和义务）", rows=6)
    performance_method = _text(
        "履行方式", rows=2, max_length=1000, help_text="如：一次性现金支付、拆除围墙。"
    )
    performance_due = date_field("履行期限")


class MediatorAddForm(forms.Form):
    region = forms.ChoiceField(label="调委会（村或乡镇）", error_messages=_choice("调委会"))
    name = forms.CharField(label="姓名", max_length=50, error_messages=_required("姓名"))
    kind = forms.ChoiceField(label="类别", choices=MEDIATOR_KIND_CHOICES, error_messages=_choice("类别"))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = {r.code: r for r in regions}
        self.fields["region"].choices = [("", "请选择")] + [(r.code, r.name) for r in regions]

    def clean_region(self):
        return self.regions[self.cleaned_data["region"]]


class AdviserAddForm(forms.Form):
    village = forms.ChoiceField(label="村", error_messages=_choice("村"))
    name = forms.CharField(label="姓名", max_length=50, error_messages=_required("姓名"))
    firm = forms.CharField(
        label="执业机构", max_length=100, required=False, help_text="律师事务所或法律服务所。"
    )
    since = date_field("聘任日期", required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.villages = {v.code: v for v in villages}
        self.fields["village"].choices = [("", "请选择")] + [(v.code, v.name) for v in villages]

    def clean_village(self):
        return self.villages[self.cleaned_data["village"]]


class ServiceLogForm(forms.Form):
    kind = forms.ChoiceField(
        label="服务类别",
        choices=SERVICE_KIND_CHOICES,
        widget=forms.RadioSelect(attrs={"class": "choice"}),
        error_messages=_choice("服务类别"),
    )
    date = date_field("日期")
    hours = forms.DecimalField(
        label="时长（小时）",
        max_digits=4,
        decimal_places=1,
        min_value=0.1,
        max_value=24,
        error_messages={
            "required": "请填写时长。",
            "invalid": "时长须为数字，如 2 或 1.5。",
            "min_value": "时长须在 0.1 到 24 小时之间。",
            "max_value": "时长须在 0.1 到 24 小时之间。",
            "max_decimal_places": "时长最多保留一位小数。",
            "max_digits": "时长须在 0.1 到 24 小时之间。",
        },
    )
    people = forms.IntegerField(
        label="服务人数",
        min_value=0,
        max_value=100000,
        initial=0,
        help_text="接访填接待的群众人数（件次），讲座填听讲人数。",
        error_messages={
            "required": "请填写服务人数。",
            "invalid": "服务人数须为整数。",
            "min_value": "服务人数不能为负数。",
        },
    )
    materials = forms.IntegerField(
        label="发放普法资料（份）",
        min_value=0,
        max_value=1000000,
        initial=0,
        error_messages={
            "required": "请填写份数（没有填 0）。",
            "invalid": "份数须为整数。",
            "min_value": "份数不能为负数。",
        },
    )
    notes = _text("内容", required=False, rows=3, max_length=1000, help_text="讲座请填写主题。")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"date": clock.today(), "people": 0, "materials": 0})
        super().__init__(*args, **kwargs)
