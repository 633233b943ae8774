"""法律顾问服务台账 as an Excel sheet: the entries the user may export (`mediation.export`), with the totals the
town reports (seed 000: 到村服务 N 件, 接访 N 件次, 普法讲座 N 场, 发放普法资料 N 份). Typed text goes through
`core.xlsx.text_row`, so a note that starts with "=" never runs as a formula. The export is audited with counts."""

import io

from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Font

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.core.xlsx import text_row
from xiangzhi.mediation import selectors

COLUMNS = [
    ("村", 14),
    ("法律顾问", 10),
    ("执业机构", 20),
    ("日期", 12),
    ("类别", 10),
    ("时长（小时）", 10),
    ("服务人数", 10),
    ("发放普法资料（份）", 12),
    ("内容", 40),
]


def service_log_export(*, user, region=None, kind="", start=None, end=None) -> bytes:
    policy.require(user, "mediation.export")
    logs = selectors.service_log_list(
        user=user, action="mediation.export", region=region, kind=kind, start=start, end=end
    )
    wb = Workbook()
    ws = wb.active
    ws.title = "法律顾问服务台账"
    ws.append([c for c, _ in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, (_, width) in enumerate(COLUMNS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    rows = 0
    for log in logs.iterator(chunk_size=1000):
        a = log.adviser
        ws.append(
            text_row(
                ws,
                [
                    a.region.name,
                    a.name,
                    a.firm,
                    log.date.isoformat(),
                    log.get_kind_display(),
                    float(log.hours),
                    log.people,
                    log.materials,
                    log.notes,
                ],
            )
        )
        rows += 1
    t = selectors.service_totals(logs)
    ws.append([])
    ws.append(
        [
            "合计",
            f"到村服务 {t.visits} 件",
            f"接访 {t.receptions} 件次",
            f"普法讲座 {t.lectures} 场",
            f"发放普法资料 {t.materials} 份",
            round(t.hours, 1),
        ]
    )
    out = io.BytesIO()
    wb.save(out)
    with transaction.atomic():
        record(
            "mediation.service_log_exported",
            changes={"rows": rows, "kind": kind, "filter_region": region or ""},
            region_code=policy.audit_region(user, "mediation.export", region),
            actor=user,
        )
    return out.getvalue()
