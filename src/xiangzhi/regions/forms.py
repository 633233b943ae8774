"""Region forms: they only parse what was typed. The rules (code shape, parent, uniqueness) are the services'; a
refused rule comes back as a ValidationFailed and is shown next to its field (xiangzhi.web.errors.add_domain_error)."""

from django import forms


class RegionNameForm(forms.Form):
    name = forms.CharField(
        label="名称",
        max_length=100,
        strip=True,
        error_messages={"required": "请填写名称。", "max_length": "名称不能超过 100 个字。"},
    )


class RegionChildForm(forms.Form):
    # Deliberately lenient: the service explains what is wrong with a code, in the words of the rule.
    code = forms.CharField(
        label="区划代码",
        max_length=30,
        required=False,
        strip=True,
        error_messages={"max_length": "区划代码长度应为 6/9/12/15/18 位。"},
    )
    name = forms.CharField(
        label="名称",
        max_length=200,
        required=False,
        strip=True,
        error_messages={"max_length": "名称不能超过 100 个字。"},
    )


class MergeChooseForm(forms.Form):
    """Source and target villages of one town, both picked from the villages the user may merge."""

    source = forms.ChoiceField(label="被撤并的村（撤销）", error_messages={"required": "请选择被撤并的村。"})
    target = forms.ChoiceField(label="并入的村（保留）", error_messages={"required": "请选择并入的村。"})

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "请选择")] + [(v.code, f"{v.name}（{v.code}）") for v in villages]
        for name in ("source", "target"):
            self.fields[name].choices = choices
            self.fields[name].error_messages["invalid_choice"] = "请从列表中选择本乡镇的村。"

    def clean(self):
        data = super().clean()
        if data.get("source") and data.get("source") == data.get("target"):
            self.add_error("target", "并入的村不能与被撤并的村相同。")
        return data
