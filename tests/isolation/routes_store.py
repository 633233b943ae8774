"""Isolation of the points store routes (makers in tests/store/factories.py). Merged into registry.ROUTES.

Cadres reach the stores of their region; a store keeper reaches the one store the role names (the makers hand
the store of the keeper's village to the keeper viewer); a villager sees the goods of the stores serving the
village. The villager's own pages (receipts, redeem) are found through the account's household, which the
isolation world's villager viewer has none of: their isolation is tested in tests/store/test_pages.py."""

from tests.isolation.registry import Detail, Exempt, Listing, Post


def _sf():
    from tests.store import factories

    return factories


def _redirected(response):
    assert response.status_code == 302, f"expected a redirect after success, got {response.status_code}"


def _redemption(pk):
    from xiangzhi.store.models import Redemption

    return Redemption.objects.get(pk=pk)


def _goods(pk):
    from xiangzhi.store.models import Goods

    return Goods.objects.get(pk=pk)


def cancelled(response, k):
    _redirected(response)
    assert _redemption(k["pk"]).state == "cancelled"


def confirmed(response, k):
    assert response.status_code == 200, response.status_code
    assert "请发放" in response.content.decode()
    assert _redemption(k["pk"]).state == "fulfilled"


def restocked(response, k):
    _redirected(response)
    assert _goods(k["pk"]).stock == 8


def store_opened(response, k):
    from xiangzhi.store.models import Store

    _redirected(response)
    assert Store.objects.filter(name=f"新超市{k['_village']}").exists()


def store_renamed(response, k):
    from xiangzhi.store.models import Store

    _redirected(response)
    assert Store.objects.get(pk=k["pk"]).name == "改名超市"


def goods_added(response, k):
    _redirected(response)
    assert _goods_named(k["pk"], "新商品")


def _goods_named(store_pk, name):
    from xiangzhi.store.models import Goods

    return Goods.objects.filter(store_id=store_pk, name=name).exists()


def goods_renamed(response, k):
    _redirected(response)
    assert _goods(k["pk"]).name == "改名商品" and _goods(k["pk"]).price == 7


# stores sit in a village or a town, not a grid: the region filter is tried with the town's code
TOWN = {"region": ("town",)}
SEARCH = {"q": ("marker",)}
REGION = {"region": ("region",)}
OWN = "tests/store/test_pages.py"

ROUTES = {
    "store:index": Exempt("入口：按角色转到村民、店员或干部的页面，本身不显示数据"),
    # the villager
    "store:shop": Listing("villager", lambda g: _sf().make_goods(g), filters=SEARCH),
    "store:goods_detail": Detail("villager", lambda g: _sf().make_goods(g)),
    "store:redeem": Exempt(
        f"村民为本户兑换：须账号关联到户；他村超市的商品返回 404 并记入审计、不写入，见 {OWN}："
        "test_another_households_receipt_and_goods_of_another_village_are_audited_404s"
    ),
    "store:receipts": Exempt(f"本户的兑换记录：只按账号关联的户查询，无辖区参数；他户的不出现，见 {OWN}"),
    "store:receipt": Exempt(f"本户的兑换凭证：他户的返回 404 并记入审计，见 {OWN}"),
    "store:cancel": Detail(
        "store_keeper",
        lambda g: _sf().make_pending(g),
        method="post",
        post=Post(data={"reason": "缺货"}, ok=cancelled),
    ),
    # the store keeper
    "store:keeper": Listing(
        "store_keeper",
        lambda g: _sf().make_pending(g),
        post=Post(data=lambda k: {"code": k["_code"]}, ok=confirmed),
    ),
    "store:restock": Detail(
        "store_keeper",
        lambda g: _sf().make_goods(g),
        method="post",
        post=Post(data={"quantity": "3"}, ok=restocked),
    ),
    "store:goods_photo": Detail("village_secretary", lambda g: _sf().make_goods_with_photo(g)),
    # cadres
    "store:stores": [
        Listing(
            "village_secretary",
            lambda g: _sf().make_store(g),
            filters={**TOWN, **SEARCH},
            post=Post(
                data=lambda k: {
                    "name": f"新超市{k['_village']}",
                    "region": k["_village"],
                    "villages": [k["_village"]],
                },
                ok=store_opened,
            ),
        ),
        Listing("town_leader", lambda g: _sf().make_store(g), filters={**TOWN, **SEARCH}),
    ],
    "store:store_detail": [
        Detail("village_secretary", lambda g: _sf().make_store(g)),
        Detail("store_keeper", lambda g: _sf().make_store(g)),
    ],
    "store:store_edit": Detail(
        "village_secretary",
        lambda g: _sf().make_store(g),
        post=Post(
            data=lambda k: {"name": "改名超市", "villages": [k["_village"]], "is_active": "on"},
            ok=store_renamed,
        ),
    ),
    "store:goods_new": Detail(
        "village_secretary",
        lambda g: _sf().make_store(g),
        post=Post(
            data={"name": "新商品", "price": "5", "stock": "3", "unit": "件", "is_active": "on"},
            ok=goods_added,
        ),
    ),
    "store:goods_edit": Detail(
        "village_secretary",
        lambda g: _sf().make_goods(g),
        post=Post(data={"name": "改名商品", "price": "7", "unit": "件", "is_active": "on"}, ok=goods_renamed),
    ),
    "store:redemptions": [
        Listing("village_secretary", lambda g: _sf().make_pending(g), filters={**REGION, **SEARCH}),
        Listing("town_leader", lambda g: _sf().make_pending(g), filters={**REGION, **SEARCH}),
        Listing("store_keeper", lambda g: _sf().make_pending(g)),
    ],
    "store:redemptions_export": Listing("village_secretary", lambda g: _sf().make_pending(g), filters=REGION),
    # API
    "api:store_goods_list": [
        Listing("villager", lambda g: _sf().make_goods(g), api=True, filters=SEARCH),
        Listing("village_secretary", lambda g: _sf().make_goods(g), api=True, filters=SEARCH),
        Listing("store_keeper", lambda g: _sf().make_goods(g), api=True),
    ],
    "api:store_redeem": Exempt(
        "与兑换记录同一路径的 JSON POST：看不到的商品返回 404、不写入（见 tests/store/test_api.py："
        "test_refusals_say_why_and_change_nothing）"
    ),
    "api:store_redemption_list": [
        Listing("store_keeper", lambda g: _sf().make_pending(g), api=True),
        Listing("village_secretary", lambda g: _sf().make_pending(g), api=True),
    ],
    "api:store_confirm": Exempt(
        "店员核销（JSON POST）：只对本人所在超市；他店的兑换码返回 404 并记入审计、不写入"
        "（见 tests/store/test_services.py：test_a_code_of_another_store_is_not_found_and_the_probe_is_audited）"
    ),
    "api:store_cancel": Exempt(
        "取消兑换（JSON POST）：他户或他店的兑换返回 404 并记入审计、不写入"
        "（见 tests/store/test_api.py：test_another_households_redemption_cannot_be_cancelled_and_is_audited）"
    ),
}
