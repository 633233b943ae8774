"""Demo data of the points store, made through the real services: the village's 积分超市 with everyday goods, the
demo store keeper given that store, and a few redemptions by households that have points (one handed over, one
waiting with its receipt code, one cancelled). Call after the points demo (households need 可用积分)."""

from django.db.models import Q

from xiangzhi.accounts import services as account_services
from xiangzhi.accounts.models import RoleAssignment, User
from xiangzhi.demo.roles import role_holder
from xiangzhi.points.models import PointBalance
from xiangzhi.regions.models import Region
from xiangzhi.store import services
from xiangzhi.store.models import Store

# (name, unit, points, stock) — what village stores in the seeds stock
GOODS = [
    ("洗衣粉", "袋", 10, 40),
    ("香皂", "块", 5, 60),
    ("牙膏", "支", 8, 30),
    ("食用油（5升）", "桶", 60, 10),
    ("大米（10斤）", "袋", 40, 15),
    ("毛巾", "条", 6, 50),
    ("电饭煲", "台", 200, 2),
]


def build(village: Region) -> None:
    """The village's store (once), its goods, its keeper, and three redemptions."""
    if Store.objects.filter(region_code=village.code).exists():
        return
    secretary = role_holder("village_secretary", village.code)
    if secretary is None:
        return
    store = services.store_create(
        user=secretary,
        region=village,
        name=f"{village.name}积分超市",
        villages=[village],
        address=f"{village.name}党群服务中心一楼",
        opening_hours="每周六 9:00-12:00",
    )
    goods = [
        services.goods_save(user=secretary, store=store, name=n, unit=u, price=p, stock=s, sort=i)
        for i, (n, u, p, s) in enumerate(GOODS)
    ]
    keeper = (
        RoleAssignment.objects.filter(
            role="store_keeper", region_code=village.code, scope_id=None, is_active=True
        )
        .select_related("user")
        .first()
    )
    if keeper is not None:
        account_services.role_grant(
            user=keeper.user, role="store_keeper", region=village, scope_type="store", scope_id=store.pk
        )
    # villagers with accounts and points redeem: the first is handed over, the second waits, the third is cancelled
    shoppers = []
    for user in User.objects.filter(
        Q(resident__household__region_code__startswith=village.code), kind=User.KIND_VILLAGER, is_active=True
    ).select_related("resident"):
        balance = PointBalance.objects.filter(household_id=user.resident.household_id).first()
        if balance is not None and balance.available >= goods[0].price:
            shoppers.append(user)
    # with one demo villager in the village, that household makes all three when its points allow
    for i in range(3):
        if not shoppers:
            break
        user = shoppers[i % len(shoppers)]
        balance = PointBalance.objects.get(household_id=user.resident.household_id)
        if balance.available < goods[i % 2].price:
            break
        redemption, _ = services.redeem(user=user, goods=goods[i % 2])
        if i == 0 and keeper is not None:
            services.redemption_confirm(user=keeper.user, store=store, code=redemption.receipt_code)
        elif i == 2:
            services.redemption_cancel(user=user, redemption=redemption, reason="家里已经有了")
