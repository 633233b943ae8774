"""12345 热线工单: work orders of the county's 12345 platform filed as cases, from its Excel export or one at a time
over the API (`POST /api/v1/cases/hotline/`).

The template (one sheet "热线工单", a header row, one order a row; the sheet "填写说明" repeats this):

| column | required | what |
|---|---|---|
| 工单编号 | yes | the platform's order number, kept as `Case.hotline_number` (unique: an order already imported is skipped) |
| 来电时间 | no | 2024-03-01 09:30 (a date cell or text); kept in the case's text, never later than now |
| 来电人 | no | the caller's name (empty: 匿名) |
| 联系电话 | no | an 11-digit mobile number; sealed (encrypted) and shown masked, never repeated in an error |
| 诉求内容 | yes | what the caller asks (at most 2000 characters with the call time) |
| 所在村（区划代码或村名） | yes | a village's or grid's code (12 or 15 digits), or a village's name within the importer's reach |
| 类别 | no | 矛盾纠纷 / 人居环境 / … (the label or the code of a category or sub-category) |

Importing needs `cases.hotline` (county_officer, town_leader, town_staff) over each order's village. A file is
imported all or nothing: every row is checked first (errors name the row as Excel shows it and the column), and one
bad row writes nothing. Orders whose number is already in the system are skipped and listed, never duplicated.
Numbers typed as Excel numbers (an order number, a phone) are read back as text; an order number of more than 15
digits stored as a number has lost its last digits and is refused.
"""

import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from xiangzhi import policy
from xiangzhi.audit.models import AuditRecord
from xiangzhi.audit.services import record
from xiangzhi.cases import services
from xiangzhi.cases.models import CATEGORY_CHOICES, CATEGORY_CODES, Case, CaseCategory
from xiangzhi.core import clock
from xiangzhi.core.errors import DomainError, PermissionDenied, ValidationFailed
from xiangzhi.core.xlsx import cell_text, read_table
from xiangzhi.regions.models import Region

SHEET_TITLE = "热线工单"
COL_NUMBER = "工单编号"
COL_CALLED_AT = "来电时间"
COL_NAME = "来电人"
COL_PHONE = "联系电话"
COL_TEXT = "诉求内容"
COL_REGION = "所在村（区划代码或村名）"
COL_CATEGORY = "类别"
COLUMNS = [  # (header, width)
    (COL_NUMBER, 20),
    (COL_CALLED_AT, 18),
    (COL_NAME, 10),
    (COL_PHONE, 14),
    (COL_TEXT, 50),
    (COL_REGION, 24),
    (COL_CATEGORY, 12),
]
HEADERS = [h for h, _ in COLUMNS]
REQUIRED_HEADERS = [COL_NUMBER, COL_TEXT, COL_REGION]
TEMPLATE_ROWS = 200
MAX_IMPORT_ROWS = 2000
MAX_NUMBER = 40
MAX_NAME = 50
CATEGORY_BY_LABEL = {label: code for code, label in CATEGORY_CHOICES}

# The API's field for each column (errors of one order over the API name the field, not the column).
API_FIELDS = {
    COL_NUMBER: "hotline_number",
    COL_CALLED_AT: "called_at",
    COL_NAME: "reporter_name",
    COL_PHONE: "reporter_phone",
    COL_TEXT: "description",
    COL_REGION: "region",
    COL_CATEGORY: "category",
}
# A service's error field → the column it is about.
COLUMN_OF_FIELD = {
    "description": COL_TEXT,
    "title": COL_TEXT,
    "region": COL_REGION,
    "category": COL_CATEGORY,
    "phone": COL_PHONE,
}

TEMPLATE_NOTES = [
    (COL_NUMBER, "必填。12345 平台的工单编号；已导入过的工单会跳过，不会重复建事件。本列为“文本”格式。"),
    (COL_CALLED_AT, "可空。如 2024-03-01 09:30；不能晚于现在。"),
    (COL_NAME, "可空（空则为匿名）。"),
    (COL_PHONE, "可空。11 位手机号码；系统加密保存，页面只显示后四位。"),
    (COL_TEXT, "必填。群众的诉求，连同来电时间最多 2000 字。"),
    (
        COL_REGION,
        "必填。村（12 位）或网格（15 位）的区划代码，或村名（须在您的辖区内且不重名，重名时请填代码）。",
    ),
    (COL_CATEGORY, "可空。" + "、".join(label for _, label in CATEGORY_CHOICES) + "，或子类别名称。"),
    ("导入规则", "整表检查：只要有一行有误，全部不导入；错误会写明第几行、哪一列。一次最多 2000 行。"),
]


