"""Points over the API (/api/v1/points/): schemes and their items, household claims (list, read, submit, record,
bulk record, review, withdraw), objections (raise, answer) and the notice board, through the same selectors,
services and policy as the pages. Out of reach is a 404 (audited); an action the caller may not do is a 403; a
claim that moved (state or version) is a 409; a rule refused (the item, the cap, the notice period) is a 422 with
the service's Chinese message."""

import datetime as dt
import unicodedata
from typing import Annotated

from django.http import Http404
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import AfterValidator, StrictBool, StrictInt
from pydantic import ValidationError as PydanticValidationError

from xiangzhi import policy
from xiangzhi.apischema import ERRORS, MAX_PAGE, json_or_multipart, paginate
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.points import selectors, services
from xiangzhi.points.models import CATEGORY_LABELS, Claim, Objection, PointItem, PointScheme

router = Router(tags=["积分"])


def _plain(value: str) -> str:
    for ch in value:
        if ch not in "\n\r\t" and unicodedata.category(ch) in ("Cc", "Cs"):
            raise ValueError("不能包含控制字符")
    return value


Text = Annotated[str, AfterValidator(_plain)]

# -- output --------------------------------------------------------------------------------------------------------


class ItemOut(Schema):
    id: int
    code: str
    name: str
    category: str
    category_label: str
    points: int = Field(description="分值：正为加分，负为扣分")
    cap_per_period: int | None = Field(description="每个考核周期一户最多计多少分（绝对值），空为不限")
    evidence_required: bool
    is_violation: bool = Field(description="违反村规民约的扣分项")
    source_article: str


class SchemeOut(Schema):
    id: int
    name: str
    region_code: str
    region_name: str
    kind: str
    version: int
    status: str
    status_label: str
    is_template: bool
    period: str
    notice_days: int
    red_list_size: int
    note: str
    based_on: int | None
    activated_at: dt.datetime | None


class SchemeDetailOut(SchemeOut):
    items: list[ItemOut]


class SchemePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[SchemeOut]


class ObjectionOut(Schema):
    id: int
    claim_id: int
    text: str
    raised_at: dt.datetime
    state: str
    state_label: str
    answer: str
    answered_at: dt.datetime | None


class ClaimOut(Schema):
    id: int
    household_id: int
    household_name: str = Field(description="户主姓名加“户”")
    village_code: str
    region_code: str
    item_id: int
    item_code: str
    item_name: str
    points: int
    claimed_points: int
    occurred_on: dt.date
    description: str
    source: str
    source_label: str
    state: str
    state_label: str
    batch: str
    created_at: dt.datetime
    reviewed_at: dt.datetime | None
    review_note: str
    notice_until: dt.datetime | None
    version: int = Field(description="乐观并发版本号：评议、撤回时带上，过期则返回 409")


class ClaimDetailOut(ClaimOut):
    photos: list[str] = Field(description="依据照片的地址（需登录，按权限提供）")
    objections: list[ObjectionOut]
    allowed_actions: list[str] = Field(description="调用者现在可做的操作：review、withdraw、object")


class ClaimPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ClaimOut]


class BulkOut(Schema):
    created: bool = Field(description="false：同一批次此前已录入，返回已有的申报")
    batch: str
    claims: list[ClaimOut]


class NoticeObjectionOut(Schema):
    text: str
    state: str
    state_label: str
    answer: str


class NoticeOut(Schema):
    claim_id: int
    household_name: str
    village_code: str
    item_name: str
    points: int
    occurred_on: dt.date
    notice_until: dt.datetime
    open_objections: int
    answered_objections: list[NoticeObjectionOut]
    can_object: bool


class NoticePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[NoticeOut]


class ObjectionListOut(ObjectionOut):
    household_name: str
    item_name: str


class ObjectionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ObjectionListOut]


def _item(i: PointItem) -> dict:
    return {
        "id": i.pk,
        "code": i.code,
        "name": i.name,
        "category": i.category,
        "category_label": CATEGORY_LABELS.get(i.category, ""),
        "points": i.points,
        "cap_per_period": i.cap_per_period,
        "evidence_required": i.evidence_required,
        "is_violation": i.is_violation,
        "source_article": i.source_article,
    }


def _scheme(s: PointScheme) -> dict:
    return {
        "id": s.pk,
        "name": s.name,
        "region_code": s.region_code,
        "region_name": s.region.name,
        "kind": s.kind,
        "version": s.version,
        "status": s.status,
        "status_label": s.get_status_display(),
        "is_template": s.is_template,
        "period": s.period,
        "notice_days": s.notice_days,
        "red_list_size": s.red_list_size,
        "note": s.note,
        "based_on": s.based_on_id,
        "activated_at": s.activated_at,
    }


def _who(household) -> str:
    return f"{household.head_name or '（无户主）'}户"


def _claim(c: Claim) -> dict:
    return {
        "id": c.pk,
        "household_id": c.household_id,
        "household_name": _who(c.household),
        "village_code": c.village_code,
        "region_code": c.region_code,
        "item_id": c.item_id,
        "item_code": c.item.code,
        "item_name": c.item.name,
        "points": c.points,
        "claimed_points": c.claimed_points,
        "occurred_on": c.occurred_on,
        "description": c.description,
        "source": c.source,
        "source_label": c.get_source_display(),
        "state": c.state,
        "state_label": c.get_state_display(),
        "batch": c.batch,
        "created_at": c.created_at,
        "reviewed_at": c.reviewed_at,
        "review_note": c.review_note,
        "notice_until": c.notice_until,
        "version": c.version,
    }


def _objection(o: Objection) -> dict:
    return {
        "id": o.pk,
        "claim_id": o.claim_id,
        "text": o.text,
        "raised_at": o.raised_at,
        "state": o.state,
        "state_label": o.get_state_display(),
        "answer": o.answer,
        "answered_at": o.answered_at,
    }


def _allowed(user, claim: Claim) -> list[str]:
    from xiangzhi.core import clock

    allowed = []
    if (
        claim.state == Claim.SUBMITTED
        and claim.claimant_id != user.pk
        and policy.can(user, "points.review", claim)
    ):
        allowed.append("review")
    if claim.state in Claim.OPEN_STATES and (
        claim.claimant_id == user.pk or policy.can(user, "points.review", claim)
    ):
        allowed.append("withdraw")
    if (
        claim.state == Claim.NOTICE
        and claim.notice_until
        and claim.notice_until > clock.now()
        and policy.can(user, "points.object", claim)
    ):
        allowed.append("object")
    return allowed


def _detail(user, claim: Claim) -> dict:
    return {
        **_claim(claim),
        "photos": [f"/points/claims/{claim.pk}/files/{f.pk}/" for f in selectors.claim_evidence(claim)],
        "objections": [_objection(o) for o in selectors.claim_objections(claim)],
        "allowed_actions": _allowed(user, claim),
    }


def _fresh(user, claim: Claim) -> dict:
    return _detail(user, selectors.claim_get(user=user, pk=claim.pk))


def _item_or_422(pk: int) -> PointItem:
    item = PointItem.objects.select_related("scheme").filter(pk=pk).first()
    if item is None:
        raise ValidationFailed("本村施行中的积分方案没有这一项。", field="item")
    return item


# -- schemes ---------------------------------------------------------------------------------------------------------


class SchemeFilter(Schema):
    status: str | None = Field(None, pattern="^(draft|active|retired)$")
    region: str | None = Field(None, pattern=r"^\d{6,18}$", description="只看此村（或乡镇的模板）")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


@router.get("/schemes/", response={200: SchemePage, **ERRORS}, summary="积分方案列表（含本乡镇发布的模板）")
def points_scheme_list(request, filters: Query[SchemeFilter]):
    policy.require(request.auth, "points.view")
    qs = selectors.scheme_list(user=request.auth, region=filters.region or "", status=filters.status or "")
    page = paginate(qs, filters.page, filters.page_size)
    page["items"] = [_scheme(s) for s in page["items"]]
    return page


@router.get(
    "/schemes/{int:scheme_id}/", response={200: SchemeDetailOut, **ERRORS}, summary="积分方案及其积分项"
)
def points_scheme_detail(request, scheme_id: int):
    scheme = selectors.scheme_get(user=request.auth, pk=scheme_id)
    return {**_scheme(scheme), "items": [_item(i) for i in selectors.scheme_items(scheme)]}


@router.get(
    "/claimable-items/",
    response={200: list[ItemOut], **ERRORS},
    summary="本户可以申报的积分项（本村施行中的方案）",
)
def points_claimable_items(request):
    policy.require(request.auth, "points.claim")
    from xiangzhi.people.models import Household
    from xiangzhi.points.policy import own_household_id

    household = Household.objects.filter(pk=own_household_id(request.auth)).first()
    if household is None:
        return []
    return [_item(i) for i in selectors.active_items(household.region_code[:12], merits_only=True)]


# -- claims: list and detail --------------------------------------------------------------------------------------

STATE_PATTERN = "^(open|" + "|".join(dict(Claim.STATE_CHOICES)) + ")$"


