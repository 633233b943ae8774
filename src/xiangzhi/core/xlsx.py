"""Writing rows to an openpyxl sheet without formula injection.

openpyxl stores any string that begins with "=" as a formula. Text that people typed (a name, an address, a 组别)
must never run in the spreadsheet of the cadre who opens an export, so `text_row` writes such strings as plain text
cells. Other values are left as they are.
"""

from openpyxl.cell import WriteOnlyCell


def text_row(ws, values) -> list:
    """`values` ready for `ws.append`: every string that openpyxl would read as a formula becomes a text cell."""
    return [_text_cell(ws, v) if isinstance(v, str) and v.startswith("=") else v for v in values]


def _text_cell(ws, value: str):
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell
