"""Cases over the API (/api/v1/cases/): report, list, read, and one POST per transition, each through the same
services and policy as the pages. A case out of the caller's reach is a 404 (audited); a transition the caller may
not do is a 403; a state or version that moved is a 409 with the service's Chinese message."""

import datetime as dt
import json
import unicodedata
from typing import Annotated

from django.http import Http404
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import AfterValidator, StrictBool, StrictInt
from pydantic import ValidationError as PydanticValidationError

from xiangzhi import policy
from xiangzhi.apischema import ERRORS, MAX_PAGE, json_or_multipart, paginate
from xiangzhi.cases import hotline, selectors, services, states
from xiangzhi.cases.models import (
    CATEGORY_LABELS,
    HANDLER_LABELS,
    LEVEL_LABELS,
    LEVELS,
    RATING_LABELS,
    TRIAGE_LABELS,
    Case,
    DeadlineExtension,
)
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, ValidationFailed

router = Router(tags=["事件"])

MAX_EXTENSION = dt.timedelta(days=366)


def _plain(value: str) -> str:
    """No control characters (a NUL cannot be stored by PostgreSQL) and no lone surrogates in typed text."""
    for ch in value:
        if ch not in "\n\r\t" and unicodedata.category(ch) in ("Cc", "Cs"):
            raise ValueError("不能包含控制字符")
    return value


Text = Annotated[str, AfterValidator(_plain)]


# -- output ------------------------------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    number: str
    title: str
    state: str
    state_label: str
    category: str
    category_label: str
    triage: str
    urgency: str
    level: str
    level_label: str
    handler: str
    handler_label: str
    department: str = Field(description="承办部门名称（政事），否则为空")
    region_code: str
    region_name: str
    source: str
    reported_at: dt.datetime
    deadline: dt.datetime | None
    is_overdue: bool
    version: int = Field(description="乐观并发版本号：办理时带上，过期则返回 409")


class CasePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CaseOut]


class EventOut(Schema):
    seq: int
    at: dt.datetime
    actor_label: str
    action: str
    action_label: str
    from_state: str
    to_state: str
    from_level: str
    to_level: str
    note: str
    attachments: list[str] = Field(description="附件地址（需登录，按权限提供）")


class ExtensionOut(Schema):
    id: int
    requested_at: dt.datetime
    new_deadline: dt.datetime
    reason: str
    approved: bool | None
    decided_at: dt.datetime | None
    decision_note: str


class CaseDetailOut(CaseOut):
    description: str
    place: str
    latitude: float | None
    longitude: float | None
    subcategory: str
    hotline_number: str
    reporter_display: str = Field(
        description="上报人（电话只显示后四位；信访等保密事件对非办理人显示“（保密）”）"
    )
    result: str
    rating: str
    rating_label: str
    reopen_count: int
    extension_count: int
    merged_into: str = Field(description="并入的事件编号（已合并时）")
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    seconds_left: int | None = Field(description="距办理时限的秒数（已超期为负，已结案为空）")
    photos: list[str]
    allowed_actions: list[str] = Field(
        description="调用者现在可做的操作：accept、assign、return、start、deliberate、suspend、resume、extend"
        "（POST extensions）、decide_extension、resolve、verify、rate、visit、close、escalate、merge"
    )
    extensions: list[ExtensionOut]
    timeline: list[EventOut]


def _file_url(pf) -> str:
    return f"/files/{pf.pk}/"


def _summary(case: Case) -> dict:
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "state": case.state,
        "state_label": states.STATE_LABELS[case.state],
        "category": case.category,
        "category_label": CATEGORY_LABELS.get(case.category, "未分类"),
        "triage": case.triage,
        "urgency": case.urgency,
        "level": case.level,
        "level_label": LEVEL_LABELS.get(case.level, ""),
        "handler": case.handler,
        "handler_label": HANDLER_LABELS.get(case.handler, ""),
        "department": case.department.name if case.department_id else "",
        "region_code": case.region_code,
        "region_name": case.region.name,
        "source": case.source,
        "reported_at": case.reported_at,
        "deadline": case.deadline,
        "is_overdue": case.is_overdue,
        "version": case.version,
    }


