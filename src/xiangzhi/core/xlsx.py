"""Writing rows to an openpyxl sheet without formula injection.

openpyxl stores any string that begins with "=" as a formula. Text that people typed (a name, an address, a 组别)
must never run in the spreadsheet of the cadre who opens an export, so `text_row` writes such strings as plain text
cells. Control characters that openpyxl refuses are replaced, so one odd name cannot make a whole export fail.
Other values are left as they are.
"""

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
