"""Enforcement records over the API (/api/v1/enforcement/): scoped like the pages, the same services. A person's
ID number is never returned, only its masked form."""

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from xiangzhi import policy
from xiangzhi.apischema import ERRORS, MAX_PAGE, paginate
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.enforcement import selectors, services
from xiangzhi.enforcement.models import PENALTY_CHOICES, SUBJECT_CHOICES, Decision, Inspection
from xiangzhi.regions.models import Region

router = Router(tags=["行政执法"])

REGION_PATTERN = r"^\d{6,18}$"
STATUS_PATTERN = "^(" + "|".join(code for code, _ in selectors.STATUS_CHOICES) + ")$"
KIND_PATTERN = "^(" + "|".join(code for code, _ in PENALTY_CHOICES) + ")$"
SUBJECT_PATTERN = "^(" + "|".join(code for code, _ in SUBJECT_CHOICES) + ")$"
ID = Field(..., strict=True, ge=1, le=2**62)


class InspectionFilter(Schema):
    region: str | None = Field(None, pattern=REGION_PATTERN)
    department: int | None = Field(None, ge=1, le=2**62)
    status: str | None = Field(None, pattern=STATUS_PATTERN)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str | None = Field(None, max_length=50)
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


class InspectionOut(Schema):
    id: int
    number: str
    region_code: str
    town: str
    department_id: int
    department: str
    date: dt.date
    place: str
    inspectors: str
    subject_kind: str
    subject_name: str
    subject_id_masked: str
    subject_org_code: str
    findings: str
    problem_found: bool

    @staticmethod
    def resolve_town(obj):
        return obj.town.name

    @staticmethod
    def resolve_department(obj):
        return obj.department.name

    @staticmethod
    def resolve_subject_id_masked(obj):
        return obj.masked_id


class InspectionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[InspectionOut]


class ReviewOut(Schema):
    id: int
    reviewer: str
    opinion: str
    passed: bool
    reviewed_at: dt.datetime

    @staticmethod
    def resolve_reviewer(obj):
        return obj.reviewer.full_name or obj.reviewer.username


class DecisionOut(Schema):
    id: int
    inspection_id: int
    state: str
    kind: str
    amount_fen: int
    legal_basis: str
    facts: str
    is_major: bool
    case_number: str
    decided_on: dt.date | None
    publish_due: dt.date | None
    published_on: dt.date | None
    notice_id: int | None
    reviews: list[ReviewOut]

    @staticmethod
    def resolve_reviews(obj):
        return list(obj.reviews.select_related("reviewer"))


class EntryOut(Schema):
    at: dt.datetime
    action: str
    note: str


class InspectionDetailOut(InspectionOut):
    decision: DecisionOut | None
    timeline: list[EntryOut]
    attachments: list[dict]

    @staticmethod
    def resolve_decision(obj):
        return selectors.live_decision(obj)

    @staticmethod
    def resolve_timeline(obj):
        return list(selectors.timeline(obj))

    @staticmethod
    def resolve_attachments(obj):
        return [
            {"id": a.pk, "label": a.label, "file_id": a.file_id, "name": a.file.original_name}
            for a in selectors.attachments(obj)
        ]


class InspectionIn(Schema):
    department_id: int = ID
    village: str | None = Field(None, pattern=r"^\d{12}$", description="村代码；乡镇本级不填")
    date: dt.date
    place: str = Field(..., min_length=1, max_length=200)
    inspectors: str = Field(..., min_length=1, max_length=200)
    subject_kind: str = Field(..., pattern=SUBJECT_PATTERN)
    subject_name: str = Field(..., min_length=1, max_length=100)
    id_number: str = Field("", max_length=30)
    org_code: str = Field("", max_length=30)
    findings: str = Field(..., min_length=1, max_length=4000)
    problem_found: bool = False


class ProposeIn(Schema):
    kind: str = Field(..., pattern=KIND_PATTERN)
    amount_fen: int = Field(..., strict=True, ge=-(2**62), le=2**62, description="金额（分）；不得为负")
    legal_basis: str = Field(..., min_length=1, max_length=2000)
    facts: str = Field(..., min_length=1, max_length=4000)
    is_major: bool = False


class ReviewIn(Schema):
    opinion: str = Field(..., min_length=1, max_length=2000)
    passed: bool


class DecideIn(Schema):
    case_number: str = Field(..., min_length=1, max_length=60)
    decided_on: dt.date


class PublishIn(Schema):
    mask_names: list[str] = Field(default_factory=list, max_length=20)


class FiguresFilter(Schema):
    town: str | None = Field(None, pattern=r"^\d{9}$")
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class FiguresOut(Schema):
    inspections: int
    problems: int
    decisions: int
    penalties: int
    fines: int
    fine_fen: int
    amount_fen: int
    major: int
    published: int
    overdue: int


