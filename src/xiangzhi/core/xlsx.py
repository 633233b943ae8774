"""Writing rows to an openpyxl sheet without formula injection.

openpyxl stores any string that begins with "=" as a formula. Text that people typed (a name, an address, a 组别)
must never run in the spreadsheet of the cadre who opens an export, so `text_row` writes such strings as plain text
cells. Control characters that openpyxl refuses are replaced, so one odd name cannot make a whole export fail.
Other values are left as they are.

`read_table` reads the registers people upload (the header found, required columns checked, empty rows skipped),
with the same Chinese answers for every import.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


def text_row(ws, values) -> list:
    """`values` ready for `ws.append`: control characters replaced, and every string that openpyxl would read as a
    formula made a text cell."""
    cleaned = [ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else v for v in values]
    return [_text_cell(ws, v) if isinstance(v, str) and v.startswith("=") else v for v in cleaned]


def _text_cell(ws, value: str):
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def cell_text(value) -> str:
    """A cell as the text a person typed: None is empty, 12.0 (a number Excel stored) is "12", spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass
class Table:
    """The rows of an uploaded register below its header: (Excel row number, cell values), empty rows left out,
    and where each known header stands."""

    rows: list[tuple[int, tuple]] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)


def read_table(
    file,
    *,
    sheet_title: str,
    max_rows: int,
    find_header: Callable[[list[tuple]], tuple[int, dict[str, int]] | None],
    required: Iterable[str],
    what: str,
    header_hint: str,
) -> Table | str:
    """Read a register that people filled in Excel: the sheet `sheet_title` (else the first), its header row
    (`find_header(rows)` → (index, columns) or None), the rows below it. Returns the Table, or the Chinese message
    saying why the file cannot be imported (unreadable, no header, a required column missing, too many rows).
    `what` names the register in messages ("台账", "热线工单表"); `header_hint` is how its header begins."""
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same answer
        return f"无法读取该文件：请上传 .xlsx 格式的{what}（可先下载模板）。"
    ws = wb[sheet_title] if sheet_title in wb.sheetnames else wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True, max_row=max_rows + 10))
    wb.close()
    found = find_header(rows)
    if found is None:
        return f"找不到表头：第一行应为“{header_hint}……”（请使用模板）。"
    header_index, columns = found
    missing = [h for h in required if h not in columns]
    if missing:
        return f"缺少列：{'、'.join(missing)}（请使用模板）。"
    table = Table(columns=columns)
    for excel_row, values in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if any(cell_text(v) for v in values):
            table.rows.append((excel_row, values))
    if len(table.rows) > max_rows:
        return f"一次最多导入 {max_rows} 行，请分批导入。"
    return table
