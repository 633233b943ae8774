"""Demo data for volunteering (and party-member points), through the real services.

`build(village)`: two teams of the village's residents, an activity confirmed into points claims (when the
village's household scheme has a 志愿服务 item) and one still open. `build_party(village)`: the default party
scheme, this year's base score for the village's branch and the attendance of a recent 三会一课. Both expect the
village secretary's account to exist (the demo builder makes it) and do nothing without one."""

import datetime as dt
import random

from xiangzhi.accounts.models import RoleAssignment
from xiangzhi.core import clock
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.people.models import Resident
from xiangzhi.volunteering import services
from xiangzhi.volunteering.models import VolunteerTeam

TEAMS = [
    ("应急救助队", "emergency", "防汛、防火、突发事件时第一时间到场。"),
    ("日常服务队", "daily", "为留守老人、困难群众代办、打扫、送医。"),
]


def _secretary(village):
    grant = (
        RoleAssignment.objects.filter(role="village_secretary", region_code=village.code, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return grant.user if grant else None


def build(village) -> None:
    secretary = _secretary(village)
    if secretary is None or VolunteerTeam.objects.filter(region_code=village.code).exists():
        return
    rng = random.Random(f"volunteering-{village.code}")
    residents = list(
        Resident.objects.filter(
            region_code__startswith=village.code,
            status=Resident.STATUS_NORMAL,
            birth_date__lte=dt.date(2006, 1, 1),
        ).order_by("pk")[:200]
    )
    if len(residents) < 6:
        return
    item = (
        services.item_choices(village.code).filter(category="volunteering").first()
    )  # e.g. the demo scheme's ZY01
    for (name, kind, description), start in zip(TEAMS, (0, 1), strict=True):
        team = services.team_create(
            user=secretary, village=village, name=name, kind=kind, description=description
        )
        chosen = rng.sample(residents, k=min(8, len(residents)))
        members = [
            services.team_member_add(user=secretary, team=team, resident=r, is_leader=i == 0)
            for i, r in enumerate(chosen)
        ]
        done = services.activity_create(
            user=secretary,
            team=team,
            title="清理河道垃圾" if start == 0 else "为留守老人打扫院落",
            date=clock.today() - dt.timedelta(days=7 + start),
            place="村委会集合",
            item=item,
        )
        for m in members[:5]:
            services.participant_set(
                user=secretary, activity=done, volunteer=m, minutes=rng.choice([60, 90, 120])
            )
        try:
            services.activity_confirm(user=secretary, activity=done)
        except ValidationFailed:  # a household over the item's cap: the activity stays open, as on the page
            pass
        planned = services.activity_create(
            user=secretary,
            team=team,
            title="防汛演练" if start == 0 else "重阳节慰问",
            date=clock.today(),
            item=item,
        )
        for m in members[:3]:
            services.participant_set(user=secretary, activity=planned, volunteer=m, minutes=60)


def build_party(village) -> None:
    from xiangzhi.party.models import PartyMember, PartyOrg
    from xiangzhi.points import party
    from xiangzhi.points import services as points_services

    secretary = _secretary(village)
    if secretary is None:
        return
    if points_services.active_scheme(village.code, "party") is None:
        party.default_scheme(user=secretary, village=village)
    org = (
        PartyOrg.objects.filter(
            region_code=village.code, kind__in=["branch", "general_branch", "village_committee"]
        )
        .order_by("pk")
        .first()
    )
    if org is None:
        return
    party.base_post(user=secretary, org=org, year=clock.today().year)
    members = list(
        PartyMember.objects.filter(
            org_id__in=party.org_subtree_ids(org), is_active=True, region_code__startswith=village.code
        )  # a 联村党总支 also has members of villages without a party scheme
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if members:
        party.attendance_post(
            user=secretary,
            org=org,
            meeting_date=clock.today() - dt.timedelta(days=3),
            kind="three_meetings",
            present_member_ids=members[1:],
            absent_without_leave_ids=members[:1],
            meeting_ref="demo-三会一课",
        )