class OverdueOut(Schema):
    id: int
    inspection_id: int
    case_number: str
    decided_on: dt.date
    publish_due: dt.date
    published_on: dt.date | None


class OverduePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[OverdueOut]


def _decision(request, decision_id: int) -> Decision:
    return selectors.decision_get(user=request.auth, pk=decision_id)


@router.get("/inspections/", response={200: InspectionPage, **ERRORS}, summary="执法台账（执法检查列表）")
def enforcement_inspection_list(request, filters: Query[InspectionFilter]):
    policy.require(request.auth, "enforcement.view")
    qs = selectors.inspection_list(
        user=request.auth,
        region_code=filters.region,
        department=filters.department,
        status=filters.status,
        date_from=filters.date_from,
        date_to=filters.date_to,
        q=filters.q,
    )
    return paginate(qs, filters.page, filters.page_size)


@router.post("/inspections/", response={201: InspectionDetailOut, **ERRORS}, summary="登记执法检查")
def enforcement_inspection_create(request, payload: InspectionIn):
    policy.require(request.auth, "enforcement.record")
    department = next(
        (d for d in selectors.recording_departments(user=request.auth) if d.pk == payload.department_id), None
    )
    if department is None:
        raise ValidationFailed("只能选择本人所在（或负责）的执法部门。", field="department_id")
    village = None
    if payload.village:
        village = Region.objects.filter(code=payload.village, parent=department.town, level="village").first()
        if village is None:
            raise ValidationFailed("所选的村不属于该乡镇。", field="village")
    inspection = services.inspection_create(
        user=request.auth,
        town=department.town,
        village=village,
        department=department,
        date=payload.date,
        place=payload.place,
        inspectors=payload.inspectors,
        subject_kind=payload.subject_kind,
        subject_name=payload.subject_name,
        id_number=payload.id_number,
        org_code=payload.org_code,
        findings=payload.findings,
        problem_found=payload.problem_found,
    )
    return Status(201, Inspection.objects.select_related("town", "department").get(pk=inspection.pk))


@router.get(
    "/inspections/{inspection_id}",
    response={200: InspectionDetailOut, **ERRORS},
    summary="执法检查及全过程记录",
)
def enforcement_inspection_detail(request, inspection_id: int):
    return selectors.inspection_get(user=request.auth, pk=inspection_id)


@router.post(
    "/inspections/{inspection_id}/decision", response={201: DecisionOut, **ERRORS}, summary="拟作出执法决定"
)
def enforcement_decision_propose(request, inspection_id: int, payload: ProposeIn):
    inspection = selectors.inspection_get(user=request.auth, pk=inspection_id)
    decision = services.decision_propose(
        user=request.auth,
        inspection=inspection,
        kind=payload.kind,
        amount_fen=payload.amount_fen,
        legal_basis=payload.legal_basis,
        facts=payload.facts,
        is_major=payload.is_major,
    )
    return Status(201, decision)


@router.post("/decisions/{decision_id}/review", response={201: ReviewOut, **ERRORS}, summary="法制审核")
def enforcement_decision_review(request, decision_id: int, payload: ReviewIn):
    review = services.legal_review_record(
        user=request.auth,
        decision=_decision(request, decision_id),
        opinion=payload.opinion,
        passed=payload.passed,
    )
    return Status(201, review)


@router.post("/decisions/{decision_id}/decide", response={200: DecisionOut, **ERRORS}, summary="作出执法决定")
def enforcement_decision_make(request, decision_id: int, payload: DecideIn):
    return services.decision_make(
        user=request.auth,
        decision=_decision(request, decision_id),
        case_number=payload.case_number,
        decided_on=payload.decided_on,
    )


@router.post(
    "/decisions/{decision_id}/publish", response={200: DecisionOut, **ERRORS}, summary="在乡镇公开栏执法公示"
)
def enforcement_decision_publish(request, decision_id: int, payload: PublishIn):
    return services.decision_publish(
        user=request.auth, decision=_decision(request, decision_id), mask_names=payload.mask_names
    )


@router.get("/figures", response={200: FiguresOut, **ERRORS}, summary="行政执法统计（乡镇、期间）")
def enforcement_figures(request, filters: Query[FiguresFilter]):
    policy.require(request.auth, "enforcement.view")
    if filters.town:
        policy.get_scoped_or_404(
            request.auth, "enforcement.view", Region.objects.filter(level="town"), code=filters.town
        )
    return selectors.figures(
        user=request.auth, town_code=filters.town, date_from=filters.date_from, date_to=filters.date_to
    )


@router.get("/overdue", response={200: OverduePage, **ERRORS}, summary="执法公示超期的决定")
def enforcement_overdue(
    request,
    region: str | None = Query(None, pattern=REGION_PATTERN),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(20, ge=1, le=100),
):
    policy.require(request.auth, "enforcement.view")
    return paginate(selectors.overdue_list(user=request.auth, region_code=region), page, page_size)
