"""Forms of the store pages: the shape of the input only. The rules (whose store, how many points, what stock)
live in services.py; what they refuse is shown next to its field with `add_domain_error`."""

from django import forms

from xiangzhi.store.services import MAX_PRICE, MAX_QUANTITY, MAX_RESTOCK, MAX_STOCK

INT_MESSAGES = {"invalid": "请填写整数。", "required": "请填写{label}。"}


def _int_field(label: str, *, low: int, high: int, required: bool = True, **kw) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=low,
        max_value=high,
        error_messages={
            "invalid": f"{label}须为整数。",
            "required": f"请填写{label}。",
            "min_value": f"{label}不能小于 {low}。",
            "max_value": f"{label}不能大于 {high}。",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        **kw,
    )


class StoreForm(forms.Form):
    name = forms.CharField(label="超市名称", max_length=60, error_messages={"required": "请填写超市名称。"})
    region = forms.ChoiceField(label="设在", error_messages={"required": "请选择超市所在的乡镇或村。"})
    villages = forms.MultipleChoiceField(
        label="服务的村",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "请选择这家超市服务的村（至少一个）。",
            "invalid_choice": "所选的村不在您的辖区内。",
        },
    )
    address = forms.CharField(label="地址", max_length=120, required=False)
    opening_hours = forms.CharField(
        label="营业时间", max_length=60, required=False, help_text="如：每周六 9:00-12:00"
    )

    def __init__(self, *args, regions=(), villages=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "请选择")] + [
            (r.code, ("　" if r.level == "village" else "") + r.name) for r in regions
        ]
        self.fields["region"].error_messages["invalid_choice"] = "所选的乡镇或村不在您的辖区内。"
        self.fields["villages"].choices = [(v.code, v.name) for v in villages]
        if editing:
            del self.fields["region"]
            self.fields["is_active"] = forms.BooleanField(label="营业中", required=False)


class GoodsForm(forms.Form):
    name = forms.CharField(label="商品名称", max_length=60, error_messages={"required": "请填写商品名称。"})
    price = _int_field("兑换积分", low=1, high=MAX_PRICE, help_text="兑换一件要多少分")
    stock = _int_field("库存", low=0, high=MAX_STOCK, required=False, help_text="首批上架的数量")
    unit = forms.CharField(
        label="单位", max_length=8, required=False, initial="件", help_text="件、袋、瓶、桶……"
    )
    description = forms.CharField(label="说明", max_length=200, required=False)
    photo = forms.FileField(
        label="照片",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    sort = _int_field("排序", low=0, high=9999, required=False, help_text="小的排在前面")
    is_active = forms.BooleanField(label="上架", required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["stock"]  # stock changes by restocking only


class RestockForm(forms.Form):
    quantity = _int_field(
        "补货数量", low=-MAX_RESTOCK, high=MAX_RESTOCK, help_text="到货填正数；盘点发现少了填负数"
    )
    note = forms.CharField(label="说明", max_length=200, required=False)


class ConfirmForm(forms.Form):
    code = forms.CharField(
        label="兑换码",
        max_length=200,  # a scanned QR code brings the whole address
        error_messages={"required": "请输入或扫描兑换码。"},
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "code-input",
                "placeholder": "如 7KQ3-M9XA",
            }
        ),
    )
    store = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RedeemForm(forms.Form):
    """`token`: a one-time form token, so that a double tap or a resend after a dropped connection redeems once."""

    quantity = _int_field("数量", low=1, high=MAX_QUANTITY, initial=1)
    token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


def new_token() -> str:
    import secrets

    return secrets.token_urlsafe(18)


class CancelForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=200, required=False)
