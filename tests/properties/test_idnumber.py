"""Properties of the ID number rules (GB 11643): what make() builds validates, a one-character typo is caught,
and nothing typed makes normalise/validate fail with anything but a ValidationFailed."""

import datetime as dt

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from xiangzhi.core.errors import ValidationFailed
from xiangzhi.people import idnumber

FAST = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])

addresses = st.from_regex(r"[1-6][0-9]{5}", fullmatch=True)
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))
sequences = st.integers(min_value=0, max_value=499)
sexes = st.sampled_from(["M", "F"])
valid_numbers = st.builds(idnumber.make, addresses, births, sequences, sexes)
ID_ALPHABET = "0123456789X"


@FAST
@given(address=addresses, birth=births, sequence=sequences, sex=sexes)
def test_every_made_number_validates_and_carries_what_it_was_made_from(address, birth, sequence, sex):
    number = idnumber.make(address, birth, sequence, sex)
    assert idnumber.validate(number) == number
    assert idnumber.validate(number, birth_date=birth) == number
    assert idnumber.validate(f"  {number.lower()} ") == number  # trimmed, x upper-cased
    assert (number[:6], idnumber.birth_date_of(number), idnumber.sex_of(number)) == (address, birth, sex)


@FAST
@given(number=valid_numbers, position=st.integers(0, 17), data=st.data())
def test_any_single_character_change_is_refused(number, position, data):
    """MOD 11-2 catches every single substitution: the weights are all non-zero mod 11, and 11 is prime."""
    replacement = data.draw(st.sampled_from([c for c in ID_ALPHABET if c != number[position]]))
    typo = number[:position] + replacement + number[position + 1 :]
    try:
        idnumber.validate(typo)
    except ValidationFailed:
        return
    raise AssertionError(f"a one-character change was accepted at position {position}")


@FAST
@given(number=valid_numbers, other=births)
def test_a_different_birth_date_is_refused(number, other):
    born = idnumber.birth_date_of(number)
    if other == born:
        return
    try:
        idnumber.validate(number, birth_date=other)
    except ValidationFailed as exc:
        assert exc.field == "id_number"
    else:
        raise AssertionError("a number was accepted with another birth date")


anything = st.one_of(
    st.text(),
    st.text(alphabet=ID_ALPHABET + " xE+.", max_size=24),
    st.from_regex(r"\s*[0-9]{17}[0-9Xx]\s*", fullmatch=True),
    st.integers(),
    st.floats(allow_nan=True),
    st.none(),
    st.booleans(),
)


@FAST
@given(raw=anything)
@example(raw="²" * 18)  # str.isdigit() is true for superscripts, int() is not
@example(raw="１４１０２９１９７００１０１００１Ｘ")  # full-width digits, as a Chinese IME types them
@example(raw="1" * 17 + "٣")  # an Arabic-Indic digit in the check position
@example(raw="²4102919700101003X")  # a superscript where check_char() calls int()
@example(raw="١٤١٠٢٩١٩٧٠٠١٠١٠٠٣X")  # Arabic-Indic digits: int() takes them, the check would pass
def test_normalise_and_validate_raise_only_validation_failed(raw):
    for fn in (idnumber.normalise, idnumber.validate):
        try:
            out = fn(raw)
        except ValidationFailed as exc:
            assert exc.message  # a Chinese message to show
            continue
        assert isinstance(out, str)
        if fn is idnumber.validate:
            # what validate accepts is 18 ASCII characters with a right check character
            assert len(out) == 18 and out[:17].isascii() and out[:17].isdigit()
            assert idnumber.check_char(out[:17]) == out[17]


@FAST
@given(number=valid_numbers)
def test_full_width_input_is_the_same_number(number):
    """A Chinese IME types full-width digits (１４１…) and Ｘ: the same person, the same ASCII number."""
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    assert idnumber.validate(full_width) == number
