"""Reading the jurisdiction tree, scoped to the user."""

from dataclasses import dataclass, field

from django.db.models import Q

from xiangzhi import policy
from xiangzhi.regions import codes
from xiangzhi.regions.models import Region


def region_list(
    *, user, level: str | None = None, within: str | None = None, action: str = "regions.view", levels=None
):
    """Regions the user may `action`, optionally of one level (or several) and within a subtree (intersected
    with the grant by the policy, so the database sees one narrow range)."""
    qs = policy.scope(user, action, Region.objects.all(), field="code", within=within)
    if level:
        qs = qs.filter(level=level)
    if levels:
        qs = qs.filter(level__in=levels)
    return qs


def region_get(*, user, code: str, action: str = "regions.view", level: str | None = None) -> Region:
    """One region the user may `action` (view, change, merge), of `level` if given; anything else is a 404
    (audited when the region exists but lies out of reach)."""
    qs = Region.objects.filter(level=level) if level else Region.objects.all()
    return policy.get_scoped_or_404(user, action, qs, code=code)


def region_mergeable_villages(*, user):
    """The active villages the user may merge (撤并), with their towns."""
    qs = policy.scope(user, "regions.merge", Region.objects.filter(level=codes.VILLAGE), field="code")
    return qs.filter(is_active=True).select_related("parent").order_by("code")


def ancestors(region: Region | str) -> list[Region]:
    """The chain from the county down to the region's parent, in one query."""
    code = region if isinstance(region, str) else region.code
    return list(Region.objects.filter(code__in=codes.ancestor_codes(code)).order_by("code"))


def region_search(
    *, user, q: str = "", level: str | None = None, within: str | None = None, active_only=True
):
    """The list page: scoped, filtered by name or code prefix, parents fetched in the same query."""
    qs = region_list(user=user, level=level, within=within).select_related("parent")
    if active_only:
        qs = qs.filter(is_active=True)
    q = (q or "").strip()
    if q:
        qs = qs.filter(codes.scope_q([q], field="code")) if q.isdigit() else qs.filter(name__contains=q)
    return qs


def region_counts(region: Region) -> dict[str, int]:
    """How much hangs under a region: child nodes, households, residents, party members (one count each,
    each an indexed range query on region_code)."""
    from django.apps import apps

    counts = {"children": Region.objects.filter(parent=region, is_active=True).count()}
    for key, label in (
        ("households", "people.Household"),
        ("residents", "people.Resident"),
        ("party_members", "party.PartyMember"),
    ):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        counts[key] = model._default_manager.filter(codes.scope_q([region.code])).count()
    return counts


def region_export_xlsx(*, user, within: str | None = None) -> tuple[bytes, int]:
    """The regions the user may see as a sheet (区划代码, 名称, 上级代码), parents before children; codes are
    written as text so that Excel keeps all their digits. Returns (bytes, row count)."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from xiangzhi.core.xlsx import text_row

    wb = Workbook()
    ws = wb.active
    ws.title = "辖区"
    ws.append(["区划代码", "名称", "上级代码"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    rows = 0
    qs = (
        region_list(user=user, within=within).filter(is_active=True).select_related("parent").order_by("code")
    )
    for r in qs.iterator(chunk_size=2000):
        ws.append(text_row(ws, [r.code, r.name, r.parent.code if r.parent_id else ""]))
        for cell in (ws.cell(ws.max_row, 1), ws.cell(ws.max_row, 3)):
            cell.number_format = "@"
        rows += 1
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 22
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), rows


# --- 撤并: what a merger would move (a dry run: reads only) ------------------------------------------------


@dataclass
class MergePlanGrid:
    old_code: str
    name: str
    new_code: str


@dataclass
class MergePlan:
    """What `services.region_merge(source, target)` would do if run now: nothing is written."""

    source: Region
    target: Region
    grids: list[MergePlanGrid]
    micro_grids: int
    # model label -> (verbose name, rows whose region_code lies under the source); only models with rows
    rows: dict[str, tuple[str, int]] = field(default_factory=dict)
    # rows pointing at the source village itself (a party org's home, a role's region), moved to the target
    links: dict[str, tuple[str, int]] = field(default_factory=dict)
    # rows under the source but in no grid of it: the merger would be refused; (verbose name, count)
    stranded: list[tuple[str, int]] = field(default_factory=list)

    def count(self, label: str) -> int:
        return self.rows.get(label, ("", 0))[1]

    @property
    def households(self) -> int:
        return self.count("people.household")

    @property
    def residents(self) -> int:
        return self.count("people.resident")

    @property
    def party_rows(self) -> list[tuple[str, int]]:
        return [(name, n) for label, (name, n) in self.rows.items() if label.startswith("party.")]

    @property
    def fingerprint(self) -> str:
        """Changes when what the person confirmed would no longer be what happens (new grid codes, rows moved
        in or out meanwhile). Audit records are left out: they grow with every page view of the village."""
        import hashlib

        parts = [f"{g.old_code}>{g.new_code}" for g in self.grids]
        parts += [
            f"{label}={n}" for label, (_, n) in sorted(self.rows.items()) if label != "audit.auditrecord"
        ]
        parts += [f"{label}={n}" for label, (_, n) in sorted(self.links.items())]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def region_merge_plan(*, source: Region, target: Region) -> MergePlan:
    """The confirmation page's dry run of merging village `source` into village `target`: the same refusals as
    the service (ValidationFailed), the new grid codes it would give, and how many rows of each model would be
    rewritten. Counting is one indexed range query per model; the caller has already checked the user's reach."""
    from django.apps import apps

    from xiangzhi.regions import services

    services.region_merge_check(source=source, target=target)
    grid_codes = services.region_merge_grid_codes(source=source, target=target)
    names = dict(Region.objects.filter(code__in=grid_codes).values_list("code", "name"))
    plan = MergePlan(
        source=source,
        target=target,
        grids=[MergePlanGrid(old, names.get(old, ""), new) for old, new in grid_codes.items()],
        micro_grids=Region.objects.filter(
            codes.scope_q([source.code], field="code"), level=codes.MICRO_GRID
        ).count(),
    )
    in_a_grid = codes.scope_q(grid_codes) if grid_codes else Q(pk__in=[])
    for model in services.region_code_models():
        under = model._default_manager.filter(codes.scope_q([source.code]))
        n = under.count()
        if not n:
            continue
        label, name = model._meta.label_lower, str(model._meta.verbose_name)
        plan.rows[label] = (name, n)
        left = under.exclude(region_code=source.code).exclude(in_a_grid).count()
        if left:
            plan.stranded.append((name, left))
    for model in apps.get_models():
        if model is Region:
            continue
        for f in model._meta.get_fields():
            if getattr(f, "related_model", None) is not Region or not getattr(f, "concrete", False):
                continue
            if f.many_to_many:
                n = f.remote_field.through.objects.filter(**{f.m2m_reverse_field_name(): source}).count()
            elif f.many_to_one or f.one_to_one:
                n = model._default_manager.filter(**{f.name: source}).count()
            else:
                continue
            if n:
                what = str(f.verbose_name)
                name = str(model._meta.verbose_name) + ("" if what.isascii() else f"（{what}）")
                plan.links[f"{model._meta.label_lower}.{f.name}"] = (name, n)
    return plan
