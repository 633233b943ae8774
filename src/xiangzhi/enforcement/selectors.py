"""Reading enforcement records, scoped with `enforcement.view`: the region of each grant, narrowed for a
department's staff to their own department (the 司法所's staff, who review, see the whole town)."""

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.core.models import Department
from xiangzhi.enforcement.models import MONEY_KINDS, PENALTY_KINDS, Decision, Inspection
from xiangzhi.enforcement.policy import _assigned_department, is_legal_office
from xiangzhi.regions.codes import in_scope, scope_q
from xiangzhi.regions.models import Region

# Filter values of the list: where the record stands.
STATUS_CHOICES = [
    ("no_decision", "无执法决定"),
    ("draft", "决定待作出"),
    ("unpublished", "已作出待公示"),
    ("published", "已公示"),
    ("overdue", "公示超期"),
]
STATUS_LABELS = dict(STATUS_CHOICES)


def _visible_q(user, action: str, *, within: str | None = None, department_field: str = "department_id") -> Q:
    """Rows the user may `action`: per grant its region, and for a department's staff (not the 司法所's) its
    department. `within` narrows to a subtree (a filter), intersected here."""
    q = Q(pk__in=[])
    for a in policy.granting(user, action):
        prefix = a.region_code
        if within:
            if in_scope(within, prefix):
                prefix = within
            elif not in_scope(prefix, within):
                continue
        part = scope_q([prefix], "region_code")
        if a.role == "department_staff" and not is_legal_office(_assigned_department(a)):
            part &= Q(**{department_field: a.scope_id})
        q |= part
    return q


def _live_decision(state: str | None = None):
    qs = Decision.objects.filter(inspection=OuterRef("pk")).exclude(state=Decision.WITHDRAWN)
    return qs.filter(state=state) if state else qs


def inspection_list(
    *,
    user,
    region_code: str | None = None,
    department: int | None = None,
    status: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    q: str | None = None,
    action: str = "enforcement.view",
) -> QuerySet:
    qs = Inspection.objects.filter(_visible_q(user, action, within=region_code))
    if department:
        qs = qs.filter(department_id=department)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if q and q.strip():
        qs = qs.filter(Q(subject_name__contains=q.strip()) | Q(place__contains=q.strip()))
    if status == "no_decision":
        qs = qs.filter(~Exists(_live_decision()))
    elif status == "draft":
        qs = qs.filter(Exists(_live_decision(Decision.DRAFT)))
    elif status == "unpublished":
        qs = qs.filter(Exists(_live_decision(Decision.DECIDED).filter(published_on__isnull=True)))
    elif status == "published":
        qs = qs.filter(Exists(_live_decision(Decision.DECIDED).filter(published_on__isnull=False)))
    elif status == "overdue":
        qs = qs.filter(Exists(overdue_q(_live_decision(Decision.DECIDED))))
    return qs.select_related("department", "town", "village").order_by("-date", "-id")


def with_decisions(inspections) -> list:
    """Attach each inspection's live decision (one query) as `.decision` for a list page."""
    rows = list(inspections)
    live = {
        d.inspection_id: d
        for d in Decision.objects.filter(inspection__in=[i.pk for i in rows]).exclude(
            state=Decision.WITHDRAWN
        )
    }
    for i in rows:
        i.decision = live.get(i.pk)
    return rows


def inspection_get(*, user, pk, action: str = "enforcement.view") -> Inspection:
    policy.require(user, action)  # a role without enforcement at all: 403, not a 404 that hides nothing
    return policy.get_scoped_or_404(
        user, action, Inspection.objects.select_related("department", "town", "village"), pk=pk
    )


def decision_get(*, user, pk, action: str = "enforcement.view") -> Decision:
    policy.require(user, action)
    return policy.get_scoped_or_404(
        user,
        action,
        Decision.objects.select_related("inspection", "inspection__department", "department"),
        pk=pk,
    )


def live_decision(inspection: Inspection) -> Decision | None:
    return (
        inspection.decisions.exclude(state=Decision.WITHDRAWN)
        .select_related("decided_by", "proposed_by", "notice")
        .first()
    )


def withdrawn_decisions(inspection: Inspection) -> list:
    return list(inspection.decisions.filter(state=Decision.WITHDRAWN).prefetch_related("reviews__reviewer"))


def timeline(inspection: Inspection) -> QuerySet:
    return inspection.entries.select_related("actor").order_by("at", "id")


