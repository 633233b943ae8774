"""How a resident is shown: masked unless the viewer holds `people.reveal_pii` over the resident.

Masked means the last four characters of the ID number and of the phone, and the age instead of the birth date, so
that the number cannot be rebuilt from what a page shows (DESIGN.md, "People"). The masked form is drawn from the
`id_last4` / `phone_last4` columns: nothing is decrypted for a viewer who may not see it.
"""

from dataclasses import dataclass

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.people.models import Resident

ID_LENGTH, PHONE_LENGTH = 18, 11


def masked_id(resident: Resident) -> str:
    return "*" * (ID_LENGTH - 4) + resident.id_last4 if resident.id_last4 else ""


def masked_phone(resident: Resident) -> str:
    return "*" * (PHONE_LENGTH - 4) + resident.phone_last4 if resident.phone_last4 else ""


@dataclass(frozen=True)
class ResidentView:
    pk: int
    name: str
    sex: str
    age: int
    birth_date: str  # "" unless revealed
    id_number: str  # masked unless revealed
    phone: str  # masked unless revealed
    relation: str
    residence: str
    status: str
    status_date: str
    tags: list
    revealed: bool
    can_reveal: bool


def resident_view(user, resident: Resident, *, reveal: bool = False) -> ResidentView:
    """The resident as `user` may see it. Full values only with `reveal=True` and the right; callers that reveal
    must go through services.resident_reveal, which audits (the detail page never passes reveal=True)."""
    can_reveal = policy.can(user, "people.reveal_pii", resident)
    revealed = reveal and can_reveal
    return ResidentView(
        pk=resident.pk,
        name=resident.name,
        sex=resident.get_sex_display(),
        age=resident.age_on(clock.today()),
        birth_date=f"{resident.birth_date:%Y-%m-%d}" if revealed else "",
        id_number=str(resident.id_number) if revealed else masked_id(resident),
        phone=str(resident.phone or "") if revealed else masked_phone(resident),
        relation=resident.get_relation_display(),
        residence=resident.get_residence_display(),
        status=resident.get_status_display(),
        status_date=f"{resident.status_date:%Y-%m-%d}" if resident.status_date else "",
        tags=resident.tag_list,
        revealed=revealed,
        can_reveal=can_reveal,
    )
