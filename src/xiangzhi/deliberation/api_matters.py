"""Matters (议题, 四议两公开) over the API: the same selectors and services as the pages. A matter out of reach is a
404; a refused step is the service's Chinese message (400 / 409), nothing written."""

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from xiangzhi import policy
from xiangzhi.apischema import ERRORS, MAX_PAGE, paginate
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.deliberation import matter_rules, matters
from xiangzhi.deliberation import selectors_matters as sel
from xiangzhi.deliberation.models import Body, Item, Matter
from xiangzhi.regions.models import Region

router = Router(tags=["议事协商·议题"])

Text = str


class MatterOut(Schema):
    id: int
    number: str
    title: str
    region_code: str
    kind: str
    kind_label: str
    path: str
    source: str
    status: str
    case_id: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj):
        return obj["kind_label"] if isinstance(obj, dict) else obj.get_kind_display()

    @staticmethod
    def resolve_number(obj):
        return obj["number"] if isinstance(obj, dict) else obj.number


class MatterPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[MatterOut]


class StepOut(Schema):
    id: int
    seq: int
    code: str
    label: str
    status: str
    meeting_id: int | None
    item_id: int | None
    notice_id: int | None
    text: str
    outcome: str
    done_at: dt.datetime | None
    meetings: list[int]
    objections: list[str]


class MatterDetailOut(MatterOut):
    description: str
    stop_reason: str
    supporters: int
    steps: list[StepOut]


class MatterFilter(Schema):
    region: str | None = None
    status: str | None = None
    kind: str | None = None
    path: str | None = None
    q: str | None = Field(None, max_length=50)
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


class MatterIn(Schema):
    village: str = Field(..., pattern=r"^\d{12}$", description="村的区划代码（12 位）")
    title: Text = Field(..., max_length=100)
    description: Text = Field(..., max_length=5000)
    kind: Literal[tuple(matter_rules.KIND_BY_CODE)]  # type: ignore[valid-type]
    source: Literal["villager", "branch", "case"] = "branch"
    case_id: int | None = Field(None, ge=1)


class CallIn(Schema):
    body_id: int = Field(..., ge=1)
    title: Text = Field(..., max_length=200)
    held_on: dt.date
    secret: bool = False


class CompleteIn(Schema):
    item_id: int = Field(..., ge=1)


class ResolutionIn(Schema):
    title: Text = Field(..., max_length=100)
    body: Text = Field(..., max_length=10000)
    mask_names: list[str] = Field(default_factory=list, max_length=50)


class ResultIn(Schema):
    result: Text = Field(..., max_length=5000)
    mask_names: list[str] = Field(default_factory=list, max_length=50)


class TextIn(Schema):
    text: Text = Field(..., max_length=5000)
    title: Text = Field("", max_length=100)


class ObjectionIn(Schema):
    text: Text = Field(..., max_length=2000)


class MeetingRef(Schema):
    meeting_id: int


def _detail(m: Matter) -> dict:
    steps = sel.steps(m)
    return {
        **{k: getattr(m, k) for k in ("id", "title", "region_code", "kind", "path", "source", "status")},
        "number": m.number,
        "kind_label": m.get_kind_display(),
        "case_id": m.case_id,
        "created_at": m.created_at,
        "description": m.description,
        "stop_reason": m.stop_reason,
        "supporters": m.supports.count(),
        "steps": [
            {
                "id": s.pk,
                "seq": s.seq,
                "code": s.code,
                "label": s.label,
                "status": s.status,
                "meeting_id": s.meeting_id,
                "item_id": s.item_id,
                "notice_id": s.notice_id,
                "text": s.text,
                "outcome": s.outcome,
                "done_at": s.done_at,
                "meetings": [mt.pk for mt in s.meetings.all()],
                "objections": [o.text for o in s.objections.all()],
            }
            for s in steps
        ],
    }


@router.get("/matters", response={200: MatterPage, **ERRORS}, summary="议题列表", url_name="matter_list")
def matter_list(request, filters: Query[MatterFilter]):
    policy.require(request.auth, "deliberation.matter_view")
    qs = sel.matter_list(
        user=request.auth,
        region=filters.region,
        status=filters.status or "",
        kind=filters.kind or "",
        path=filters.path or "",
        q=filters.q or "",
    )
    return paginate(qs, filters.page, filters.page_size)


