"""Reading the points store, always scoped: cadres by region (`store.view`), a keeper by the store the role names,
a villager by the villages the villager role is held in (for goods) and by the own household (for redemptions)."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404

from xiangzhi import policy
from xiangzhi.points import ledger
from xiangzhi.points.policy import own_household_id
from xiangzhi.regions.codes import scope_q
from xiangzhi.store import policy as store_policy
from xiangzhi.store.models import Goods, Redemption, Store

MAX_PK = 2**62  # an id past any row (and past a 64-bit column: PostgreSQL would refuse the query)


def _found(qs, pk):
    """The row with `pk` or None, without asking the database about ids no column can hold."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return qs.filter(pk=pk).first() if 0 < pk <= MAX_PK else None


def _denied_404(user, action: str, obj, region_code: str):
    from xiangzhi.audit.services import record_denied

    record_denied(action, obj=obj, region_code=region_code, detail="out_of_scope")
    raise Http404("未找到")


# -- stores -----------------------------------------------------------------------------------------------------


def store_list(*, user, region_code: str | None = None, q: str | None = None) -> QuerySet:
    """Stores in the cadre's region, plus the stores the user keeps."""
    qs = policy.scope(user, "store.view", Store.objects.all(), within=region_code)
    kept = store_policy.kept_store_ids(user)
    if kept and not region_code:
        qs = Store.objects.filter(Q(pk__in=qs.values("pk")) | Q(pk__in=kept))
    if q and q.strip():
        qs = qs.filter(name__contains=q.strip())
    return qs.select_related("region").prefetch_related("villages").order_by("region_code", "name", "id")


def store_get(*, user, pk) -> Store:
    """A store the user sees as a cadre, or keeps; another is an audited 404."""
    store = _found(Store.objects.select_related("region"), pk)
    if store is None:
        raise Http404("未找到")
    if store_policy.keeps(user, store) or policy.can(user, "store.view", store):
        return store
    return _denied_404(user, "store.view", store, store.region_code)


def store_get_managed(*, user, pk) -> Store:
    return policy.get_scoped_or_404(user, "store.manage", Store.objects.select_related("region"), pk=pk)


def kept_stores(*, user) -> list[Store]:
    ids = store_policy.kept_store_ids(user)
    return list(Store.objects.filter(pk__in=ids).order_by("pk")) if ids else []


def manageable_regions(*, user):
    """Towns and villages where the user may open a store."""
    from xiangzhi.regions.models import Region

    return policy.scope(
        user,
        "store.manage",
        Region.objects.filter(level__in=("town", "village"), is_active=True),
        field="code",
    ).order_by("code")


def servable_villages(*, user, store: Store | None = None):
    """Villages a store may serve: those of the towns the user manages stores in (or of the store's town)."""
    from xiangzhi.regions.models import Region

    qs = Region.objects.filter(level="village", is_active=True)
    if store is not None:
        return qs.filter(code__startswith=store.region_code[:9]).order_by("code")
    towns = {r.code[:9] for r in manageable_regions(user=user)}
    return qs.filter(scope_q(sorted(towns), "code")).order_by("code")


# -- goods ------------------------------------------------------------------------------------------------------


def goods_for_shopper(*, user, q: str | None = None) -> QuerySet:
    """On the shelf of the open stores serving the villager's village(s)."""
    villages = store_policy.shopper_village_codes(user)
    qs = Goods.objects.filter(
        store__villages__code__in=villages, store__is_active=True, is_active=True
    ).distinct()
    if q and q.strip():
        qs = qs.filter(name__contains=q.strip())
    return qs.select_related("store").order_by("store__name", "sort", "price", "id")


def goods_for_keeper(*, user) -> QuerySet:
    return (
        Goods.objects.filter(store_id__in=store_policy.kept_store_ids(user))
        .select_related("store")
        .order_by("store_id", "-is_active", "sort", "name", "id")
    )


def goods_list(*, user, store: Store | None = None, region_code: str | None = None, q: str | None = None):
    """Goods a user may see, by the way the user reaches them: a cadre's region, the kept stores, or (for a
    villager) the stores serving the village."""
    qs = policy.scope(user, "store.view", Goods.objects.all(), within=region_code)
    kept = store_policy.kept_store_ids(user)
    shopper = store_policy.shopper_village_codes(user)
    if kept or shopper:
        reach = Q(pk__in=qs.values("pk"))
        if kept:
            reach |= Q(store_id__in=kept)
        if shopper:
            reach |= Q(store__villages__code__in=shopper, store__is_active=True, is_active=True)
        qs = Goods.objects.filter(reach).distinct()
        if region_code:
            qs = qs.filter(region_code__startswith=region_code)
    if store is not None:
        qs = qs.filter(store=store)
    if q and q.strip():
        qs = qs.filter(name__contains=q.strip())
    return qs.select_related("store").order_by("store_id", "sort", "price", "id")


def goods_get(*, user, pk) -> Goods:
    """Goods the user may see (cadre, keeper, or villager of a served village); another is an audited 404."""
    goods = _found(Goods.objects.select_related("store"), pk)
    if goods is None:
        raise Http404("未找到")
    if goods_visible(user, goods):
        return goods
    return _denied_404(user, "store.view", goods, goods.region_code)


