"""Policy rules of deliberation (registered with xiangzhi.policy).

- village cadres (村书记, 两委成员) and 包村干部 for their villages set up bodies, call meetings, record attendance,
  put items to the vote and record open votes and paper ballots;
- the 村务监督委员会 reads everything and records objections;
- villagers and party members see meetings and results, and cast their own secret ballot (the service checks it
  is their own line of the roll);
- the town (乡镇) approves what needs its approval (land contracted to outsiders, 农村土地承包法 Art. 52), and
  sees which villages' 村民代表会议 has not met this quarter (town_leader: the town; town_staff: its villages);
- the paper ballots of a secret vote are entered by the 计票人 / 监票人 named for it, whatever their role (the
  service checks the name; `deliberation.view` is asked first).
"""

from xiangzhi import policy
from xiangzhi.accounts.roles import VILLAGE_CADRES

MANAGERS = [*VILLAGE_CADRES, "town_staff"]

policy.register(
    "deliberation.view",
    roles=[*MANAGERS, "supervisor", "town_leader", "county_officer", "party_member", "villager"],
    label="查看议事协商",
)
policy.register("deliberation.manage", roles=MANAGERS, label="召集会议、登记到会与表决")
policy.register("deliberation.object", roles=["supervisor"], label="记录监督意见")
policy.register(
    "deliberation.vote", roles=[*MANAGERS, "supervisor", "party_member", "villager"], label="本人投票"
)
policy.register("deliberation.approve", roles=["town_leader", "town_staff"], label="乡镇审批")
policy.register(
    "deliberation.oversee", roles=["town_leader", "town_staff"], label="查看各村村民代表会议召开情况"
)