class ClaimFilter(Schema):
    state: str | None = Field(None, pattern=STATE_PATTERN, description="状态；open 为待评议和公示中")
    item: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,20}$", description="积分项编号")
    region: str | None = Field(None, pattern=r"^\d{6,18}$", description="只看此辖区（村或网格）")
    q: Text | None = Field(None, max_length=50, description="户主姓名")
    batch: str | None = Field(None, pattern=r"^[A-Za-z0-9_:-]{1,40}$", description="批量录入的批次")
    mine: bool = Field(False, description="只看本户的申报（村民）")
    queue: bool = Field(False, description="评议队列：只看调用者可评议的村")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


@router.get("/claims/", response={200: ClaimPage, **ERRORS}, summary="积分申报列表")
def points_claim_list(request, filters: Query[ClaimFilter]):
    user = request.auth
    if filters.mine:
        qs = selectors.my_claims(user=user, state=filters.state if filters.state != "open" else "")
        if filters.state == "open":
            qs = qs.filter(state__in=Claim.OPEN_STATES)
    else:
        action = (
            "points.review" if filters.queue else ("points.view" if policy.can(user, "points.view") else "")
        )
        qs = selectors.claim_list(
            user=user,
            state=filters.state or "",
            item=filters.item or "",
            region=filters.region or "",
            q=filters.q or "",
            batch=filters.batch or "",
            action=action,
        )
    page = paginate(qs, filters.page, filters.page_size)
    page["items"] = [_claim(c) for c in page["items"]]
    return page


@router.get("/claims/{int:claim_id}/", response={200: ClaimDetailOut, **ERRORS}, summary="积分申报详情")
def points_claim_detail(request, claim_id: int):
    return _detail(request.auth, selectors.claim_get(user=request.auth, pk=claim_id))


# -- claims: submit, record, bulk ---------------------------------------------------------------------------------


class SubmitIn(Schema):
    item: StrictInt = Field(ge=1, le=2**31 - 1, description="积分项编号（id），须是本村施行中方案的项")
    occurred_on: dt.date | None = Field(None, description="发生日期，默认今天")
    description: Text = Field("", max_length=1000)


def _submit_schema(*, multipart: bool) -> dict:
    schema = SubmitIn.model_json_schema()
    schema.pop("title", None)
    if multipart:
        schema["properties"]["photos"] = {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "maxItems": services.MAX_PHOTOS,
            "description": f"依据照片，最多 {services.MAX_PHOTOS} 张",
        }
    return schema


def _submit_payload(request) -> tuple[SubmitIn, list]:
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        data = {k: v for k, v in request.POST.items() if k != "photos"}
        if "item" in data:
            item = str(data["item"]).strip()
            data["item"] = int(item) if item.isdigit() and len(item) < 12 else item
        photos = request.FILES.getlist("photos")
        try:
            return SubmitIn.model_validate(data), photos
        except PydanticValidationError as exc:
            errors = exc.errors(include_url=False)
    else:
        try:
            return SubmitIn.model_validate_json(request.body or b"null"), []
        except PydanticValidationError as exc:
            errors = exc.errors(include_url=False)
            if any(e["type"] == "json_invalid" for e in errors):
                raise ValidationFailed("请求正文不是有效的 JSON。") from None
            if any(e["type"] == "model_type" for e in errors):
                raise ValidationFailed("请求正文应为一个 JSON 对象。") from None
    raise NinjaValidationError([{"loc": ("body", *e["loc"]), "msg": e["msg"]} for e in errors])


@router.post(
    "/claims/",
    response={200: ClaimDetailOut, 201: ClaimDetailOut, **ERRORS},
    summary="申报积分（村民为本户）",
    description=(
        "正文为 JSON（不带照片），或 multipart/form-data（同样的字段，另加最多 9 个 photos 文件）。"
        "请求头 Idempotency-Key：同一用户用同一个键重复提交只建一条申报，第一次返回 201，之后返回 200 和同一条申报。"
    ),
    openapi_extra=json_or_multipart(_submit_schema),
)
def points_claim_submit(
    request,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", max_length=80, description="客户端生成的唯一键，用于安全重试"
    ),
):
    from xiangzhi.people.models import Household
    from xiangzhi.points.policy import own_household_id

    user = request.auth
    policy.require(user, "points.claim")
    body, photos = _submit_payload(request)
    try:
        key = _plain(idempotency_key or "")
    except ValueError:
        raise ValidationFailed("Idempotency-Key 不能包含控制字符。", field="Idempotency-Key") from None
    household = Household.objects.filter(pk=own_household_id(user)).first()
    if household is None:
        raise ValidationFailed("您的账号还没有关联到本村的户，不能申报。", field="household")
    claim = services.claim_submit(
        user=user,
        item=_item_or_422(body.item),
        household=household,
        occurred_on=body.occurred_on,
        description=body.description,
        photos=photos,
        idempotency_key=f"api:{key}" if key else "",
    )
    return Status(200 if getattr(claim, "repeated", False) else 201, _fresh(user, claim))


