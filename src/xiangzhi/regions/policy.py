from xiangzhi import policy
from xiangzhi.accounts.roles import ROLES

# Staff see the part of the tree their role covers. Villagers do not browse the tree: their pages show their own
# village where needed, without a 辖区 menu.
policy.register("regions.view", roles=[r for r in ROLES if r != "villager"], label="查看辖区")
policy.register("regions.change", roles=["town_leader", "county_officer", "system_admin"], label="维护辖区")
policy.register("regions.merge", roles=["county_officer", "system_admin"], label="村庄撤并")
