"""Policy rules of assets (registered with xiangzhi.policy).

- village cadres (村书记, 两委成员) and 包村干部 manage their villages' contracts: record, change, schedule,
  payments, import, settings;
- the 村务监督委员会 reads the contracts and the 清理 report of its village;
- the town (党委书记/镇长) and the county read and see the town's 合同清理 report.
"""

from xiangzhi import policy
from xiangzhi.accounts.roles import VILLAGE_CADRES

MANAGERS = [*VILLAGE_CADRES, "town_staff"]
VIEWERS = [*MANAGERS, "supervisor", "town_leader", "county_officer"]

policy.register("assets.view", roles=VIEWERS, label="查看三资合同")
policy.register("assets.manage", roles=MANAGERS, label="登记、修改三资合同，登记收款，导入")
policy.register("assets.export", roles=VIEWERS, label="导出三资合同台账、合同清理报告")
policy.register("assets.report", roles=VIEWERS, label="查看合同清理报告")
