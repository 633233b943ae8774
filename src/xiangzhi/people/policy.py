from xiangzhi import policy
from xiangzhi.accounts.roles import OPERATIONAL_STAFF

policy.register(
    "people.view", roles=[*OPERATIONAL_STAFF, "party_member", "mediator", "legal_adviser"], label="查看户籍"
)
policy.register(
    "people.change",
    roles=["town_leader", "village_secretary", "village_committee", "grid_leader", "grid_worker"],
    label="维护户籍",
)
policy.register(
    "people.reveal_pii", roles=["town_leader", "village_secretary"], label="查看完整身份证号/电话"
)
policy.register(
    "people.import", roles=["town_leader", "village_secretary", "village_committee"], label="导入台账"
)
policy.register(
    "people.export",
    roles=["county_officer", "town_leader", "town_staff", "village_secretary", "village_committee"],
    label="导出台账",
)