def _detail(user, case: Case) -> dict:
    filed = getattr(case, "just_filed", None)  # a case just reported: answered from the rows just written
    events = [
        {
            "seq": e.seq,
            "at": e.at,
            "actor_label": e.actor_label,
            "action": e.action,
            "action_label": states.LABELS.get(e.action, e.action),
            "from_state": e.from_state,
            "to_state": e.to_state,
            "from_level": e.from_level,
            "to_level": e.to_level,
            "note": e.note,
            "attachments": [] if filed else [_file_url(f) for f in e.attachments.all()],
        }
        for e in (filed["events"] if filed else selectors.timeline(case))
    ]
    return {
        **_summary(case),
        "description": case.description,
        "place": case.place,
        "latitude": case.latitude,
        "longitude": case.longitude,
        "subcategory": case.subcategory.name if case.subcategory_id else "",
        "hotline_number": case.hotline_number,
        "reporter_display": selectors.reporter_display(user, case),
        "result": case.result,
        "rating": case.rating,
        "rating_label": RATING_LABELS.get(case.rating, ""),
        "reopen_count": case.reopen_count,
        "extension_count": case.extension_count,
        "merged_into": case.merged_into.number if case.merged_into_id else "",
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "seconds_left": selectors.seconds_left(case),
        "photos": [_file_url(f) for f in filed["photo_files"]]
        if filed
        else [_file_url(p.file) for p in case.photos.select_related("file")],
        "allowed_actions": selectors.allowed_actions(user, case),
        "extensions": [] if filed else list(case.extensions.order_by("-requested_at", "-id")),
        "timeline": events,
    }


def _fresh(case: Case) -> Case:
    """The case as stored after a transition the caller has just done (allowed, so no second scope check)."""
    return Case.objects.select_related("department", "region", "reporter", "subcategory", "merged_into").get(
        pk=case.pk
    )


# -- list and detail -----------------------------------------------------------------------------------------

STATE_PATTERN = "^(open|" + "|".join(states.STATE_LABELS) + ")$"


class CaseFilter(Schema):
    state: str | None = Field(None, pattern=STATE_PATTERN, description="状态；open 为所有未结案")
    category: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,40}$", description="类别或子类别代码")
    triage: str | None = Field(None, pattern="^(" + "|".join(TRIAGE_LABELS) + ")$")
    region: str | None = Field(None, pattern=r"^\d{6,18}$", description="只看此辖区（县、乡镇、村或网格）")
    level: str | None = Field(None, pattern="^(" + "|".join(LEVELS) + ")$")
    handler: str | None = Field(None, pattern="^(" + "|".join(HANDLER_LABELS) + ")$")
    department: int | None = Field(None, ge=1, le=2**31 - 1, description="承办部门编号")
    overdue: bool | None = None
    q: Text | None = Field(None, max_length=50, description="事件编号（SJ…）、标题或热线工单编号")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


@router.get("/", response={200: CasePage, **ERRORS}, summary="事件列表")
def case_list(request, filters: Query[CaseFilter]):
    qs = selectors.case_list(
        user=request.auth,
        state=filters.state or "",
        category=filters.category or "",
        triage=filters.triage or "",
        region=filters.region or "",
        level=filters.level or "",
        handler=filters.handler or "",
        department=filters.department,
        overdue=filters.overdue,
        q=filters.q or "",
    ).select_related("region")
    page = paginate(qs, filters.page, filters.page_size)
    page["items"] = [_summary(c) for c in page["items"]]
    return page


@router.get("/{int:case_id}/", response={200: CaseDetailOut, **ERRORS}, summary="事件详情（含办理过程）")
def case_detail(request, case_id: int):
    return _detail(request.auth, selectors.case_get(user=request.auth, pk=case_id))


# -- report ------------------------------------------------------------------------------------------------------


class CaseIn(Schema):
    region_code: Text = Field(pattern=r"^\d{12,18}$", description="事件发生的村（12 位）或网格（15 位）代码")
    description: Text = Field(max_length=services.MAX_TEXT)
    title: Text = Field("", max_length=60)
    place: Text = Field("", max_length=120)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    category: Text = Field("", max_length=40, description="类别或子类别代码，可空（由受理人分类）")


