"""Role codes (DESIGN.md, "Accounts and roles"). Which actions each role grants is declared by each app's
policy.py; this table says who the role is, at which level it is assigned and whether it needs a second factor."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    level: str | None  # the region level it is assigned at (None: the whole install)
    privileged: bool = False  # TOTP second factor required
    scope_kind: str = ""  # a role that also names an object: "department", "store", "review_group"


ROLES: dict[str, Role] = {
    r.code: r
    for r in [
        Role("county_officer", "县综治中心", "county", privileged=True),
        Role("town_leader", "乡镇党委书记/镇长", "town", privileged=True),
        Role("town_staff", "包村干部", "village", privileged=True),
        Role("department_staff", "乡镇部门工作人员", "town", privileged=True, scope_kind="department"),
        # holds reveal_pii: second factor too
        Role("village_secretary", "村书记", "village", privileged=True),
        Role("village_committee", "两委成员", "village"),
        Role("supervisor", "村务监督委员会", "village"),
        Role("points_reviewer", "评议小组成员", "village"),  # the village names its one 评议小组
        Role("grid_leader", "网格长", "grid"),
        Role("grid_worker", "网格员", "grid"),
        Role("mediator", "调解员", "village"),
        Role("legal_adviser", "法律顾问", "village"),
        Role("store_keeper", "积分超市店员", "village", scope_kind="store"),
        Role("party_member", "党员", "village"),
        Role("villager", "村民", "village"),
        Role("system_admin", "系统管理员", None, privileged=True),
        Role("security_admin", "安全管理员", None, privileged=True),
        Role("audit_admin", "审计管理员", None, privileged=True),
    ]
}

# 三员分立: no person may hold two of these.
SEPARATED_ADMIN_ROLES = ("system_admin", "security_admin", "audit_admin")
STAFF_ROLES = frozenset(ROLES) - {"villager"}
PRIVILEGED_ROLES = frozenset(code for code, r in ROLES.items() if r.privileged)
ROLE_CHOICES = [(code, r.label) for code, r in ROLES.items()]

# Convenience groups for policy declarations.
TOWN_UP = ("county_officer", "town_leader")
VILLAGE_CADRES = ("village_secretary", "village_committee")
GRID_STAFF = ("grid_leader", "grid_worker")
OPERATIONAL_STAFF = (*TOWN_UP, "town_staff", *VILLAGE_CADRES, "supervisor", *GRID_STAFF)
