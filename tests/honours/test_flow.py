"""From generation to publication: on demand and by the periodic job (idempotent), telling the named households,
appeals within the window, the 两委's decisions, publication refused while appeals are open, every change audited;
the honours flag other modules read."""

import datetime as dt

import pytest

from tests import factories
from tests.honours import factories as hf
from tests.people import factories as pf
from tests.points import factories as pts
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiangzhi.core.models import Notification
from xiangzhi.honours import selectors, services
from xiangzhi.honours.models import BLACK, RED, Appeal, HonourEntry, HonourList

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def c(township):
    hf.in_april()
    return hf.cast(township)


def entry_of(hl, household, kind=None):
    qs = HonourEntry.objects.filter(honour_list=hl, household=household)
    return (qs.filter(kind=kind) if kind else qs).get()


def actions() -> list[str]:
    """The honours changes audited (refusals are audited too, as denied: left out here)."""
    qs = AuditRecord.objects.filter(action__startswith="honours.", result=AuditRecord.RESULT_OK)
    return list(qs.order_by("id").values_list("action", flat=True))


# -- generation ------------------------------------------------------------------------------------------------------


def test_only_a_period_that_is_over_can_be_generated(township, c):
    clock.set_fixed(hf.at(2026, 3, 31, 23, 59))
    with pytest.raises(ValidationFailed, match="还没有结束"):
        services.list_generate(user=c.secretary, village=township.village_a, day=hf.MARCH)
    clock.set_fixed(hf.at(2026, 4, 1, 0, 1))
    hl = services.list_generate(user=c.secretary, village=township.village_a, day=hf.MARCH)
    assert (hl.period_start, hl.period_end, hl.state, hl.generated_by) == (
        D(2026, 3, 1),
        D(2026, 3, 31),
        "draft",
        c.secretary,
    )
    assert actions() == ["honours.generate"]


def test_generation_needs_an_active_scheme_and_the_village_in_reach(township, c):
    with pytest.raises(ValidationFailed, match="没有施行中的户积分方案"):
        services.list_generate(user=c.secretary_b, village=township.village_b, day=hf.MARCH)
    with pytest.raises(PermissionDenied):
        services.list_generate(user=c.secretary_b, village=township.village_a, day=hf.MARCH)
    with pytest.raises(PermissionDenied):
        services.list_generate(user=c.villager, village=township.village_a, day=hf.MARCH)
    assert not HonourList.objects.exists()


def test_a_draft_is_generated_again_with_late_postings_a_notified_list_is_not(township, c):
    hl = services.list_generate(user=c.secretary, village=township.village_a, day=hf.MARCH)
    assert not hl.entries.exists()
    pts.give(c.home, 10, day=D(2026, 3, 30))  # posted after the first generation (its notice ended in April)
    again = services.list_regenerate(user=c.secretary, honour_list=hl)
    assert (
        again.pk == hl.pk and again.version == 2 and [e.head_name for e in again.entries.all()] == ["王大爷"]
    )
    services.list_notify(user=c.secretary, honour_list=again)
    with pytest.raises(Conflict, match="不能重新生成"):
        services.list_generate(user=c.secretary, village=township.village_a, day=hf.MARCH)
    assert actions() == ["honours.generate", "honours.regenerate", "honours.notify"]


def test_the_periodic_job_makes_the_period_just_ended_for_every_village_once(township, c):
    from xiangzhi.honours import tasks

    secretary_b = factories.user_with_role("village_secretary", township.village_b)
    pts.scheme(township.village_b, secretary_b, period="quarter")
    pts.give(c.home, 10, day=D(2026, 3, 31))
    pts.give(c.far, -5, code="KF01", day=D(2026, 2, 1))
    assert services.generate_due(today=D(2026, 4, 1)) == 2
    a = HonourList.objects.get(region_code=township.village_a.code)
    b = HonourList.objects.get(region_code=township.village_b.code)
    assert (a.period, a.period_start, a.generated_by) == ("month", D(2026, 3, 1), None)
    assert (b.period, b.period_start, b.period_end) == ("quarter", D(2026, 1, 1), D(2026, 3, 31))
    assert [e.head_name for e in a.entries.filter(kind=RED)] == ["王大爷"]
    assert [e.head_name for e in b.entries.filter(kind=BLACK)] == ["赵老汉"]
    # again the same day, the next day, and through the task itself: nothing twice
    assert services.generate_due(today=D(2026, 4, 1)) == 0
    assert services.generate_due(today=D(2026, 4, 2)) == 0
    assert tasks.generate_due.call() == 0
    assert HonourList.objects.count() == 2 and actions().count("honours.generate") == 2
    # May 1st: April's monthly list for A; B's quarter is not over
    assert services.generate_due(today=D(2026, 5, 1)) == 1
    assert HonourList.objects.filter(region_code=township.village_b.code).count() == 1


