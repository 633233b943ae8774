"""Bodies, rosters, calling and closing meetings, minutes, tellers, authorisations (Art. 24), the township's
approval queue and the quarterly check, over the API: the same selectors and services as the pages (views_bodies),
scoped alike (out of reach: an audited 404); refusals are the services' Chinese messages, nothing written."""

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool, StrictInt

from xiangzhi import policy
from xiangzhi.apischema import ERRORS, MAX_PAGE, page_params, paginate
from xiangzhi.core import clock
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.deliberation import rules, selectors, services
from xiangzhi.deliberation.models import Body, Meeting
from xiangzhi.party.models import PartyOrg
from xiangzhi.people.models import Resident

router = Router(tags=["议事协商"])

KINDS = Literal["villagers_assembly", "representatives", "party_assembly", "committees", "branch_committee"]
ROLES = Literal["committee_member", "representative", "member"]


class PageIn(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


class BodyFilter(PageIn):
    region: str | None = None
    kind: str | None = None
    active: Literal["", "0", "1"] = ""


class BodyOut(Schema):
    id: int
    name: str
    kind: str
    region_code: str
    is_active: bool
    member_count: int = 0


class BodyPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[BodyOut]


class WarningOut(Schema):
    code: str
    text: str


class RosterCheckOut(Schema):
    members: int
    representatives: int
    women: int
    households: int
    warnings: list[WarningOut]


class BodyDetailOut(Schema):
    id: int
    name: str
    kind: str
    region_code: str
    is_active: bool
    quorum: str
    decision: str
    notice_days: int
    configurable: bool
    art25: RosterCheckOut | None = Field(None, description="村民代表会议的第二十五条检查")


class FractionIn(Schema):
    num: StrictInt = Field(ge=1, le=100)
    den: StrictInt = Field(ge=1, le=100)
    strict: StrictBool


class BodyIn(Schema):
    village_code: str = Field(pattern=r"^\d{12}$")
    kind: KINDS
    name: str = Field("", max_length=100)
    party_org: StrictInt | None = None
    quorum: FractionIn | None = None
    passing: FractionIn | None = None


class MemberOut(Schema):
    resident_id: int
    name: str = Field(alias="resident.name")
    sex: str = Field(alias="resident.sex")
    role: str
    is_active: bool


class MemberPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[MemberOut]


class MemberFilter(PageIn):
    role: str | None = None
    q: str | None = Field(None, max_length=50)
    active: Literal["", "0", "1"] = "1"


class MemberIn(Schema):
    resident: StrictInt
    role: ROLES = "member"


class MemberRemoveIn(Schema):
    resident: StrictInt


class MeetingIn(Schema):
    title: str = Field(max_length=200)
    held_on: dt.date
    quorum_basis: Literal["persons", "households"] = "persons"


class MeetingOut(Schema):
    id: int
    title: str
    region_code: str
    held_on: dt.date
    status: str
    minutes: str


class MinutesIn(Schema):
    minutes: str = Field(max_length=20000)


class ItemIn(Schema):
    title: str = Field(max_length=200)
    kind: Literal["ordinary", "land_contract_outsider", "construction_land"] = "ordinary"
    art24: StrictBool = False
    secret: StrictBool = False
    counters: list[StrictInt] = Field(default_factory=list, max_length=10)
    scrutineers: list[StrictInt] = Field(default_factory=list, max_length=10)


class ItemOut(Schema):
    id: int
    title: str
    kind: str
    secret: bool
    vote_status: str
    tellers: str


class TellerOut(Schema):
    user_id: int
    name: str
    role: str


class PaperIn(Schema):
    yes: StrictInt = Field(0, ge=0, le=100000)
    no: StrictInt = Field(0, ge=0, le=100000)
    abstain: StrictInt = Field(0, ge=0, le=100000)


class Done(Schema):
    ok: bool


class AuthorisationOut(Schema):
    id: int
    region_code: str
    scope: str
    valid_from: dt.date
    valid_until: dt.date | None
    granted_by_id: int | None
    revoked: bool


class AuthorisationPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[AuthorisationOut]


class AuthorisationFilter(PageIn):
    region: str | None = None
    status: Literal["", "active", "revoked"] = ""


class AuthorisationIn(Schema):
    village_code: str = Field(pattern=r"^\d{12}$")
    scope: str = Field(max_length=300)
    valid_from: dt.date
    valid_until: dt.date | None = None
    granted_by: StrictInt | None = None


class ApprovalOut(Schema):
    id: int
    title: str
    kind: str
    region_code: str
    meeting_id: int
    yes: int
    no: int
    abstain: int
    threshold_text: str
    decided_at: dt.datetime | None
    township_approved_at: dt.datetime | None


class ApprovalPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ApprovalOut]


class ApprovalFilter(PageIn):
    region: str | None = None
    status: Literal["pending", "approved", "all"] = "pending"


class QuarterlyOut(Schema):
    village_code: str
    village: str
    body_id: int | None
    last: dt.date | None
    due: dt.date | None
    late: bool