class RecordIn(Schema):
    household: StrictInt = Field(ge=1, le=2**31 - 1, description="户编号（id）")
    item: StrictInt = Field(ge=1, le=2**31 - 1, description="积分项编号（id）")
    points: StrictInt | None = Field(
        None, ge=-services.MAX_POINTS, le=services.MAX_POINTS, description="分值，默认按积分项"
    )
    occurred_on: dt.date | None = None
    description: Text = Field("", max_length=1000)


def _household_for_record(user, pk: int):
    from xiangzhi.people.models import Household

    return policy.get_scoped_or_404(user, "points.record", Household.objects.all(), pk=pk)


@router.post(
    "/claims/record", response={201: ClaimDetailOut, **ERRORS}, summary="录入积分（干部、网格员为一户）"
)
def points_claim_record(request, body: RecordIn):
    user = request.auth
    policy.require(user, "points.record")
    household = _household_for_record(user, body.household)
    claim = services.claim_record(
        user=user,
        item=_item_or_422(body.item),
        household=household,
        points=body.points,
        occurred_on=body.occurred_on,
        description=body.description,
    )
    return Status(201, _fresh(user, claim))


class BulkRowIn(Schema):
    household: StrictInt = Field(ge=1, le=2**31 - 1)
    item: StrictInt = Field(ge=1, le=2**31 - 1)
    points: StrictInt | None = Field(None, ge=-services.MAX_POINTS, le=services.MAX_POINTS)


class BulkIn(Schema):
    occurred_on: dt.date | None = None
    description: Text = Field("", max_length=1000)
    rows: list[BulkRowIn] = Field(min_length=1, max_length=services.MAX_BULK_ROWS)


@router.post(
    "/claims/bulk",
    response={200: BulkOut, 201: BulkOut, **ERRORS},
    summary="批量录入（月度检查，一户一行，全部成功或全部不保存）",
    description=(
        "任何一行有误时全部不保存，返回 422，detail 逐行说明（“第 N 行（某某户）：……”，N 为 rows 中的序号）。"
        "请求头 Idempotency-Key 作为批次：同一用户重复提交同一批次返回 200 和已录入的申报。"
    ),
)
def points_claim_bulk(
    request,
    body: BulkIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", max_length=36, pattern=r"^[A-Za-z0-9_-]*$"
    ),
):
    from xiangzhi.people.models import Household

    user = request.auth
    policy.require(user, "points.record")
    ids = {r.household for r in body.rows}
    households = {h.pk: h for h in policy.scope(user, "points.record", Household.objects.filter(pk__in=ids))}
    missing = [r.household for r in body.rows if r.household not in households]
    if missing:  # a household out of reach (audited) or none at all: 404, nothing written
        _household_for_record(user, missing[0])
        raise Http404("未找到")
    items = {i.pk: i for i in PointItem.objects.filter(pk__in={r.item for r in body.rows})}
    bad = [(n, r) for n, r in enumerate(body.rows, start=1) if r.item not in items]
    if bad:
        raise services.RowErrors(
            [(n, _who(households[r.household]), "本村施行中的积分方案没有这一项。") for n, r in bad]
        )
    rows = [
        services.BulkRow(number=n, household=households[r.household], item=items[r.item], points=r.points)
        for n, r in enumerate(body.rows, start=1)
    ]
    claims, created = services.claims_record_bulk(
        user=user,
        rows=rows,
        occurred_on=body.occurred_on,
        description=body.description,
        batch=f"A{idempotency_key}" if idempotency_key else "",
    )
    fresh = (
        Claim.objects.filter(pk__in=[c.pk for c in claims]).select_related("item", "household").order_by("id")
    )
    out = {"created": created, "batch": claims[0].batch, "claims": [_claim(c) for c in fresh]}
    return Status(201 if created else 200, out)


# -- claims: review and withdraw --------------------------------------------------------------------------------

VERSION = Field(None, description="调用者看到的版本号（version）；已被他人更新时返回 409")


