"""Demo data: the demo village's deliberating bodies, through the real services (the system acting).

`build(village)` makes the five bodies of the village — 支委会 and 党员大会 on its party branch, 两委会, 村民会议 and
村民代表会议 — and returns them as {kind: Body} (the matters demo builds its 四议两公开 steps on them). The
村民代表会议 gets 村委会成员 and 村民代表 (one per about ten households, at least four times as many as the committee
members) with one woman too few, so that its roster page shows one Art. 25 warning (women under a third). Calling
it again returns the bodies already there."""

import math

from xiangzhi.core import clock
from xiangzhi.deliberation import roster, rules, services
from xiangzhi.deliberation.models import Body
from xiangzhi.party.models import PartyMember, PartyOrg
from xiangzhi.people.models import Household, Resident
from xiangzhi.regions.models import Region

COMMITTEE_SIZE = 5
BRANCH_COMMITTEE_SIZE = 5


def _branch(village: Region) -> PartyOrg | None:
    return (
        PartyOrg.objects.filter(region_code__startswith=village.code, kind__in=["branch", "general_branch"])
        .order_by("kind", "id")  # a 党支部 before a 总支
        .first()
    )


def _plan(households: int) -> tuple[int, int]:
    """(committee members, representatives) within Art. 25: reps >= 4 x committee, 5-15 households each."""
    committee = max(1, min(COMMITTEE_SIZE, households // 5 // 4))
    reps = max(4 * committee, math.ceil(households / 10))
    return committee, reps


def build(village: Region) -> dict[str, Body]:
    existing = {
        b.kind: b for b in Body.objects.filter(region_code=village.code, is_active=True).order_by("id")
    }
    if existing:
        return existing
    today = clock.today()
    adults = [
        r
        for r in Resident.objects.filter(region_code__startswith=village.code, status=Resident.STATUS_NORMAL)
        .order_by("household_id", "id")
        .select_related("household")
        if r.is_voter_on(today)
    ]
    bodies: dict[str, Body] = {}
    branch = _branch(village)
    if branch is not None:
        bodies[rules.PARTY_ASSEMBLY] = services.body_create(
            user=None, village=village, kind=rules.PARTY_ASSEMBLY, party_org=branch
        )
        bodies[rules.BRANCH_COMMITTEE] = services.body_create(
            user=None, village=village, kind=rules.BRANCH_COMMITTEE, name=f"{branch.name}支部委员会"
        )
        cadres = [
            m.resident
            for m in PartyMember.objects.filter(
                org=branch, is_active=True, status=PartyMember.STATUS_FULL, resident__isnull=False
            )
            .select_related("resident")
            .order_by("id")[:BRANCH_COMMITTEE_SIZE]
            if m.resident.status == Resident.STATUS_NORMAL
        ]
        for r in cadres:
            services.body_member_add(
                user=None, body=bodies[rules.BRANCH_COMMITTEE], resident=r, role="member"
            )
    else:
        cadres = []
    bodies[rules.VILLAGERS_ASSEMBLY] = services.body_create(
        user=None, village=village, kind=rules.VILLAGERS_ASSEMBLY
    )

    households = Household.objects.filter(
        region_code__startswith=village.code, status=Household.STATUS_ACTIVE
    ).count()
    n_committee, n_reps = _plan(households)
    cadre_ids = {r.pk for r in cadres}
    others = [r for r in adults if r.pk not in cadre_ids]
    committee = (cadres + others)[:n_committee]
    taken = {r.pk for r in committee}
    pool = [r for r in others if r.pk not in taken]
    members = n_committee + n_reps
    women_wanted = max(0, roster.WOMEN_SHARE.needed(members) - 1)  # one short: the one warning
    women = [r for r in pool if r.sex == "F"][:women_wanted]
    men = [r for r in pool if r.sex != "F"][: n_reps - len(women)]
    reps = women + men

    two = services.body_create(user=None, village=village, kind=rules.COMMITTEES)
    for r in committee + [r for r in cadres if r.pk not in taken]:
        services.body_member_add(user=None, body=two, resident=r, role="committee_member")
    bodies[rules.COMMITTEES] = two

    assembly = services.body_create(user=None, village=village, kind=rules.REPRESENTATIVES)
    for r in committee:
        services.body_member_add(user=None, body=assembly, resident=r, role="committee_member")
    for r in reps:
        services.body_member_add(user=None, body=assembly, resident=r, role="representative")
    bodies[rules.REPRESENTATIVES] = assembly
    return bodies
