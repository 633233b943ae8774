"""Who may do what with points. The region decides reach (policy.scope over `region_code`); the rules add what the
region alone does not say: a villager's own household, a party member's own points."""

from xiangzhi import policy
from xiangzhi.accounts.roles import GRID_STAFF, TOWN_UP, VILLAGE_CADRES

# Those who see a village's points, claims and ledger (the 评议小组 and the 村务监督委员会 included).
VIEWERS = [*TOWN_UP, "town_staff", *VILLAGE_CADRES, "supervisor", "points_reviewer", *GRID_STAFF]


def own_household_id(user) -> int | None:
    resident = getattr(user, "resident", None) if getattr(user, "resident_id", None) else None
    return resident.household_id if resident is not None else None


def own_party_member_id(user) -> int | None:
    if not getattr(user, "resident_id", None):
        return None
    from xiangzhi.party.models import PartyMember

    cached = getattr(user, "_xz_party_member_id", False)
    if cached is False:
        cached = (
            PartyMember.objects.filter(resident_id=user.resident_id, is_active=True)
            .values_list("pk", flat=True)
            .first()
        )
        user._xz_party_member_id = cached
    return cached


def _own(user, assignment, obj) -> bool:
    """The object (claim, entry, balance, household) is the user's own household's or own party points."""
    from xiangzhi.party.models import PartyMember
    from xiangzhi.people.models import Household

    household_id = obj.pk if isinstance(obj, Household) else getattr(obj, "household_id", None)
    if household_id is not None:
        return household_id == own_household_id(user)
    member_id = obj.pk if isinstance(obj, PartyMember) else getattr(obj, "party_member_id", None)
    return member_id is not None and member_id == own_party_member_id(user)


policy.register("points.view", roles=VIEWERS, label="查看积分")
policy.register(
    "points.view_own", roles=["villager", "party_member"], rule=_own, label="查看本户（本人）积分"
)
policy.register("points.claim", roles=["villager", "party_member"], rule=_own, label="申报积分")
policy.register(
    "points.record",
    roles=[*VILLAGE_CADRES, "town_staff", *GRID_STAFF],
    label="录入积分（入户评议、月度检查）",
)
policy.register("points.review", roles=["points_reviewer"], label="评议积分申报")
policy.register(
    "points.object",
    roles=["villager", "party_member", *VILLAGE_CADRES, "supervisor", *GRID_STAFF],
    label="对公示提出异议",
)
policy.register("points.answer", roles=["points_reviewer", *VILLAGE_CADRES], label="答复异议")
policy.register("points.scheme", roles=[*VILLAGE_CADRES], label="制定本村积分方案")
policy.register("points.template", roles=["town_leader"], label="发布乡镇积分方案模板")
policy.register("points.correct", roles=["village_secretary", "town_leader"], label="更正积分流水")
policy.register("points.split", roles=[*VILLAGE_CADRES], label="分户时划转积分")
policy.register(
    "points.export", roles=[*TOWN_UP, "town_staff", *VILLAGE_CADRES, "supervisor"], label="导出积分台账"
)
policy.register("points.party", roles=["village_secretary", "town_leader"], label="党员积分评定")
# 党员积分 (points/party.py): the branch ranking and the annual grades are read by the town and the village's
# cadres and supervisors; `points.party` (above) acts on them.
policy.register(
    "points.party_view",
    roles=[*TOWN_UP, "town_staff", *VILLAGE_CADRES, "supervisor"],
    label="查看党员积分排名与年度评定",
)
