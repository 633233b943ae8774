"""The store's rules at their boundaries: a redemption takes stock and points together or not at all, the receipt
code is used once, a cancellation returns both, and each person reaches only what is theirs."""

import re

import pytest
from django.db import IntegrityError, transaction

from tests import factories
from tests.accounts import factories as acc
from tests.points import factories as pts
from tests.store import factories as sf
from xiangzhi.accounts import services as account_services
from xiangzhi.accounts.models import RoleAssignment
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xiangzhi.points import ledger
from xiangzhi.points.models import LedgerEntry
from xiangzhi.store import selectors, services
from xiangzhi.store.models import RECEIPT_ALPHABET, Goods, Redemption

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return sf.cast(township)


def available(household) -> int:
    return ledger.balance_of(ledger.Holder.of(household))[1]


def snapshot(c):
    return (
        list(Goods.objects.order_by("pk").values_list("pk", "stock")),
        ledger.balance_of(ledger.Holder.of(c.home)),
        Redemption.objects.count(),
        LedgerEntry.objects.count(),
        AuditRecord.objects.filter(action__startswith="store.", result=AuditRecord.RESULT_OK).count(),
    )


# -- redeem -----------------------------------------------------------------------------------------------------


def test_a_redemption_takes_stock_and_points_and_gives_a_receipt_code(c):
    pts.give(c.home, 100)
    r, created = services.redeem(user=c.villager, goods=c.soap, quantity=2)
    assert created and r.state == Redemption.PENDING
    assert (r.points, r.price, r.quantity) == (20, 10, 2)
    assert re.fullmatch(f"[{RECEIPT_ALPHABET}]{{8}}", r.receipt_code)
    assert not set(r.receipt_code) & set("01IO")
    assert Goods.objects.get(pk=c.soap.pk).stock == 3
    assert ledger.balance_of(ledger.Holder.of(c.home)) == (100, 80)  # 累计积分 untouched
    entry = r.entry
    assert (entry.kind, entry.earned_delta, entry.available_delta) == (LedgerEntry.REDEMPTION, 0, -20)
    assert entry.source_ref == f"redemption:{r.pk}" and entry.actor_id == c.villager.pk
    assert r.region_code == c.home.region_code and r.store_region_code == c.store.region_code
    assert AuditRecord.objects.filter(action="store.redeem", object_id=str(r.pk)).count() == 1
    assert ledger.verify().ok


def test_exactly_enough_points_passes_one_point_short_fails_and_changes_nothing(c):
    pts.give(c.home, 49)
    before = snapshot(c)
    with pytest.raises(ValidationFailed, match="可用积分不足") as err:
        services.redeem(user=c.villager, goods=c.oil)
    assert "需要 50 分" in err.value.message and "现有 49 分" in err.value.message
    assert snapshot(c) == before
    pts.give(c.home, 1)
    r, _ = services.redeem(user=c.villager, goods=c.oil)
    assert available(c.home) == 0 and r.points == 50


def test_the_last_units_pass_one_more_fails_and_changes_nothing(c):
    pts.give(c.home, 500)
    services.redeem(user=c.villager, goods=c.oil, quantity=2)  # the last two
    before = snapshot(c)
    with pytest.raises(Conflict, match="库存不足") as err:
        services.redeem(user=c.villager, goods=c.oil)
    assert "积分没有扣" in err.value.message
    assert snapshot(c) == before
    soap_before = snapshot(c)
    with pytest.raises(Conflict, match="只剩 5 件"):
        services.redeem(user=c.villager, goods=c.soap, quantity=6)
    assert snapshot(c) == soap_before


def test_quantity_must_be_a_small_positive_whole_number(c):
    pts.give(c.home, 1000)
    for bad in (0, -1, services.MAX_QUANTITY + 1, "两", True):
        with pytest.raises(ValidationFailed):
            services.redeem(user=c.villager, goods=c.soap, quantity=bad)
    assert Redemption.objects.count() == 0


def test_goods_off_the_shelf_or_a_closed_store_cannot_be_redeemed(c):
    pts.give(c.home, 100)
    services.goods_save(
        user=c.secretary, store=c.store, goods=c.soap, name="洗衣粉", price=10, is_active=False
    )
    with pytest.raises(Conflict, match="已下架"):
        services.redeem(user=c.villager, goods=c.soap)
    assert Redemption.objects.count() == 0


def test_the_same_idempotency_key_redeems_once(c):
    pts.give(c.home, 100)
    first, created = services.redeem(user=c.villager, goods=c.soap, idempotency_key="k-1")
    again, created_again = services.redeem(user=c.villager, goods=c.soap, idempotency_key="k-1")
    assert created and not created_again and again.pk == first.pk
    assert available(c.home) == 90 and Goods.objects.get(pk=c.soap.pk).stock == 4
    other, created = services.redeem(user=c.villager, goods=c.soap, idempotency_key="k-2")
    assert created and other.pk != first.pk


