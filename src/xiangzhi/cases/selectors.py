"""Reading cases: lists filtered the way cadres filter them, one case with its timeline, what a user may see of
the reporter. Every query is scoped to the user's regions through the policy."""

from django.db.models import Q, QuerySet

from xiangzhi import policy
from xiangzhi.cases import states
from xiangzhi.cases.models import CATEGORY_CODES, LEVELS, Case, CaseCategory
from xiangzhi.core import clock
from xiangzhi.core.masking import mask_tail


def _department_grants(user) -> list:
    return [a for a in policy.granting(user, "cases.view") if a.role == "department_staff"]


def case_scope(user) -> QuerySet:
    """Every case the user may see: the regions of the grants, narrowed for department staff to the cases that
    are or were routed to their department; a villager's own reports."""
    qs = Case.objects.all()
    region_grants = [a for a in policy.granting(user, "cases.view") if a.role != "department_staff"]
    q = Q(pk__in=[])
    if region_grants:
        from xiangzhi.regions.codes import scope_q

        q |= scope_q([a.region_code for a in region_grants])
    for a in _department_grants(user):
        from xiangzhi.regions.codes import scope_q

        q |= scope_q([a.region_code]) & (
            Q(department_id=a.scope_id) | Q(assignments__department_id=a.scope_id)
        )
    if policy.granting(user, "cases.view_own"):
        if region_grants or _department_grants(user):
            # own reports outside the grants (rarely any), by id: the main query stays one indexed range, which an
            # OR on the reporter would turn into a scan of the whole scope (bench/README.md)
            own = list(Case.objects.filter(reporter=user).exclude(q).values_list("pk", flat=True)[:1000])
            if own:
                q |= Q(pk__in=own)
        else:
            q |= Q(reporter=user)
    return qs.filter(q).distinct() if _department_grants(user) else qs.filter(q)


def case_list(
    *,
    user,
    state: str = "",
    category: str = "",
    triage: str = "",
    region: str = "",
    level: str = "",
    handler: str = "",
    department: int | None = None,
    overdue: bool | None = None,
    q: str = "",
    mine: bool = False,
) -> QuerySet:
    qs = case_scope(user)
    if region:
        from xiangzhi.regions.codes import scope_q

        qs = qs.filter(scope_q([region]))
    if state == "open":
        qs = qs.filter(state__in=Case.OPEN_STATES)
    elif state in states.STATE_LABELS:
        qs = qs.filter(state=state)
    if category in CATEGORY_CODES:
        qs = qs.filter(category=category)
    elif category:
        sub = CaseCategory.objects.filter(code=category).first()
        qs = qs.filter(subcategory=sub) if sub else qs.none()
    if triage in ("civil", "village", "government"):
        qs = qs.filter(triage=triage)
    if level in LEVELS:
        qs = qs.filter(level=level)
    if handler:
        qs = qs.filter(handler=handler)
    if department:
        qs = qs.filter(department_id=department)
    if overdue is True:
        qs = qs.filter(is_overdue=True, state__in=Case.OPEN_STATES)
    elif overdue is False:
        qs = qs.filter(is_overdue=False)
    if mine:
        qs = qs.filter(reporter=user)
    if q:
        q = q.strip()
        if q.upper().startswith("SJ") and q[2:].isdigit():
            qs = qs.filter(pk=int(q[2:]))
        else:
            qs = qs.filter(Q(title__contains=q) | Q(hotline_number=q))
    return qs.select_related("department").order_by("-reported_at", "-id")


def case_get(*, user, pk: int) -> Case:
    """One case the user may see (a 404, audited, otherwise)."""
    qs = Case.objects.select_related("department", "region", "reporter", "subcategory", "merged_into")
    obj = qs.filter(pk=pk).first()
    if obj is not None and policy.can(user, "cases.view_own", obj):
        return obj
    return policy.get_scoped_or_404(user, "cases.view", qs, pk=pk)


def timeline(case: Case) -> QuerySet:
    return case.events.order_by("seq").prefetch_related("attachments")


def reporter_visible(user, case: Case) -> bool:
    """Who reported the case. For 信访 and 举报 only those who handle it (its current level's handlers) and the
    reporter see it; for other cases, anyone who may see the case."""
    if case.reporter_id and case.reporter_id == user.pk:
        return True
    if case.confidential_reporter:
        return policy.can(user, "cases.handle", case)
    return True


def reporter_display(user, case: Case) -> str:
    if not reporter_visible(user, case):
        return "（保密）"
    name = case.reporter.full_name if case.reporter_id else case.reporter_name
    phone = mask_tail(case.reporter_phone) if case.reporter_phone else ""
    return f"{name or '匿名'}{'，电话 ' + phone if phone else ''}"


def allowed_actions(user, case: Case) -> list[str]:
    """The transitions the user may do now (what a page or the API offers)."""
    out = []
    for t in states.allowed(case):
        action = {
            "verify": "cases.verify",
            "rate": "cases.rate",
            "visit": "cases.visit",
            "close": "cases.visit",
        }.get(t, "cases.handle")
        if policy.can(user, action, case):
            out.append(t)
    if case.state in (Case.ASSIGNED, Case.IN_PROGRESS):
        pending = case.extensions.filter(approved=None).first()
        if pending and policy.can(user, "cases.decide_extension", case):
            out.append("decide_extension")
    return out


def seconds_left(case: Case) -> int | None:
    if case.deadline is None or not case.is_open:
        return None
    return int((case.deadline - clock.now()).total_seconds())
