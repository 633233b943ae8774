"""Who may do what with volunteer teams and activities. The region decides reach (a team belongs to a village).

Confirming hours records points claims through `points.services.claim_record`, which asks `points.record` again:
so `volunteering.confirm` goes only to roles that may also record points."""

from xiangzhi import policy
from xiangzhi.accounts.roles import OPERATIONAL_STAFF, VILLAGE_CADRES

policy.register("volunteering.view", roles=list(OPERATIONAL_STAFF), label="查看志愿服务队与活动")
policy.register(
    "volunteering.manage",
    roles=["town_leader", "town_staff", *VILLAGE_CADRES],
    label="维护志愿服务队、队员、活动与服务时长",
)
policy.register("volunteering.confirm", roles=["town_staff", *VILLAGE_CADRES], label="确认服务时长并折算积分")
