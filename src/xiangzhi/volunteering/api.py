"""Volunteer teams and activities over the API (/api/v1/volunteers/): scoped like the pages, the same services."""

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from xiangzhi import policy
from xiangzhi.apischema import ERRORS, MAX_PAGE, paginate
from xiangzhi.people.models import Resident
from xiangzhi.regions.models import Region
from xiangzhi.volunteering import selectors, services
from xiangzhi.volunteering.models import KIND_CHOICES, MAX_MINUTES, Activity, Volunteer

router = Router(tags=["志愿服务"])

KIND_PATTERN = "^(" + "|".join(code for code, _ in KIND_CHOICES) + ")$"
REGION_PATTERN = r"^\d{6,18}$"


class TeamFilter(Schema):
    region: str | None = Field(None, pattern=REGION_PATTERN)
    kind: str | None = Field(None, pattern=KIND_PATTERN)
    q: str | None = Field(None, max_length=50)
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


class TeamOut(Schema):
    id: int
    region_code: str
    name: str
    kind: str
    description: str
    is_active: bool
    member_count: int = 0


class TeamPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[TeamOut]


class MemberOut(Schema):
    id: int
    resident_id: int
    name: str
    household: str
    is_leader: bool
    joined_on: dt.date
    confirmed_minutes: int

    @staticmethod
    def resolve_name(obj):
        return obj.resident.name

    @staticmethod
    def resolve_household(obj):
        return str(obj.resident.household)

    @staticmethod
    def resolve_confirmed_minutes(obj):
        return getattr(obj, "minutes", None) or 0


class TeamDetailOut(TeamOut):
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj):
        return list(selectors.team_members(team=obj))

    @staticmethod
    def resolve_member_count(obj):
        return obj.members.filter(is_active=True).count()


class TeamIn(Schema):
    village: str = Field(..., pattern=r"^\d{12}$", description="村代码")
    name: str = Field(..., min_length=1, max_length=100)
    kind: str = Field("daily", pattern=KIND_PATTERN)
    description: str = Field("", max_length=1000)


class MemberIn(Schema):
    resident_id: int = Field(..., strict=True, ge=1, le=2**62)
    is_leader: bool = False


class ActivityFilter(Schema):
    region: str | None = Field(None, pattern=REGION_PATTERN)
    team: int | None = Field(None, ge=1, le=2**62)
    state: str | None = Field(None, pattern="^(open|confirmed)$")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


class ActivityOut(Schema):
    id: int
    team_id: int
    team: str
    region_code: str
    title: str
    date: dt.date
    place: str
    item_code: str | None
    state: str

    @staticmethod
    def resolve_team(obj):
        return obj.team.name

    @staticmethod
    def resolve_item_code(obj):
        return obj.item.code if obj.item_id else None


class ActivityPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ActivityOut]


class ParticipantOut(Schema):
    id: int
    volunteer_id: int
    name: str
    household_id: int
    minutes: int
    points: int
    claim_id: int | None

    @staticmethod
    def resolve_name(obj):
        return obj.volunteer.resident.name

    @staticmethod
    def resolve_household_id(obj):
        return obj.volunteer.resident.household_id


class ActivityDetailOut(ActivityOut):
    description: str
    participants: list[ParticipantOut]

    @staticmethod
    def resolve_participants(obj):
        return list(selectors.participants(activity=obj))


class ActivityIn(Schema):
    title: str = Field(..., min_length=1, max_length=100)
    date: dt.date
    place: str = Field("", max_length=100)
    description: str = Field("", max_length=2000)
    item_id: int | None = Field(
        None, strict=True, ge=1, le=2**62, description="折算积分的本村户积分方案加分项"
    )


class HoursIn(Schema):
    volunteer_id: int = Field(..., strict=True, ge=1, le=2**62)
    minutes: int = Field(..., strict=True, ge=1, le=MAX_MINUTES)


class ConfirmOut(Schema):
    activity: ActivityOut
    claims: list[int]


@router.get("/teams/", response={200: TeamPage, **ERRORS}, summary="志愿服务队列表")
def volunteer_team_list(request, filters: Query[TeamFilter]):
    policy.require(request.auth, "volunteering.view")
    qs = selectors.team_list(user=request.auth, region_code=filters.region, kind=filters.kind, q=filters.q)
    return paginate(qs, filters.page, filters.page_size)


