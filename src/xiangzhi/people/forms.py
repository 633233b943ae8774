"""Forms of the people pages: the shape of the input only (required, dates, choices). The rules (check digit,
birth date and sex against the ID number, duplicates, the head of household …) live in services.py; a
ValidationFailed they raise is put next to its field with `add_domain_error`, so the form re-renders with
everything that was typed."""

from django import forms

from xiangzhi.core.errors import ValidationFailed
from xiangzhi.people import services
from xiangzhi.people.models import TAG_CHOICES, Resident
from xiangzhi.web.errors import add_domain_error

DATE_INVALID = "请按“年-月-日”填写日期，如 1961-07-15。"


def check_early(form: forms.Form, data: dict, *, id_number: bool = True) -> None:
    """Run the services' own input checks (ID number with birth date and sex, phone) while cleaning, so that
    every bad field is answered in one round instead of one per submit. The service checks them again."""
    if id_number and data.get("id_number") and "sex" in data:
        try:
            services.check_identity(
                id_number=data["id_number"], birth_date=data.get("birth_date"), sex=data["sex"]
            )
        except ValidationFailed as exc:
            add_domain_error(form, exc)
    if data.get("phone"):
        try:
            services.normalise_phone(data["phone"])
        except ValidationFailed as exc:
            add_domain_error(form, exc)


def _required(label: str) -> dict:
    return {"required": f"请填写{label}。"}


def _choice_errors(label: str) -> dict:
    return {"required": f"请选择{label}。", "invalid_choice": f"请从列表中选择{label}。"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        help_text=help_text,
        error_messages={**_required(label), "invalid": DATE_INVALID},
    )


def tags_field(help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="标签",
        required=False,
        choices=[(t, t) for t in TAG_CHOICES],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice"}),
        help_text=help_text,
        error_messages={"invalid_choice": "请从列表中选择标签。"},
    )


# -- households ------------------------------------------------------------------------------------------------


class HouseholdForm(forms.Form):
    address = forms.CharField(label="住址", max_length=200, error_messages=_required("住址"))
    number = forms.CharField(
        label="户号", max_length=32, required=False, help_text="户口簿上的户号，可不填。"
    )
    group_name = forms.CharField(
        label="组别", max_length=50, required=False, help_text="村民小组，如“三组”，可不填。"
    )
    tags = tags_field()


class HouseholdCreateForm(HouseholdForm):
    field_order = ["grid", "address", "number", "group_name", "tags"]

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.grids = {g.code: g for g in grids}
        self.fields["grid"] = forms.ChoiceField(
            label="网格",
            choices=[("", "请选择网格")] + [(g.code, grid_label(g)) for g in grids],
            error_messages=_choice_errors("网格"),
        )
        self.order_fields(self.field_order)

    def clean_grid(self):
        return self.grids[self.cleaned_data["grid"]]


def grid_label(grid) -> str:
    parent = grid.parent.name if grid.parent_id else ""
    return f"{parent} · {grid.name}" if parent else grid.name


# -- residents -------------------------------------------------------------------------------------------------

SEX_CHOICES = Resident.SEX_CHOICES
RELATION_CHOICES = Resident.RELATION_CHOICES
RESIDENCE_CHOICES = Resident.RESIDENCE_CHOICES
ID_ATTRS = {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters", "maxlength": "24"}
PHONE_ATTRS = {"autocomplete": "off", "inputmode": "numeric", "maxlength": "20"}


class ResidentForm(forms.Form):
    """A new member of a household. Sex and birth date are typed as well as the ID number: the service checks
    them against it, which catches most typing errors the check digit lets through."""

    name = forms.CharField(label="姓名", max_length=50, error_messages=_required("姓名"))
    sex = forms.ChoiceField(
        label="性别",
        choices=SEX_CHOICES,
        widget=forms.RadioSelect(attrs={"class": "choice"}),
        error_messages=_choice_errors("性别"),
    )
    birth_date = date_field("出生日期")
    id_number = forms.CharField(
        label="身份证号",
        max_length=24,
        widget=forms.TextInput(attrs=ID_ATTRS),
        error_messages=_required("身份证号"),
        help_text="18 位，最后一位可能是 X。",
    )
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={**PHONE_ATTRS, "type": "tel"}),
        help_text="11 位手机号，可不填。",
    )
    relation = forms.ChoiceField(
        label="与户主关系", choices=RELATION_CHOICES, error_messages=_choice_errors("与户主关系")
    )
    residence = forms.ChoiceField(
        label="人员类别",
        choices=RESIDENCE_CHOICES,
        initial="registered",
        error_messages=_choice_errors("人员类别"),
    )
    tags = tags_field()

    def clean(self):
        data = super().clean()
        check_early(self, data, id_number="birth_date" in data)
        return data


