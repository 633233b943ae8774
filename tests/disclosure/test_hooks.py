"""Points 公示 and 红黑榜 go on the village's public board through the publishing hook, people shown as 张某."""

import datetime as dt

import pytest
from django.test import Client

from tests.honours import factories as hf
from tests.points import factories as pts
from xiangzhi.core import clock
from xiangzhi.disclosure import selectors
from xiangzhi.disclosure.models import Notice
from xiangzhi.points import services as points

pytestmark = pytest.mark.django_db


def test_masked_name():
    from xiangzhi.disclosure.services import masked_name

    assert masked_name("王大爷") == "王某" and masked_name("欧阳明") == "欧某" and masked_name("") == "某"


def test_claims_entering_notice_are_published_masked_in_a_days_notice(township):
    clock.set_fixed(dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC))  # 10:00 in Shanghai
    c = pts.cast(township)
    first = pts.approved(c)
    assert not Notice.objects.exists()  # published by the periodic job, not at each approval
    assert points.board_publish_due() == 1
    n = Notice.objects.get(kind="points")
    assert n.region_code == township.village_a.code and n.is_published
    assert n.source_ref == "points.notice:2026-03-10" and "2026年03月10日" in n.title
    assert "王某户" in n.body and "王大爷" not in n.body and first.item.name in n.body
    # nothing new: the job publishes nothing
    assert points.board_publish_due() == 0
    assert Notice.objects.count() == 1
    # a second approval the same day: the day's notice again, superseding the first, which stays
    other = points.claim_record(user=c.secretary, item=pts.item(c, "HJ01"), household=c.other)
    points.claim_review(user=c.reviewer, claim=other, decision="approve")
    assert points.board_publish_due() == 1
    n.refresh_from_db()
    current = Notice.objects.get(kind="points", superseded_by__isnull=True)
    assert n.superseded_by_id == current.pk and "王某户" in current.body and "李某户" in current.body
    assert "李大妈" not in current.body
    # the next day is another notice, not an update
    clock.set_fixed(dt.datetime(2026, 3, 11, 2, 0, tzinfo=dt.UTC))
    pts.approved(c, code="MD01", household=c.home)
    assert points.board_publish_due() == 1
    assert Notice.objects.filter(kind="points", superseded_by__isnull=True).count() == 2
    body = Client().get(f"/board/{township.village_a.code}/?kind=points").content.decode()
    assert "积分公示" in body and "已更新" in body


def test_the_periodic_job_is_registered(township):
    from xiangzhi.points import tasks

    assert tasks.board_publish is not None


def test_claims_reviewed_more_than_a_day_ago_are_left_alone(township):
    clock.set_fixed(dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC))
    c = pts.cast(township)
    pts.approved(c)
    later = dt.datetime(2026, 3, 11, 2, 0, 1, tzinfo=dt.UTC)
    assert points.board_publish_due(now=later) == 0
    assert points.board_publish_due(now=later - dt.timedelta(seconds=1)) == 1  # exactly one day: still in


def test_a_rejected_claim_publishes_nothing(township):
    c = pts.cast(township)
    claim = points.claim_record(user=c.grid_worker, item=pts.item(c, "HJ01"), household=c.home)
    points.claim_review(user=c.reviewer, claim=claim, decision="reject", note="不属实")
    assert points.board_publish_due() == 0
    assert not Notice.objects.exists()


def test_a_published_honour_list_goes_on_the_board_masked(township):
    c = hf.cast(township)
    hl = hf.published(c, township)
    n = Notice.objects.get(kind="honours")
    assert n.is_published and n.region_code == township.village_a.code
    assert n.source_ref == f"honours.list:{hl.period_start:%Y-%m-%d}:{hl.period_end:%Y-%m-%d}"
    assert "红榜" in n.body and "黑榜" in n.body
    assert "王某户" in n.body and "李某户" in n.body
    assert "王大爷" not in n.body and "李大妈" not in n.body
    assert list(selectors.board_notices(township.village_a, kind="honours")) == [n]