def _create_schema(*, multipart: bool) -> dict:
    schema = CaseIn.model_json_schema()
    schema.pop("title", None)
    if multipart:
        schema["properties"]["photos"] = {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "maxItems": services.MAX_PHOTOS,
            "description": f"现场照片，最多 {services.MAX_PHOTOS} 张（JPEG/PNG/WebP）",
        }
    return schema


def _header_text(value: str) -> str:
    try:
        return _plain(value)
    except ValueError:
        raise ValidationFailed("Idempotency-Key 不能包含控制字符。", field="Idempotency-Key") from None


def _create_payload(request) -> tuple[CaseIn, list]:
    """The report from a JSON body, or from multipart/form-data with its photos."""
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        data, strict = {k: v for k, v in request.POST.items() if k != "photos"}, False
        photos = request.FILES.getlist("photos")
    else:
        try:
            data = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise ValidationFailed("请求正文不是有效的 JSON。") from None
        if not isinstance(data, dict):
            raise ValidationFailed("请求正文应为一个 JSON 对象。")
        strict, photos = True, []
    try:
        return CaseIn.model_validate(data, strict=strict), photos
    except PydanticValidationError as exc:
        raise NinjaValidationError(
            [{"loc": ("body", *e["loc"]), "msg": e["msg"]} for e in exc.errors(include_url=False)]
        ) from None


@router.post(
    "/",
    response={200: CaseDetailOut, 201: CaseDetailOut, **ERRORS},
    summary="上报事件",
    description=(
        "正文为 JSON（不带照片），或 multipart/form-data（同样的字段，另加最多 9 个 photos 文件）。"
        "请求头 Idempotency-Key：同一用户用同一个键重复提交（如网络中断后重试）只建一件事件，"
        "第一次返回 201，之后返回 200 和同一件事件。"
    ),
    openapi_extra=json_or_multipart(_create_schema),
)
def case_create(
    request,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", max_length=80, description="客户端生成的唯一键，用于安全重试"
    ),
):
    payload, photos = _create_payload(request)
    case, created = services.case_report(
        user=request.auth,
        region_code=payload.region_code,
        description=payload.description,
        title=payload.title,
        place=payload.place,
        latitude=payload.latitude,
        longitude=payload.longitude,
        category=payload.category,
        photos=photos,
        source="api",
        idempotency_key=_header_text(idempotency_key or ""),
    )
    if created:
        # the case in hand is the one just written (no second read: intake is the busiest path)
        return Status(201, _detail(request.auth, case))
    return Status(200, _detail(request.auth, selectors.case_get(user=request.auth, pk=case.pk)))


# -- transitions -----------------------------------------------------------------------------------------------

VERSION = Field(None, description="调用者看到的版本号（version）；已被他人更新时返回 409")


class NoteIn(Schema):
    version: StrictInt | None = VERSION
    note: Text = Field("", max_length=services.MAX_NOTE)


class ReasonIn(Schema):
    version: StrictInt | None = VERSION
    reason: Text = Field("", max_length=services.MAX_NOTE)


class AssignIn(Schema):
    version: StrictInt | None = VERSION
    triage: Text = Field("", max_length=12, description="civil 民事 / village 村事 / government 政事")
    category: Text = Field("", max_length=40)
    urgency: Text = Field("", max_length=10, description="normal / urgent / critical")
    department: StrictInt | None = Field(None, description="承办部门编号（政事，可空：按分流规则）")
    note: Text = Field("", max_length=services.MAX_NOTE)


class DeliberateIn(Schema):
    version: StrictInt | None = VERSION
    note: Text = Field("", max_length=services.MAX_NOTE)
    matter_ref: Text = Field("", max_length=40, description="议题编号")


class ExtensionIn(Schema):
    version: StrictInt | None = VERSION
    new_deadline: dt.datetime = Field(description="延至（不带时区时按北京时间）")
    reason: Text = Field("", max_length=services.MAX_NOTE)


