from django import template

from xiangzhi.assets.services import format_area

register = template.Library()


@register.filter
def mu(cmu) -> str:
    """1/100 亩 → "624.16"."""
    return format_area(cmu or 0)


@register.filter
def flag(contract, code: str) -> bool:
    return bool(getattr(contract, f"flag_{code}", False))
