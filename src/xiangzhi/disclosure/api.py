"""三务公开 over the API (/api/v1/board/): the public board (no token: published notices only), a villager's question,
and the cadres' drafting, sign-off (村务监督委员会) and publishing, through the same selectors and services as the
pages. A notice out of reach is a 404; an edit to a published notice is a 409 and changes nothing."""

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from xiangzhi.apischema import ERRORS, MAX_PAGE, paginate
from xiangzhi.disclosure import selectors, services
from xiangzhi.disclosure.models import Notice

router = Router(tags=["三务公开"])

Kind = Literal["party", "village", "finance", "resolution", "points", "honours", "enforcement", "other"]


class NoticeOut(Schema):
    id: int
    region_code: str
    village: str = Field(alias="region.name")
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    major: bool
    title: str
    body: str
    result: str
    state: str
    state_label: str = Field(alias="get_state_display")
    attachment_id: int | None
    signed_off_at: dt.datetime | None
    published_at: dt.datetime | None
    superseded_by_id: int | None
    supersedes_id: int | None


class NoticePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[NoticeOut]


class QuestionOut(Schema):
    id: int
    notice_id: int
    text: str
    asked_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None


class NoticeDetailOut(NoticeOut):
    questions: list[QuestionOut]


class BoardFilter(Schema):
    kind: Kind | None = None
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


class ListFilter(BoardFilter):
    region: str | None = Field(None, pattern=r"^\d{6,18}$", description="只看此辖区")
    state: Literal["draft", "published"] | None = None


class DraftIn(Schema):
    village_code: str = Field(pattern=r"^\d{12}$")
    kind: Literal["party", "village", "finance", "resolution"]
    major: StrictBool = False
    title: str = Field(max_length=100)
    body: str = Field(max_length=10000)
    result: str = Field("", max_length=5000)
    mask_names: list[str] = Field(default_factory=list, max_length=50, description="文中须显示为“某”的姓名")


class EditIn(Schema):
    title: str = Field(max_length=100)
    body: str = Field(max_length=10000)
    result: str = Field("", max_length=5000)
    mask_names: list[str] = Field(default_factory=list, max_length=50)


class QuestionQueueItem(QuestionOut):
    notice_title: str = Field(alias="notice.title")
    region_code: str


class QuestionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[QuestionQueueItem]


class QueueFilter(Schema):
    region: str | None = Field(None, pattern=r"^\d{6,18}$", description="只看此辖区")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


class SettingOut(Schema):
    village_code: str
    finance_monthly: bool


class SettingIn(Schema):
    finance_monthly: StrictBool


class TextIn(Schema):
    text: str = Field(max_length=1000)


class AnswerIn(Schema):
    answer: str = Field(max_length=2000)


def _detail(n: Notice) -> dict:
    return {
        **NoticeOut.from_orm(n).model_dump(by_alias=True),
        "questions": selectors.questions_of(n),
    }


# -- public --------------------------------------------------------------------------------------------------------


@router.get(
    "/villages/{code}/notices",
    response={200: NoticePage, **ERRORS},
    auth=None,
    summary="某村公开栏（无需登录）",
)
def disclosure_board(request, code: str, filters: Query[BoardFilter]):
    village = selectors.board_village(code)
    qs = selectors.board_notices(village, kind=filters.kind or "").select_related("region")
    return paginate(qs, filters.page, filters.page_size)


@router.get(
    "/villages/{code}/notices/{int:notice_id}",
    response={200: NoticeDetailOut, **ERRORS},
    auth=None,
    summary="公开事项及村民提问、答复（无需登录）",
)
def disclosure_board_notice(request, code: str, notice_id: int):
    return _detail(selectors.board_notice_get(selectors.board_village(code), notice_id))


@router.post(
    "/notices/{int:notice_id}/questions",
    response={201: QuestionOut, **ERRORS},
    summary="对本村公开事项提问（村民）",
)
def disclosure_ask(request, notice_id: int, payload: TextIn):
    n = Notice.objects.filter(pk=notice_id, state=Notice.PUBLISHED).first()
    if n is None:
        from django.http import Http404

        raise Http404("未找到")
    return Status(201, services.question_ask(user=request.auth, notice=n, text=payload.text))


# -- the cadres ----------------------------------------------------------------------------------------------------


@router.get("/notices", response={200: NoticePage, **ERRORS}, summary="公开事项（含草稿）")
def disclosure_list(request, filters: Query[ListFilter]):
    qs = selectors.notice_list(
        user=request.auth, region=filters.region, kind=filters.kind or "", state=filters.state or ""
    )
    return paginate(qs, filters.page, filters.page_size)


