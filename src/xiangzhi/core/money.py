"""Money is kept as integer 分 (fen): never floats, never Decimal sums that SQLite would round."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from xiangzhi.core.errors import ValidationFailed

MAX_YUAN = Decimal(10) ** 15  # far above any village's sums; keeps fen inside a 64-bit integer column


def yuan_to_fen(text: str | int | Decimal) -> int:
    try:
        value = Decimal(str(text).replace(",", "").replace("元", "").strip())
    except InvalidOperation:
        raise ValidationFailed(f"“{text}”不是有效的金额。") from None
    if not value.is_finite():  # "NaN", "Infinity" are Decimals too
        raise ValidationFailed(f"“{text}”不是有效的金额。")
    if abs(value) >= MAX_YUAN:
        raise ValidationFailed(f"金额“{text}”超出范围。")
    if value.as_tuple().exponent < -2:
        raise ValidationFailed(f"金额“{text}”最多保留到分（两位小数）。")
    return int((value * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def fen_to_yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"