def test_a_villager_redeems_only_at_a_store_serving_the_village(c, township):
    far_villager = pts.villager_of(c.far)  # village B: the store serves A only
    pts.give(c.far, 100)
    with pytest.raises(PermissionDenied, match="不服务您所在的村"):
        services.redeem(user=far_villager, goods=c.soap)
    assert Redemption.objects.count() == 0 and available(c.far) == 100
    services.store_update(
        user=factories.user_with_role("town_leader", township.town),
        store=c.store,
        name=c.store.name,
        villages=[township.village_a, township.village_b],
    )
    r, _ = services.redeem(user=far_villager, goods=c.soap)
    assert r.household_id == c.far.pk and available(c.far) == 90


def test_staff_and_accounts_without_a_household_cannot_redeem(c, township):
    with pytest.raises(PermissionDenied):
        services.redeem(user=c.secretary, goods=c.soap)
    bare = factories.user_with_role("villager", township.village_a)
    with pytest.raises(PermissionDenied, match="没有关联到户"):
        services.redeem(user=bare, goods=c.soap)
    assert Redemption.objects.count() == 0


def test_the_database_keeps_stock_and_price_from_going_below_zero(c):
    with pytest.raises(IntegrityError), transaction.atomic():
        Goods.objects.filter(pk=c.soap.pk).update(stock=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Goods.objects.filter(pk=c.soap.pk).update(price=0)
    pts.give(c.home, 100)
    r, _ = services.redeem(user=c.villager, goods=c.soap)
    with pytest.raises(IntegrityError), transaction.atomic():
        Redemption.objects.filter(pk=r.pk).update(points=r.points - 1)  # points = price × quantity
    with pytest.raises(IntegrityError), transaction.atomic():
        Redemption.objects.filter(pk=r.pk).update(state=Redemption.CANCELLED)  # without a refund entry


# -- confirm ----------------------------------------------------------------------------------------------------


def test_the_keeper_confirms_a_code_once_the_second_time_is_refused_with_when(c):
    pts.give(c.home, 100)
    r, _ = services.redeem(user=c.villager, goods=c.soap)
    typed = f" {r.receipt_code[:4].lower()}-{r.receipt_code[4:]} "
    done = services.redemption_confirm(user=c.keeper, store=c.store, code=typed)
    assert done.state == Redemption.FULFILLED and done.confirmed_by_id == c.keeper.pk
    stamp = Redemption.objects.get(pk=r.pk).confirmed_at
    audits = AuditRecord.objects.filter(action="store.confirm").count()
    with pytest.raises(Conflict, match="不能重复使用") as err:
        services.redemption_confirm(user=c.keeper, store=c.store, code=r.receipt_code)
    assert "已于" in err.value.message and "领取过" in err.value.message
    assert Redemption.objects.get(pk=r.pk).confirmed_at == stamp
    assert AuditRecord.objects.filter(action="store.confirm").count() == audits
    assert available(c.home) == 90  # confirming moves no points


def test_a_scanned_qr_address_confirms_too(c):
    pts.give(c.home, 100)
    r, _ = services.redeem(user=c.villager, goods=c.soap)
    scanned = f"http://testserver/store/keeper/?code={r.receipt_code}"
    assert (
        services.redemption_confirm(user=c.keeper, store=c.store, code=scanned).state == Redemption.FULFILLED
    )


def test_bad_codes_are_refused_in_chinese(c):
    with pytest.raises(ValidationFailed, match="请输入或扫描兑换码"):
        services.redemption_confirm(user=c.keeper, store=c.store, code="  ")
    with pytest.raises(ValidationFailed, match="8 位"):
        services.redemption_confirm(user=c.keeper, store=c.store, code="ABC")
    with pytest.raises(NotFound, match="没有找到这个兑换码"):
        services.redemption_confirm(user=c.keeper, store=c.store, code="22222222")


def test_a_code_of_another_store_is_not_found_and_the_probe_is_audited(c, township):
    other_store = sf.store(c.secretary_b, township.village_b)
    other_keeper = sf.keeper(other_store)
    pts.give(c.home, 100)
    r, _ = services.redeem(user=c.villager, goods=c.soap)
    with pytest.raises(NotFound):
        services.redemption_confirm(user=other_keeper, store=other_store, code=r.receipt_code)
    assert Redemption.objects.get(pk=r.pk).state == Redemption.PENDING
    assert AuditRecord.objects.filter(
        result=AuditRecord.RESULT_DENIED, changes__detail="code_of_another_store"
    ).exists()
    # and the other keeper cannot act on this store at all
    with pytest.raises(PermissionDenied):
        services.redemption_confirm(user=other_keeper, store=c.store, code=r.receipt_code)


def test_a_cancelled_code_cannot_be_confirmed(c):
    pts.give(c.home, 100)
    r, _ = services.redeem(user=c.villager, goods=c.soap)
    services.redemption_cancel(user=c.villager, redemption=r)
    with pytest.raises(Conflict, match="取消"):
        services.redemption_confirm(user=c.keeper, store=c.store, code=r.receipt_code)
    assert Redemption.objects.get(pk=r.pk).state == Redemption.CANCELLED


# -- cancel -----------------------------------------------------------------------------------------------------


def test_cancelling_returns_stock_and_points_with_a_refund_entry(c):
    pts.give(c.home, 100)
    r, _ = services.redeem(user=c.villager, goods=c.soap, quantity=3)
    assert (available(c.home), Goods.objects.get(pk=c.soap.pk).stock) == (70, 2)
    done = services.redemption_cancel(user=c.villager, redemption=r, reason="买错了")
    assert done.state == Redemption.CANCELLED and done.cancel_reason == "买错了"
    assert (available(c.home), Goods.objects.get(pk=c.soap.pk).stock) == (100, 5)
    refund = done.refund_entry
    assert (refund.kind, refund.earned_delta, refund.available_delta) == (LedgerEntry.REFUND, 0, 30)
    assert refund.source_ref == f"redemption:{r.pk}"
    assert ledger.verify().ok
    with pytest.raises(Conflict, match="已取消"):
        services.redemption_cancel(user=c.villager, redemption=r)
    assert available(c.home) == 100 and LedgerEntry.objects.filter(kind=LedgerEntry.REFUND).count() == 1


def test_the_keeper_cancels_and_the_villager_is_told(c, django_capture_on_commit_callbacks):
    from xiangzhi.core.models import Notification

    pts.give(c.home, 100)
    with django_capture_on_commit_callbacks(execute=True):
        r, _ = services.redeem(user=c.villager, goods=c.soap)
    assert Notification.objects.filter(user=c.keeper, event="store.redeemed").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.redemption_cancel(user=c.keeper, redemption=r, reason="商品破损")
    assert available(c.home) == 100
    assert Notification.objects.filter(user=c.villager, event="store.cancelled").exists()


def test_a_fulfilled_redemption_cannot_be_cancelled(c):
    pts.give(c.home, 100)
    r, _ = services.redeem(user=c.villager, goods=c.soap)
    services.redemption_confirm(user=c.keeper, store=c.store, code=r.receipt_code)
    with pytest.raises(Conflict, match="已领取"):
        services.redemption_cancel(user=c.keeper, redemption=r)
    assert available(c.home) == 90 and Goods.objects.get(pk=c.soap.pk).stock == 4


def test_others_cannot_cancel(c, township):
    pts.give(c.home, 100)
    r, _ = services.redeem(user=c.villager, goods=c.soap)
    other_keeper = sf.keeper(sf.store(c.secretary_b, township.village_b))
    for outsider in (c.villager_other, other_keeper, c.secretary):
        with pytest.raises(PermissionDenied):
            services.redemption_cancel(user=outsider, redemption=r)
    assert Redemption.objects.get(pk=r.pk).state == Redemption.PENDING and available(c.home) == 90


# -- stores, goods, stock ---------------------------------------------------------------------------------------


def test_cadres_open_stores_only_in_their_region_serving_villages_of_the_town(c, township):
    from xiangzhi.regions.services import region_create

    with pytest.raises(PermissionDenied):
        sf.store(c.secretary, township.village_b)
    with pytest.raises(PermissionDenied):
        sf.store(c.secretary, township.town)  # a town's store is the town's
    elsewhere = region_create(code="141029202", name="关王庙乡", parent=township.county)
    far_village = region_create(code="141029202201", name="河西村", parent=elsewhere)
    with pytest.raises(ValidationFailed, match="不是本乡镇的村"):
        sf.store(c.town_leader, township.town, villages=[township.village_a, far_village])
    with pytest.raises(ValidationFailed, match="须服务本村"):
        sf.store(c.secretary, township.village_a, villages=[township.village_b])
    shop = sf.store(c.town_leader, township.town, villages=[township.village_a, township.village_b])
    assert shop.region_code == township.town.code


def test_goods_are_kept_by_the_keeper_and_managers_not_by_others(c, township):
    services.goods_save(user=c.keeper, store=c.store, name="肥皂", price=3, stock=10)
    with pytest.raises(PermissionDenied):
        services.goods_save(user=c.secretary_b, store=c.store, name="毛巾", price=5, stock=1)
    with pytest.raises(Conflict, match="已有名为"):
        services.goods_save(user=c.secretary, store=c.store, name="肥皂", price=4, stock=1)
    with pytest.raises(ValidationFailed, match="兑换积分"):
        services.goods_save(user=c.secretary, store=c.store, name="毛巾", price=0, stock=1)
    assert set(c.store.goods.values_list("name", flat=True)) == {"洗衣粉", "食用油", "肥皂"}


def test_restock_adds_and_a_correction_never_goes_below_zero(c):
    assert services.restock(user=c.keeper, goods=c.soap, quantity=10).stock == 15
    with pytest.raises(ValidationFailed, match="库存只有 15"):
        services.restock(user=c.keeper, goods=c.soap, quantity=-16)
    assert services.restock(user=c.secretary, goods=c.soap, quantity=-15).stock == 0
    with pytest.raises(ValidationFailed, match="不能为零"):
        services.restock(user=c.keeper, goods=c.soap, quantity=0)
    with pytest.raises(PermissionDenied):
        services.restock(user=c.secretary_b, goods=c.soap, quantity=1)


# -- who sees what ----------------------------------------------------------------------------------------------


def test_a_keeper_sees_only_the_own_store(c, township):
    other_store = sf.store(c.secretary_b, township.village_b)
    sf.goods(c.secretary_b, other_store, name="酱油", price=5, stock=3)
    assert set(selectors.goods_for_keeper(user=c.keeper).values_list("name", flat=True)) == {
        "洗衣粉",
        "食用油",
    }
    assert [s.pk for s in selectors.store_list(user=c.keeper)] == [c.store.pk]
    pts.give(c.home, 100)
    services.redeem(user=c.villager, goods=c.soap)
    assert selectors.redemption_list(user=c.keeper).count() == 1
    assert selectors.redemption_list(user=sf.keeper(other_store)).count() == 0


def test_a_villager_sees_the_goods_of_stores_serving_the_village(c, township):
    other_store = sf.store(c.secretary_b, township.village_b)
    sf.goods(c.secretary_b, other_store, name="酱油", price=5, stock=3)
    names = set(selectors.goods_for_shopper(user=c.villager).values_list("name", flat=True))
    assert names == {"洗衣粉", "食用油"}


def test_cadres_see_redemptions_of_their_stores_and_of_their_households(c, township):
    town_store = sf.store(c.town_leader, township.town, villages=[township.village_a, township.village_b])
    towel = sf.goods(c.town_leader, town_store, name="毛巾", price=5, stock=10)
    pts.give(c.home, 100)
    at_town, _ = services.redeem(user=c.villager, goods=towel)
    at_village, _ = services.redeem(user=c.villager, goods=c.soap)
    assert set(selectors.redemption_list(user=c.secretary).values_list("pk", flat=True)) == {
        at_town.pk,
        at_village.pk,
    }
    assert selectors.redemption_list(user=c.secretary_b).count() == 0
    assert selectors.redemption_list(user=c.town_leader).count() == 2


# -- granting a store keeper --------------------------------------------------------------------------------------


def test_a_store_keeper_is_granted_for_a_store_serving_or_in_the_village(c, township):
    sec = acc.admin("security_admin", township.county, full_name="安全员", username="sec_store")
    target = acc.staff(township.village_a, full_name="张店员")
    with pytest.raises(ValidationFailed, match="须指定对象"):
        account_services.role_grant_as_admin(
            actor=sec, user=target, role="store_keeper", region=township.village_a
        )
    with pytest.raises(ValidationFailed, match="积分超市不在所选村"):
        account_services.role_grant_as_admin(
            actor=sec, user=target, role="store_keeper", region=township.village_b, scope_id=c.store.pk
        )
    with pytest.raises(ValidationFailed, match="积分超市不在所选村"):
        account_services.role_grant_as_admin(
            actor=sec, user=target, role="store_keeper", region=township.village_a, scope_id=10**9
        )
    assert not RoleAssignment.objects.filter(user=target, role="store_keeper").exists()
    grant = account_services.role_grant_as_admin(
        actor=sec, user=target, role="store_keeper", region=township.village_a, scope_id=c.store.pk
    )
    assert (grant.scope_type, grant.scope_id) == ("store", c.store.pk)
    # a town's store, granted in a village it serves
    town_store = sf.store(c.town_leader, township.town, villages=[township.village_b])
    account_services.role_grant_as_admin(
        actor=sec, user=target, role="store_keeper", region=township.village_b, scope_id=town_store.pk
    )
    target.__dict__.pop("_xz_assignments", None)
    assert [s.pk for s in selectors.kept_stores(user=target)] == sorted([c.store.pk, town_store.pk])