def attachments(inspection: Inspection) -> QuerySet:
    return inspection.attachments.select_related("file", "added_by").order_by("added_at", "id")


def overdue_q(qs: QuerySet, *, today: dt.date | None = None) -> QuerySet:
    """Decisions past their 公示 deadline: not published by the end of the 7th working day, or published after
    it."""
    today = today or clock.today()
    return qs.filter(state=Decision.DECIDED, publish_due__isnull=False).filter(
        Q(published_on__isnull=True, publish_due__lt=today) | Q(published_on__gt=F("publish_due"))
    )


def overdue_list(*, user, region_code: str | None = None, today: dt.date | None = None) -> QuerySet:
    qs = Decision.objects.filter(_visible_q(user, "enforcement.view", within=region_code))
    return overdue_q(qs, today=today).select_related("inspection", "department").order_by("publish_due", "id")


def department_choices(*, user) -> list[Department]:
    """The departments whose records the user may see (a department's staff: their own)."""
    towns = [a.region_code[:9] for a in policy.granting(user, "enforcement.view")]
    if not towns:
        return []
    qs = Department.objects.filter(scope_q(sorted(set(towns)), "region_code"))
    return [d for d in qs.order_by("region_code", "name") if _may_see_department(user, d)]


def _may_see_department(user, department) -> bool:
    for a in policy.granting(user, "enforcement.view"):
        if not in_scope(department.region_code, a.region_code) and not in_scope(
            a.region_code, department.region_code
        ):
            continue
        if a.role != "department_staff" or is_legal_office(_assigned_department(a)):
            return True
        if a.scope_id == department.pk:
            return True
    return False


def recording_departments(*, user) -> list[Department]:
    """The departments the user may record inspections for."""
    towns = sorted({a.region_code[:9] for a in policy.granting(user, "enforcement.record")})
    if not towns:
        return []
    out = []
    qs = Department.objects.filter(scope_q(towns, "region_code")).select_related("town")
    for d in qs.order_by("region_code", "name"):
        probe = Inspection(region_code=d.region_code, department_id=d.pk)
        if policy.can(user, "enforcement.record", probe):
            out.append(d)
    return out


def town_choices(*, user, action: str = "enforcement.view") -> list[Region]:
    prefixes = policy.region_prefixes(user, action)
    if not prefixes:
        return []
    towns = Region.objects.filter(level="town", is_active=True)
    return [
        t for t in towns.order_by("code") if any(in_scope(t.code, p) or in_scope(p, t.code) for p in prefixes)
    ]


def village_choices(*, town: Region) -> QuerySet:
    return Region.objects.filter(parent=town, level="village", is_active=True).order_by("code")


def figures(
    *, user, town_code: str | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict:
    """The town's enforcement in a period, as the town reports it (seed 002: 执法检查 37 次，发现问题处理 6 次，
    行政处罚 4 次，罚款共计 20400 元): inspections by their date, decisions by the day they were made."""
    if town_code and not Region.objects.filter(code=town_code).exists():
        raise Http404("未找到")
    insp = Inspection.objects.filter(_visible_q(user, "enforcement.view", within=town_code))
    dec = Decision.objects.filter(
        _visible_q(user, "enforcement.view", within=town_code), state=Decision.DECIDED
    )
    if date_from:
        insp, dec = insp.filter(date__gte=date_from), dec.filter(decided_on__gte=date_from)
    if date_to:
        insp, dec = insp.filter(date__lte=date_to), dec.filter(decided_on__lte=date_to)
    i = insp.aggregate(total=Count("id"), problems=Count("id", filter=Q(problem_found=True)))
    d = dec.aggregate(
        total=Count("id"),
        penalties=Count("id", filter=Q(kind__in=PENALTY_KINDS)),
        fines=Count("id", filter=Q(kind="fine")),
        fine_fen=Sum("amount_fen", filter=Q(kind="fine")),
        amount_fen=Sum("amount_fen", filter=Q(kind__in=MONEY_KINDS)),
        major=Count("id", filter=Q(is_major=True)),
        published=Count("id", filter=Q(published_on__isnull=False)),
    )
    return {
        "inspections": i["total"],
        "problems": i["problems"],
        "decisions": d["total"],
        "penalties": d["penalties"],
        "fines": d["fines"],
        "fine_fen": d["fine_fen"] or 0,
        "amount_fen": d["amount_fen"] or 0,
        "major": d["major"],
        "published": d["published"],
        "overdue": overdue_q(dec).count(),
    }
