"""Policy rules of matters (议题, 四议两公开), registered with xiangzhi.policy. A matter's `region_code` is its
village. Imported at the bottom of deliberation/models.py, so the actions exist whenever the app is loaded.

- villagers and party members of the village see its matters (democracy is public to the village), propose one and
  support (附议) a neighbour's proposal;
- village cadres (村书记, 两委成员) and 包村干部 raise matters for the branch or from a case, call each step's meeting,
  complete the steps and publish the resolution and its result;
- the 村务监督委员会 follows every step (notified on each) and records objections on a step;
- the town and county read.
"""

from xiangzhi import policy
from xiangzhi.accounts.roles import TOWN_UP, VILLAGE_CADRES

MANAGERS = [*VILLAGE_CADRES, "town_staff"]

policy.register(
    "deliberation.matter_view",
    roles=[*MANAGERS, "supervisor", *TOWN_UP, "party_member", "villager"],
    label="查看议题及四议两公开进程",
)
policy.register("deliberation.matter_propose", roles=["villager", "party_member"], label="村民提出议题")
policy.register("deliberation.matter_support", roles=["villager", "party_member"], label="附议村民提出的议题")
policy.register(
    "deliberation.matter_manage", roles=MANAGERS, label="提出议题、推进四议两公开各步骤、发布决议与结果"
)
policy.register("deliberation.matter_object", roles=["supervisor"], label="对议事步骤提出监督意见")
