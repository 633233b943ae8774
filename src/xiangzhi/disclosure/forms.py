"""Forms of the cadres' 三务公开 pages: the shape of the input only (required, lengths, choices). The rules (the
village in reach, the sign-off, no ID or phone numbers, the attachment check, no edit once published) are the
services'; a refusal is shown next to its field and the form re-renders with what was typed."""

from django import forms

from xiangzhi.disclosure.models import FINANCE, PARTY, RESOLUTION, VILLAGE
from xiangzhi.disclosure.models import KIND_LABELS as LABELS
from xiangzhi.disclosure.services import split_names

DRAFT_KINDS = [(k, LABELS[k]) for k in (PARTY, VILLAGE, FINANCE, RESOLUTION)]


def _text(label: str, limit: int, *, required: bool = True, rows: int = 0):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        widget=widget,
        error_messages={
            "required": f"请填写{label}。",
            "max_length": f"{label}太长：最多 %(limit_value)d 字。",
        },
    )


class NoticeTextForm(forms.Form):
    title = _text("标题", 100)
    body = _text("内容", 10000, rows=8)
    result = _text("实施结果", 5000, required=False, rows=4)
    mask_names = forms.CharField(
        label="文中须隐去的姓名",
        required=False,
        max_length=500,
        help_text="公开时这些姓名显示为“张某”。多个姓名用顿号、逗号或空格隔开。",
        error_messages={"max_length": "姓名太多：最多 500 字。"},
    )
    attachment = forms.FileField(
        label="附件（PDF 或图片）",
        required=False,
        help_text="带文字的 PDF 会自动检查身份证号、手机号；扫描件和图片须人工核对。",
        error_messages={"invalid": "请选择一个文件。", "empty": "文件是空的。"},
    )
    attachment_checked = forms.BooleanField(label="我已核对附件，其中没有身份证号、手机号", required=False)

    def clean_mask_names(self) -> list[str]:
        return split_names(self.cleaned_data.get("mask_names"))


class DraftForm(NoticeTextForm):
    village = forms.ChoiceField(
        label="村（社区）",
        error_messages={"required": "请选择村（社区）。", "invalid_choice": "请从列表中选择村（社区）。"},
    )
    kind = forms.ChoiceField(
        label="类别",
        choices=DRAFT_KINDS,
        error_messages={"required": "请选择类别。", "invalid_choice": "请从列表中选择类别。"},
    )
    major = forms.BooleanField(label="重大事项（立即公开）", required=False)

    field_order = [
        "village",
        "kind",
        "major",
        "title",
        "body",
        "result",
        "mask_names",
        "attachment",
        "attachment_checked",
    ]

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", "请选择")] + [(v.code, v.name) for v in villages]


class EditForm(NoticeTextForm):
    remove_attachment = forms.BooleanField(label="删除现有附件", required=False)


class AnswerForm(forms.Form):
    answer = _text("答复", 2000, rows=3)


class SettingForm(forms.Form):
    finance_monthly = forms.BooleanField(
        label="财务每月公开（收支频繁的村）",
        required=False,
        help_text="不勾选则财务每季度公开一次（《村民委员会组织法》第三十条）。",
    )
