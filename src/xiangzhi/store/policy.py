"""Who may do what in the points store (积分超市). Registered with xiangzhi.policy.

- Villagers redeem for their own household only, at a store that serves their village, and cancel their own
  household's pending redemptions.
- A store keeper (`store_keeper`, whose role assignment names the store: scope_type "store", scope_id = the
  store's pk) acts on that one store only: confirms receipt codes, cancels pending redemptions, sees and restocks
  its goods. The store, not a region, is the keeper's reach: a town's store serves villages of the town, and the
  keeper is granted in one of them (accounts.services checks that the store serves or sits in it).
- Village and town cadres manage the stores that sit in their region (open, edit, goods, restock) and see
  the redemptions of those stores and of their own households; the 包村干部, the county and the 村务监督委员会 see.
"""

from dataclasses import dataclass

from xiangzhi import policy
from xiangzhi.accounts.roles import VILLAGE_CADRES
from xiangzhi.points.policy import own_household_id

MANAGERS = [*VILLAGE_CADRES, "town_leader"]
VIEWERS = [*MANAGERS, "town_staff", "county_officer", "supervisor"]
KEEPER_SCOPE = "store"


@dataclass(frozen=True)
class KeptStore:
    """What a keeper's rule is asked about: a store by its pk. It carries no region (region_code None), so that
    `policy.can` leaves the decision to the rule: the assignment's scope object, not its region."""

    store_id: int
    region_code: None = None


def _keeps(user, assignment, obj) -> bool:
    return assignment.scope_type == KEEPER_SCOPE and assignment.scope_id == getattr(obj, "store_id", None)


def _own(user, assignment, obj) -> bool:
    """The household (or the redemption's household) is the user's own."""
    from xiangzhi.people.models import Household

    household_id = obj.pk if isinstance(obj, Household) else getattr(obj, "household_id", None)
    return household_id is not None and household_id == own_household_id(user)


def kept_store_ids(user) -> list[int]:
    """The stores the user keeps (one, usually)."""
    return sorted(
        a.scope_id
        for a in policy.granting(user, "store.keep")
        if a.scope_type == KEEPER_SCOPE and a.scope_id is not None
    )


def keeps(user, store) -> bool:
    return policy.can(user, "store.keep", KeptStore(store.pk))


def require_keeper(user, store) -> None:
    """Refuse (audited, in the store's county) unless the user keeps `store`."""
    from xiangzhi.audit.services import record_denied
    from xiangzhi.core.errors import PermissionDenied

    if not keeps(user, store):
        record_denied("store.keep", obj=store, region_code=store.region_code)
        raise PermissionDenied("您不是这家积分超市的店员。")


def shopper_village_codes(user) -> list[str]:
    """The villages whose stores the user may shop in: where the user holds the villager role."""
    return sorted({a.region_code for a in policy.granting(user, "store.redeem") if a.region_code})


policy.register("store.view", roles=VIEWERS, label="查看积分超市")
policy.register("store.manage", roles=MANAGERS, label="管理积分超市（开店、商品、补货）")
policy.register("store.export", roles=VIEWERS, label="导出兑换台账")
policy.register("store.keep", roles=["store_keeper"], rule=_keeps, label="积分超市店员：核销、取消、补货")
policy.register("store.redeem", roles=["villager"], rule=_own, label="兑换（本户）")
