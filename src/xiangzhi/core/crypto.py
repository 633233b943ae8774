"""Encryption of sensitive numbers (ID numbers, phone numbers) and their keyed lookup hashes.

Values are sealed with AES-256-GCM under a key kept outside the database (settings.XIANGZHI_PII_KEYS, from the
keys file); the key id is stored with each value (`k1:<base64 nonce+ciphertext>`) so keys can be rotated
(`xiangzhi keys rotate` re-encrypts). Equality search goes through `lookup_hash`, an HMAC keyed separately.
"""

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models


def _key(kid: str) -> bytes:
    try:
        return bytes.fromhex(settings.XIANGZHI_PII_KEYS[kid])
    except KeyError:
        raise LookupError(f"encryption key {kid!r} is not in the keys file") from None


def encrypt(plain: str, *, kid: str | None = None) -> str:
    kid = kid or settings.XIANGZHI_PII_CURRENT_KEY
    nonce = os.urandom(12)
    sealed = AESGCM(_key(kid)).encrypt(nonce, plain.encode(), kid.encode())
    return f"{kid}:{base64.b64encode(nonce + sealed).decode()}"


def key_id(token: str) -> str:
    return token.split(":", 1)[0]


def decrypt(token: str) -> str:
    kid, _, body = token.partition(":")
    raw = base64.b64decode(body)
    return AESGCM(_key(kid)).decrypt(raw[:12], raw[12:], kid.encode()).decode()


def lookup_hash(value: str, *, purpose: str) -> str:
    """A keyed hash for exact-match search; `purpose` separates ID numbers from phones."""
    msg = f"{purpose}:{value.strip().upper()}".encode()
    return hmac.new(settings.XIANGZHI_LOOKUP_KEY.encode(), msg, hashlib.sha256).hexdigest()


class Sealed(str):
    """The plain value read from an EncryptedField; its repr never shows the value."""

    def __repr__(self) -> str:
        return "Sealed('***')"


class EncryptedField(models.TextField):
    """Holds a sensitive string encrypted at rest. Python sees the clear value (as `Sealed`); the database, its
    backups and its WAL see only ciphertext. Not searchable: pair it with a lookup-hash column."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return Sealed(decrypt(value))

    def get_prep_value(self, value):
        if value in (None, ""):
            return value
        return encrypt(str(value))

    def to_python(self, value):
        return value
