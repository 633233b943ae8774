"""Who may do what with cases. The region of the case decides reach (policy.scope); the rules below add what the
region alone does not say: at which level a role acts, a department's own cases, a reporter's own case."""

from xiangzhi import policy
from xiangzhi.accounts.roles import GRID_STAFF, OPERATIONAL_STAFF, ROLES, TOWN_UP, VILLAGE_CADRES

# The roles that act on a case at each level (the case's `level`).
LEVEL_ROLES = {
    "grid": frozenset(GRID_STAFF),
    "village": frozenset({*VILLAGE_CADRES, "town_staff"}),  # 包村干部 work their villages' cases
    "town": frozenset({"town_leader", "department_staff"}),
    "county": frozenset({"county_officer"}),
}
HANDLER_ROLES = sorted(set().union(*LEVEL_ROLES.values()))
ONE_LEVEL_UP = {"grid": "village", "village": "town", "town": "county", "county": "county"}


def _department_ok(assignment, case) -> bool:
    """Department staff act only on the cases of their own department (the role names it)."""
    if assignment.role != "department_staff":
        return True
    return case.department_id is not None and case.department_id == assignment.scope_id


def _sees(user, assignment, case) -> bool:
    if assignment.role == "department_staff":
        # a department sees the cases that are, or were, routed to it
        return (
            _department_ok(assignment, case)
            or case.assignments.filter(department_id=assignment.scope_id).exists()
        )
    return True


def _handles(user, assignment, case) -> bool:
    return assignment.role in LEVEL_ROLES.get(case.level, ()) and _department_ok(assignment, case)


def _decides_extension(user, assignment, case) -> bool:
    """延期 is approved one level up from the level that handles the case."""
    up = ONE_LEVEL_UP[case.level]
    return assignment.role in LEVEL_ROLES[up] - {"department_staff"}


def _verifies(user, assignment, case) -> bool:
    """核查: the grid worker of the case's grid; a case filed at a village without a grid, by the village."""
    if len(case.region_code) >= 15:
        return assignment.role in GRID_STAFF
    return assignment.role in VILLAGE_CADRES


def _reporter(user, assignment, case) -> bool:
    return case.reporter_id is not None and case.reporter_id == user.pk


VIEWERS = [*OPERATIONAL_STAFF, "department_staff", "mediator", "legal_adviser"]
REPORTERS = [*OPERATIONAL_STAFF, "department_staff", "party_member", "villager", "mediator", "legal_adviser"]

policy.register("cases.view", roles=VIEWERS, rule=_sees, label="查看事件")
policy.register("cases.view_own", roles=sorted(ROLES), rule=_reporter, label="查看本人上报的事件")
policy.register("cases.report", roles=REPORTERS, label="上报事件")
policy.register("cases.handle", roles=HANDLER_ROLES, rule=_handles, label="办理事件")
policy.register("cases.verify", roles=[*GRID_STAFF, *VILLAGE_CADRES], rule=_verifies, label="核查事件")
policy.register("cases.rate", roles=sorted(ROLES), rule=_reporter, label="评价本人上报的事件")
policy.register("cases.visit", roles=[*TOWN_UP, "town_staff", *VILLAGE_CADRES], label="回访、结案")
policy.register("cases.decide_extension", roles=HANDLER_ROLES, rule=_decides_extension, label="审批延期")
policy.register(
    "cases.hotline", roles=["county_officer", "town_leader", "town_staff"], label="导入12345热线工单"
)
policy.register(
    "cases.figures",
    roles=[*TOWN_UP, "town_staff", *VILLAGE_CADRES, "supervisor"],
    label="事件统计",
)
policy.register("cases.routing", roles=["town_leader"], label="维护分流规则")
policy.register("cases.export", roles=[*TOWN_UP, "town_staff", *VILLAGE_CADRES], label="导出事件台账")
