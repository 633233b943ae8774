from xiangzhi import policy
from xiangzhi.accounts.roles import OPERATIONAL_STAFF

policy.register("party.view", roles=[*OPERATIONAL_STAFF, "party_member"], label="查看党组织")
policy.register("party.change", roles=["town_leader", "village_secretary"], label="维护党组织与联户")
