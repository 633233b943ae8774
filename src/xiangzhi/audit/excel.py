"""The audit log as an Excel workbook, for the audit administrator: the records of the /audit/ page's filters,
newest first, at most `MAX_ROWS` of them (the sheet says so when the log held more). The export is itself audited.
"""

import datetime as dt
import io
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xiangzhi import policy
from xiangzhi.audit import selectors
from xiangzhi.audit.services import record
from xiangzhi.core import clock
from xiangzhi.core.xlsx import text_row

MAX_ROWS = 50_000
SHANGHAI = ZoneInfo("Asia/Shanghai")
SHEET = "审计日志"
SHEET_CUT = "审计日志（已截断）"
COLUMNS = [
    ("时间（北京时间）", 20),
    ("链", 8),
    ("序号", 8),
    ("操作人", 20),
    ("动作", 28),
    ("对象", 30),
    ("辖区", 18),
    ("结果", 6),
    ("来源地址", 16),
    ("变更", 60),
]
CELL_LIMIT = 32_767  # the most characters an Excel cell holds
RESULT_LABELS = dict(selectors.RESULTS)


@dataclass
class AuditExport:
    content: bytes
    rows: int
    truncated: bool


def _changes_text(changes) -> str:
    text = json.dumps(changes or {}, ensure_ascii=False, sort_keys=True)
    if len(text) > CELL_LIMIT:
        suffix = "…（过长，已截断；完整内容见审计记录详情页）"
        text = text[: CELL_LIMIT - len(suffix)] + suffix
    return text


def _actor(rec) -> str:
    return f"{rec.actor.full_name}（{rec.actor_label}）" if rec.actor_id and rec.actor else rec.actor_label


def audit_log_export(
    *,
    user,
    action: str = "",
    result: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    actor: str = "",
) -> AuditExport:
    """The records the user may read (`audit.view`) under the list page's filters, at most `MAX_ROWS`, newest
    first; one query for the records, whatever their number. Audited with the filters and the row count."""
    policy.require(user, "audit.view")
    limit = MAX_ROWS
    filters = {"action": action, "result": result, "date_from": date_from, "date_to": date_to, "actor": actor}
    qs = selectors.audit_record_list(user=user, **filters)[: limit + 1]

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    for i, (_header, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.append([_bold(ws, header) for header, _width in COLUMNS])
    rows, truncated = 0, False
    for rec in qs.iterator(chunk_size=2000):
        if rows == limit:
            truncated = True
            break
        rows += 1
        ws.append(
            text_row(
                ws,
                [
                    f"{rec.at.astimezone(SHANGHAI):%Y-%m-%d %H:%M:%S}",
                    rec.chain,
                    rec.seq,
                    _actor(rec),
                    rec.action,
                    rec.object_repr,
                    rec.region_code,
                    RESULT_LABELS.get(rec.result, rec.result),
                    rec.ip or "",
                    _changes_text(rec.changes),
                ],
            )
        )
    cut_note = f"已截断：只导出了最新的 {limit:,} 条记录，符合条件的记录更多。请缩小日期范围或加上其他条件，分批导出。"
    if truncated:
        ws.append([_bold(ws, cut_note)])
        ws.title = SHEET_CUT

    notes = wb.create_sheet("导出说明")
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 60
    now = clock.now().astimezone(SHANGHAI)
    for label, value in [
        ("导出时间", f"{now:%Y-%m-%d %H:%M:%S}（北京时间）"),
        ("导出人", getattr(user, "username", "")),
        ("动作（前缀）", action or "全部"),
        ("结果", RESULT_LABELS.get(result, "全部")),
        ("起始日期", f"{date_from:%Y-%m-%d}" if date_from else "不限"),
        ("截止日期", f"{date_to:%Y-%m-%d}" if date_to else "不限"),
        ("操作人", actor or "全部"),
        ("导出条数", rows),
        ("是否截断", cut_note if truncated else "否，符合条件的记录已全部导出"),
    ]:
        notes.append(text_row(notes, [label, value]))
    buf = io.BytesIO()
    wb.save(buf)

    prefixes = policy.region_prefixes(user, "audit.view")
    record(
        "audit.log_exported",
        changes={
            "rows": rows,
            "truncated": truncated,
            "filters": {
                "action": action,
                "result": result,
                "date_from": date_from.isoformat() if date_from else "",
                "date_to": date_to.isoformat() if date_to else "",
                "actor": actor,
            },
        },
        region_code=prefixes[0] if len(prefixes) == 1 else "",
        actor=user,
        object_repr="审计日志导出",
    )
    return AuditExport(buf.getvalue(), rows, truncated)


def _bold(ws, text: str):
    cell = WriteOnlyCell(ws, value=text)
    cell.font = Font(bold=True)
    return cell
