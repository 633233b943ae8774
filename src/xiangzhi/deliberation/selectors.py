"""Deliberation reads, always scoped with the policy."""

import datetime as dt

from django.db.models import Count, Max, Q, QuerySet

from xiangzhi import policy
from xiangzhi.deliberation import roster, rules
from xiangzhi.deliberation.models import Authorisation, Body, Item, Meeting, RollEntry
from xiangzhi.people.models import Household, Resident
from xiangzhi.regions import codes
from xiangzhi.regions.models import Region

VILLAGE_CODE_LENGTH = codes.LENGTHS[codes.VILLAGE]


def meeting_list(*, user, region: str | None = None, status: str = "", body: str = "") -> QuerySet:
    qs = policy.scope(
        user, "deliberation.view", Meeting.objects.select_related("body"), within=village_within(region)
    )
    if status in dict(Meeting.STATUS_CHOICES):
        qs = qs.filter(status=status)
    if str(body).isdigit():
        qs = qs.filter(body_id=int(body))
    return qs.order_by("-held_on", "-id")


def meeting_get(*, user, pk) -> Meeting:
    return policy.get_scoped_or_404(user, "deliberation.view", Meeting.objects.select_related("body"), pk=pk)


def item_get(*, user, pk) -> Item:
    return policy.get_scoped_or_404(
        user, "deliberation.view", Item.objects.select_related("meeting", "meeting__body"), pk=pk
    )


def own_line(*, user, meeting: Meeting) -> RollEntry | None:
    """The user's own line of the roll (by the resident linked to the account)."""
    rid = getattr(user, "resident_id", None)
    if not rid:
        return None
    for entry in meeting.roll.select_related("party_member"):
        if entry.voter_resident_id == rid:
            return entry
    return None


def entry_get(*, meeting: Meeting, pk) -> RollEntry | None:
    return meeting.roll.filter(pk=pk).first() if str(pk).isdigit() else None


# -- bodies, rosters, authorisations, the town's views ----------------------------------------------------------


def village_within(region: str | None) -> str | None:
    """A region filter for what belongs to a village (bodies, meetings, matters): a region code (digits only), a
    grid's code cut to its village's; anything else is no filter."""
    within = region.strip() if region and region.strip().isdigit() else None
    if within and len(within) > VILLAGE_CODE_LENGTH:
        within = within[:VILLAGE_CODE_LENGTH]
    return within


def body_list(*, user, region: str | None = None, kind: str = "", active: str = "") -> QuerySet:
    qs = policy.scope(
        user, "deliberation.view", Body.objects.select_related("region"), within=village_within(region)
    )
    if kind in rules.KIND_LABELS:
        qs = qs.filter(kind=kind)
    if active in ("1", "0"):
        qs = qs.filter(is_active=active == "1")
    return qs.annotate(
        member_count=Count("members", filter=Q(members__is_active=True), distinct=True),
        meeting_count=Count("meetings", distinct=True),
    ).order_by("region_code", "kind", "id")


def body_get(*, user, pk) -> Body:
    return policy.get_scoped_or_404(
        user, "deliberation.view", Body.objects.select_related("region", "party_org"), pk=pk
    )


def body_members(*, body: Body, role: str = "", q: str = "", active: str = "1") -> QuerySet:
    qs = body.members.select_related("resident", "resident__household")
    if active in ("1", "0"):
        qs = qs.filter(is_active=active == "1")
    if role in dict(rules.MEMBER_ROLE_CHOICES):
        qs = qs.filter(role=role)
    if q.strip():
        qs = qs.filter(resident__name__contains=q.strip())
    return qs.order_by("role", "id")


def member_candidates(*, body: Body, q: str, limit: int = 20) -> list:
    """Residents of the body's village whose name contains `q`, not active members yet (for the add form)."""
    q = (q or "").strip()
    if not q:
        return []
    taken = body.members.filter(is_active=True).values("resident_id")
    return list(
        Resident.objects.filter(
            region_code__startswith=body.region_code, status=Resident.STATUS_NORMAL, name__contains=q
        )
        .exclude(pk__in=taken)
        .select_related("household")
        .order_by("name", "id")[:limit]
    )


def active_households(village_code: str) -> int:
    return Household.objects.filter(
        region_code__startswith=village_code, status=Household.STATUS_ACTIVE
    ).count()


