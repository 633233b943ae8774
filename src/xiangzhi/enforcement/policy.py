"""Who may do what with enforcement records. The region (the town, or the village inspected) decides reach; the
rules below add what the region alone does not say:

- a department's staff (department_staff, the role names the department) record and see their own department's
  inspections and decisions; the town leader (党委书记 / 镇长) records and sees every department's;
- 法制审核 (Art. 58) is done by the staff of the town's 司法所: the town's legal office, outside the departments
  that handle the cases, and not the leaders who then decide. The town leader may not review, since the same
  leader makes the major decision (Art. 57): review and decision stay in two hands. The 司法所's staff see every
  department's records of the town (they must read what they review);
- a major decision (重大执法决定) is made by the town leader (Art. 57: 负责人集体讨论决定), a normal one also by
  the department's staff;
- the county (综治中心) reads.
"""

from xiangzhi import policy

LEGAL_OFFICE_CODES = ("sifa", "justice")


def is_legal_office(department) -> bool:
    """The town's 司法所: by its name, or by the codes the demo and the tests give it."""
    if department is None:
        return False
    return "司法所" in (department.name or "") or department.code in LEGAL_OFFICE_CODES


def _department_id(obj):
    value = getattr(obj, "department_id", None)
    if value is not None:
        return value
    for parent in ("inspection", "decision"):
        inner = getattr(obj, parent, None)
        if inner is not None:
            return _department_id(inner)
    return None


def _assigned_department(assignment):
    from xiangzhi.core.models import Department

    cache = assignment.__dict__.setdefault("_xz_department", {})
    if "d" not in cache:
        cache["d"] = (
            Department.objects.filter(pk=assignment.scope_id).first() if assignment.scope_id else None
        )
    return cache["d"]


def _own_department(user, assignment, obj) -> bool:
    if assignment.role != "department_staff":
        return True
    return assignment.scope_id is not None and _department_id(obj) == assignment.scope_id


def _sees(user, assignment, obj) -> bool:
    if _department_id(obj) is None:
        return True  # a place (a town picked in a filter), not a record: the region decided
    if assignment.role == "department_staff" and is_legal_office(_assigned_department(assignment)):
        return True
    return _own_department(user, assignment, obj)


def _reviews(user, assignment, obj) -> bool:
    return assignment.role == "department_staff" and is_legal_office(_assigned_department(assignment))


RECORDERS = ["town_leader", "department_staff"]

policy.register(
    "enforcement.view", roles=["county_officer", *RECORDERS], rule=_sees, label="查看行政执法记录"
)
policy.register("enforcement.record", roles=RECORDERS, rule=_own_department, label="登记执法检查与决定")
policy.register("enforcement.decide_major", roles=["town_leader"], label="作出重大执法决定")
policy.register("enforcement.review", roles=["department_staff"], rule=_reviews, label="法制审核")
policy.register("enforcement.export", roles=["county_officer", *RECORDERS], rule=_sees, label="导出执法台账")
