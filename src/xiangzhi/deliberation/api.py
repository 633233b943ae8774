"""Deliberation over the API: the same selectors and services as the pages, scoped alike (a meeting out of reach
is a 404). Results are computed from the votes; the roll is shown to those who run or supervise the meeting.
The item path takes the voter's own secret ballot (POST), as the page does."""

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema

from xiangzhi import policy
from xiangzhi.apischema import ERRORS, MAX_PAGE, paginate
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.deliberation import selectors, services

router = Router(tags=["议事协商"])


class MeetingOut(Schema):
    id: int
    title: str
    region_code: str
    body: str = Field(alias="body.name")
    body_kind: str = Field(alias="body.kind")
    held_on: dt.date
    status: str


class MeetingPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[MeetingOut]


class ItemOut(Schema):
    id: int
    title: str
    kind: str
    art24: bool
    secret: bool
    vote_status: str
    passed: bool | None
    yes: int
    no: int
    abstain: int
    present_count: int
    threshold_text: str
    needs_township_approval: bool
    township_approved_at: dt.datetime | None


class RollOut(Schema):
    id: int
    name: str
    role: str
    can_vote: bool
    present: bool


class MeetingDetailOut(Schema):
    id: int
    title: str
    region_code: str
    body: str
    body_kind: str
    held_on: dt.date
    status: str
    roll_count: int
    present_count: int
    has_quorum: bool
    items: list[ItemOut]
    roll: list[RollOut] | None = Field(None, description="名单（仅会议组织者和村务监督委员会可见）")


class ListFilter(Schema):
    region: str | None = None
    status: str | None = None
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


class BallotIn(Schema):
    choice: Literal["yes", "no", "abstain"]


class Done(Schema):
    ok: bool


@router.get("/", response={200: MeetingPage, **ERRORS}, summary="会议列表")
def meeting_list(request, filters: Query[ListFilter]):
    policy.require(request.auth, "deliberation.view")
    qs = selectors.meeting_list(user=request.auth, region=filters.region, status=filters.status or "")
    return paginate(qs, filters.page, filters.page_size)


@router.get("/{int:meeting_id}", response={200: MeetingDetailOut, **ERRORS}, summary="会议详情与表决结果")
def meeting_detail(request, meeting_id: int):
    m = selectors.meeting_get(user=request.auth, pk=meeting_id)
    counts = services.attendance(m)
    sees_roll = policy.can(request.auth, "deliberation.manage", m) or policy.can(
        request.auth, "deliberation.object", m
    )
    return {
        "id": m.pk,
        "title": m.title,
        "region_code": m.region_code,
        "body": m.body.name,
        "body_kind": m.body.kind,
        "held_on": m.held_on,
        "status": m.status,
        "roll_count": counts["roll"],
        "present_count": counts["present"],
        "has_quorum": services.has_quorum(m),
        "items": list(m.items.order_by("id")),
        "roll": list(m.roll.order_by("id")) if sees_roll else None,
    }


@router.get("/items/{int:item_id}", response={200: ItemOut, **ERRORS}, summary="议题与表决结果")
def item_detail(request, item_id: int):
    return selectors.item_get(user=request.auth, pk=item_id)


@router.post(
    "/items/{int:item_id}", response={200: Done, **ERRORS}, summary="本人无记名投票", url_name="item_detail"
)
def ballot_cast(request, item_id: int, payload: BallotIn):
    item = selectors.item_get(user=request.auth, pk=item_id)
    own = selectors.own_line(user=request.auth, meeting=item.meeting)
    if own is None:
        raise ValidationFailed("您不在本次会议的名单上，不能投票。")
    services.secret_vote_cast(user=request.auth, item=item, entry=own, choice=payload.choice)
    return {"ok": True}
