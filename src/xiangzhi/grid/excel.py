"""Coverage of grid work as an Excel workbook: per grid, per grid worker, and the households nobody visited.

Only names, 户号 and addresses of households reach the file (no ID number or phone: none is even loaded). The
export is audited with its counts and filters, never with names.
"""

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.core.xlsx import text_row
from xiangzhi.grid import selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GRID_COLUMNS = [
    ("村", 14),
    ("网格", 18),
    ("在册户数", 10),
    ("已走访户数", 12),
    ("未走访户数", 12),
    ("走访率", 10),
    ("走访次数", 10),
    ("巡查天数", 10),
    ("巡查次数", 10),
]
WORKER_COLUMNS = [
    ("网格员", 12),
    ("负责网格", 30),
    ("巡查天数", 10),
    ("巡查次数", 10),
    ("走访次数", 10),
    ("走访户数", 10),
    ("负责网格在册户数", 16),
    ("其中已走访", 12),
    ("走访率", 10),
]
NEVER_COLUMNS = [("网格", 18), ("户主", 12), ("户号", 14), ("组别", 10), ("住址", 36)]


def _sheet(wb: Workbook, title: str, columns):
    ws = wb.create_sheet(title)
    for i, (_header, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name, _width in columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    return ws


def build(*, user, region, start: dt.date, end: dt.date) -> tuple[bytes, dict]:
    cov = selectors.coverage(user=user, region=region, start=start, end=end, action="grid.export")
    wb = Workbook(write_only=True)
    ws = _sheet(wb, "网格覆盖", GRID_COLUMNS)
    village_names = {g.region.parent_id: None for g in cov.grids}
    from xiangzhi.regions.models import Region

    village_names = dict(Region.objects.filter(pk__in=list(village_names)).values_list("pk", "name"))
    for g in cov.grids:
        ws.append(
            text_row(
                ws,
                [
                    village_names.get(g.region.parent_id, ""),
                    g.region.name,
                    g.households,
                    g.visited,
                    g.never_visited,
                    g.rate_text,
                    g.visits,
                    g.patrol_days,
                    g.patrols,
                ],
            )
        )
    ws.append(
        text_row(
            ws,
            [
                "合计",
                "",
                cov.households,
                cov.visited,
                cov.never_visited,
                selectors.percent(cov.rate),
                cov.visits,
                "",
                cov.patrols,
            ],
        )
    )
    wsw = _sheet(wb, "网格员覆盖", WORKER_COLUMNS)
    for w in cov.workers:
        wsw.append(
            text_row(
                wsw,
                [
                    w.name,
                    w.grid_names,
                    w.patrol_days,
                    w.patrols,
                    w.visits,
                    w.households_visited,
                    w.households,
                    w.visited_in_grids,
                    w.rate_text,
                ],
            )
        )
    wsn = _sheet(wb, "未走访户", NEVER_COLUMNS)
    never = selectors.never_visited(
        user=user, region=region, start=start, end=end, action="grid.export"
    ).only("region_code", "region__name", "head_name", "number", "group_name", "address")
    n_never = 0
    for h in never.iterator(chunk_size=2000):
        n_never += 1
        wsn.append(text_row(wsn, [h.region.name, h.head_name, h.number, h.group_name, h.address]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), {"grids": len(cov.grids), "workers": len(cov.workers), "never_visited": n_never}


def coverage_export(*, user, region, start: dt.date, end: dt.date) -> bytes:
    """The coverage workbook the user may export (`grid.export`), audited with its counts and filters."""
    policy.require(user, "grid.export")
    code = region if isinstance(region, str) or region is None else region.code
    content, counts = build(user=user, region=code, start=start, end=end)
    record(
        "grid.coverage_exported",
        None,
        changes={**counts, "start": start.isoformat(), "end": end.isoformat(), "filter_region": code or ""},
        region_code=policy.audit_region(user, "grid.export", code),
        actor=user,
        object_repr="网格工作覆盖情况",
    )
    return content