@router.get(
    "/notices/{int:notice_id}", response={200: NoticeDetailOut, **ERRORS}, summary="公开事项详情（含草稿）"
)
def disclosure_detail(request, notice_id: int):
    return _detail(selectors.notice_get(user=request.auth, pk=notice_id))


@router.post("/notices", response={201: NoticeDetailOut, **ERRORS}, summary="起草公开事项")
def disclosure_draft(request, payload: DraftIn):
    from xiangzhi.regions.models import Region

    village = Region.objects.filter(code=payload.village_code).first()
    if village is None:
        from django.http import Http404

        raise Http404("未找到")
    n = services.notice_draft(
        user=request.auth,
        village=village,
        kind=payload.kind,
        major=payload.major,
        title=payload.title,
        body=payload.body,
        result=payload.result,
        mask_names=payload.mask_names,
    )
    return Status(201, _detail(n))


@router.put(
    "/notices/{int:notice_id}",
    response={200: NoticeDetailOut, **ERRORS},
    summary="修改草稿（已公开的不能修改）",
)
def disclosure_edit(request, notice_id: int, payload: EditIn):
    n = selectors.notice_get(user=request.auth, pk=notice_id)
    services.notice_edit(
        user=request.auth,
        notice=n,
        title=payload.title,
        body=payload.body,
        result=payload.result,
        mask_names=payload.mask_names,
    )
    return _detail(selectors.notice_get(user=request.auth, pk=notice_id))


@router.post(
    "/notices/{int:notice_id}/sign-off",
    response={200: NoticeDetailOut, **ERRORS},
    summary="审核财务公开（村务监督委员会）",
)
def disclosure_sign_off(request, notice_id: int):
    n = selectors.notice_get(user=request.auth, pk=notice_id)
    services.notice_sign_off(user=request.auth, notice=n)
    return _detail(selectors.notice_get(user=request.auth, pk=notice_id))


@router.post("/notices/{int:notice_id}/publish", response={200: NoticeDetailOut, **ERRORS}, summary="公开")
def disclosure_publish(request, notice_id: int):
    n = selectors.notice_get(user=request.auth, pk=notice_id)
    services.notice_publish(user=request.auth, notice=n)
    return _detail(selectors.notice_get(user=request.auth, pk=notice_id))


@router.post(
    "/notices/{int:notice_id}/supersede",
    response={201: NoticeDetailOut, **ERRORS},
    summary="为已公开的事项起草更新版本（原版本保留）",
)
def disclosure_supersede(request, notice_id: int, payload: EditIn):
    n = selectors.notice_get(user=request.auth, pk=notice_id)
    new = services.notice_supersede(
        user=request.auth,
        notice=n,
        title=payload.title,
        body=payload.body,
        result=payload.result,
        mask_names=payload.mask_names,
    )
    return Status(201, _detail(new))


@router.post(
    "/questions/{int:question_id}/answer",
    response={200: QuestionOut, **ERRORS},
    summary="答复村民提问（公开）",
)
def disclosure_answer(request, question_id: int, payload: AnswerIn):
    q = selectors.question_get(user=request.auth, pk=question_id)
    return services.question_answer(user=request.auth, question=q, answer=payload.answer)


@router.get("/questions", response={200: QuestionPage, **ERRORS}, summary="待答复的村民提问（最早的在前）")
def disclosure_questions(request, filters: Query[QueueFilter]):
    from xiangzhi import policy

    policy.require(request.auth, "disclosure.answer")
    qs = selectors.questions_unanswered(user=request.auth, region=filters.region)
    return paginate(qs, filters.page, filters.page_size)


def _setting_village(user, code: str):
    from xiangzhi.regions import codes
    from xiangzhi.regions import selectors as region_selectors

    return region_selectors.region_get(user=user, code=code, action="disclosure.draft", level=codes.VILLAGE)


@router.get("/villages/{code}/setting", response={200: SettingOut, **ERRORS}, summary="本村公开时间设置")
def disclosure_setting(request, code: str):
    village = _setting_village(request.auth, code)
    s = selectors.village_setting(village)
    return {"village_code": village.code, "finance_monthly": bool(s and s.finance_monthly)}


@router.put(
    "/villages/{code}/setting",
    response={200: SettingOut, **ERRORS},
    summary="设置财务每月或每季度公开",
)
def disclosure_setting_set(request, code: str, payload: SettingIn):
    village = _setting_village(request.auth, code)
    s = services.setting_set(user=request.auth, village=village, finance_monthly=payload.finance_monthly)
    return {"village_code": village.code, "finance_monthly": s.finance_monthly}