@router.post(
    "/matters", response={201: MatterDetailOut, **ERRORS}, summary="提出议题", url_name="matter_list"
)
def matter_create(request, payload: MatterIn):
    village = Region.objects.filter(code=payload.village, level="village").first()
    if village is None:
        raise ValidationFailed("请选择一个村（社区）。", field="village")
    case = None
    if payload.case_id:
        from xiangzhi.cases import selectors as case_selectors

        case = case_selectors.case_get(user=request.auth, pk=payload.case_id)
    m = matters.matter_create(
        user=request.auth,
        village=village,
        title=payload.title,
        description=payload.description,
        kind=payload.kind,
        source=payload.source,
        case=case,
    )
    return Status(201, _detail(m))


@router.get(
    "/matters/{int:matter_id}",
    response={200: MatterDetailOut, **ERRORS},
    summary="议题详情与各步骤",
    url_name="matter_detail",
)
def matter_detail(request, matter_id: int):
    return _detail(sel.matter_get(user=request.auth, pk=matter_id))


def _matter(request, matter_id: int) -> Matter:
    return sel.matter_get(user=request.auth, pk=matter_id)


@router.post(
    "/matters/{int:matter_id}/support",
    response={200: MatterDetailOut, **ERRORS},
    summary="附议",
    url_name="matter_support",
)
def matter_support(request, matter_id: int):
    m = _matter(request, matter_id)
    matters.matter_support(user=request.auth, matter=m)
    m.refresh_from_db()
    return _detail(m)


@router.post(
    "/matters/{int:matter_id}/call",
    response={200: MeetingRef, **ERRORS},
    summary="召集当前步骤的会议",
    url_name="matter_step_call",
)
def step_call(request, matter_id: int, payload: CallIn):
    m = _matter(request, matter_id)
    body = Body.objects.filter(pk=payload.body_id, region_id=m.region_id).first()
    if body is None:
        raise ValidationFailed("请选择本村的议事机构。", field="body_id")
    meeting = matters.step_meeting_call(
        user=request.auth,
        matter=m,
        body=body,
        title=payload.title,
        held_on=payload.held_on,
        secret=payload.secret,
    )
    return {"meeting_id": meeting.pk}


@router.post(
    "/matters/{int:matter_id}/complete",
    response={200: MatterDetailOut, **ERRORS},
    summary="以表决结果完成当前步骤",
    url_name="matter_step_complete",
)
def step_complete(request, matter_id: int, payload: CompleteIn):
    m = _matter(request, matter_id)
    item = Item.objects.filter(pk=payload.item_id, meeting__body__region_id=m.region_id).first()
    if item is None:
        raise ValidationFailed("请选择本步骤会议已表决的议题。", field="item_id")
    matters.step_complete(user=request.auth, matter=m, item=item)
    m.refresh_from_db()
    return _detail(m)


@router.post(
    "/matters/{int:matter_id}/resolution",
    response={200: MatterDetailOut, **ERRORS},
    summary="决议公开",
    url_name="matter_resolution",
)
def resolution(request, matter_id: int, payload: ResolutionIn):
    m = _matter(request, matter_id)
    matters.resolution_publish(
        user=request.auth, matter=m, title=payload.title, body=payload.body, mask_names=payload.mask_names
    )
    m.refresh_from_db()
    return _detail(m)


@router.post(
    "/matters/{int:matter_id}/result",
    response={200: MatterDetailOut, **ERRORS},
    summary="实施结果公开",
    url_name="matter_result",
)
def result(request, matter_id: int, payload: ResultIn):
    m = _matter(request, matter_id)
    matters.result_publish(user=request.auth, matter=m, result=payload.result, mask_names=payload.mask_names)
    m.refresh_from_db()
    return _detail(m)


@router.post(
    "/matters/{int:matter_id}/consult",
    response={200: MatterDetailOut, **ERRORS},
    summary="记录协商步骤",
    url_name="matter_consult",
)
def consult(request, matter_id: int, payload: TextIn):
    m = _matter(request, matter_id)
    matters.consult_step_record(user=request.auth, matter=m, text=payload.text, title=payload.title)
    m.refresh_from_db()
    return _detail(m)


@router.post(
    "/matters/steps/{int:step_id}/objection",
    response={200: MatterDetailOut, **ERRORS},
    summary="村务监督委员会对步骤提出意见",
    url_name="matter_step_objection",
)
def step_objection(request, step_id: int, payload: ObjectionIn):
    step = sel.step_get(user=request.auth, pk=step_id)
    matters.step_object(user=request.auth, step=step, text=payload.text)
    return _detail(step.matter)
