"""三务公开台账 as an Excel workbook: the notices the cadres' list shows for its filters (drafts included).
Audited with the count and the filters. Typed text goes through `text_row` (nothing runs as a formula)."""

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.core.xlsx import text_row
from xiangzhi.disclosure import selectors

MAX_ROWS = 50_000
COLUMNS = [
    ("编号", 8),
    ("村代码", 15),
    ("村", 12),
    ("类别", 14),
    ("重大事项", 9),
    ("标题", 30),
    ("状态", 8),
    ("起草时间", 17),
    ("监委会审核时间", 17),
    ("公开时间", 17),
    ("已被更新为", 10),
    ("更新了", 10),
    ("有附件", 8),
    ("内容", 60),
]


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def notice_export(*, user, region: str | None = None, kind: str = "", state: str = "") -> tuple[bytes, int]:
    policy.require(user, "disclosure.view")
    qs = selectors.notice_list(user=user, region=region, kind=kind, state=state)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("三务公开台账")
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.append([name for name, _ in COLUMNS])
    rows = 0
    for n in qs[:MAX_ROWS].iterator(chunk_size=2000):
        ws.append(
            text_row(
                ws,
                [
                    n.pk,
                    n.region_code,
                    n.region.name,
                    n.get_kind_display(),
                    "是" if n.major else "",
                    n.title,
                    n.get_state_display(),
                    _when(n.created_at),
                    _when(n.signed_off_at),
                    _when(n.published_at),
                    n.superseded_by_id or "",
                    n.supersedes_id or "",
                    "是" if n.attachment_id else "",
                    n.body,
                ],
            )
        )
        rows += 1
    out = io.BytesIO()
    wb.save(out)
    record(
        "disclosure.exported",
        None,
        region_code=policy.audit_region(user, "disclosure.view", region or None),
        changes={"rows": rows, "region": region or "", "kind": kind, "state": state},
    )
    return out.getvalue(), rows