# -- template --------------------------------------------------------------------------------------------------


def build_template() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for i, (header, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i, value=header)
        cell.font, cell.fill, cell.alignment = bold, fill, Alignment(horizontal="center")
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = width
        if header in (COL_NUMBER, COL_PHONE, COL_REGION):
            # text, so that Excel keeps every digit of a long order number or code
            for r in range(2, TEMPLATE_ROWS + 2):
                ws.cell(row=r, column=i).number_format = "@"
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 90
    notes.append(["列", "说明"])
    for cell in notes[1]:
        cell.font = bold
    for row in TEMPLATE_NOTES:
        notes.append(list(row))
    return wb


def template_bytes() -> bytes:
    buf = io.BytesIO()
    build_template().save(buf)
    return buf.getvalue()


# -- one order -------------------------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int  # as Excel shows it (0 for an order sent over the API)
    column: str  # the header, "" for the whole row
    reason: str


@dataclass
class Order:
    row: int
    hotline_number: str = ""
    called_at: dt.datetime | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    text: str = ""
    region_text: str = ""
    category_text: str = ""
    region: Region | None = None
    category: str = ""
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.row, column, reason))

    @property
    def description(self) -> str:
        if self.called_at is None:
            return self.text
        return f"{self.text}\n（12345 来电时间：{timezone.localtime(self.called_at):%Y-%m-%d %H:%M}）"


_text = cell_text


def _number(value, order: Order) -> str:
    """The order number: text as typed; a number cell read back as its digits, unless Excel has already rounded
    it (a float can hold 15 significant digits)."""
    if isinstance(value, float):
        if not value.is_integer() or abs(value) >= 1e15:
            order.error(
                COL_NUMBER,
                "工单编号被存成了数字，后几位可能已丢失：请把该列设为“文本”格式后重新填写（可下载模板）。",
            )
            return ""
    text = _text(value)
    if not text:
        order.error(COL_NUMBER, "请填写工单编号。")
    elif len(text) > MAX_NUMBER:
        order.error(COL_NUMBER, f"工单编号太长：最多 {MAX_NUMBER} 个字符。")
    return text


DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y%m%d%H%M%S", "%Y%m%d")


def _called_at(value, order: Order) -> dt.datetime | None:
    if value is None or _text(value) == "":
        return None
    moment = None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif isinstance(value, int | float) and 1 <= value < 2958466:
        from openpyxl.utils.datetime import from_excel

        moment = from_excel(value)  # an Excel serial date left unformatted
    else:
        text = _text(value).replace("/", "-").replace(".", "-").replace("T", " ")
        text = text.replace("年", "-").replace("月", "-").replace("日", " ").strip()
        parts = text.split(" ", 1)
        if len(parts[0].split("-")) == 3:  # pad 2024-3-1 to 2024-03-01
            y, m, d = parts[0].split("-")
            parts[0] = f"{y}-{m.zfill(2)}-{d.zfill(2)}"
        text = " ".join(p.strip() for p in parts if p.strip())
        for fmt in DATETIME_FORMATS:
            try:
                moment = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if moment is None or moment.year < 2000:
        order.error(COL_CALLED_AT, "来电时间格式不正确，请写成 2024-03-01 09:30。")
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > clock.now() + dt.timedelta(minutes=5):
        order.error(COL_CALLED_AT, "来电时间晚于现在，请核对。")
        return None
    return moment


def _fill(order: Order, raw) -> Order:
    """Read and check the fields that need no database; `raw(column)` gives a cell's value."""
    from xiangzhi.people.services import normalise_phone

    order.hotline_number = _number(raw(COL_NUMBER), order)
    order.called_at = _called_at(raw(COL_CALLED_AT), order)
    order.reporter_name = _text(raw(COL_NAME))
    if len(order.reporter_name) > MAX_NAME:
        order.error(COL_NAME, f"来电人姓名太长：最多 {MAX_NAME} 字。")
    try:
        order.reporter_phone = normalise_phone(raw(COL_PHONE))
    except ValidationFailed as exc:  # the message never repeats the number
        order.error(COL_PHONE, exc.message)
    order.text = _text(raw(COL_TEXT))
    if not order.text:
        order.error(COL_TEXT, "请填写诉求内容。")
    elif len(order.description) > services.MAX_TEXT:
        order.error(
            COL_TEXT,
            f"诉求内容太长：连同来电时间最多 {services.MAX_TEXT} 字，现在 {len(order.description)} 字。",
        )
    order.region_text = _text(raw(COL_REGION))
    if not order.region_text:
        order.error(COL_REGION, "请填写所在村的区划代码或村名。")
    order.category_text = _text(raw(COL_CATEGORY))
    return order


