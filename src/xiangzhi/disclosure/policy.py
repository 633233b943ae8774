"""Policy rules of disclosure (registered with xiangzhi.policy). A notice's `region_code` is its village.

- the 两委 (village_secretary, village_committee) and the 包村干部 (town_staff, for their villages) draft and publish
  notices and answer villagers' questions;
- the 村务监督委员会 (supervisor) signs financial notices off before they may be published;
- the town leader and the county see which villages fall behind (the town page);
- a villager (or party member) of the village asks questions on its published notices;
- published notices are public: the board needs no login.
"""

from xiangzhi import policy
from xiangzhi.accounts.roles import TOWN_UP, VILLAGE_CADRES

PUBLISHERS = [*VILLAGE_CADRES, "town_staff"]

policy.register(
    "disclosure.view", roles=[*TOWN_UP, *PUBLISHERS, "supervisor"], label="查看三务公开（含草稿）"
)
policy.register("disclosure.draft", roles=PUBLISHERS, label="起草、公开三务公开事项")
policy.register("disclosure.sign_off", roles=["supervisor"], label="审核财务公开（村务监督委员会）")
policy.register("disclosure.answer", roles=PUBLISHERS, label="答复村民对公开事项的提问")
policy.register("disclosure.ask", roles=["villager", "party_member"], label="对本村公开事项提问")
policy.register("disclosure.oversee", roles=[*TOWN_UP], label="查看各村三务公开是否按时")
