"""Who may do what with patrols and visits. The region decides reach: a grid worker's assignment covers his grids,
so `grid.record` on a household or a grid outside them is refused."""

from xiangzhi import policy
from xiangzhi.accounts.roles import GRID_STAFF, OPERATIONAL_STAFF, TOWN_UP, VILLAGE_CADRES

policy.register("grid.record", roles=list(GRID_STAFF), label="登记巡查、走访")
policy.register("grid.view", roles=list(OPERATIONAL_STAFF), label="查看巡查、走访与覆盖情况")
policy.register(
    "grid.export",
    roles=[*TOWN_UP, "town_staff", *VILLAGE_CADRES, "grid_leader"],
    label="导出网格工作覆盖情况",
)
