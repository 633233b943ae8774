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


# -- key rotation ----------------------------------------------------------------------------------------------


def encrypted_fields() -> list[tuple[type[models.Model], "EncryptedField"]]:
    """Every (model, field) of the installed apps that holds encrypted values."""
    from django.apps import apps

    return [
        (model, f)
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, EncryptedField)
    ]


def _raw(field: "EncryptedField"):
    """The stored token itself, bypassing from_db_value (no decryption)."""
    from django.db.models.functions import Cast

    return Cast(field.attname, output_field=models.TextField())


def key_counts() -> dict[str, dict[str, int]]:
    """{"app.Model.field": {key id: number of values}} counted in the database, nothing decrypted."""
    from django.db.models import Count, F, Value
    from django.db.models.functions import StrIndex, Substr

    out: dict[str, dict[str, int]] = {}
    for model, f in encrypted_fields():
        rows = (
            model._default_manager.exclude(**{f"{f.attname}__isnull": True})
            .exclude(**{f.attname: ""})
            .annotate(_token=_raw(f))
            .annotate(_kid=Substr(F("_token"), 1, StrIndex(F("_token"), Value(":")) - 1))
            .values("_kid")
            .annotate(n=Count("pk"))
            .order_by("_kid")
        )
        out[f"{model._meta.label}.{f.name}"] = {r["_kid"]: r["n"] for r in rows}
    return out


def reencrypt_all(*, batch_size: int = 500, progress=None) -> int:
    """Re-encrypt, under the current key, every value sealed with another key. Each batch is one transaction with
    its rows locked, so a concurrent edit is never overwritten with an older value. Returns the values rewritten."""
    from django.db import transaction

    current = settings.XIANGZHI_PII_CURRENT_KEY
    total = 0
    for model, f in encrypted_fields():
        manager = model._default_manager
        last_pk = None
        while True:
            with transaction.atomic():
                qs = manager.exclude(**{f"{f.attname}__isnull": True}).exclude(**{f.attname: ""})
                if last_pk is not None:
                    qs = qs.filter(pk__gt=last_pk)
                rows = list(
                    qs.select_for_update()
                    .order_by("pk")
                    .annotate(_token=_raw(f))
                    .values_list("pk", "_token")[:batch_size]
                )
                if not rows:
                    break
                last_pk = rows[-1][0]
                stale = [
                    model(**{model._meta.pk.attname: pk, f.attname: decrypt(token)})
                    for pk, token in rows
                    if key_id(token) != current
                ]
                if stale:
                    manager.bulk_update(stale, [f.attname], batch_size=batch_size)
                    total += len(stale)
            if progress:
                progress(model, f, total)
    return total
