"""Free text typed into forms and the API: trimmed, required or not, and within a length, with Chinese messages."""

from xiangzhi.core.errors import ValidationFailed


def clean_text(value, *, field: str, label: str, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(f"请填写{label}。", field=field)
    if len(text) > limit:
        raise ValidationFailed(f"{label}太长：最多 {limit} 字，现在 {len(text)} 字。", field=field)
    return text
