import datetime as dt

import pytest

from xiangzhi.core.errors import ValidationFailed
from xiangzhi.people import idnumber
from xiangzhi.people.services import check_identity

BIRTH = dt.date(1990, 1, 31)
VALID = idnumber.make("141029", BIRTH, 7, "M")


def test_make_builds_a_valid_number():
    assert len(VALID) == 18
    assert idnumber.validate(VALID) == VALID
    assert idnumber.sex_of(VALID) == "M"
    assert idnumber.birth_date_of(VALID) == BIRTH


def test_wrong_check_digit_is_refused():
    wrong = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    with pytest.raises(ValidationFailed, match="校验位不正确"):
        idnumber.validate(wrong)


@pytest.mark.parametrize("length", [17, 19])
def test_length_other_than_18_is_refused(length):
    number = (VALID + "1")[:length]
    with pytest.raises(ValidationFailed, match=f"应为 18 位，实际为 {length} 位"):
        idnumber.validate(number)


def test_trailing_x_any_case():
    # find a sequence whose check character is X
    number = next(n for n in (idnumber.make("141029", BIRTH, s, "F") for s in range(500)) if n.endswith("X"))
    assert idnumber.validate(number.lower()) == number
    assert idnumber.validate(f" {number[:6]} {number[6:]} ") == number


def test_x_in_the_middle_is_refused():
    with pytest.raises(ValidationFailed, match="前 17 位须为数字"):
        idnumber.validate(VALID[:5] + "X" + VALID[6:])


def test_birth_date_mismatch_is_refused():
    with pytest.raises(ValidationFailed, match="出生日期（1990-01-31）与填写的出生日期（1990-02-01）不一致"):
        idnumber.validate(VALID, birth_date=dt.date(1990, 2, 1))


def test_impossible_birth_date_is_refused():
    first17 = "141029" + "19900230" + "001"
    with pytest.raises(ValidationFailed, match="出生日期无效"):
        idnumber.validate(first17 + idnumber.check_char(first17))


@pytest.mark.parametrize("raw", [1.41029199001311e17, 141029199001310071, "1.41029E+17"])
def test_number_stored_as_a_number_is_refused_with_the_text_hint(raw):
    with pytest.raises(ValidationFailed, match="设为“文本”格式"):
        idnumber.validate(raw)


def test_sex_must_match_the_seventeenth_digit():
    with pytest.raises(ValidationFailed, match="性别（女）与身份证号不符"):
        check_identity(id_number=VALID, birth_date=BIRTH, sex="F")
    assert check_identity(id_number=VALID, birth_date=None, sex=None) == (VALID, BIRTH, "M")


def test_message_never_repeats_the_number():
    wrong = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    with pytest.raises(ValidationFailed) as info:
        idnumber.validate(wrong, birth_date=BIRTH)
    assert wrong not in info.value.message and VALID[:14] not in info.value.message
