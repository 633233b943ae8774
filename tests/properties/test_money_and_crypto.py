"""Money round-trips in whole 分; sealed values open to what was sealed; lookup hashes are stable."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from xiangzhi.core import crypto
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.core.money import fen_to_yuan, yuan_to_fen

FAST = settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
fen = st.integers(min_value=-(10**15), max_value=10**15)


@FAST
@given(amount=fen)
@example(amount=0)
@example(amount=-1)
@example(amount=99)
@example(amount=100)
def test_fen_to_yuan_and_back_is_the_same_number_of_fen(amount):
    text = fen_to_yuan(amount)
    assert yuan_to_fen(text) == amount
    assert yuan_to_fen(text + "元") == amount
    whole, _, cents = text.lstrip("-").partition(".")
    assert len(cents) == 2 and whole.replace(",", "").isdigit()


@FAST
@given(amount=fen)
def test_yuan_to_fen_takes_decimals_and_integers_of_yuan(amount):
    assert yuan_to_fen(Decimal(amount) / 100) == amount
    assert yuan_to_fen(amount // 100 if amount >= 0 else -(-amount // 100)) % 100 == 0


@FAST
@given(text=st.text(max_size=30))
@example(text="1.001")
@example(text="NaN")
@example(text="Infinity")
@example(text="1e400")
def test_yuan_to_fen_refuses_with_a_message_or_gives_whole_fen(text):
    try:
        value = yuan_to_fen(text)
    except ValidationFailed as exc:
        assert exc.message
    else:
        assert isinstance(value, int)


# -- encryption ------------------------------------------------------------------------------------------------

plain_text = st.text(max_size=64)
id_like = st.from_regex(r"[0-9]{17}[0-9xX]", fullmatch=True)


@FAST
@given(plain=plain_text)
def test_decrypt_opens_what_encrypt_sealed_and_never_shows_it(plain):
    token = crypto.encrypt(plain)
    assert crypto.decrypt(token) == plain
    assert crypto.key_id(token) == crypto.settings.XIANGZHI_PII_CURRENT_KEY
    if len(plain) >= 4:
        assert plain not in token
    assert crypto.encrypt(plain) != token  # a fresh nonce every time: equal values do not look equal


@FAST
@given(plain=plain_text, data=st.data())
def test_a_tampered_token_does_not_open(plain, data):
    token = crypto.encrypt(plain)
    kid, _, body = token.partition(":")
    raw = bytearray(__import__("base64").b64decode(body))
    i = data.draw(st.integers(0, len(raw) - 1))
    raw[i] ^= data.draw(st.integers(1, 255))
    with pytest.raises(Exception):  # noqa: B017 — cryptography's InvalidTag
        crypto.decrypt(f"{kid}:{__import__('base64').b64encode(bytes(raw)).decode()}")


@FAST
@given(number=id_like, purpose=st.sampled_from(["id_number", "phone"]))
def test_lookup_hash_is_stable_and_ignores_the_case_of_x(number, purpose):
    h = crypto.lookup_hash(number, purpose=purpose)
    assert h == crypto.lookup_hash(number, purpose=purpose)
    assert (
        h
        == crypto.lookup_hash(number.lower(), purpose=purpose)
        == crypto.lookup_hash(number.upper(), purpose=purpose)
    )
    assert h == crypto.lookup_hash(f"  {number} ", purpose=purpose)
    other = "phone" if purpose == "id_number" else "id_number"
    assert h != crypto.lookup_hash(number, purpose=other)  # an ID number never matches a phone
    assert number.upper() not in h


@FAST
@given(a=id_like, b=id_like)
def test_different_numbers_hash_differently(a, b):
    if a.upper() != b.upper():
        assert crypto.lookup_hash(a, purpose="id_number") != crypto.lookup_hash(b, purpose="id_number")
