"""积分台账 as an Excel workbook: the ledger entries of the user's villages (one village, one grid) for a period,
with the balances after each entry. Audited with the count and the filters, never with names. Text that people
typed (notes, names) goes through `text_row`, so nothing runs as a formula in the cadre's spreadsheet."""

import io

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.core.xlsx import text_row
from xiangzhi.points import selectors_ledger as selectors

MAX_ROWS = 100_000
COLUMNS = [
    ("流水号", 9),
    ("发生日期", 12),
    ("入账时间", 17),
    ("村/网格代码", 17),
    ("户号", 10),
    ("户主/党员", 12),
    ("类型", 8),
    ("积分项编号", 10),
    ("积分项", 20),
    ("累计积分变动", 12),
    ("可用积分变动", 12),
    ("变动后累计积分", 14),
    ("变动后可用积分", 14),
    ("更正的流水号", 12),
    ("经办", 12),
    ("说明", 36),
]


def holder_label(e) -> str:
    if e.household_id:
        return f"{e.household.head_name or '（无户主）'}户"
    return f"党员 {e.party_member.name}" if e.party_member_id else ""


def ledger_export(
    *, user, region: str | None = None, period: str = "", kind: str = "", item: str = ""
) -> bytes:
    """The entries `ledger_list` shows for these filters, oldest first (at most MAX_ROWS), and a totals row."""
    policy.require(user, "points.export")
    entries = selectors.ledger_list(
        user=user, region=region, period=period, kind=kind, item=item, action="points.export"
    ).order_by("at", "id")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("积分台账")
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.append([name for name, _ in COLUMNS])
    rows = earned = available = 0
    for e in entries[:MAX_ROWS].iterator(chunk_size=2000):
        ws.append(
            text_row(
                ws,
                [
                    e.pk,
                    e.occurred_on.isoformat(),
                    timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"),
                    e.region_code,
                    e.household.number if e.household_id else "",
                    holder_label(e),
                    e.get_kind_display(),
                    e.item_code,
                    e.item_name,
                    e.earned_delta,
                    e.available_delta,
                    e.earned_after,
                    e.available_after,
                    e.corrects_id or "",
                    e.actor_label,
                    e.note,
                ],
            )
        )
        rows += 1
        earned += e.earned_delta
        available += e.available_delta
    ws.append(text_row(ws, ["合计", f"{rows} 条", "", "", "", "", "", "", "", earned, available]))
    out = io.BytesIO()
    wb.save(out)
    with transaction.atomic():
        record(
            "points.ledger_exported",
            changes={
                "rows": rows,
                "period": period,
                "kind": kind,
                "item": item,
                "filter_region": region or "",
            },
            region_code=policy.audit_region(user, "points.export", region),
            actor=user,
        )
    return out.getvalue()
