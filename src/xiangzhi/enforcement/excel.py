"""执法台账 as an Excel sheet: the inspections the user may export (`enforcement.export`), each with its live
decision, and the period's figures below (seed 002 style). A person's ID number appears only as its last four
characters; typed text goes through `core.xlsx.text_row`, so nothing typed runs as a formula. Audited with counts."""

import io

from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.core.money import fen_to_yuan
from xiangzhi.core.xlsx import text_row
from xiangzhi.enforcement import selectors
from xiangzhi.enforcement.models import MONEY_KINDS

COLUMNS = [
    ("检查编号", 12),
    ("检查日期", 12),
    ("乡镇", 12),
    ("村", 12),
    ("执法部门", 16),
    ("检查地点", 20),
    ("执法人员", 16),
    ("当事人类别", 10),
    ("当事人", 20),
    ("身份证号（后四位）", 20),
    ("统一社会信用代码", 20),
    ("检查情况", 40),
    ("发现问题", 8),
    ("决定状态", 10),
    ("文书编号", 20),
    ("处罚种类", 16),
    ("金额（元）", 12),
    ("重大执法决定", 10),
    ("决定日期", 12),
    ("公示截止日", 12),
    ("公示日期", 12),
]


def register_export(
    *, user, region_code=None, department=None, status=None, date_from=None, date_to=None
) -> bytes:
    policy.require(user, "enforcement.export")
    qs = selectors.inspection_list(
        user=user,
        region_code=region_code,
        department=department,
        status=status,
        date_from=date_from,
        date_to=date_to,
        action="enforcement.export",
    )
    wb = Workbook()
    ws = wb.active
    ws.title = "执法台账"
    ws.append([c for c, _ in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    rows = 0
    for i in selectors.with_decisions(qs):
        d = i.decision
        ws.append(
            text_row(
                ws,
                [
                    i.number,
                    i.date.isoformat(),
                    i.town.name,
                    i.village.name if i.village_id else "",
                    i.department.name,
                    i.place,
                    i.inspectors,
                    i.get_subject_kind_display(),
                    i.subject_name,
                    i.masked_id,
                    i.subject_org_code,
                    i.findings,
                    "是" if i.problem_found else "否",
                    d.get_state_display() if d else "无",
                    d.case_number if d else "",
                    d.get_kind_display() if d else "",
                    fen_to_yuan(d.amount_fen) if d and d.kind in MONEY_KINDS else "",
                    ("是" if d.is_major else "否") if d else "",
                    d.decided_on.isoformat() if d and d.decided_on else "",
                    d.publish_due.isoformat() if d and d.publish_due else "",
                    d.published_on.isoformat() if d and d.published_on else "",
                ],
            )
        )
        rows += 1
    f = selectors.figures(user=user, town_code=region_code, date_from=date_from, date_to=date_to)
    ws.append([])
    ws.append(
        [
            "合计",
            f"执法检查 {f['inspections']} 次",
            f"发现问题 {f['problems']} 次",
            f"行政处罚 {f['penalties']} 次",
            f"罚款共计 {fen_to_yuan(f['fine_fen'])} 元",
        ]
    )
    out = io.BytesIO()
    wb.save(out)
    with transaction.atomic():
        record(
            "enforcement.register_exported",
            changes={"rows": rows, "status": status or "", "filter_region": region_code or ""},
            region_code=policy.audit_region(user, "enforcement.export", region_code),
            actor=user,
        )
    return out.getvalue()
