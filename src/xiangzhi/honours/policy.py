"""Who may do what with the 红黑榜. The region decides reach (a list's `region_code` is its village, an entry's and an
appeal's the household's grid); the rules add what the region alone does not say: a villager appeals only for the
own household and sees only the own household's entries before publication.

- the 两委 (village_secretary, village_committee) generate the lists on demand, tell the named households, decide
  the appeals and publish; the town leader may generate too (a village that forgot);
- the town and county, 包村干部, the 村务监督委员会 and the 评议小组 see the lists, drafts included;
- a villager sees the own household's entries and appeals against them while the list is notified;
- published lists are public: the board needs no login (a QR code on the wall, DESIGN.md "Disclosure").
"""

from xiangzhi import policy
from xiangzhi.accounts.roles import TOWN_UP, VILLAGE_CADRES
from xiangzhi.points.policy import own_household_id

VIEWERS = [*TOWN_UP, "town_staff", *VILLAGE_CADRES, "supervisor", "points_reviewer"]


def _own(user, assignment, obj) -> bool:
    """The entry (or appeal) is about the user's own household."""
    entry = getattr(obj, "entry", None) or obj
    household_id = getattr(entry, "household_id", None)
    return household_id is not None and household_id == own_household_id(user)


policy.register("honours.view", roles=VIEWERS, label="查看红黑榜（含草稿）")
policy.register("honours.view_own", roles=["villager"], rule=_own, label="查看本户上榜情况")
policy.register("honours.generate", roles=[*VILLAGE_CADRES, "town_leader"], label="生成红黑榜")
policy.register("honours.notify", roles=[*VILLAGE_CADRES], label="告知上榜农户（开始申诉期）")
policy.register("honours.appeal", roles=["villager"], rule=_own, label="对本户上榜提出申诉")
policy.register("honours.decide", roles=[*VILLAGE_CADRES], label="处理红黑榜申诉")
policy.register("honours.publish", roles=[*VILLAGE_CADRES], label="公布红黑榜")
policy.register(
    "honours.export", roles=[*TOWN_UP, "town_staff", *VILLAGE_CADRES, "supervisor"], label="导出红黑榜排名"
)
