"""Mediations over the API: the same selectors and services as the pages, scoped alike (a mediation out of reach
is a 404), ID numbers masked to the last four. Each write shares its path with a read of the same thing (GET shows
the sessions, the outcome, the agreement; POST records one)."""

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictInt

from xiangzhi.apischema import ERRORS, MAX_PAGE, paginate
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.mediation import selectors, services
from xiangzhi.mediation.models import Agreement, Mediation

router = Router(tags=["人民调解"])


class MediationOut(Schema):
    id: int
    number: str
    case_id: int
    case_title: str = Field(alias="case.title")
    region_code: str
    committee: str
    level: str
    level_label: str = Field(alias="get_level_display")
    state: str
    outcome: str
    outcome_label: str = Field(alias="get_outcome_display")
    opened_at: dt.datetime
    ended_at: dt.datetime | None


class MediationPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[MediationOut]


class PartyOut(Schema):
    id: int
    name: str
    role: str
    role_label: str = Field(alias="get_role_display")
    is_outsider: bool
    id_number: str = Field(alias="masked_id", description="只显示后四位")
    refused_at: dt.datetime | None
    signed_at: dt.datetime | None


class SessionOut(Schema):
    id: int
    date: dt.date
    place: str
    attendees: str
    notes: str


class AgreementOut(Schema):
    form: str
    form_label: str = Field(alias="get_form_display")
    facts: str
    terms: str
    performance_method: str
    performance_due: dt.date
    sealed_at: dt.datetime | None
    effective_at: dt.datetime | None
    confirmation_deadline: dt.date | None = Field(
        description="申请司法确认的截止日（人民调解法第三十三条：生效之日起三十日内）"
    )


class OutcomeOut(Schema):
    state: str
    outcome: str
    outcome_label: str = Field(alias="get_outcome_display")
    outcome_note: str
    refused: bool
    ended_at: dt.datetime | None


class MediationDetailOut(MediationOut):
    summary: str
    outcome_note: str
    mediators: list[str]
    parties: list[PartyOut]
    sessions: list[SessionOut]
    agreement: AgreementOut | None


class ListFilter(Schema):
    state: Literal["open", "ended"] | None = None
    outcome: Literal["success", "failed", "litigation", "petition"] | None = None
    level: Literal["group", "village", "town"] | None = None
    region: str | None = Field(None, pattern=r"^\d{6,18}$", description="只看此辖区（乡镇、村或网格）")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


class OpenIn(Schema):
    case_id: StrictInt
    level: Literal["group", "village", "town"]
    summary: str = Field(max_length=4000)
    mediator_ids: list[StrictInt] = Field(default_factory=list, max_length=20)


class SessionIn(Schema):
    date: dt.date
    place: str = Field(max_length=120)
    notes: str = Field(max_length=4000)
    attendees: str = Field("", max_length=300)


class OutcomeIn(Schema):
    outcome: Literal["failed", "litigation", "petition"]
    note: str = Field(max_length=1000)


class AgreementIn(Schema):
    form: Literal["written", "oral"]
    facts: str = Field(max_length=4000)
    terms: str = Field(max_length=4000)
    performance_method: str = Field(max_length=1000)
    performance_due: dt.date


def _detail(m: Mediation) -> dict:
    data = MediationOut.from_orm(m).model_dump(by_alias=True)
    agreement = selectors.agreement_of(m)
    return {
        **data,
        "summary": m.summary,
        "outcome_note": m.outcome_note,
        "mediators": [x.name for x in m.mediators.order_by("kind", "id")],
        "parties": selectors.parties_of(m),
        "sessions": list(m.sessions.order_by("date", "id")),
        "agreement": agreement,
    }


@router.get("/", response={200: MediationPage, **ERRORS}, summary="调解列表")
def mediation_list(request, filters: Query[ListFilter]):
    qs = selectors.mediation_list(
        user=request.auth,
        state=filters.state or "",
        outcome=filters.outcome or "",
        level=filters.level or "",
        region=filters.region,
    )
    return paginate(qs, filters.page, filters.page_size)


@router.post("/", response={201: MediationDetailOut, **ERRORS}, summary="发起调解（矛盾纠纷事件）")
def mediation_open(request, payload: OpenIn):
    from xiangzhi.cases import selectors as case_selectors

    case = case_selectors.case_get(user=request.auth, pk=payload.case_id)
    ids = set(payload.mediator_ids)
    mediators = list(selectors.mediator_list(user=request.auth, active=None).filter(pk__in=ids))
    if len(mediators) != len(ids):
        raise ValidationFailed("所选调解员不存在或不在您的辖区内。", field="mediator_ids")
    m = services.mediation_open(
        user=request.auth, case=case, level=payload.level, summary=payload.summary, mediators=mediators
    )
    return Status(201, _detail(selectors.mediation_get(user=request.auth, pk=m.pk)))


@router.get("/{int:mediation_id}", response={200: MediationDetailOut, **ERRORS}, summary="调解详情")
def mediation_detail(request, mediation_id: int):
    return _detail(selectors.mediation_get(user=request.auth, pk=mediation_id))


@router.get("/{int:mediation_id}/sessions", response={200: list[SessionOut], **ERRORS}, summary="调解记录")
def mediation_sessions(request, mediation_id: int):
    m = selectors.mediation_get(user=request.auth, pk=mediation_id)
    return list(m.sessions.order_by("date", "id"))


@router.post("/{int:mediation_id}/sessions", response={201: SessionOut, **ERRORS}, summary="记录一次调解")
def mediation_session_add(request, mediation_id: int, payload: SessionIn):
    m = selectors.mediation_get(user=request.auth, pk=mediation_id)
    s = services.session_add(user=request.auth, mediation=m, **payload.model_dump())
    return Status(201, s)


@router.get("/{int:mediation_id}/outcome", response={200: OutcomeOut, **ERRORS}, summary="调解结果")
def mediation_outcome(request, mediation_id: int):
    return selectors.mediation_get(user=request.auth, pk=mediation_id)


@router.post(
    "/{int:mediation_id}/outcome",
    response={200: OutcomeOut, **ERRORS},
    summary="登记调解结果（未成功、转入诉讼、转信访）",
)
def mediation_outcome_record(request, mediation_id: int, payload: OutcomeIn):
    m = selectors.mediation_get(user=request.auth, pk=mediation_id)
    return services.mediation_outcome(
        user=request.auth, mediation=m, outcome=payload.outcome, note=payload.note
    )


@router.get(
    "/{int:mediation_id}/agreement",
    response={200: AgreementOut, **ERRORS},
    summary="调解协议",
)
def mediation_agreement(request, mediation_id: int):
    from django.http import Http404

    agreement = selectors.agreement_of(selectors.mediation_get(user=request.auth, pk=mediation_id))
    if agreement is None:
        raise Http404("尚未记录调解协议")
    return agreement


@router.post(
    "/{int:mediation_id}/agreement",
    response={201: AgreementOut, **ERRORS},
    summary="记录调解协议（书面协议待签名盖章后生效，口头协议记录即生效）",
)
def mediation_agreement_record(request, mediation_id: int, payload: AgreementIn):
    m = selectors.mediation_get(user=request.auth, pk=mediation_id)
    a: Agreement = services.agreement_record(user=request.auth, mediation=m, **payload.model_dump())
    return Status(201, a)
