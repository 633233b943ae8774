from xiangzhi import policy
from xiangzhi.accounts.roles import ROLES

# Everyone with a role sees the part of the tree the role covers; villagers only their own village.
policy.register("regions.view", roles=list(ROLES), label="查看辖区")
policy.register("regions.change", roles=["town_leader", "county_officer", "system_admin"], label="维护辖区")
policy.register("regions.merge", roles=["county_officer", "system_admin"], label="村庄撤并")