def test_a_village_without_an_active_scheme_gets_no_list_from_the_job(township, c):
    c.scheme.status = "retired"
    c.scheme.save()
    assert services.generate_due(today=D(2026, 4, 1)) == 0


# -- telling and appeals ---------------------------------------------------------------------------------------------


def test_notifying_tells_the_villager_accounts_of_every_named_household(
    township, c, settings, django_capture_on_commit_callbacks
):
    settings.HONOURS_APPEAL_DAYS = 7
    with django_capture_on_commit_callbacks(execute=True):
        hl = hf.notified(c, township)
    assert hl.state == "notified" and hl.appeal_until == clock.now() + dt.timedelta(days=7)
    told = {n.user_id: n for n in Notification.objects.filter(event__startswith="honours.named_")}
    assert set(told) == {c.villager.pk, c.other_villager.pk}
    assert "黑榜" in told[c.villager.pk].title and "不影响分红" in told[c.villager.pk].body
    assert "红榜" in told[c.other_villager.pk].title
    with pytest.raises(Conflict):
        services.list_notify(user=c.secretary, honour_list=hl)
    with pytest.raises(ValidationFailed, match="申诉期须在"):
        services.list_notify(user=c.secretary, honour_list=hl, appeal_days=31)


def test_only_the_named_household_appeals_and_only_within_the_window(
    township, c, django_capture_on_commit_callbacks
):
    hl = hf.notified(c, township)
    mine = entry_of(hl, c.home)
    with pytest.raises(PermissionDenied):
        services.appeal_raise(user=c.other_villager, entry=mine, text_="不是我家的")
    with pytest.raises(ValidationFailed, match="请填写申诉理由"):
        services.appeal_raise(user=c.villager, entry=mine, text_="  ")
    clock.set_fixed(hl.appeal_until - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.appeal_raise(user=c.villager, entry=mine, text_="东西当天就清走了")
    assert appeal.state == Appeal.OPEN
    with pytest.raises(Conflict, match="已经提出过申诉"):
        services.appeal_raise(user=c.villager, entry=mine, text_="再说一次")
    told = Notification.objects.filter(event="honours.appeal").values_list("user_id", flat=True)
    assert set(told) == {c.secretary.pk, c.committee.pk}
    other = entry_of(hl, c.other)
    clock.set_fixed(hl.appeal_until)
    with pytest.raises(Conflict, match="申诉期已过"):
        services.appeal_raise(user=c.other_villager, entry=other, text_="晚了")
    assert Appeal.objects.count() == 1


def test_a_draft_cannot_be_appealed_nor_seen_by_the_villager(township, c):
    from django.http import Http404

    pts.give(c.home, -5, code="KF01", day=D(2026, 3, 5))
    hl = services.list_generate(user=c.secretary, village=township.village_a, day=hf.MARCH)
    e = entry_of(hl, c.home)
    with pytest.raises(Conflict):
        services.appeal_raise(user=c.villager, entry=e, text_="草稿")
    assert selectors.my_entries(user=c.villager) == []
    with pytest.raises(Http404):
        selectors.my_entry_get(user=c.villager, pk=e.pk)


def test_publication_waits_for_the_window_and_for_every_appeal(
    township, c, django_capture_on_commit_callbacks
):
    hl = hf.notified(c, township)
    appeal = services.appeal_raise(user=c.villager, entry=entry_of(hl, c.home), text_="有误")
    with pytest.raises(Conflict, match="申诉期未满"):
        services.list_publish(user=c.secretary, honour_list=hl)
    clock.set_fixed(hl.appeal_until)
    with pytest.raises(Conflict, match="还有 1 条申诉没有处理"):
        services.list_publish(user=c.secretary, honour_list=hl)
    assert HonourList.objects.get(pk=hl.pk).state == "notified"
    with pytest.raises(PermissionDenied):
        services.appeal_decide(user=c.supervisor, appeal=appeal, upheld=True, reason="监委会不能处理")
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_decide(user=c.committee, appeal=appeal, upheld=True, reason="经核实已当天清理")
    with pytest.raises(Conflict, match="已经处理过"):
        services.appeal_decide(user=c.secretary, appeal=appeal, upheld=False, reason="再处理")
    e = entry_of(hl, c.home)
    assert e.removed and e.removed_reason == "经核实已当天清理"
    assert Notification.objects.filter(event="honours.decided", user=c.villager).exists()
    with pytest.raises(PermissionDenied):
        services.list_publish(user=c.supervisor, honour_list=hl)
    done = services.list_publish(user=c.secretary, honour_list=hl)
    assert done.state == "published" and done.published_by == c.secretary
    with pytest.raises(Conflict):
        services.appeal_raise(user=c.other_villager, entry=entry_of(hl, c.other), text_="公布后")
    board = selectors.entries_of(done, public=True)
    assert [e.head_name for e in board[BLACK]] == [] and [e.head_name for e in board[RED]] == ["李大妈"]
    assert actions() == [
        "honours.generate",
        "honours.notify",
        "honours.appeal",
        "honours.decide",
        "honours.publish",
    ]


def test_a_dismissed_appeal_keeps_the_entry(township, c):
    hl = hf.notified(c, township)
    appeal = services.appeal_raise(user=c.villager, entry=entry_of(hl, c.home), text_="有误")
    services.appeal_decide(user=c.secretary, appeal=appeal, upheld=False, reason="有照片为证")
    assert not entry_of(hl, c.home).removed
    clock.advance(dt.timedelta(days=6))
    services.list_publish(user=c.secretary, honour_list=hl)
    assert [e.head_name for e in selectors.entries_of(hl, public=True)[BLACK]] == ["王大爷"]


def test_a_list_that_names_nobody_is_published_at_once_one_that_names_someone_is_not(township, c):
    empty = services.list_generate(user=c.secretary, village=township.village_a, day=D(2026, 2, 1))
    assert services.list_publish(user=c.secretary, honour_list=empty).state == "published"
    pts.give(c.home, 5, day=D(2026, 3, 3))
    named = services.list_generate(user=c.secretary, village=township.village_a, day=hf.MARCH)
    with pytest.raises(Conflict, match="请先告知"):
        services.list_publish(user=c.secretary, honour_list=named)


# -- the honours flag ------------------------------------------------------------------------------------------------


def test_a_published_black_list_entry_bars_honours_for_the_last_n_periods(township, c, settings):
    settings.HONOURS_BAR_PERIODS = 2
    assert selectors.honours_flag(c.home) is False
    hl = hf.notified(c, township)
    assert selectors.honours_flag(c.home) is False  # not published yet
    clock.advance(dt.timedelta(days=6))
    services.list_publish(user=c.secretary, honour_list=hl)
    reason = selectors.honours_flag(c.home)
    assert reason and "南山村2026年3月黑榜" in reason and "乱堆乱放" in reason
    assert selectors.honours_flag(c.other) is False  # the red list bars nothing
    assert selectors.honours_flag(c.home, on=D(2026, 4, 9)) is False  # before it was published
    assert selectors.honours_flag(c.home, on=D(2026, 5, 31))  # March is two months before May
    assert selectors.honours_flag(c.home, on=D(2026, 6, 1)) is False
    assert selectors.honours_flag(c.home, on=D(2026, 6, 1), periods_back=3)


def test_an_upheld_appeal_bars_nothing(township, c):
    hl = hf.notified(c, township)
    appeal = services.appeal_raise(user=c.villager, entry=entry_of(hl, c.home), text_="有误")
    services.appeal_decide(user=c.secretary, appeal=appeal, upheld=True, reason="核实有误")
    clock.advance(dt.timedelta(days=6))
    services.list_publish(user=c.secretary, honour_list=hl)
    assert selectors.honours_flag(c.home) is False


def test_the_flag_touches_no_property_right():
    """The lawful limit is written where other modules read the flag."""
    from xiangzhi.honours import models

    assert "第二十七条" in models.LAWFUL_NOTE and "分红" in models.LAWFUL_NOTE
    assert "Art. 27" in selectors.honours_flag.__doc__ and "dividends" in selectors.honours_flag.__doc__


def test_one_list_per_village_and_period_is_a_database_rule(township, c):
    from django.db import IntegrityError, transaction

    hl = services.list_generate(user=c.secretary, village=township.village_a, day=hf.MARCH)
    with pytest.raises(IntegrityError), transaction.atomic():
        HonourList.objects.create(
            region=township.village_a,
            region_code=hl.region_code,
            period="month",
            period_start=hl.period_start,
            period_end=hl.period_end,
            red_list_size=5,
            generated_at=clock.now(),
        )
    h = pf.household(township.grid_a1, head_name="无违规户")
    with pytest.raises(IntegrityError), transaction.atomic():
        HonourEntry.objects.create(
            honour_list=hl,
            household=h,
            region_code=h.region_code,
            head_name="x",
            kind=BLACK,
            rank=1,
            points=-5,
            violations=0,
        )