def roster_check(body: Body) -> dict | None:
    """The Art. 25 figures and warnings of a 村民代表会议 (None for the other bodies)."""
    if body.kind != rules.REPRESENTATIVES:
        return None
    members = body.members.filter(is_active=True, resident__status=Resident.STATUS_NORMAL)
    reps = members.filter(role=roster.REPRESENTATIVE_ROLE)
    counts = {
        "members": members.count(),
        "representatives": reps.count(),
        "women": reps.filter(resident__sex="F").count(),
        "households": active_households(body.region_code),
    }
    return {**counts, "warnings": roster.art25_warnings(**counts)}


def teller_candidates(*, meeting: Meeting) -> QuerySet:
    """Accounts of persons registered in the meeting's village (tellers are named from these)."""
    from xiangzhi.accounts.models import User

    return (
        User.objects.filter(
            is_active=True,
            resident__region_code__startswith=meeting.region_code,
            resident__status=Resident.STATUS_NORMAL,
        )
        .select_related("resident")
        .order_by("resident__name", "id")
    )


def body_meetings(*, body: Body) -> QuerySet:
    return body.meetings.order_by("-held_on", "-id")


def village_choices(*, user, action: str = "deliberation.manage") -> QuerySet:
    return policy.scope(
        user, action, Region.objects.filter(level=codes.VILLAGE, is_active=True), field="code"
    ).order_by("code")


def village_get(*, user, code, action: str = "deliberation.manage") -> Region:
    from xiangzhi.regions import selectors as region_selectors

    return region_selectors.region_get(user=user, code=str(code), action=action, level=codes.VILLAGE)


def authorisation_list(*, user, region: str | None = None, status: str = "") -> QuerySet:
    qs = policy.scope(
        user,
        "deliberation.view",
        Authorisation.objects.select_related("region", "granted_by"),
        within=village_within(region),
    )
    if status == "active":
        qs = qs.filter(revoked=False)
    elif status == "revoked":
        qs = qs.filter(revoked=True)
    return qs.order_by("region_code", "-valid_from", "-id")


def authorisation_get(*, user, pk) -> Authorisation:
    return policy.get_scoped_or_404(
        user, "deliberation.view", Authorisation.objects.select_related("region"), pk=pk
    )


def grant_items(*, user) -> QuerySet:
    """Passed items of 村民会议 in reach: what an authorisation may cite."""
    return policy.scope(
        user,
        "deliberation.manage",
        Item.objects.filter(passed=True, meeting__body__kind=rules.VILLAGERS_ASSEMBLY).select_related(
            "meeting"
        ),
    ).order_by("-decided_at", "-id")[:100]


def approval_queue(*, user, region: str | None = None, status: str = "pending") -> QuerySet:
    """Items passed by a village that need the township's approval (农村土地承包法 Art. 52), in the user's towns."""
    qs = policy.scope(
        user,
        "deliberation.approve",
        Item.objects.filter(needs_township_approval=True, passed=True).select_related(
            "meeting", "meeting__body"
        ),
        within=village_within(region),
    )
    if status == "approved":
        qs = qs.filter(township_approved_at__isnull=False)
    elif status != "all":
        qs = qs.filter(township_approved_at__isnull=True)
    return qs.order_by("decided_at", "id")


def approval_get(*, user, pk) -> Item:
    return policy.get_scoped_or_404(
        user,
        "deliberation.approve",
        Item.objects.filter(needs_township_approval=True).select_related("meeting", "meeting__body"),
        pk=pk,
    )


def quarterly(*, user, today: dt.date, region: str | None = None, late_only: bool = True) -> list[dict]:
    """The villages in reach and when their 村民代表会议 last met (a meeting whose date has come): [{"village",
    "body", "last", "due", "late"}], villages by code; with `late_only`, only those behind (or without a body)."""
    villages = list(
        policy.scope(
            user,
            "deliberation.oversee",
            Region.objects.filter(level=codes.VILLAGE, is_active=True),
            field="code",
            within=village_within(region),
        ).order_by("code")
    )
    bodies = {}
    for b in Body.objects.filter(
        kind=rules.REPRESENTATIVES, is_active=True, region_id__in=[v.pk for v in villages]
    ).annotate(last=Max("meetings__held_on", filter=Q(meetings__held_on__lte=today))):
        held = bodies.get(b.region_id)
        if held is None or (b.last and (held.last is None or b.last > held.last)):
            bodies[b.region_id] = b
    rows = []
    for v in villages:
        body = bodies.get(v.pk)
        last = body.last if body else None
        late = roster.quarterly_late(last, today)
        if late or not late_only:
            rows.append(
                {"village": v, "body": body, "last": last, "due": roster.quarterly_due(last), "late": late}
            )
    return rows
