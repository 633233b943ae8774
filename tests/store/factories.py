"""Store test data, made through the real services."""

from types import SimpleNamespace

from tests import factories
from tests.points import factories as pts
from xiangzhi.store import services


def store(user, region, *, name: str | None = None, villages=None):
    return services.store_create(
        user=user,
        region=region,
        name=name or f"{region.name}积分超市",
        villages=villages if villages is not None else ([region] if region.level == "village" else []),
    )


def goods(user, shop, *, name: str = "洗衣粉", price: int = 10, stock: int = 5, **kw):
    return services.goods_save(user=user, store=shop, name=name, price=price, stock=stock, **kw)


def keeper(shop, region=None):
    """A store keeper of `shop`, granted in the village it sits in (or `region`)."""
    return factories.user_with_role(
        "store_keeper", region or shop.region, scope_type="store", scope_id=shop.pk
    )


def cast(t) -> SimpleNamespace:
    """The points cast (pts.cast) plus village A's store with two goods and its keeper."""
    c = pts.cast(t)
    c.store = store(c.secretary, t.village_a, name="南山村积分超市")
    c.soap = goods(c.secretary, c.store, name="洗衣粉", price=10, stock=5)
    c.oil = goods(c.secretary, c.store, name="食用油", price=50, stock=2, unit="桶")
    c.keeper = keeper(c.store)
    c.villager_other = pts.villager_of(c.other)
    return c


# -- makers for tests/isolation/routes_store.py: make(grid) -> (url kwargs, marker text) --------------------------


def _village(grid):
    from xiangzhi.regions.models import Region

    return Region.objects.get(code=grid.code[:12])


def _hand_to_keeper(shop, village) -> None:
    """The store keeper viewer of the isolation world (granted in the viewer's village without a store) is given
    the store made in that village; a store made elsewhere is not theirs."""
    from xiangzhi.accounts import services as account_services
    from xiangzhi.accounts.models import RoleAssignment

    for a in RoleAssignment.objects.filter(role="store_keeper", region_code=village.code, scope_id=None):
        account_services.role_grant(
            user=a.user, role="store_keeper", region=village, scope_type="store", scope_id=shop.pk
        )


def _shop(grid):
    village = _village(grid)
    secretary = factories.user_with_role("village_secretary", village)
    shop = store(secretary, village, name=f"超市{grid.code}")
    _hand_to_keeper(shop, village)
    return shop, secretary, village


def make_store(grid):
    shop, _s, village = _shop(grid)
    return {"pk": shop.pk, "_village": village.code}, shop.name


def make_goods(grid):
    shop, secretary, _v = _shop(grid)
    g = goods(secretary, shop, name=f"商品{grid.code}", price=10, stock=5)
    return {"pk": g.pk}, g.name


def make_goods_with_photo(grid):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 120, 0)).save(buf, "PNG")
    shop, secretary, _v = _shop(grid)
    g = goods(
        secretary,
        shop,
        name=f"商品{grid.code}",
        price=10,
        stock=5,
        photo=SimpleUploadedFile("p.png", buf.getvalue(), content_type="image/png"),
    )
    return {"pk": g.pk}, g.name


def make_pending(grid):
    """A pending redemption of a household of `grid` at its village's store; the marker is the goods' name (it
    shows in every list of redemptions, and a search box finds it)."""
    from tests.people import factories as pf

    shop, secretary, _v = _shop(grid)
    g = goods(secretary, shop, name=f"商品{grid.code}", price=10, stock=5)
    household = pf.household(grid, head_name="兑换户")
    villager = pts.villager_of(household)
    pts.give(household, 50)
    r, _ = services.redeem(user=villager, goods=g)
    return {"pk": r.pk, "_code": r.receipt_code}, g.name
