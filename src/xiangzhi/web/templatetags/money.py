"""Money in templates: integer 分 shown as 元 (`{% load money %}` … `{{ amount|yuan }}` → 1,234.50)."""

from django import template

from xiangzhi.core.money import fen_to_yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer 分 shown as 元 with two decimals and thousands separators (123450 → "1,234.50")."""
    return fen_to_yuan(int(fen or 0))
