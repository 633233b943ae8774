"""红黑榜 test data, made through the real services (points on the ledger through tests/points/factories.give)."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from tests import factories
from tests.people import factories as pf
from tests.points import factories as pts
from xiangzhi.core import clock
from xiangzhi.honours import services

TZ = ZoneInfo("Asia/Shanghai")
MARCH = dt.date(2026, 3, 1)


def at(y, m, d, hh=10, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


def in_april():
    """The clock on 2026-04-10 10:00 (Asia/Shanghai): March is the period just ended."""
    clock.set_fixed(at(2026, 4, 10))


def cast(t) -> SimpleNamespace:
    """The points cast (village A with a monthly scheme of size 5, 王大爷 with a villager account, 李大妈, 赵老汉 in
    village B) plus a 两委 member and a villager of another household."""
    c = pts.cast(t)
    c.committee = factories.user_with_role("village_committee", t.village_a)
    c.supervisor = factories.user_with_role("supervisor", t.village_a)
    c.other_villager = pts.villager_of(c.other)
    return c


def households(grid, n: int, prefix: str = "户") -> list:
    return [pf.household(grid, head_name=f"{prefix}{i}") for i in range(n)]


def notified(c, t, *, give=True):
    """March's list of village A, notified: 王大爷 on the black list (乱堆乱放), 李大妈 on the red list."""
    in_april()
    if give:
        pts.give(c.home, -5, code="KF01", day=dt.date(2026, 3, 5))
        pts.give(c.other, 10, code="MD01", day=dt.date(2026, 3, 6))
    hl = services.list_generate(user=c.secretary, village=t.village_a, day=MARCH)
    return services.list_notify(user=c.secretary, honour_list=hl)


def published(c, t):
    hl = notified(c, t)
    clock.advance(dt.timedelta(days=6))
    return services.list_publish(user=c.secretary, honour_list=hl)


# -- isolation makers (tests/isolation/routes_honours.py): one list of the grid's village, named for the grid ------


# each state its own month: a route walk (tests/privacy) makes several lists for one village, and a list once
# notified is never generated again
MONTH_OF_STATE = {
    "draft": MARCH,
    "notified": dt.date(2026, 2, 1),
    "published": dt.date(2026, 1, 1),
    "appeal": dt.date(2025, 12, 1),
}


def _world_list(grid, *, state: str = "draft"):
    from xiangzhi.honours.models import HonourEntry, HonourList

    village = grid.parent
    in_april()
    month = MONTH_OF_STATE[state]
    made = HonourList.objects.filter(region_code=village.code, period_start=month).first()
    if made is not None and made.state != HonourList.DRAFT:
        return (
            made,
            None,
            None,
        )  # made for this village by an earlier call: notified lists are not regenerated
    secretary = factories.user_with_role("village_secretary", village)
    pts.scheme(village, secretary)
    h = pf.household(grid, head_name=f"榜{grid.code[-6:]}")
    villager = pts.villager_of(h)
    pts.give(h, -5, code="KF01", day=month.replace(day=5))
    hl = services.list_generate(user=secretary, village=village, day=month)
    if state in ("notified", "published", "appeal"):
        hl = services.list_notify(user=secretary, honour_list=hl)
    if state == "appeal":
        entry = HonourEntry.objects.get(honour_list=hl, household=h)
        services.appeal_raise(user=villager, entry=entry, text_=f"申诉{grid.code[-6:]}")
    if state == "published":
        clock.advance(dt.timedelta(days=6))
        hl = services.list_publish(user=secretary, honour_list=hl)
    return HonourList.objects.get(pk=hl.pk), h, villager


def make_list(grid, state: str = "draft"):
    hl, _h, _v = _world_list(grid, state=state)
    return {"pk": hl.pk}, hl.number


def make_empty_list(grid):
    """A draft that names nobody (it may be published at once): a month nothing happened in."""
    village = grid.parent
    in_april()
    secretary = factories.user_with_role("village_secretary", village)
    pts.scheme(village, secretary)
    hl = services.list_generate(user=secretary, village=village, day=dt.date(2025, 11, 1))
    return {"pk": hl.pk}, str(hl)


def make_appeal(grid):
    from xiangzhi.honours.models import Appeal

    hl, h, _v = _world_list(grid, state="appeal")
    appeal = Appeal.objects.get(entry__honour_list=hl)
    return {"pk": appeal.pk, "_list": hl.pk}, appeal.text
