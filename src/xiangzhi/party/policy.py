from xiangzhi import policy
from xiangzhi.accounts.roles import OPERATIONAL_STAFF

policy.register("party.view", roles=[*OPERATIONAL_STAFF, "party_member"], label="查看党组织")
policy.register("party.change", roles=["town_leader", "village_secretary"], label="维护党组织与联户")
# The roster lists every member of a village with the households each looks after: cadres only, not every member.
policy.register(
    "party.export",
    roles=[
        "county_officer",
        "town_leader",
        "town_staff",
        "village_secretary",
        "village_committee",
        "supervisor",
    ],
    label="导出党员名册",
)
