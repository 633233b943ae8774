"""三资 reads, always scoped with the policy. Arrears, expiry and the 合同清理 checks are computed here in the
database (one annotated query for a list), from the schedule, the payments and the village's settings, so that a
list filter, a count in the report and the flags on one contract page can never disagree."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from xiangzhi import policy
from xiangzhi.assets import rules
from xiangzhi.assets.models import AssetSetting, Contract, Instalment, Payment
from xiangzhi.core import clock
from xiangzhi.regions import codes
from xiangzhi.regions.models import Region

VILLAGE_CODE_LENGTH = codes.LENGTHS[codes.VILLAGE]


def _sum(model, **lookup):
    """Sum of `amount` of `model` rows of the outer contract matching `lookup` (0 when none)."""
    qs = (
        model.objects.filter(contract=OuterRef("pk"), **lookup)
        .order_by()
        .values("contract")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(qs), Value(0))


def _flag(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=BooleanField())


def resolution_bad_q() -> Q:
    """No resolution, or one short of the matter's threshold (rules.RESOLUTION_RULES)."""
    bad = Q(resolution__isnull=True)
    for (matter, outsider), (kind, township, _law) in rules.RESOLUTION_RULES.items():
        cond = Q(matter=matter, counterparty_is_member=not outsider)
        short = ~Q(resolution__kind=kind)
        if township:
            short |= Q(resolution__township_approved_at__isnull=True)
        bad |= cond & short
    return bad


def check_q(code: str, today: dt.date) -> Q:
    """The contracts (annotated by `with_figures`) that the check `code` flags on `today`."""
    check = rules.CHECK_BY_CODE[code]
    applies = Q(matter__in=check.matters)
    if code == rules.NO_WRITTEN:
        return applies & Q(has_written_contract=False)
    if code == rules.NO_RESOLUTION:
        return applies & resolution_bad_q()
    if code == rules.ARREARS:
        return applies & Q(due_past__gt=F("paid_total"))
    if code == rules.OVER_20_YEARS:
        return applies & Q(ends_on__gt=F("lease_limit_on"))
    if code == rules.PAST_LAND_PERIOD:
        return applies & Q(land_period_ends_on__isnull=False, ends_on__gt=F("land_period_ends_on"))
    raise LookupError(code)


def with_figures(qs: QuerySet, today: dt.date) -> QuerySet:
    """Annotate each contract with what is due (date passed), what was paid, the village's land period end, and a
    boolean per 清理 check (`flag_<code>`)."""
    setting = AssetSetting.objects.filter(region_id=OuterRef("region_id")).values("land_period_ends_on")[:1]
    qs = qs.annotate(
        due_past=_sum(Instalment, due_on__lt=today),
        due_total=_sum(Instalment),
        paid_total=_sum(Payment),
        land_period_ends_on=Subquery(setting),
    )
    return qs.annotate(**{f"flag_{c.code}": _flag(check_q(c.code, today)) for c in rules.CHECKS})


def problems_of(contract) -> list[rules.Check]:
    """The checks flagged on an annotated contract."""
    return [c for c in rules.CHECKS if getattr(contract, f"flag_{c.code}", False)]


def arrears_of(contract) -> int:
    return max(0, contract.due_past - contract.paid_total)


def _within(region: str | None) -> str | None:
    within = region if region and region.isdigit() else None
    if within and len(within) > VILLAGE_CODE_LENGTH:
        within = within[:VILLAGE_CODE_LENGTH]  # contracts belong to a village: a grid picks its village
    return within


@dataclass
class ContractFilter:
    region: str | None = None
    category: str = ""
    matter: str = ""
    problem: str = ""
    expiring: bool = False
    days: int = rules.EXPIRY_ALERT_DAYS
    q: str = ""