class DecideIn(Schema):
    version: StrictInt | None = VERSION
    approve: StrictBool
    note: Text = Field("", max_length=services.MAX_NOTE)


class ResolveIn(Schema):
    version: StrictInt | None = VERSION
    result: Text = Field("", max_length=services.MAX_TEXT)


class VerifyIn(Schema):
    version: StrictInt | None = VERSION
    passed: StrictBool
    note: Text = Field("", max_length=services.MAX_NOTE)


class RateIn(Schema):
    version: StrictInt | None = VERSION
    rating: Text = Field(
        "", max_length=12, description="satisfied 满意 / partly 基本满意 / unsatisfied 不满意"
    )
    note: Text = Field("", max_length=services.MAX_NOTE)


class MergeIn(Schema):
    version: StrictInt | None = VERSION
    into: StrictInt = Field(description="保留的那件事件的编号（id）")
    note: Text = Field("", max_length=services.MAX_NOTE)


def _act(request, case_id: int, service, **kwargs) -> dict:
    case = selectors.case_get(user=request.auth, pk=case_id)
    done = service(user=request.auth, case=case, **kwargs)
    return _detail(request.auth, _fresh(done))


def _transition(path: str, summary: str):
    return router.post(path, response={200: CaseDetailOut, **ERRORS}, summary=summary)


@_transition("/{int:case_id}/accept", "受理")
def case_accept(request, case_id: int, body: NoteIn):
    return _act(request, case_id, services.case_accept, version=body.version, note=body.note)


@_transition("/{int:case_id}/assign", "分类派遣")
def case_assign(request, case_id: int, body: AssignIn):
    department = None
    if body.department is not None:
        from xiangzhi.core.models import Department

        department = Department.objects.filter(pk=body.department).first()
        if department is None:
            raise ValidationFailed("未找到该部门，请重新选择承办部门。", field="department")
    return _act(
        request,
        case_id,
        services.case_assign,
        version=body.version,
        triage=body.triage,
        category=body.category,
        urgency=body.urgency,
        department=department,
        note=body.note,
    )


@_transition("/{int:case_id}/return", "退回")
def case_return(request, case_id: int, body: ReasonIn):
    return _act(request, case_id, services.case_return, version=body.version, reason=body.reason)


@_transition("/{int:case_id}/start", "开始办理")
def case_start(request, case_id: int, body: NoteIn):
    return _act(request, case_id, services.case_start, version=body.version, note=body.note)


@_transition("/{int:case_id}/suspend", "挂起")
def case_suspend(request, case_id: int, body: ReasonIn):
    return _act(request, case_id, services.case_suspend, version=body.version, reason=body.reason)


@_transition("/{int:case_id}/resume", "恢复办理")
def case_resume(request, case_id: int, body: NoteIn):
    return _act(request, case_id, services.case_resume, version=body.version, note=body.note)


@_transition("/{int:case_id}/deliberate", "提交议事")
def case_deliberate(request, case_id: int, body: DeliberateIn):
    return _act(
        request,
        case_id,
        services.case_deliberate,
        version=body.version,
        note=body.note,
        matter_ref=body.matter_ref,
    )


@_transition("/{int:case_id}/extensions", "申请延期")
def case_extension_request(request, case_id: int, body: ExtensionIn):
    case = selectors.case_get(user=request.auth, pk=case_id)
    new_deadline = body.new_deadline
    if timezone.is_naive(new_deadline):
        new_deadline = timezone.make_aware(new_deadline)
    if new_deadline - clock.now() > MAX_EXTENSION:
        raise ValidationFailed("延期后的时限不能超过一年以后。", field="new_deadline")
    services.extension_request(
        user=request.auth, case=case, new_deadline=new_deadline, reason=body.reason, version=body.version
    )
    return _detail(request.auth, _fresh(case))


@_transition("/{int:case_id}/extensions/{int:extension_id}/decide", "审批延期")
def case_extension_decide(request, case_id: int, extension_id: int, body: DecideIn):
    case = selectors.case_get(user=request.auth, pk=case_id)
    extension = DeadlineExtension.objects.filter(pk=extension_id, case=case).select_related("case").first()
    if extension is None:
        raise Http404("未找到")
    services.extension_decide(
        user=request.auth, extension=extension, approve=body.approve, note=body.note, version=body.version
    )
    return _detail(request.auth, _fresh(case))


