"""The store's demo data builds through the services and leaves a working store."""

import pytest

from tests import factories
from tests.points import factories as pts
from xiangzhi.points import ledger
from xiangzhi.store import demo, selectors
from xiangzhi.store.models import Redemption, Store

pytestmark = pytest.mark.django_db


def test_demo_store_with_goods_keeper_and_redemptions(township):
    c = pts.cast(township)
    keeper = factories.user_with_role("store_keeper", township.village_a)
    pts.give(c.home, 100)
    demo.build(township.village_a)
    demo.build(township.village_a)  # twice: once
    store = Store.objects.get()
    assert store.goods.count() == len(demo.GOODS)
    assert [s.pk for s in selectors.kept_stores(user=keeper)] == [store.pk]
    # one villager with points: handed over, waiting, cancelled
    assert sorted(Redemption.objects.values_list("state", flat=True)) == sorted(
        [Redemption.FULFILLED, Redemption.PENDING, Redemption.CANCELLED]
    )
    assert ledger.verify().ok
