from django import template

from xiangzhi.assets.services import format_area
from xiangzhi.core.money import fen_to_yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """分 → "1,234.50"."""
    return fen_to_yuan(fen or 0)


@register.filter
def mu(cmu) -> str:
    """1/100 亩 → "624.16"."""
    return format_area(cmu or 0)


@register.filter
def flag(contract, code: str) -> bool:
    return bool(getattr(contract, f"flag_{code}", False))