class _Lookups:
    """What checking the orders needs from the database, read once for the whole file."""

    def __init__(self, user):
        self.user = user
        self._subs = None
        self._regions: dict[str, tuple[Region | None, str]] = {}

    def category(self, text: str) -> tuple[str, str]:
        """(code for case_report, error)"""
        if not text:
            return "", ""
        if text.upper() in CATEGORY_CODES:
            return text.upper(), ""
        if text in CATEGORY_BY_LABEL:
            return CATEGORY_BY_LABEL[text], ""
        if self._subs is None:
            self._subs = {}
            for sub in CaseCategory.objects.exclude(parent=""):
                self._subs.setdefault(sub.code, sub.code)
                self._subs.setdefault(sub.name, sub.code)
        if text in self._subs:
            return self._subs[text], ""
        labels = "、".join(label for _, label in CATEGORY_CHOICES)
        return "", f"无法识别的类别“{text[:20]}”：可填{labels}，或子类别名称。"

    def region(self, text: str) -> tuple[Region | None, str]:
        """(region, error): a village or grid within the user's `cases.hotline` reach."""
        if text not in self._regions:
            self._regions[text] = self._region(text)
        return self._regions[text]

    def _region(self, text: str) -> tuple[Region | None, str]:
        active = Region.objects.filter(is_active=True, level__in=("village", "grid", "micro_grid"))
        if text.isdigit():
            found = active.filter(code=text).first()
            if found is None:
                return None, f"区划代码 {text[:18]} 不是系统中的村或网格。"
            if not policy.can(self.user, "cases.hotline", found):
                return None, f"{found.name}（{found.code}）不在您的辖区内，不能导入。"
            return found, ""
        named = list(
            policy.scope(self.user, "cases.hotline", active.filter(level="village", name=text), field="code")
        )
        if not named:
            return None, f"您的辖区内没有名为“{text[:30]}”的村：请填区划代码。"
        if len(named) > 1:
            return None, f"您的辖区内有 {len(named)} 个名为“{text}”的村：请填区划代码。"
        return named[0], ""


def _check(order: Order, lookups: _Lookups) -> None:
    if order.region_text:
        order.region, reason = lookups.region(order.region_text)
        if reason:
            order.error(COL_REGION, reason)
    order.category, reason = lookups.category(order.category_text)
    if reason:
        order.error(COL_CATEGORY, reason)


def _file(user, order: Order) -> tuple[Case, bool]:
    return services.case_report(
        user=user,
        region_code=order.region.code,
        description=order.description,
        category=order.category,
        source="hotline",
        hotline_number=order.hotline_number,
        reporter_name=order.reporter_name,
        reporter_phone=order.reporter_phone,
        reported_at=order.called_at,
    )


def order_submit(
    *,
    user,
    hotline_number: str,
    description: str,
    region: str,
    called_at: dt.datetime | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    category: str = "",
) -> tuple[Case, bool]:
    """One order (the API). Returns (case, created); an order already imported returns its case, created=False.
    The first problem found is raised as a ValidationFailed naming the API field."""
    policy.require(user, "cases.hotline")
    values = {
        COL_NUMBER: hotline_number,
        COL_CALLED_AT: called_at,
        COL_NAME: reporter_name,
        COL_PHONE: reporter_phone,
        COL_TEXT: description,
        COL_REGION: region,
        COL_CATEGORY: category,
    }
    order = _fill(Order(row=0), values.get)
    if not order.errors:
        existing = Case.objects.filter(hotline_number=order.hotline_number).first()
        if existing is not None:
            return existing, False
        named = Region.objects.filter(code=order.region_text, is_active=True).first()
        if named is not None:
            policy.require(user, "cases.hotline", named)  # a place out of reach: refused and audited
        _check(order, _Lookups(user))
    if order.errors:
        first = order.errors[0]
        raise ValidationFailed(f"{first.column}：{first.reason}", field=API_FIELDS.get(first.column))
    policy.require(user, "cases.hotline", order.region)
    return _file(user, order)


# -- a file ----------------------------------------------------------------------------------------------------


@dataclass
class Skipped:
    row: int
    hotline_number: str
    case_number: str  # "" when the case is outside the importer's reach


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


