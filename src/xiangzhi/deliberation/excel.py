"""A body's roster (成员名册) as an Excel workbook, for the cadre's file and the 公开栏: name, sex, role, status
and the household's address, with the Art. 25 figures of a 村民代表会议 under it. Audited with the count, never with
names. Text goes through `text_row` so that nothing runs as a formula."""

import io

from django.db import transaction
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from xiangzhi.audit.services import record
from xiangzhi.core.xlsx import text_row
from xiangzhi.deliberation import selectors
from xiangzhi.deliberation.models import Body

COLUMNS = [("序号", 6), ("姓名", 12), ("性别", 6), ("身份", 12), ("状态", 8), ("住址", 36)]


def roster_export(*, user, body: Body, role: str = "", active: str = "1") -> bytes:
    """The members `body_members` lists for these filters (the caller fetched `body` through the scoped selector)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("成员名册")
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.append(text_row(ws, [f"{body.name}成员名册"]))
    ws.append([name for name, _ in COLUMNS])
    rows = 0
    for m in selectors.body_members(body=body, role=role, active=active):
        rows += 1
        ws.append(
            text_row(
                ws,
                [
                    rows,
                    m.resident.name,
                    m.resident.get_sex_display(),
                    m.get_role_display(),
                    "在任" if m.is_active else "已离任",
                    m.resident.household.address,
                ],
            )
        )
    check = selectors.roster_check(body)
    if check:
        ws.append([])
        ws.append(
            text_row(
                ws,
                [
                    f"组成人员{check['members']}人，村民代表{check['representatives']}人，"
                    f"妇女村民代表{check['women']}人，全村在册{check['households']}户。"
                ],
            )
        )
        for w in check["warnings"]:
            ws.append(text_row(ws, [f"提醒：{w.text}"]))
    out = io.BytesIO()
    wb.save(out)
    with transaction.atomic():
        record("deliberation.roster_exported", body, actor=user, changes={"rows": rows, "role": role})
    return out.getvalue()
