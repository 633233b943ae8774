"""Reading the jurisdiction tree, scoped to the user."""

from xiangzhi import policy
from xiangzhi.regions import codes
from xiangzhi.regions.models import Region


def region_list(*, user, level: str | None = None, within: str | None = None):
    qs = policy.scope(user, "regions.view", Region.objects.all(), field="code")
    if level:
        qs = qs.filter(level=level)
    if within:
        qs = qs.filter(codes.scope_q([within], field="code"))
    return qs


def region_get(*, user, code: str) -> Region:
    return policy.get_scoped_or_404(user, "regions.view", Region.objects.all(), code=code)


def ancestors(region: Region) -> list[Region]:
    """The chain from the county down to the region's parent, in one query."""
    wanted = []
    code = codes.parent_code(region.code)
    while code:
        wanted.append(code)
        code = codes.parent_code(code)
    return list(Region.objects.filter(code__in=wanted).order_by("code"))


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
        ws.append([r.code, r.name, r.parent.code if r.parent_id else ""])
        for cell in (ws.cell(ws.max_row, 1), ws.cell(ws.max_row, 3)):
            cell.number_format = "@"
        rows += 1
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 22
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), rows
