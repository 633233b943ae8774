"""The redemption register (兑换台账) as an Excel workbook: the rows of the cadre's list, with its filters.

Only the household head's name, the goods and the figures reach the file (no ID number, no phone). The export is
audited with its count and filters."""

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.core.xlsx import text_row
from xiangzhi.store import selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = [
    ("兑换时间", 18),
    ("积分超市", 18),
    ("户主", 12),
    ("商品", 20),
    ("单价（分）", 10),
    ("数量", 8),
    ("积分", 10),
    ("兑换码", 12),
    ("状态", 10),
    ("领取时间", 18),
    ("取消时间", 18),
    ("取消原因", 24),
]
MAX_ROWS = 100_000


def _when(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def redemptions_export(*, user, **filters) -> bytes:
    policy.require(user, "store.export")
    qs = selectors.redemption_list(user=user, **filters)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("兑换台账")
    for i, (_h, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    header = []
    for name, _w in COLUMNS:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    n = 0
    for r in qs[:MAX_ROWS].iterator(chunk_size=2000):
        n += 1
        ws.append(
            text_row(
                ws,
                [
                    _when(r.created_at),
                    r.store.name,
                    r.household.head_name,
                    r.goods_name,
                    r.price,
                    r.quantity,
                    r.points,
                    r.code_display,
                    r.get_state_display(),
                    _when(r.confirmed_at),
                    _when(r.cancelled_at),
                    r.cancel_reason,
                ],
            )
        )
    buf = io.BytesIO()
    wb.save(buf)
    shown = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in filters.items() if v}
    record(
        "store.redemptions_exported",
        None,
        changes={"rows": n, **shown},
        region_code=policy.audit_region(user, "store.export", filters.get("region_code")),
        actor=user,
        object_repr="积分超市兑换台账",
    )
    return buf.getvalue()