class ReviewIn(Schema):
    version: StrictInt | None = VERSION
    decision: str = Field(
        pattern="^(approve|adjust|reject)$", description="approve 通过 / adjust 调整 / reject 不通过"
    )
    points: StrictInt | None = Field(
        None, ge=-services.MAX_POINTS, le=services.MAX_POINTS, description="调整后的分值（adjust 时必填）"
    )
    note: Text = Field("", max_length=500, description="评议意见（调整、不通过时必填）")


class VersionIn(Schema):
    version: StrictInt | None = VERSION


@router.post("/claims/{int:claim_id}/review", response={200: ClaimDetailOut, **ERRORS}, summary="评议申报")
def points_claim_review(request, claim_id: int, body: ReviewIn):
    user = request.auth
    claim = selectors.claim_get(user=user, pk=claim_id)
    services.claim_review(
        user=user,
        claim=claim,
        decision=body.decision,
        points=body.points,
        note=body.note,
        version=body.version,
    )
    return _fresh(user, claim)


@router.post("/claims/{int:claim_id}/withdraw", response={200: ClaimDetailOut, **ERRORS}, summary="撤回申报")
def points_claim_withdraw(request, claim_id: int, body: VersionIn):
    user = request.auth
    claim = selectors.claim_get(user=user, pk=claim_id)
    services.claim_withdraw(user=user, claim=claim, version=body.version)
    return _fresh(user, claim)


# -- objections and the notice board ----------------------------------------------------------------------------


class ObjectionIn(Schema):
    text: Text = Field(min_length=1, max_length=1000)


@router.post(
    "/claims/{int:claim_id}/objections",
    response={201: ObjectionOut, **ERRORS},
    summary="对公示中的积分提出异议（本村的人，公示期内）",
)
def points_objection_raise(request, claim_id: int, body: ObjectionIn):
    claim = selectors.notice_claim_get(user=request.auth, pk=claim_id)
    objection = services.objection_raise(user=request.auth, claim=claim, text_=body.text)
    return Status(201, _objection(objection))


class ObjectionFilter(Schema):
    state: str | None = Field("open", pattern="^(open|upheld|dismissed)?$", description="默认只看待答复的")
    region: str | None = Field(None, pattern=r"^\d{6,18}$")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


@router.get(
    "/objections/", response={200: ObjectionPage, **ERRORS}, summary="异议列表（评议小组、两委答复用）"
)
def points_objection_list(request, filters: Query[ObjectionFilter]):
    policy.require(request.auth, "points.answer")
    qs = selectors.objection_list(user=request.auth, state=filters.state or "", region=filters.region or "")
    page = paginate(qs, filters.page, filters.page_size)
    page["items"] = [
        {**_objection(o), "household_name": _who(o.claim.household), "item_name": o.claim.item.name}
        for o in page["items"]
    ]
    return page


class AnswerIn(Schema):
    upheld: StrictBool = Field(description="true：异议成立，申报退回重新评议；false：异议不成立")
    answer: Text = Field(min_length=1, max_length=1000)


@router.post(
    "/objections/{int:objection_id}/answer", response={200: ObjectionOut, **ERRORS}, summary="答复异议"
)
def points_objection_answer(request, objection_id: int, body: AnswerIn):
    objection = selectors.objection_get(user=request.auth, pk=objection_id)
    done = services.objection_answer(
        user=request.auth, objection=objection, upheld=body.upheld, answer=body.answer
    )
    return _objection(done)


class NoticeFilter(Schema):
    region: str | None = Field(None, pattern=r"^\d{6,18}$", description="只看此村（或网格）")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


@router.get("/notice/", response={200: NoticePage, **ERRORS}, summary="积分公示栏（本村正在公示的积分）")
def points_notice_list(request, filters: Query[NoticeFilter]):
    from xiangzhi.core import clock

    user = request.auth
    qs = selectors.notice_list(user=user, region=filters.region or "")
    page = paginate(qs, filters.page, filters.page_size)
    now = clock.now()
    items = []
    for c in page["items"]:
        objections = list(c.objections.all())
        items.append(
            {
                "claim_id": c.pk,
                "household_name": _who(c.household),
                "village_code": c.village_code,
                "item_name": c.item.name,
                "points": c.points,
                "occurred_on": c.occurred_on,
                "notice_until": c.notice_until,
                "open_objections": sum(1 for o in objections if o.state == Objection.OPEN),
                "answered_objections": [
                    {
                        "text": o.text,
                        "state": o.state,
                        "state_label": o.get_state_display(),
                        "answer": o.answer,
                    }
                    for o in objections
                    if o.state != Objection.OPEN
                ],
                "can_object": c.notice_until > now and policy.can(user, "points.object", c),
            }
        )
    page["items"] = items
    return page