class QuarterlyPage(Schema):
    count: int
    page: int
    page_size: int
    today: dt.date
    items: list[QuarterlyOut]


class QuarterlyFilter(PageIn):
    region: str | None = None
    show: Literal["", "late", "all"] = ""


# -- bodies ------------------------------------------------------------------------------------------------------


def _body_detail(b: Body) -> dict:
    r = b.rules()
    check = selectors.roster_check(b)
    return {
        "id": b.pk,
        "name": b.name,
        "kind": b.kind,
        "region_code": b.region_code,
        "is_active": b.is_active,
        "quorum": r.quorum.describe(),
        "decision": r.decision.describe(),
        "notice_days": r.notice_days,
        "configurable": b.kind in rules.CONFIGURABLE_KINDS,
        "art25": {**check, "warnings": [{"code": w.code, "text": w.text} for w in check["warnings"]]}
        if check
        else None,
    }


@router.get("/bodies", response={200: BodyPage, **ERRORS}, summary="议事机构列表")
def deliberation_body_list(request, filters: Query[BodyFilter]):
    policy.require(request.auth, "deliberation.view")
    qs = selectors.body_list(
        user=request.auth, region=filters.region, kind=filters.kind or "", active=filters.active
    )
    return paginate(qs, filters.page, filters.page_size)


@router.post("/bodies", response={201: BodyDetailOut, **ERRORS}, summary="新建议事机构")
def deliberation_body_create(request, payload: BodyIn):
    policy.require(request.auth, "deliberation.manage")
    village = selectors.village_get(user=request.auth, code=payload.village_code)
    org = None
    if payload.party_org is not None:
        org = policy.get_scoped_or_404(
            request.auth, "deliberation.manage", PartyOrg.objects.all(), pk=payload.party_org
        )

    def frac(f):
        return (f.num, f.den, f.strict) if f else None

    body = services.body_create(
        user=request.auth,
        village=village,
        kind=payload.kind,
        name=payload.name,
        party_org=org,
        quorum=frac(payload.quorum),
        passing=frac(payload.passing),
    )
    return Status(201, _body_detail(body))


@router.get(
    "/bodies/{int:body_id}", response={200: BodyDetailOut, **ERRORS}, summary="议事机构与第二十五条检查"
)
def deliberation_body_detail(request, body_id: int):
    return _body_detail(selectors.body_get(user=request.auth, pk=body_id))


@router.get("/bodies/{int:body_id}/members", response={200: MemberPage, **ERRORS}, summary="成员名单")
def deliberation_body_members(request, body_id: int, filters: Query[MemberFilter]):
    body = selectors.body_get(user=request.auth, pk=body_id)
    qs = selectors.body_members(body=body, role=filters.role or "", q=filters.q or "", active=filters.active)
    return paginate(qs, filters.page, filters.page_size)


def _resident(body: Body, pk: int) -> Resident:
    r = Resident.objects.filter(pk=pk, region_code__startswith=body.region_code).first()
    if r is None:
        raise ValidationFailed("请选择本村的居民。", field="resident")
    return r


@router.post("/bodies/{int:body_id}/members", response={201: MemberOut, **ERRORS}, summary="添加成员")
def deliberation_member_add(request, body_id: int, payload: MemberIn):
    body = selectors.body_get(user=request.auth, pk=body_id)
    m = services.body_member_add(
        user=request.auth, body=body, resident=_resident(body, payload.resident), role=payload.role
    )
    return Status(201, m)


@router.post("/bodies/{int:body_id}/members/remove", response={200: Done, **ERRORS}, summary="移出成员")
def deliberation_member_remove(request, body_id: int, payload: MemberRemoveIn):
    body = selectors.body_get(user=request.auth, pk=body_id)
    services.body_member_remove(user=request.auth, body=body, resident=_resident(body, payload.resident))
    return {"ok": True}


# -- meetings ----------------------------------------------------------------------------------------------------


@router.post("/bodies/{int:body_id}/meetings", response={201: MeetingOut, **ERRORS}, summary="召集会议")
def deliberation_meeting_call(request, body_id: int, payload: MeetingIn):
    body = selectors.body_get(user=request.auth, pk=body_id)
    m = services.meeting_call(
        user=request.auth,
        body=body,
        title=payload.title,
        held_on=payload.held_on,
        quorum_basis=payload.quorum_basis,
    )
    return Status(201, m)


@router.post("/meetings/{int:meeting_id}/minutes", response={200: MeetingOut, **ERRORS}, summary="会议记录")
def deliberation_minutes(request, meeting_id: int, payload: MinutesIn):
    m = selectors.meeting_get(user=request.auth, pk=meeting_id)
    return services.meeting_minutes_record(user=request.auth, meeting=m, minutes=payload.minutes)


@router.post("/meetings/{int:meeting_id}/close", response={200: MeetingOut, **ERRORS}, summary="结束会议")
def deliberation_meeting_close(request, meeting_id: int):
    m = selectors.meeting_get(user=request.auth, pk=meeting_id)
    return services.meeting_close(user=request.auth, meeting=m)