def goods_visible(user, goods: Goods) -> bool:
    if policy.can(user, "store.view", goods) or store_policy.keeps(user, goods.store):
        return True
    villages = store_policy.shopper_village_codes(user)
    return bool(
        villages
        and goods.is_active
        and goods.store.is_active
        and goods.store.villages.filter(code__in=villages).exists()
    )


def goods_get_for_shopper(*, user, pk) -> Goods:
    goods = _found(Goods.objects.select_related("store"), pk)
    if goods is None:
        raise Http404("未找到")
    villages = store_policy.shopper_village_codes(user)
    if villages and goods.store.villages.filter(code__in=villages).exists():
        return goods
    return _denied_404(user, "store.redeem", goods, goods.region_code)


def goods_get_for_stock(*, user, pk) -> Goods:
    """Goods whose stock the user keeps (keeper of its store, or a cadre managing it)."""
    goods = _found(Goods.objects.select_related("store"), pk)
    if goods is None:
        raise Http404("未找到")
    if store_policy.keeps(user, goods.store) or policy.can(user, "store.manage", goods):
        return goods
    return _denied_404(user, "store.manage", goods, goods.region_code)


# -- the villager's side ----------------------------------------------------------------------------------------


def my_balance(*, user) -> tuple[int, int] | None:
    """(累计积分, 可用积分) of the user's household, None when the account has no household."""
    household_id = own_household_id(user)
    if household_id is None:
        return None
    return ledger.balance_of(ledger.Holder(household_id=household_id))


def my_redemptions(*, user, state: str | None = None) -> QuerySet:
    household_id = own_household_id(user)
    if household_id is None:
        return Redemption.objects.none()
    qs = Redemption.objects.filter(household_id=household_id)
    if state in dict(Redemption.STATE_CHOICES):
        qs = qs.filter(state=state)
    return qs.select_related("store").order_by("-created_at", "-id")


def my_redemption_get(*, user, pk) -> Redemption:
    r = _found(Redemption.objects.select_related("store", "goods"), pk)
    if r is None:
        raise Http404("未找到")
    if r.household_id is not None and r.household_id == own_household_id(user):
        return r
    return _denied_404(user, "store.redeem", r, r.region_code)


# -- redemptions for keepers and cadres -------------------------------------------------------------------------


def redemption_list(
    *,
    user,
    store_id: int | None = None,
    state: str | None = None,
    region_code: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    q: str | None = None,
) -> QuerySet:
    """Redemptions a user may see: as a cadre, those of the stores in the region and of the region's households;
    as a keeper, those of the kept stores. `region_code` narrows to a subtree (the household's or the store's)."""
    prefixes = policy.region_prefixes(user, "store.view")
    reach = Q(pk__in=[])
    if prefixes:
        reach = scope_q(prefixes, "region_code") | scope_q(prefixes, "store_region_code")
    kept = store_policy.kept_store_ids(user)
    if kept:
        reach |= Q(store_id__in=kept)
    qs = Redemption.objects.filter(reach)
    if region_code:
        qs = qs.filter(Q(region_code__startswith=region_code) | Q(store_region_code__startswith=region_code))
    if store_id:
        qs = qs.filter(store_id=store_id)
    if state in dict(Redemption.STATE_CHOICES):
        qs = qs.filter(state=state)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    if q and q.strip():
        term = q.strip()
        qs = qs.filter(
            Q(household__head_name__contains=term)
            | Q(goods_name__contains=term)
            | Q(receipt_code=term.upper().replace("-", ""))
        )
    return qs.select_related("store", "household", "confirmed_by").order_by("-created_at", "-id")


def pending_for_keeper(*, user) -> QuerySet:
    return (
        Redemption.objects.filter(store_id__in=store_policy.kept_store_ids(user), state=Redemption.PENDING)
        .select_related("store", "household")
        .order_by("created_at", "id")
    )


def redemption_by_code_for_keeper(*, user, store: Store, code: str) -> Redemption | None:
    """The redemption of the keeper's store with this code (to show before handing over), else None."""
    from xiangzhi.store.services import normalise_code

    code = normalise_code(code)
    if not code or not store_policy.keeps(user, store):
        return None
    return Redemption.objects.filter(store=store, receipt_code=code).select_related("household").first()


def redemption_get_for_cancel(*, user, pk) -> Redemption:
    """A redemption the user may cancel: the own household's, or one of the kept store's."""
    r = _found(Redemption.objects.select_related("store", "household"), pk)
    if r is None:
        raise Http404("未找到")
    if store_policy.keeps(user, r.store) or policy.can(user, "store.redeem", r):
        return r
    return _denied_404(user, "store.redeem", r, r.region_code)


def store_serves_or_sits_in(store_id, region) -> bool:
    """For granting a store keeper: the store sits in `region` (or below it) or serves a village in it."""
    store = _found(Store.objects.all(), store_id)
    if store is None:
        return False
    if store.region_code.startswith(region.code):
        return True
    return store.villages.filter(code__startswith=region.code).exists()
