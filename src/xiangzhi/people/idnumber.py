"""Resident ID numbers (公民身份号码, GB 11643-1999): 6-digit address code, 8-digit birth date, 3-digit sequence
(odd for men, even for women), and an ISO 7064 MOD 11-2 check character."""

import datetime as dt
import unicodedata

from xiangzhi.core.errors import ValidationFailed

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CHARS = "10X98765432"


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalise(raw) -> str:
    """Trim, upper-case the X. A number that Excel turned into scientific notation or a float is refused."""
    if isinstance(raw, int | float):
        raise ValidationFailed(
            "身份证号被存成了数字（如 1.41029E+17），后几位已丢失：请把该列设为“文本”格式后重新录入。"
        )
    # NFKC: full-width digits and Ｘ typed with a Chinese IME become ASCII, so one person has one number.
    text = unicodedata.normalize("NFKC", str(raw or "")).strip().replace(" ", "").upper()
    if "E+" in text or "." in text:
        raise ValidationFailed(
            "身份证号被存成了数字（如 1.41029E+17），后几位已丢失：请把该列设为“文本”格式后重新录入。"
        )
    return text


def validate(raw, *, birth_date: dt.date | None = None) -> str:
    """Return the normalised number or raise ValidationFailed with a Chinese message."""
    number = normalise(raw)
    if not number:
        raise ValidationFailed("请填写身份证号。", field="id_number")
    if len(number) != 18:
        raise ValidationFailed(f"身份证号应为 18 位，实际为 {len(number)} 位。", field="id_number")
    if not number.isascii() or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationFailed("身份证号前 17 位须为数字，最后一位为数字或 X。", field="id_number")
    born = birth_date_of(number)
    if born is None:
        raise ValidationFailed("身份证号中的出生日期无效。", field="id_number")
    if check_char(number[:17]) != number[17]:
        raise ValidationFailed("身份证号校验位不正确，请核对是否录错。", field="id_number")
    if birth_date is not None and born != birth_date:
        raise ValidationFailed(
            f"身份证号中的出生日期（{born:%Y-%m-%d}）与填写的出生日期（{birth_date:%Y-%m-%d}）不一致。",
            field="id_number",
        )
    return number


def birth_date_of(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def sex_of(number: str) -> str:
    return "M" if int(number[16]) % 2 else "F"


def make(address6: str, birth: dt.date, sequence: int, sex: str) -> str:
    """Build a checksum-valid number (for the demo and tests): sequence 0-499, sex 'M' or 'F'."""
    seq = sequence % 500 * 2 + (1 if sex == "M" else 0)
    seq = seq if seq < 1000 else seq - 2
    first17 = f"{address6}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)
