"""Case registers and figures as Excel workbooks. Reporters' phones never reach a file; the reporter of a 信访 or
举报 case is shown only where the user may see it (selectors.reporter_display). Exports are audited with their
counts, never with names."""

import datetime as dt
import io

from django.utils import timezone
from openpyxl import Workbook

from xiangzhi.audit.services import record
from xiangzhi.cases import states
from xiangzhi.cases.models import CATEGORY_LABELS, HANDLER_LABELS, LEVEL_LABELS, RATING_LABELS, TRIAGE_LABELS
from xiangzhi.cases.selectors import reporter_visible
from xiangzhi.core.xlsx import text_row

MAX_ROWS = 50_000
REGISTER_COLUMNS = [
    ("编号", 12),
    ("上报时间", 17),
    ("标题", 30),
    ("类别", 10),
    ("三事", 6),
    ("状态", 8),
    ("层级", 6),
    ("办理主体", 14),
    ("时限", 17),
    ("超期", 6),
    ("上报人", 10),
    ("来源", 10),
    ("热线工单号", 16),
    ("评价", 8),
    ("结案时间", 17),
]


def _t(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _sheet(wb, title: str, columns):
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    for i, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.append([name for name, _ in columns])
    return ws


def _bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def case_register(*, user, cases) -> bytes:
    """事件台账: one row per case (at most MAX_ROWS, newest first)."""
    wb = Workbook(write_only=True)
    ws = _sheet(wb, "事件台账", REGISTER_COLUMNS)
    count = 0
    for case in cases.select_related("reporter", "department")[:MAX_ROWS]:
        reporter = ""
        if reporter_visible(user, case):
            reporter = case.reporter.full_name if case.reporter_id else case.reporter_name
        else:
            reporter = "（保密）"
        ws.append(
            text_row(
                ws,
                [
                    case.number,
                    _t(case.reported_at),
                    case.title,
                    CATEGORY_LABELS.get(case.category, "未分类"),
                    TRIAGE_LABELS.get(case.triage, ""),
                    states.STATE_LABELS[case.state],
                    LEVEL_LABELS[case.level],
                    case.department.name if case.department_id else HANDLER_LABELS.get(case.handler, ""),
                    _t(case.deadline),
                    "超期" if case.is_overdue and case.is_open else "",
                    reporter,
                    case.get_source_display(),
                    case.hotline_number,
                    RATING_LABELS.get(case.rating, ""),
                    _t(case.closed_at),
                ],
            )
        )
        count += 1
    record("cases.export", None, changes={"rows": count}, actor=user, region_code=_region_of(user))
    return _bytes(wb)


def _region_of(user) -> str:
    from xiangzhi import policy

    return policy.audit_region(user, "cases.export")


FIGURE_COLUMNS = [
    ("", 16),
    ("受理", 8),
    ("办结", 8),
    ("结案", 8),
    ("应办结", 8),
    ("按期办结", 9),
    ("按期办结率", 11),
    ("平均办结时长（小时）", 12),
    ("重办", 8),
    ("重办率", 9),
    ("满意", 8),
    ("基本满意", 9),
    ("不满意", 8),
    ("未评价", 8),
    ("满意率", 9),
    ("上报至村", 9),
    ("上报至镇", 9),
    ("上报至县", 9),
]


def pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _figure_row(label: str, r: dict) -> list:
    return [
        label,
        r["received"],
        r["resolved"],
        r["closed"],
        r["due"],
        r["on_time"],
        pct(r["on_time_rate"]),
        r["mean_hours_to_close"] if r["mean_hours_to_close"] is not None else "—",
        r["reopened"],
        pct(r["reopen_rate"]),
        r["satisfied"],
        r["partly"],
        r["unsatisfied"],
        r["unrated"],
        pct(r["satisfaction_rate"]),
        r["to_village"],
        r["to_town"],
        r["to_county"],
    ]


def figures_export(data: dict, *, start: dt.date, end: dt.date) -> bytes:
    wb = Workbook(write_only=True)
    for title, rows, key in (
        ("按类别", data["by_category"], "label"),
        ("按辖区", data["by_region"], "name"),
    ):
        ws = _sheet(wb, title, [(f"{start:%Y年%m月}至{end:%Y年%m月}", 16), *FIGURE_COLUMNS[1:]])
        for r in rows:
            ws.append(text_row(ws, _figure_row(r[key], r)))
        ws.append(text_row(ws, _figure_row("合计", data["total"])))
    return _bytes(wb)
