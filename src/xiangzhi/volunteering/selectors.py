"""Reading volunteer teams and activities, scoped with `volunteering.view`."""

from django.db.models import Count, Q, QuerySet, Sum

from xiangzhi import policy
from xiangzhi.people.models import Resident
from xiangzhi.people.selectors import resident_match
from xiangzhi.regions.models import Region
from xiangzhi.volunteering.models import KIND_LABELS, Activity, Participation, Volunteer, VolunteerTeam


def team_list(
    *, user, region_code: str | None = None, kind: str | None = None, q: str | None = None
) -> QuerySet:
    qs = policy.scope(user, "volunteering.view", VolunteerTeam.objects.all(), within=region_code)
    if kind in KIND_LABELS:
        qs = qs.filter(kind=kind)
    if q and q.strip():
        qs = qs.filter(name__contains=q.strip())
    return (
        qs.select_related("region")
        .annotate(member_count=Count("members", filter=Q(members__is_active=True), distinct=True))
        .order_by("region_code", "name", "id")
    )


def team_get(*, user, pk, action: str = "volunteering.view") -> VolunteerTeam:
    return policy.get_scoped_or_404(user, action, VolunteerTeam.objects.select_related("region"), pk=pk)


def team_members(*, team: VolunteerTeam) -> QuerySet:
    return (
        Volunteer.objects.filter(team=team, is_active=True)
        .select_related("resident", "resident__household")
        .annotate(
            minutes=Sum("participations__minutes", filter=Q(participations__activity__state="confirmed"))
        )
        .order_by("-is_leader", "resident__name", "id")
    )


def member_get(*, user, pk, action: str = "volunteering.manage") -> Volunteer:
    return policy.get_scoped_or_404(user, action, Volunteer.objects.select_related("team", "resident"), pk=pk)


def resident_choices(*, user, team: VolunteerTeam, q: str) -> QuerySet:
    """Residents of the team's village (within the user's reach) matching `q`, not yet active members."""
    if not q or not q.strip():
        return Resident.objects.none()
    taken = Volunteer.objects.filter(team=team, is_active=True).values("resident_id")
    return (
        policy.scope(
            user,
            "volunteering.manage",
            Resident.objects.filter(status=Resident.STATUS_NORMAL),
            within=team.region_code,
        )
        .filter(resident_match(q))
        .exclude(pk__in=taken)
        .select_related("household")
        .order_by("region_code", "name", "id")
    )


def resident_get(*, user, team: VolunteerTeam, pk) -> Resident | None:
    if not str(pk).isdigit():
        return None
    return (
        policy.scope(user, "volunteering.manage", Resident.objects.all(), within=team.region_code)
        .filter(pk=int(pk))
        .first()
    )


def activity_list(
    *, user, region_code: str | None = None, team: VolunteerTeam | None = None, state: str | None = None
) -> QuerySet:
    qs = policy.scope(user, "volunteering.view", Activity.objects.all(), within=region_code)
    if team is not None:
        qs = qs.filter(team=team)
    if state in (Activity.OPEN, Activity.CONFIRMED):
        qs = qs.filter(state=state)
    return (
        qs.select_related("team", "item")
        .annotate(participant_count=Count("participants"), total_minutes=Sum("participants__minutes"))
        .order_by("-date", "-id")
    )


def activity_get(*, user, pk, action: str = "volunteering.view") -> Activity:
    return policy.get_scoped_or_404(
        user, action, Activity.objects.select_related("team", "item", "confirmed_by"), pk=pk
    )


def participants(*, activity: Activity) -> QuerySet:
    return (
        Participation.objects.filter(activity=activity)
        .select_related("volunteer__resident__household", "claim")
        .order_by("volunteer__resident__name", "id")
    )


def participation_get(*, user, pk) -> Participation:
    return policy.get_scoped_or_404(
        user,
        "volunteering.manage",
        Participation.objects.select_related("activity", "volunteer__resident"),
        pk=pk,
    )


def village_choices(*, user) -> QuerySet:
    return policy.scope(
        user, "volunteering.manage", Region.objects.filter(level="village", is_active=True), field="code"
    ).order_by("code")