def _users(meeting: Meeting, ids: list[int]) -> list:
    found = list(selectors.teller_candidates(meeting=meeting).filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise ValidationFailed("计票人、监票人须为本村村民的有效账号。", field="tellers")
    return found


@router.post(
    "/meetings/{int:meeting_id}/items",
    response={201: ItemOut, **ERRORS},
    summary="提交表决（无记名投票须指定计票人、监票人）",
)
def deliberation_item_open(request, meeting_id: int, payload: ItemIn):
    from django.db import transaction

    m = selectors.meeting_get(user=request.auth, pk=meeting_id)
    counters, scrutineers = _users(m, payload.counters), _users(m, payload.scrutineers)
    with transaction.atomic():  # a refused vote_open leaves no item behind
        item = services.item_add(
            user=request.auth,
            meeting=m,
            title=payload.title,
            kind=payload.kind,
            art24=payload.art24,
            secret=payload.secret,
        )
        services.vote_open(user=request.auth, item=item, counters=counters, scrutineers=scrutineers)
    return Status(201, item)


@router.get(
    "/items/{int:item_id}/tellers", response={200: list[TellerOut], **ERRORS}, summary="计票人、监票人"
)
def deliberation_tellers(request, item_id: int):
    item = selectors.item_get(user=request.auth, pk=item_id)
    return [
        {
            "user_id": t.user_id,
            "name": t.user.resident.name if t.user.resident_id else t.user.full_name,
            "role": t.role,
        }
        for t in item.teller_set.select_related("user", "user__resident")
    ]


@router.post(
    "/items/{int:item_id}/paper", response={200: Done, **ERRORS}, summary="计票人、监票人录入纸质选票"
)
def deliberation_paper_enter(request, item_id: int, payload: PaperIn):
    item = selectors.item_get(user=request.auth, pk=item_id)
    services.paper_ballots_enter(
        user=request.auth, item=item, yes=payload.yes, no=payload.no, abstain=payload.abstain
    )
    return {"ok": True}


# -- authorisations ----------------------------------------------------------------------------------------------


@router.get("/authorisations", response={200: AuthorisationPage, **ERRORS}, summary="村民会议授权列表")
def deliberation_authorisation_list(request, filters: Query[AuthorisationFilter]):
    policy.require(request.auth, "deliberation.view")
    qs = selectors.authorisation_list(user=request.auth, region=filters.region, status=filters.status)
    return paginate(qs, filters.page, filters.page_size)


@router.post("/authorisations", response={201: AuthorisationOut, **ERRORS}, summary="记录村民会议授权")
def deliberation_authorisation_grant(request, payload: AuthorisationIn):
    policy.require(request.auth, "deliberation.manage")
    village = selectors.village_get(user=request.auth, code=payload.village_code)
    granted_by = (
        selectors.item_get(user=request.auth, pk=payload.granted_by)
        if payload.granted_by is not None
        else None
    )
    auth = services.authorisation_grant(
        user=request.auth,
        village=village,
        scope=payload.scope,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        granted_by=granted_by,
    )
    return Status(201, auth)


@router.post(
    "/authorisations/{int:authorisation_id}/revoke",
    response={200: AuthorisationOut, **ERRORS},
    summary="撤销授权",
)
def deliberation_authorisation_revoke(request, authorisation_id: int):
    auth = selectors.authorisation_get(user=request.auth, pk=authorisation_id)
    return services.authorisation_revoke(user=request.auth, authorisation=auth)


# -- the town ----------------------------------------------------------------------------------------------------


@router.get("/approvals", response={200: ApprovalPage, **ERRORS}, summary="待乡镇审批的决定")
def deliberation_approval_list(request, filters: Query[ApprovalFilter]):
    policy.require(request.auth, "deliberation.approve")
    qs = selectors.approval_queue(user=request.auth, region=filters.region, status=filters.status)
    return paginate(qs, filters.page, filters.page_size)


@router.post("/approvals/{int:item_id}/approve", response={200: ApprovalOut, **ERRORS}, summary="乡镇批准")
def deliberation_approve(request, item_id: int):
    item = selectors.approval_get(user=request.auth, pk=item_id)
    return services.item_township_approve(user=request.auth, item=item)


@router.get("/quarterly", response={200: QuarterlyPage, **ERRORS}, summary="村民代表会议季度召开情况")
def deliberation_quarterly(request, filters: Query[QuarterlyFilter]):
    policy.require(request.auth, "deliberation.oversee")
    today = clock.today()
    rows = selectors.quarterly(
        user=request.auth, today=today, region=filters.region, late_only=filters.show != "all"
    )
    offset, size = page_params(filters.page, filters.page_size)
    return {
        "count": len(rows),
        "page": offset // size + 1,
        "page_size": size,
        "today": today,
        "items": [
            {
                "village_code": r["village"].code,
                "village": r["village"].name,
                "body_id": r["body"].pk if r["body"] else None,
                "last": r["last"],
                "due": r["due"],
                "late": r["late"],
            }
            for r in rows[offset : offset + size]
        ],
    }