@_transition("/{int:case_id}/resolve", "办结")
def case_resolve(request, case_id: int, body: ResolveIn):
    return _act(request, case_id, services.case_resolve, version=body.version, result=body.result)


@_transition("/{int:case_id}/verify", "核查")
def case_verify(request, case_id: int, body: VerifyIn):
    return _act(
        request, case_id, services.case_verify, version=body.version, passed=body.passed, note=body.note
    )


@_transition("/{int:case_id}/rate", "评价（上报人）")
def case_rate(request, case_id: int, body: RateIn):
    return _act(
        request, case_id, services.case_rate, version=body.version, rating=body.rating, note=body.note
    )


@_transition("/{int:case_id}/visit", "回访（记录上报人的评价）")
def case_visit(request, case_id: int, body: RateIn):
    return _act(
        request, case_id, services.case_visit, version=body.version, rating=body.rating, note=body.note
    )


@_transition("/{int:case_id}/close", "结案（未评价）")
def case_close(request, case_id: int, body: NoteIn):
    return _act(request, case_id, services.case_close, version=body.version, note=body.note)


@_transition("/{int:case_id}/escalate", "上报上级")
def case_escalate(request, case_id: int, body: ReasonIn):
    return _act(request, case_id, services.case_escalate, version=body.version, reason=body.reason)


@_transition("/{int:case_id}/merge", "合并重复事件")
def case_merge(request, case_id: int, body: MergeIn):
    case = selectors.case_get(user=request.auth, pk=case_id)
    into = selectors.case_get(user=request.auth, pk=body.into)
    done = services.case_merge(user=request.auth, case=case, into=into, note=body.note, version=body.version)
    return _detail(request.auth, _fresh(done))


# -- 12345 hotline ---------------------------------------------------------------------------------------------


class HotlineIn(Schema):
    hotline_number: Text = Field(max_length=hotline.MAX_NUMBER, description="12345 工单编号（唯一）")
    description: Text = Field(max_length=services.MAX_TEXT, description="诉求内容")
    region: Text = Field(max_length=60, description="所在村：村或网格的区划代码，或辖区内不重名的村名")
    called_at: dt.datetime | None = Field(None, description="来电时间（不带时区时按北京时间）")
    reporter_name: Text = Field("", max_length=hotline.MAX_NAME, description="来电人")
    reporter_phone: Text = Field("", max_length=20, description="联系电话（11 位手机号，加密保存）")
    category: Text = Field("", max_length=40, description="类别：名称或代码")


class HotlineOut(Schema):
    created: bool = Field(description="false：该工单此前已导入，返回已有的事件")
    case: CaseDetailOut


@router.post(
    "/hotline/",
    response={200: HotlineOut, 201: HotlineOut, **ERRORS},
    summary="接收一张 12345 热线工单",
    description=(
        "需要“导入12345热线工单”权限（县综治中心、乡镇领导、包村干部）。同一工单编号只建一件事件："
        "重复提交返回 200 和已有事件；已有事件不在调用者辖区时返回 409。Excel 批量导入见网页 /cases/hotline/。"
    ),
)
def case_hotline(request, body: HotlineIn):
    called_at = body.called_at
    if called_at is not None and timezone.is_naive(called_at):
        called_at = timezone.make_aware(called_at)
    case, created = hotline.order_submit(
        user=request.auth,
        hotline_number=body.hotline_number,
        description=body.description,
        region=body.region,
        called_at=called_at,
        reporter_name=body.reporter_name,
        reporter_phone=body.reporter_phone,
        category=body.category,
    )
    if not created and not (
        policy.can(request.auth, "cases.view", case) or policy.can(request.auth, "cases.view_own", case)
    ):
        raise Conflict("该工单编号已导入过（不在您的辖区内）。", code="already_imported")
    return Status(201 if created else 200, {"created": created, "case": _detail(request.auth, _fresh(case))})
