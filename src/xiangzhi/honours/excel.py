"""The ranking of one village and period as an Excel sheet: the list as generated (with removed entries marked)
and every household's points in the period as the ledger says now. Typed text goes through `core.xlsx.text_row`.
The export is audited with counts."""

import io

from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Font

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.core.xlsx import text_row
from xiangzhi.honours import selectors
from xiangzhi.honours.models import BLACK, LAWFUL_NOTE, RED, HonourList


def _sheet(ws, header, widths):
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = width


def ranking_xlsx(*, user, honour_list: HonourList) -> bytes:
    """The caller fetched `honour_list` through the scoped selector."""
    policy.require(user, "honours.export", honour_list)
    wb = Workbook()
    ws = wb.active
    ws.title = "红黑榜"
    _sheet(
        ws,
        ["榜别", "名次", "户主", "积分", "违规次数", "违反村规民约事项", "状态"],
        [8, 8, 14, 10, 10, 50, 24],
    )
    entries = selectors.entries_of(honour_list)
    for kind, label in ((RED, "红榜"), (BLACK, "黑榜")):
        for e in entries[kind]:
            state = f"已撤下：{e.removed_reason}" if e.removed else "在榜"
            ws.append(
                text_row(ws, [label, e.rank, e.head_name, e.points, e.violations, e.violation_summary, state])
            )
    full = wb.create_sheet("本期积分排名")
    _sheet(full, ["名次", "户主", "户号", "本期积分", "违规扣分", "违规次数"], [8, 14, 14, 10, 10, 10])
    rows = selectors.period_ranking(honour_list)
    for r, name, number in rows:
        s = r.score
        full.append(text_row(full, [r.rank, name, number, s.earned, s.violation_points, s.violations]))
    info = wb.create_sheet("说明")
    info.append(text_row(info, [f"{honour_list}（{honour_list.get_state_display()}）"]))
    info.append(["“本期积分排名”按导出时的积分流水计算；“红黑榜”是生成时的结果。"])
    info.append([LAWFUL_NOTE])
    out = io.BytesIO()
    wb.save(out)
    with transaction.atomic():
        record(
            "honours.exported",
            honour_list,
            changes={"rows": len(rows), "period": honour_list.period_label},
            actor=user,
        )
    return out.getvalue()
