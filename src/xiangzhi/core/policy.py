from xiangzhi import policy
from xiangzhi.accounts.roles import STAFF_ROLES


def _file_in_reach(user, assignment, obj) -> bool:
    """A private file is served to staff whose assignment covers the file's region (an install-wide assignment,
    region code "", covers every file). The region copy on the file is what decides, never the uploader."""
    return (obj.region_code or "").startswith(assignment.region_code)


policy.register("files.view", roles=sorted(STAFF_ROLES), rule=_file_in_reach, label="查看附件")
policy.register(
    "departments.view",
    roles=["county_officer", "town_leader", "town_staff", "department_staff", "system_admin"],
    label="查看乡镇部门",
)
policy.register(
    "departments.change", roles=["county_officer", "town_leader", "system_admin"], label="维护乡镇部门"
)