@router.post("/teams/", response={201: TeamDetailOut, **ERRORS}, summary="组建志愿服务队")
def volunteer_team_create(request, payload: TeamIn):
    village = policy.get_scoped_or_404(
        request.auth, "volunteering.view", Region.objects.filter(level="village"), code=payload.village
    )
    team = services.team_create(
        user=request.auth,
        village=village,
        name=payload.name,
        kind=payload.kind,
        description=payload.description,
    )
    return Status(201, team)


@router.get("/teams/{team_id}", response={200: TeamDetailOut, **ERRORS}, summary="志愿服务队及其队员")
def volunteer_team_detail(request, team_id: int):
    return selectors.team_get(user=request.auth, pk=team_id)


@router.post("/teams/{team_id}/members", response={201: MemberOut, **ERRORS}, summary="添加队员（本村居民）")
def volunteer_member_add(request, team_id: int, payload: MemberIn):
    team = selectors.team_get(user=request.auth, pk=team_id)
    resident = policy.get_scoped_or_404(
        request.auth,
        "volunteering.view",
        Resident.objects.select_related("household"),
        pk=payload.resident_id,
    )
    member = services.team_member_add(
        user=request.auth, team=team, resident=resident, is_leader=payload.is_leader
    )
    return Status(201, member)


@router.post("/members/{member_id}/remove", response={200: MemberOut, **ERRORS}, summary="队员退队")
def volunteer_member_remove(request, member_id: int):
    member = policy.get_scoped_or_404(
        request.auth,
        "volunteering.view",
        Volunteer.objects.select_related("team", "resident__household"),
        pk=member_id,
    )
    return services.team_member_remove(user=request.auth, member=member)


@router.get("/activities/", response={200: ActivityPage, **ERRORS}, summary="志愿服务活动列表")
def volunteer_activity_list(request, filters: Query[ActivityFilter]):
    policy.require(request.auth, "volunteering.view")
    team = selectors.team_get(user=request.auth, pk=filters.team) if filters.team else None
    qs = selectors.activity_list(
        user=request.auth, region_code=filters.region, team=team, state=filters.state
    )
    return paginate(qs, filters.page, filters.page_size)


@router.post("/teams/{team_id}/activities", response={201: ActivityDetailOut, **ERRORS}, summary="登记活动")
def volunteer_activity_create(request, team_id: int, payload: ActivityIn):
    team = selectors.team_get(user=request.auth, pk=team_id)
    item = None
    if payload.item_id is not None:
        item = services.item_choices(team.region_code).filter(pk=payload.item_id).first()
        if item is None:
            from xiangzhi.core.errors import ValidationFailed

            raise ValidationFailed("只能选择本村施行中户积分方案的加分项。", field="item_id")
    activity = services.activity_create(
        user=request.auth,
        team=team,
        title=payload.title,
        date=payload.date,
        place=payload.place,
        description=payload.description,
        item=item,
    )
    return Status(201, activity)


@router.get(
    "/activities/{activity_id}", response={200: ActivityDetailOut, **ERRORS}, summary="活动及参加人员"
)
def volunteer_activity_detail(request, activity_id: int):
    return selectors.activity_get(user=request.auth, pk=activity_id)


@router.post(
    "/activities/{activity_id}/participants",
    response={200: ParticipantOut, **ERRORS},
    summary="登记（或改正）队员的服务时长（分钟）",
)
def volunteer_participant_set(request, activity_id: int, payload: HoursIn):
    activity = selectors.activity_get(user=request.auth, pk=activity_id)
    volunteer = Volunteer.objects.filter(pk=payload.volunteer_id, team=activity.team).first()
    if volunteer is None:
        from xiangzhi.core.errors import ValidationFailed

        raise ValidationFailed("只能登记本队在队队员的服务时长。", field="volunteer_id")
    part = services.participant_set(
        user=request.auth, activity=activity, volunteer=volunteer, minutes=payload.minutes
    )
    return selectors.participants(activity=activity).get(pk=part.pk)


@router.post(
    "/activities/{activity_id}/confirm",
    response={200: ConfirmOut, **ERRORS},
    summary="确认服务时长并为参加者所在户录入积分申报",
)
def volunteer_activity_confirm(request, activity_id: int):
    activity = selectors.activity_get(user=request.auth, pk=activity_id)
    claims = services.activity_confirm(user=request.auth, activity=activity)
    activity = Activity.objects.select_related("team", "item").get(pk=activity.pk)
    return {"activity": activity, "claims": [c.pk for c in claims]}