def contract_list(*, user, filters: ContractFilter | None = None, action: str = "assets.view") -> QuerySet:
    f = filters or ContractFilter()
    today = clock.today()
    qs = policy.scope(user, action, Contract.objects.select_related("region"), within=_within(f.region))
    if f.category in rules.CATEGORY_LABELS:
        qs = qs.filter(category=f.category)
    if f.matter in rules.MATTER_LABELS:
        qs = qs.filter(matter=f.matter)
    if f.expiring:
        qs = qs.filter(ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=f.days))
    if f.q:
        qs = qs.filter(Q(code__contains=f.q) | Q(counterparty_name__contains=f.q) | Q(subject__contains=f.q))
    qs = with_figures(qs, today)
    if f.problem == "any":
        qs = qs.filter(_any_problem(today))
    elif f.problem in rules.CHECK_BY_CODE:
        qs = qs.filter(check_q(f.problem, today))
    return qs.order_by("region_code", "code", "id")


def _any_problem(today) -> Q:
    q = Q(pk__in=[])
    for c in rules.CHECKS:
        q |= check_q(c.code, today)
    return q


def contract_get(*, user, pk, action: str = "assets.view") -> Contract:
    qs = with_figures(
        Contract.objects.select_related("region", "resolution", "resolution__meeting"), clock.today()
    )
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    if not 0 < pk < 2**62:
        from django.http import Http404

        raise Http404("未找到")
    return policy.get_scoped_or_404(user, action, qs, pk=pk)


@dataclass
class Alerts:
    arrears: list = field(default_factory=list)  # contracts with arrears, largest first
    arrears_total: int = 0
    expiring: list = field(default_factory=list)  # ending within `days`, soonest first
    expired: int = 0  # ended, still on the books
    days: int = rules.EXPIRY_ALERT_DAYS


def alerts(
    *, user, region: str | None = None, days: int = rules.EXPIRY_ALERT_DAYS, limit: int = 10
) -> Alerts:
    """Arrears and expiry alerts of the contracts the user sees (within `region`)."""
    today = clock.today()
    base = policy.scope(
        user, "assets.view", Contract.objects.select_related("region"), within=_within(region)
    )
    figures = with_figures(base, today)
    owing = figures.filter(due_past__gt=F("paid_total"))
    out = Alerts(days=days)
    for c in owing.order_by("region_code", "code")[:500]:
        c.arrears = arrears_of(c)
        out.arrears.append(c)
        out.arrears_total += c.arrears
    out.arrears.sort(key=lambda c: -c.arrears)
    out.arrears = out.arrears[:limit]
    out.expiring = list(
        base.filter(ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=days)).order_by(
            "ends_on", "id"
        )[:limit]
    )
    out.expired = base.filter(ends_on__lt=today).count()
    return out


def payments_of(contract: Contract) -> list[Payment]:
    return list(contract.payments.order_by("paid_on", "id"))


def setting_of(village: Region) -> AssetSetting | None:
    return AssetSetting.objects.filter(region=village).first()


def villages(*, user, action: str = "assets.view", region: str | None = None):
    return policy.scope(
        user,
        action,
        Region.objects.filter(level="village", is_active=True),
        field="code",
        within=_within(region),
    ).order_by("code")


def towns(*, user):
    """Towns in whose villages the user sees contracts (for the report's filter)."""
    codes_seen = {v.code[:9] for v in villages(user=user)}
    return Region.objects.filter(code__in=codes_seen, level="town").order_by("code")


def resolution_choices(*, village: Region):
    """The passed items of the village's meetings, newest first: what a contract may name as its resolution."""
    from xiangzhi.deliberation.models import Item

    return (
        Item.objects.filter(region_code__startswith=village.code, passed=True)
        .select_related("meeting")
        .order_by("-decided_at", "-id")[:200]
    )


# -- the 合同清理 report ------------------------------------------------------------------------------------------


@dataclass
class ReportRow:
    code: str
    name: str
    contracts: int = 0
    area_cmu: int = 0
    amount_per_year: int = 0
    arrears: int = 0
    recovered: int = 0
    with_problems: int = 0
    problems: dict = field(default_factory=dict)
    review_starts_on: dt.date | None = None
    review_ends_on: dt.date | None = None