class ResidentEditForm(forms.Form):
    """Changing a resident. The ID number, birth date and phone are never filled in (the page would show them
    in clear): left empty they stay as they are; typed, they replace the stored ones."""

    name = forms.CharField(label="姓名", max_length=50, error_messages=_required("姓名"))
    sex = forms.ChoiceField(
        label="性别",
        choices=SEX_CHOICES,
        widget=forms.RadioSelect(attrs={"class": "choice"}),
        error_messages=_choice_errors("性别"),
    )
    id_number = forms.CharField(
        label="身份证号",
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs=ID_ATTRS),
        help_text="不修改请留空；如需更正，请填写完整的 18 位号码。",
    )
    birth_date = date_field(
        "出生日期", required=False, help_text="出生日期包含在身份证号中：只在更正身份证号时填写（可不填）。"
    )
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={**PHONE_ATTRS, "type": "tel"}),
        help_text="不修改请留空。",
    )
    clear_phone = forms.BooleanField(label="删除已登记的电话", required=False)
    relation = forms.ChoiceField(label="与户主关系", error_messages=_choice_errors("与户主关系"))
    residence = forms.ChoiceField(
        label="人员类别", choices=RESIDENCE_CHOICES, error_messages=_choice_errors("人员类别")
    )
    tags = tags_field()

    def __init__(self, *args, resident: Resident, **kwargs):
        super().__init__(*args, **kwargs)
        self.resident = resident
        if resident.relation == "head":
            # the head changes only through 设为户主 (services.resident_set_head)
            self.fields["relation"].choices = [("head", "户主")]
            self.fields["relation"].disabled = True
            self.fields["relation"].help_text = "变更户主请在另一名成员的页面上点“设为户主”。"
        else:
            self.fields["relation"].choices = [c for c in RELATION_CHOICES if c[0] != "head"]
        if resident.phone_last4:
            self.fields["phone"].widget.attrs["placeholder"] = f"已登记，尾号 {resident.phone_last4}"
        else:
            del self.fields["clear_phone"]
        self.fields["id_number"].widget.attrs["placeholder"] = f"已登记，尾号 {resident.id_last4}"

    def clean(self):
        data = super().clean()
        if data.get("birth_date") and not data.get("id_number"):
            self.add_error("birth_date", "出生日期以身份证号为准：如需更正，请同时填写正确的身份证号。")
        if data.get("phone") and data.get("clear_phone"):
            self.add_error("phone", "填写了新电话，又勾选了删除电话：请只选一项。")
        check_early(self, data, id_number="birth_date" not in self.errors)
        return data

    def changes(self) -> dict:
        """The keyword arguments for services.resident_update, apart from `tags`."""
        d = self.cleaned_data
        out = {"name": d["name"], "sex": d["sex"], "residence": d["residence"]}
        if "relation" in d and not self.fields["relation"].disabled:
            out["relation"] = d["relation"]
        if d.get("id_number"):
            out["id_number"] = d["id_number"]
            if d.get("birth_date"):
                out["birth_date"] = d["birth_date"]
        if d.get("phone"):
            out["phone"] = d["phone"]
        elif d.get("clear_phone"):
            out["phone"] = ""
        return out


class LeaveForm(forms.Form):
    """迁出 / 去世: the date, then a confirmation step (`confirmed`)."""

    date = date_field("日期")
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
