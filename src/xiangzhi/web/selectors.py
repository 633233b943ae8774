"""The home page's overview: a few counts over what the user may see, from the apps' own selectors."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from xiangzhi import policy
from xiangzhi.party.models import HouseholdLink, PartyMember
from xiangzhi.people import selectors as people
from xiangzhi.people.models import Household, Resident


@dataclass(frozen=True)
class Figure:
    label: str
    value: int
    url: str
    hint: str = ""


def overview(*, user, region_code: str | None = None) -> list[Figure]:
    """户数, 人数, 党员 and households no member looks after (党员联户), within `region_code` when one is chosen.
    Each figure only for users who may see its rows; each is one indexed count."""
    figures: list[Figure] = []
    if policy.can(user, "people.view"):
        households = people.household_list(user=user, region_code=region_code, status=Household.STATUS_ACTIVE)
        residents = people.resident_list(user=user, region_code=region_code, status=Resident.STATUS_NORMAL)
        figures += [
            Figure("在册户数", households.count(), "/people/households/?status=active"),
            Figure("在册人口", residents.count(), "/people/residents/?status=normal"),
        ]
        if policy.can(user, "party.view"):
            unlinked = households.filter(~Exists(HouseholdLink.objects.filter(household=OuterRef("pk"))))
            figures.append(
                Figure("尚无党员联系的户", unlinked.count(), "/party/orgs/", "见各村“党员联户覆盖”")
            )
    if policy.can(user, "party.view"):
        members = policy.scope(
            user, "party.view", PartyMember.objects.filter(is_active=True), within=region_code
        )
        figures.append(Figure("在册党员", members.count(), "/party/orgs/"))
    return figures