@dataclass
class Report:
    region_code: str
    region_name: str
    rows: list[ReportRow]
    total: ReportRow
    checks: tuple = rules.CHECKS


def report(*, user, region: str | None = None) -> Report:
    """The 合同清理 report: per village in reach (within `region`: a village or a town), contracts reviewed, area,
    arrears now, income recovered during the village's 清理 period (payments in the period, up to what was owed when
    it began), and the count of contracts per problem."""
    policy.require(user, "assets.report")
    today = clock.today()
    within = region if region and region.isdigit() else None
    village_list = list(villages(user=user, action="assets.report", region=within))
    settings_by_village = {s.region_id: s for s in AssetSetting.objects.filter(region__in=village_list)}
    figures = _village_figures(village_list, today)
    rows = []
    total = ReportRow(code=within or "", name="合计", problems={c.code: 0 for c in rules.CHECKS})
    for v in village_list:
        row = figures.get(v.pk)
        if row is None:
            continue
        setting = settings_by_village.get(v.pk)
        if setting and setting.review_starts_on and setting.review_ends_on:
            row.review_starts_on, row.review_ends_on = setting.review_starts_on, setting.review_ends_on
            row.recovered = recovered(v, setting.review_starts_on, setting.review_ends_on)
        rows.append(row)
        for name in ("contracts", "area_cmu", "amount_per_year", "arrears", "recovered", "with_problems"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        for k, n in row.problems.items():
            total.problems[k] += n
    name = ""
    if within:
        found = Region.objects.filter(code=within).first()
        name = found.name if found else ""
    return Report(region_code=within or "", region_name=name, rows=rows, total=total)


def _village_figures(village_list: list[Region], today: dt.date) -> dict[int, ReportRow]:
    """One row per village with contracts, in two queries for all the villages (grouped by village), not a few
    per village."""
    qs = with_figures(Contract.objects.filter(region__in=village_list), today)
    aggregates = {
        "contracts": Count("id"),
        "area_cmu": Coalesce(Sum("area_cmu"), Value(0)),
        "amount_per_year": Coalesce(Sum("amount", filter=Q(amount_basis=rules.PER_YEAR)), Value(0)),
        "with_problems": Count("id", filter=_any_problem(today)),
        **{f"p_{c.code}": Count("id", filter=check_q(c.code, today)) for c in rules.CHECKS},
    }
    by_pk = {v.pk: v for v in village_list}
    rows = {}
    for got in qs.order_by().values("region_id").annotate(**aggregates):
        village = by_pk[got["region_id"]]
        rows[village.pk] = ReportRow(
            code=village.code,
            name=village.name,
            contracts=got["contracts"],
            area_cmu=got["area_cmu"],
            amount_per_year=got["amount_per_year"],
            with_problems=got["with_problems"],
            problems={c.code: got[f"p_{c.code}"] for c in rules.CHECKS},
        )
    for region_id, due, paid in qs.values_list("region_id", "due_past", "paid_total"):
        rows[region_id].arrears += max(0, due - paid)
    return rows


def recovered(village: Region, starts_on: dt.date, ends_on: dt.date) -> int:
    """Arrears recovered in the 清理 period [starts_on, ends_on]: per contract, what was paid in the period, up to
    what was owed when it began (due before `starts_on`, less everything paid before it)."""
    qs = Contract.objects.filter(region=village).annotate(
        owed=_sum(Instalment, due_on__lt=starts_on),
        paid_before=_sum(Payment, paid_on__lt=starts_on),
        paid_in=_sum(Payment, paid_on__gte=starts_on, paid_on__lte=ends_on),
    )
    return sum(
        min(max(0, owed - before), paid_in)
        for owed, before, paid_in in qs.values_list("owed", "paid_before", "paid_in")
    )
