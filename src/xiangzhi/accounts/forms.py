"""Forms of the administration pages. They parse input only; every rule is in services."""

from django import forms

from xiangzhi.accounts import selectors
from xiangzhi.accounts.roles import ROLES
from xiangzhi.regions.codes import LEVEL_LABELS
from xiangzhi.regions.models import Region

ROLE_GRANT_CHOICES = [("", "请选择角色")] + [
    (code, r.label) for code, r in ROLES.items() if code != "villager"
]
INSTALL_WIDE = "*"


def region_label(region: Region) -> str:
    return f"{'　' * (len(region.code) // 3 - 2)}{region.name}（{LEVEL_LABELS[region.level]} {region.code}）"


def _region_from(choice: str, typed: str):
    """The region named by the typed code or the chosen one; None for the whole install; raises on unknown."""
    code = (typed or "").strip() or (choice or "").strip()
    if code in ("", INSTALL_WIDE):
        return None
    region = selectors.region_by_code(code=code, active_only=True)
    if region is None:
        raise forms.ValidationError(f"没有代码为 {code[:18]} 的有效辖区。")
    return region


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label="角色", choices=ROLE_GRANT_CHOICES)
    region = forms.ChoiceField(label="辖区", required=False)
    region_code = forms.CharField(label="或输入辖区代码", required=False, max_length=18)
    department = forms.ChoiceField(label="部门（乡镇部门工作人员）", required=False)
    scope_id = forms.IntegerField(label="对象编号（积分超市、评议小组）", required=False, min_value=1)

    def __init__(self, *args, regions=(), departments=(), install_wide=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "请选择辖区")]
        if install_wide:
            choices.append((INSTALL_WIDE, "全系统（仅三员）"))
        choices += [(r.code, region_label(r)) for r in regions]
        self.fields["region"].choices = choices
        self.fields["department"].choices = [("", "—")] + [
            (str(d.pk), f"{d.town.name} · {d.name}") for d in departments
        ]

    def clean(self):
        data = super().clean()
        if not (data.get("region") or data.get("region_code")):
            self.add_error("region", "请选择辖区（三员选“全系统”或所在的县）。")
            return data
        try:
            data["region_obj"] = _region_from(data.get("region", ""), data.get("region_code", ""))
        except forms.ValidationError as e:
            self.add_error("region_code", e)
            return data
        spec = ROLES.get(data.get("role") or "")
        if spec and spec.scope_kind == "department":
            data["scope"] = int(data["department"]) if data.get("department") else None
        elif spec and spec.scope_kind:
            data["scope"] = data.get("scope_id")
        else:
            data["scope"] = None
        return data


class StaffAccountForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=60)
    full_name = forms.CharField(label="姓名", max_length=50)
    region = forms.ChoiceField(label="所属辖区")
    id_number = forms.CharField(
        label="身份证号（选填，只存其密钥哈希，用于三员分立核对）", required=False, max_length=30, strip=True
    )
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="再输入一次初始密码", widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, regions=(), install_wide=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "请选择")]
        if install_wide:
            choices.append((INSTALL_WIDE, "全系统（不属于任何县）"))
        choices += [(r.code, region_label(r)) for r in regions]
        self.fields["region"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致。")
        if data.get("region"):
            try:
                data["region_obj"] = _region_from(data["region"], "")
            except forms.ValidationError as e:
                self.add_error("region", e)
        return data
