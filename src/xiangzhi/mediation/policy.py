"""Who may do what with mediations. The region of the mediation (copied from its case) decides reach; the rules
below add what the region alone does not say: who acts at the 镇 level.

- mediators and legal advisers (assigned to their village) carry the mediation: parties, sessions, refusal,
  agreement, signatures, outcome;
- village cadres and the town leader open mediations and see them; a 镇-level mediation is opened (and carried)
  by the town (town_leader);
- the committee's seal (调委会印章) is the village committee's (its 主任 is usually the village secretary, and the
  mediator who keeps it may seal) or, at the 镇 level, the town's;
- 包村干部 (town_staff) and the county see.
"""

from xiangzhi import policy
from xiangzhi.accounts.roles import VILLAGE_CADRES

MEDIATION_WORKERS = ("mediator", "legal_adviser")
VIEWERS = [*MEDIATION_WORKERS, *VILLAGE_CADRES, "town_leader", "town_staff", "county_officer"]
ROSTER_KEEPERS = [*VILLAGE_CADRES, "town_leader"]


def _level(obj) -> str:
    mediation = getattr(obj, "mediation", None) or obj
    return getattr(mediation, "level", "")


def _acts(user, assignment, obj) -> bool:
    """The town leader carries only 镇-level mediations; mediators and legal advisers any in their reach."""
    if assignment.role == "town_leader":
        return _level(obj) == "town"
    return True


def _seals(user, assignment, obj) -> bool:
    if _level(obj) == "town":
        return assignment.role == "town_leader"
    return assignment.role != "town_leader"


policy.register("mediation.view", roles=VIEWERS, label="查看调解")
policy.register("mediation.open", roles=[*VILLAGE_CADRES, "town_leader"], label="发起调解")
policy.register("mediation.open_town", roles=["town_leader"], label="发起镇级调解")
policy.register("mediation.act", roles=[*MEDIATION_WORKERS, "town_leader"], rule=_acts, label="办理调解")
policy.register(
    "mediation.seal", roles=["mediator", *VILLAGE_CADRES, "town_leader"], rule=_seals, label="调委会盖章"
)
policy.register("mediation.roster", roles=ROSTER_KEEPERS, label="维护调解员名册与法律顾问")
policy.register("mediation.service_log", roles=["legal_adviser", *ROSTER_KEEPERS], label="登记法律顾问服务")
policy.register(
    "mediation.export",
    roles=[*VILLAGE_CADRES, "town_leader", "town_staff", "county_officer"],
    label="导出法律顾问服务台账",
)
