"""Reading the board: the public board (published notices only, no login), the cadres' lists (scoped with the
policy, drafts included), and the schedule check (`overdue_villages`)."""

import calendar
import datetime as dt

from django.db.models import Max, QuerySet
from django.http import Http404
from django.utils import timezone

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.disclosure.models import FINANCE, KIND_LABELS, SCHEDULED, Notice, Question, VillageSetting
from xiangzhi.regions import codes
from xiangzhi.regions.models import Region

QUARTER_MONTHS, MONTH = 3, 1


# -- the public board (no login) ---------------------------------------------------------------------------------


def board_village(code: str) -> Region:
    """The region whose public board `code` names: a village (三务公开) or a town (执法公示 only)."""
    region = Region.objects.filter(code=code, level__in=(codes.VILLAGE, codes.TOWN), is_active=True).first()
    if region is None:
        raise Http404("未找到")
    return region


def board_notices(village: Region, *, kind: str = "", current_only: bool = False) -> QuerySet:
    """The village's published notices, newest first; superseded ones stay (marked 已更新) unless current_only."""
    qs = Notice.objects.filter(region_code=village.code, state=Notice.PUBLISHED)
    if kind in KIND_LABELS:
        qs = qs.filter(kind=kind)
    if current_only:
        qs = qs.filter(superseded_by__isnull=True)
    return qs.select_related("superseded_by", "attachment").order_by("-published_at", "-id")


def board_notice_get(village: Region, pk: int) -> Notice:
    notice = board_notices(village).filter(pk=pk).first()
    if notice is None:
        raise Http404("未找到")
    return notice


def questions_of(notice: Notice) -> list[Question]:
    return list(notice.questions.order_by("asked_at", "id"))


# -- the cadres ----------------------------------------------------------------------------------------------------


def notice_list(*, user, region: str | None = None, kind: str = "", state: str = "") -> QuerySet:
    region = (region or "").strip()
    qs = policy.scope(
        user, "disclosure.view", Notice.objects.all(), within=region if region.isdigit() else None
    )
    if kind in KIND_LABELS:
        qs = qs.filter(kind=kind)
    if state in dict(Notice.STATE_CHOICES):
        qs = qs.filter(state=state)
    return qs.select_related("region").order_by("-created_at", "-id")


def notice_get(*, user, pk: int, action: str = "disclosure.view") -> Notice:
    return policy.get_scoped_or_404(user, action, Notice.objects.select_related("region"), pk=pk)


def question_get(*, user, pk: int) -> Question:
    return policy.get_scoped_or_404(user, "disclosure.view", Question.objects.select_related("notice"), pk=pk)


# -- the schedule (村民委员会组织法 Art. 30) ------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has none (31 Jan + 1 month = 28/29 Feb)."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def interval_months(kind: str, *, finance_monthly: bool) -> int:
    return MONTH if kind == FINANCE and finance_monthly else QUARTER_MONTHS


def overdue_villages(town: Region, *, on: dt.date | None = None) -> list[dict]:
    """The town's active villages behind on a scheduled kind (党务, 村务, 财务) on `on` (default today):
    [{"village": Region, "overdue": [{"kind", "label", "last", "due"}]}], villages by code.

    A kind is behind when its last publication (a local date) is more than its interval before `on`: a quarter
    (3 months, the same day number or the month's end), or a month for finances where the village set
    `finance_monthly`. Published on 15 January: on time through 15 April, behind from 16 April. A village that
    has never published a kind is behind on it (last None). Major items are published as they arise and do not
    reset or count against this schedule differently from any other publication."""
    on = on or clock.today()
    villages = list(
        Region.objects.filter(level=codes.VILLAGE, is_active=True)
        .filter(codes.scope_q([town.code], "code"))
        .order_by("code")
    )
    monthly = set(
        VillageSetting.objects.filter(
            region_code__in=[v.code for v in villages], finance_monthly=True
        ).values_list("region_code", flat=True)
    )
    last = {
        (row["region_code"], row["kind"]): timezone.localtime(row["last"]).date()
        for row in Notice.objects.filter(
            region_code__in=[v.code for v in villages], kind__in=SCHEDULED, state=Notice.PUBLISHED
        )
        .values("region_code", "kind")
        .annotate(last=Max("published_at"))
    }
    out = []
    for v in villages:
        behind = []
        for kind in SCHEDULED:
            when = last.get((v.code, kind))
            due = add_months(when, interval_months(kind, finance_monthly=v.code in monthly)) if when else None
            if due is None or on > due:
                behind.append({"kind": kind, "label": KIND_LABELS[kind], "last": when, "due": due})
        if behind:
            out.append({"village": v, "overdue": behind})
    return out


def town_get(*, user, code: str) -> Region:
    from xiangzhi.regions import selectors as region_selectors

    return region_selectors.region_get(user=user, code=code, action="disclosure.oversee", level=codes.TOWN)


def village_setting(village: Region) -> VillageSetting | None:
    return VillageSetting.objects.filter(region_code=village.code).first()


# -- the cadres' pages -----------------------------------------------------------------------------------------------


def villages_of(*, user, action: str = "disclosure.view") -> list[Region]:
    """The active villages whose notices the user may `action` (for the village filter and the draft form)."""
    qs = policy.scope(user, action, Region.objects.filter(level=codes.VILLAGE, is_active=True), field="code")
    return list(qs.order_by("code")[:500])


def questions_unanswered(*, user, region: str | None = None) -> QuerySet:
    """Villagers' questions waiting for an answer, oldest first, in the villages the user may answer for."""
    region = (region or "").strip()
    qs = policy.scope(
        user,
        "disclosure.answer",
        Question.objects.filter(answered_at__isnull=True),
        within=region if region.isdigit() else None,
    )
    return qs.select_related("notice", "notice__region").order_by("asked_at", "id")


def question_get_for_answer(*, user, pk: int) -> Question:
    return policy.get_scoped_or_404(
        user, "disclosure.answer", Question.objects.select_related("notice", "notice__region"), pk=pk
    )