def run_import(*, user, file) -> ImportResult:
    """Import a 12345 export (see the module docstring). All or nothing; the attempt is audited with counts."""
    policy.require(user, "cases.hotline")
    result = ImportResult()
    try:
        orders = _read(file, result)
        if not result.file_error:
            _validate(user, orders, result)
            if not result.errors:
                _write(user, orders, result)
    finally:
        with transaction.atomic():
            record(
                "cases.hotline_imported",
                None,
                changes={
                    "rows": result.rows,
                    "imported": result.imported,
                    "skipped": len(result.skipped),
                    "bad_rows": result.bad_rows,
                    "file_error": bool(result.file_error),
                },
                result=AuditRecord.RESULT_OK if result.ok else AuditRecord.RESULT_FAILED,
                region_code=policy.audit_region(user, "cases.hotline"),
                actor=user,
            )
    result.errors.sort(key=lambda e: (e.row, HEADERS.index(e.column) if e.column in HEADERS else -1))
    return result


def _columns(rows: list[tuple]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:5]):
        cells = [_text(v) for v in row]
        if COL_NUMBER in cells and COL_TEXT in cells:
            columns = {h: cells.index(h) for h in HEADERS if h in cells}
            if COL_REGION not in columns:  # "所在村" or "所在村(区划代码或村名)" typed by hand
                for i, c in enumerate(cells):
                    if c.startswith("所在村"):
                        columns[COL_REGION] = i
                        break
            return index, columns
    return None


def _read(file, result: ImportResult) -> list[Order]:
    table = read_table(
        file,
        sheet_title=SHEET_TITLE,
        max_rows=MAX_IMPORT_ROWS,
        find_header=_columns,
        required=REQUIRED_HEADERS,
        what="热线工单表",
        header_hint="工单编号、来电时间、来电人",
    )
    if isinstance(table, str):
        result.file_error = table
        return []
    orders = []
    for excel_row, values in table.rows:

        def raw(header, values=values):
            i = table.columns.get(header)
            return values[i] if i is not None and i < len(values) else None

        orders.append(_fill(Order(row=excel_row), raw))
    if not orders:
        result.file_error = "表中没有工单：请从第二行起每行填一张工单。"
        return []
    result.rows = len(orders)
    return orders


def _validate(user, orders: list[Order], result: ImportResult) -> None:
    """Row checks that need the database, and duplicates within the file. An order already in the system is
    skipped whatever its other cells say (it is not imported again); a second row with the same number is an
    error, so that two different orders typed with one number are not silently merged."""
    lookups = _Lookups(user)
    first_row: dict[str, int] = {}
    for o in orders:
        if o.hotline_number:
            if o.hotline_number in first_row:
                o.error(COL_NUMBER, f"与第 {first_row[o.hotline_number]} 行的工单编号重复。")
            else:
                first_row[o.hotline_number] = o.row
    numbers = list(first_row)
    done: dict[str, Case] = {}
    for i in range(0, len(numbers), 500):
        for case in Case.objects.filter(hotline_number__in=numbers[i : i + 500]):
            done[case.hotline_number] = case
    for o in orders:
        case = done.get(o.hotline_number)
        if case is not None and first_row[o.hotline_number] == o.row:
            o.errors.clear()
            visible = policy.can(user, "cases.view", case)
            result.skipped.append(Skipped(o.row, o.hotline_number, case.number if visible else ""))
            continue
        _check(o, lookups)
        result.errors.extend(o.errors)


class _Abort(Exception):
    pass


def _write(user, orders: list[Order], result: ImportResult) -> None:
    already = list(result.skipped)
    skip_rows = {s.row for s in already}
    try:
        with transaction.atomic():
            for o in orders:
                if o.row in skip_rows:
                    continue
                try:
                    case, created = _file(user, o)
                except (DomainError, IntegrityError) as exc:
                    if isinstance(exc, PermissionDenied):
                        reason = "您没有权限在该村导入热线工单。"
                    elif isinstance(exc, DomainError):
                        reason = exc.message
                    else:
                        reason = "写入失败（可能已被他人同时导入），请重新导入。"
                    column = COLUMN_OF_FIELD.get(getattr(exc, "field", None) or "", "")
                    result.errors.append(RowError(o.row, column, reason))
                    raise _Abort() from None
                if created:
                    result.imported += 1
                else:  # imported by someone else since the check
                    visible = policy.can(user, "cases.view", case)
                    result.skipped.append(Skipped(o.row, o.hotline_number, case.number if visible else ""))
    except _Abort:
        result.imported, result.skipped = 0, already
