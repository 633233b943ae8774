"""党员积分 over the API (mount at /api/v1/points/party/): the same services and policy as the pages.

`POST /orgs/{org_id}/attendance` is what a meeting register (the deliberation module, a phone) calls after a
三会一课 or 主题党日: it records the attendance claims, which then go through review and notice."""

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from xiangzhi import policy
from xiangzhi.apischema import ERRORS, MAX_PAGE, page_params, paginate
from xiangzhi.points import party

router = Router(tags=["党员积分"])

GRADE_PATTERN = "^(" + "|".join(code for code, _ in party.PartyGrade.GRADE_CHOICES) + ")$"
KIND_PATTERN = "^(" + "|".join(party.MEETING_KINDS) + ")$"
ID = Field(..., strict=True, ge=1, le=2**62)


class RankingFilter(Schema):
    year: int | None = Field(None, ge=2000, le=9999, description="默认今年")
    quarter: int | None = Field(None, ge=1, le=4, description="默认本季度")
    org: int | None = Field(None, ge=1, le=2**62, description="只看此党组织（含下级）")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


class RankOut(Schema):
    member_id: int
    name: str
    org_id: int
    org: str
    rank: int
    quarter_points: int
    year_points: int


class RankingPage(Schema):
    year: int
    quarter: int
    count: int
    page: int
    page_size: int
    items: list[RankOut]


class EntryOut(Schema):
    id: int
    kind: str
    occurred_on: dt.date
    item_name: str
    earned_delta: int
    earned_after: int
    note: str


class GradeOut(Schema):
    id: int
    member_id: int = Field(..., alias="party_member_id")
    name: str
    org_id: int
    year: int
    score: int
    proposed: str
    confirmed: str
    note: str

    @staticmethod
    def resolve_name(obj):
        return obj.party_member.name


class MineOut(Schema):
    member_id: int
    name: str
    org: str
    year: int
    year_score: int
    quarter_label: str
    quarter_points: int
    earned: int
    recent: list[EntryOut]
    grades: list[GradeOut]


class YearIn(Schema):
    year: int = Field(..., strict=True, ge=2000, le=9999)


class BaseOut(Schema):
    year: int
    posted: int
    already: int
    skipped: list[str]


class AttendanceIn(Schema):
    meeting_date: dt.date
    kind: str = Field(..., pattern=KIND_PATTERN, description="three_meetings 三会一课 / theme_day 主题党日")
    present_member_ids: list[int] = Field(default_factory=list, max_length=500)
    absent_without_leave_ids: list[int] = Field(default_factory=list, max_length=500)
    meeting_ref: str = Field("", max_length=30, description="会议编号（同一天同类会议有多次时区分）")


class AttendanceOut(Schema):
    claims: list[int]
    already: list[int]


class ProposeOut(Schema):
    year: int
    proposed: int
    kept: int
    excellent_cap: int
    rule: str


class GradeFilter(Schema):
    year: int | None = Field(None, ge=2000, le=9999)
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


class GradePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[GradeOut]


class ConfirmIn(Schema):
    confirmed: str = Field(..., pattern=GRADE_PATTERN)
    note: str = Field("", max_length=300, description="不合格或与建议等次不同时必填")


def _today_quarter() -> tuple[int, int]:
    from xiangzhi.core import clock

    today = clock.today()
    return today.year, (today.month - 1) // 3 + 1


@router.get("/ranking", response={200: RankingPage, **ERRORS}, summary="党员积分季度排名")
def party_ranking(request, filters: Query[RankingFilter]):
    policy.require(request.auth, "points.party_view")
    year, quarter = _today_quarter()
    org = party.org_get(user=request.auth, pk=filters.org) if filters.org else None
    r = party.ranking(
        user=request.auth, year=filters.year or year, quarter=filters.quarter or quarter, org=org
    )
    rows = [
        {
            "member_id": row.member.pk,
            "name": row.member.name,
            "org_id": row.group.pk,
            "org": row.group.name,
            "rank": row.rank,
            "quarter_points": row.quarter_points,
            "year_points": row.year_points,
        }
        for row in r.rows
    ]
    offset, size = page_params(filters.page, filters.page_size)
    return {
        "year": r.year,
        "quarter": r.quarter,
        "count": len(rows),
        "page": offset // size + 1,
        "page_size": size,
        "items": rows[offset : offset + size],
    }


@router.get("/mine", response={200: MineOut, **ERRORS}, summary="本人党员积分")
def party_mine(request):
    mine = party.my_points(user=request.auth)
    return {
        "member_id": mine.member.pk,
        "name": mine.member.name,
        "org": mine.member.org.name,
        "year": mine.year,
        "year_score": mine.year_score,
        "quarter_label": mine.quarter_label,
        "quarter_points": mine.quarter_points,
        "earned": mine.earned,
        "recent": list(mine.entries[:50]),
        "grades": mine.grades,
    }


@router.post(
    "/orgs/{org_id}/base", response={200: BaseOut, **ERRORS}, summary="发放年度基础分（每人每年一次）"
)
def party_base_post(request, org_id: int, payload: YearIn):
    org = party.org_get(user=request.auth, pk=org_id)
    result = party.base_post(user=request.auth, org=org, year=payload.year)
    return {
        "year": result.year,
        "posted": len(result.posted),
        "already": len(result.already),
        "skipped": [f"{m.name}：{why}" for m, why in result.skipped],
    }


@router.post(
    "/orgs/{org_id}/attendance", response={201: AttendanceOut, **ERRORS}, summary="按会议出席情况录入积分申报"
)
def party_attendance_post(request, org_id: int, payload: AttendanceIn):
    org = party.org_get(user=request.auth, pk=org_id, action="points.record")
    result = party.attendance_post(
        user=request.auth,
        org=org,
        meeting_date=payload.meeting_date,
        kind=payload.kind,
        present_member_ids=payload.present_member_ids,
        absent_without_leave_ids=payload.absent_without_leave_ids,
        meeting_ref=payload.meeting_ref,
    )
    return Status(201, {"claims": [c.pk for c in result.claims], "already": [m.pk for m in result.already]})


@router.get("/orgs/{org_id}/grades", response={200: GradePage, **ERRORS}, summary="支部年度评定")
def party_grade_list(request, org_id: int, filters: Query[GradeFilter]):
    org = party.org_get(user=request.auth, pk=org_id)
    year = filters.year or _today_quarter()[0]
    return paginate(party.grade_list(user=request.auth, org=org, year=year), filters.page, filters.page_size)


@router.post(
    "/orgs/{org_id}/grades/propose", response={200: ProposeOut, **ERRORS}, summary="按积分生成建议等次"
)
def party_grade_propose(request, org_id: int, payload: YearIn):
    org = party.org_get(user=request.auth, pk=org_id)
    result = party.grade_propose(user=request.auth, org=org, year=payload.year)
    return {
        "year": result.year,
        "proposed": result.proposed,
        "kept": result.kept,
        "excellent_cap": result.cap,
        "rule": party.GRADE_RULE,
    }


@router.post("/grades/{grade_id}/confirm", response={200: GradeOut, **ERRORS}, summary="支部确定年度等次")
def party_grade_confirm(request, grade_id: int, payload: ConfirmIn):
    grade = party.grade_get(user=request.auth, pk=grade_id)
    return party.grade_confirm(user=request.auth, grade=grade, confirmed=payload.confirmed, note=payload.note)
