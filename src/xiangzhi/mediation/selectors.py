"""Reading mediations, the rosters and the service log, scoped to the user's regions through the policy; the
figures the town watches (mediation success rate)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from xiangzhi import policy
from xiangzhi.core.calendar import end_of_day
from xiangzhi.mediation.models import (
    LEVEL_LABELS,
    MEDIATOR_KIND_LABELS,
    OUTCOME_LABELS,
    SERVICE_KIND_LABELS,
    Agreement,
    LegalAdviser,
    Mediation,
    MediationParty,
    Mediator,
    ServiceLog,
)
from xiangzhi.regions import codes
from xiangzhi.regions import selectors as region_selectors
from xiangzhi.regions.models import Region


def _within(region: str | None) -> str | None:
    region = (region or "").strip()
    return region if region.isdigit() else None


def _start(day: dt.date) -> dt.datetime:
    return end_of_day(day - dt.timedelta(days=1))


# -- mediations -----------------------------------------------------------------------------------------------------


def mediation_list(
    *,
    user,
    state: str = "",
    outcome: str = "",
    region: str | None = None,
    level: str = "",
    q: str = "",
) -> QuerySet:
    qs = policy.scope(user, "mediation.view", Mediation.objects.all(), within=_within(region))
    if state in (Mediation.OPEN, Mediation.ENDED):
        qs = qs.filter(state=state)
    if outcome in OUTCOME_LABELS:
        qs = qs.filter(outcome=outcome)
    if level in LEVEL_LABELS:
        qs = qs.filter(level=level)
    q = (q or "").strip()
    if q:
        if q.upper().startswith("TJ") and q[2:].isdigit():
            qs = qs.filter(pk=int(q[2:]))
        else:
            qs = qs.filter(Q(case__title__contains=q) | Q(parties__name__contains=q)).distinct()
    return qs.select_related("case").order_by("-opened_at", "-id")


def mediation_get(*, user, pk: int) -> Mediation:
    """One mediation the user may see (an audited 404 otherwise)."""
    return policy.get_scoped_or_404(
        user, "mediation.view", Mediation.objects.select_related("case", "opened_by"), pk=pk
    )


def party_get(*, user, pk: int) -> MediationParty:
    return policy.get_scoped_or_404(
        user, "mediation.view", MediationParty.objects.select_related("mediation", "resident"), pk=pk
    )


def parties_of(mediation: Mediation) -> list[MediationParty]:
    """The parties, with what the masked display needs (`id_last4`, the household's address); the encrypted
    columns are not even loaded, so nothing is decrypted for a page or a PDF."""
    return list(
        mediation.parties.select_related("resident", "resident__household")
        .defer("id_number", "resident__id_number", "resident__phone")
        .order_by("id")
    )


def agreement_of(mediation: Mediation) -> Agreement | None:
    return Agreement.objects.filter(mediation=mediation).first()


def open_mediation_for_case(*, user, case) -> Mediation | None:
    """The mediation under way for `case`, if the user may see it (for the case page)."""
    return mediation_list(user=user, state=Mediation.OPEN).filter(case=case).first()


def mediations_of_case(*, user, case) -> QuerySet:
    return mediation_list(user=user).filter(case=case)


def committee_mediators(*, mediation: Mediation | None = None, case=None, level: str = "village") -> QuerySet:
    """The roster a mediation draws from: the village's committee, and the town's too at the 镇 level."""
    region_code = mediation.region_code if mediation is not None else case.region_code
    level = mediation.level if mediation is not None else level
    wanted = [region_code[:12]] + ([region_code[:9]] if level == "town" else [])
    return Mediator.objects.filter(region_code__in=wanted, is_active=True).order_by(
        "region_code", "kind", "id"
    )


# -- the roster, the register, the service log -------------------------------------------------------------------------


def mediator_list(*, user, region: str | None = None, kind: str = "", active: bool | None = True) -> QuerySet:
    qs = policy.scope(user, "mediation.view", Mediator.objects.all(), within=_within(region))
    if kind in MEDIATOR_KIND_LABELS:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.select_related("region", "user").order_by("region_code", "kind", "id")


def mediator_get(*, user, pk: int) -> Mediator:
    return policy.get_scoped_or_404(user, "mediation.view", Mediator.objects.select_related("region"), pk=pk)


def adviser_list(*, user, region: str | None = None, active: bool | None = True) -> QuerySet:
    qs = policy.scope(user, "mediation.view", LegalAdviser.objects.all(), within=_within(region))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.select_related("region").order_by("region_code", "id")


def adviser_get(*, user, pk: int) -> LegalAdviser:
    return policy.get_scoped_or_404(
        user, "mediation.view", LegalAdviser.objects.select_related("region"), pk=pk
    )


def service_log_list(
    *,
    user,
    action: str = "mediation.view",
    region: str | None = None,
    adviser: LegalAdviser | None = None,
    kind: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet:
    qs = policy.scope(user, action, ServiceLog.objects.all(), within=_within(region))
    if adviser is not None:
        qs = qs.filter(adviser=adviser)
    if kind in SERVICE_KIND_LABELS:
        qs = qs.filter(kind=kind)
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    return qs.select_related("adviser", "adviser__region").order_by("-date", "-id")


@dataclass
class ServiceTotals:
    """The counts as the town reports them (seed 000): 到村服务 N 件, 接访 N 件次, 普法讲座 N 场, 普法资料 N 份."""

    visits: int = 0
    receptions: int = 0  # 件次: the people received
    lectures: int = 0
    lecture_audience: int = 0
    materials: int = 0
    hours: float = 0.0


def service_totals(logs: QuerySet) -> ServiceTotals:
    rows = (
        logs.order_by()
        .values("kind")
        .annotate(n=Count("id"), people=Sum("people"), materials=Sum("materials"), hours=Sum("hours"))
    )
    t = ServiceTotals()
    for r in rows:
        if r["kind"] == "visit":
            t.visits = r["n"]
        elif r["kind"] == "reception":
            t.receptions = r["people"] or 0
        elif r["kind"] == "lecture":
            t.lectures, t.lecture_audience = r["n"], r["people"] or 0
        t.materials += r["materials"] or 0
        t.hours += float(r["hours"] or 0)
    return t


def villages(*, user, action: str = "mediation.view") -> QuerySet:
    return region_selectors.region_list(user=user, action=action, level=codes.VILLAGE).filter(is_active=True)


def roster_regions(*, user, action: str = "mediation.roster") -> QuerySet:
    """Villages and towns whose roster the user keeps (a town's for 镇-level mediations)."""
    return region_selectors.region_list(user=user, action=action, levels=[codes.TOWN, codes.VILLAGE]).filter(
        is_active=True
    )


def region_named(code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


# -- figures ----------------------------------------------------------------------------------------------------------


def mediation_figures(
    user, *, region: str = "", start: dt.date | None = None, end: dt.date | None = None
) -> dict:
    """Mediations opened in the period, and those ended in it by outcome; success_rate = 调解成功 / ended (None
    when none ended). Dates are local days, both ends included. Scoped to what the user may see; `region`
    narrows to a subtree (a code out of reach gives zeros)."""
    qs = policy.scope(user, "mediation.view", Mediation.objects.all(), within=_within(region))
    opened = qs
    ended = qs.filter(state=Mediation.ENDED)
    if start:
        opened = opened.filter(opened_at__gte=_start(start))
        ended = ended.filter(ended_at__gte=_start(start))
    if end:
        opened = opened.filter(opened_at__lt=end_of_day(end))
        ended = ended.filter(ended_at__lt=end_of_day(end))
    by_outcome = dict(ended.order_by().values_list("outcome").annotate(n=Count("id")))
    succeeded = by_outcome.get("success", 0)
    failed = by_outcome.get("failed", 0)
    to_litigation = by_outcome.get("litigation", 0)
    to_petition = by_outcome.get("petition", 0)
    total = succeeded + failed + to_litigation + to_petition
    return {
        "opened": opened.count(),
        "succeeded": succeeded,
        "failed": failed,
        "to_litigation": to_litigation,
        "to_petition": to_petition,
        "success_rate": round(succeeded / total, 4) if total else None,
    }
