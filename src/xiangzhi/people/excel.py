"""The 户籍台账 (household register) as an Excel sheet: the template, the import and the export.

Columns are documented in docs/register-template.md. The committed copy of the template
(`people/data/register-template.xlsx`) is regenerated with `xiangzhi people template --output <path>`; a test checks
it matches `build_template()`.
"""

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from xiangzhi import policy
from xiangzhi.audit.models import AuditRecord
from xiangzhi.audit.services import record
from xiangzhi.core import clock, crypto
from xiangzhi.core.errors import DomainError, ValidationFailed
from xiangzhi.core.xlsx import cell_text, read_table, text_row
from xiangzhi.people.models import Household, Resident

TEMPLATE_PATH = Path(__file__).resolve().parent / "data" / "register-template.xlsx"
SHEET_TITLE = "户籍台账"
COLUMNS = [
    # (header, width, text format)
    ("组别", 10, True),
    ("户号", 10, True),
    ("户主", 10, True),
    ("姓名", 10, True),
    ("与户主关系", 12, True),
    ("性别", 6, True),
    ("出生日期", 12, True),
    ("身份证号", 22, True),
    ("联系电话", 14, True),
    ("住址", 28, True),
    ("人员类别", 10, True),
    ("网格编码", 18, True),
    ("标签", 20, True),
]
HEADERS = [c[0] for c in COLUMNS]
REQUIRED_HEADERS = ["户号", "姓名", "与户主关系", "身份证号", "住址", "网格编码"]
TEMPLATE_ROWS = 500  # rows pre-formatted as text in the template
MAX_IMPORT_ROWS = 20000

RELATION_BY_LABEL = {label: code for code, label in Resident.RELATION_CHOICES}
RELATION_BY_LABEL.update(
    {
        "本人": "head",
        "妻": "spouse",
        "妻子": "spouse",
        "夫": "spouse",
        "丈夫": "spouse",
        "子": "child",
        "女": "child",
        "儿子": "child",
        "女儿": "child",
        "长子": "child",
        "次子": "child",
        "三子": "child",
        "长女": "child",
        "次女": "child",
        "三女": "child",
        "父亲": "parent",
        "母亲": "parent",
        "父": "parent",
        "母": "parent",
        "孙子": "grandchild",
        "孙女": "grandchild",
        "外孙子": "grandchild",
        "外孙女": "grandchild",
        "儿媳": "child_in_law",
        "女婿": "child_in_law",
        "兄": "sibling",
        "弟": "sibling",
        "姐": "sibling",
        "妹": "sibling",
        "祖父": "grandparent",
        "祖母": "grandparent",
    }
)
RESIDENCE_BY_LABEL = {label: code for code, label in Resident.RESIDENCE_CHOICES}
SEX_BY_LABEL = {"男": "M", "女": "F"}
NUMBER_AS_TEXT_HINT = (
    "身份证号被存成了数字（如 1.41029E+17），后几位已丢失：请把该列设为“文本”格式后重新录入。"
)


# -- template --------------------------------------------------------------------------------------------------


def build_template() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    header_font = Font(bold=True)
    fill = PatternFill("solid", fgColor="F2DCDB")
    for i, (header, width, as_text) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i, value=header)
        cell.font, cell.fill = header_font, fill
        cell.alignment = Alignment(horizontal="center")
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = width
        if as_text:
            # Text format, so Excel keeps all 18 characters of an ID number (as a number it would keep 15).
            ws.column_dimensions[letter].number_format = "@"
            for r in range(2, TEMPLATE_ROWS + 2):
                ws.cell(row=r, column=i).number_format = "@"
    ws.freeze_panes = "A2"
    last = TEMPLATE_ROWS + 1
    for header, options in (
        ("与户主关系", [label for _, label in Resident.RELATION_CHOICES]),
        ("性别", ["男", "女"]),
        ("人员类别", [label for _, label in Resident.RESIDENCE_CHOICES]),
    ):
        letter = get_column_letter(HEADERS.index(header) + 1)
        dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
        dv.error, dv.errorTitle = f"请从下拉列表中选择{header}。", header
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)

    notes = wb.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 80
    notes.append(["列", "说明"])
    for cell in notes[1]:
        cell.font = header_font
    for row in TEMPLATE_NOTES:
        notes.append(list(row))
    return wb


TEMPLATE_NOTES = [
    ("组别", "村民小组，如“第一组”，可空。"),
    ("户号", "户的编号，同一户的每一行填相同户号（必填）。村内已有同一户号的户，成员将补登到该户。"),
    ("户主", "户主姓名，同一户每行相同，可空。"),
    ("姓名", "必填。"),
    (
        "与户主关系",
        "户主、配偶、子女、父母、孙子女、兄弟姐妹、儿媳/女婿、祖父母、其他；每户须有且只有一名户主。",
    ),
    ("性别", "男/女，可空（按身份证号第 17 位判断）；填写时须与身份证号一致。"),
    ("出生日期", "如 1990-01-31，可空（取身份证号中的日期）；填写时须与身份证号一致。"),
    (
        "身份证号",
        "18 位，最后一位可为 X。本列已设为“文本”格式，请勿改为数字格式（数字只保留 15 位有效数字）。",
    ),
    ("联系电话", "11 位手机号码，可空。"),
    ("住址", "必填，同一户各行相同。"),
    ("人员类别", "户籍在村、常住、外出务工；空则为户籍在村。"),
    ("网格编码", "15 位网格代码（或 18 位微网格代码），须属于导入的村（必填）。"),
    (
        "标签",
        "多个标签用顿号分隔，如“低保、残疾”。可用：低保、五保、残疾、脱贫户、监测户、留守老人、留守儿童、独居老人、退役军人、重点人员、党员、村民代表。",
    ),
]


def template_bytes() -> bytes:
    buf = io.BytesIO()
    build_template().save(buf)
    return buf.getvalue()


def write_template(path: Path = TEMPLATE_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    build_template().save(path)
    return path


# -- import ----------------------------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int  # the row number as Excel shows it
    column: str  # the header, "" for the whole row
    reason: str


@dataclass
class ImportResult:
    rows: int = 0  # non-empty data rows read
    imported_rows: int = 0
    households_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    all_or_nothing: bool = False
    file_error: str = ""  # the whole file was refused (unreadable, wrong columns)

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors if e.row})

    @property
    def skipped_rows(self) -> int:
        return self.rows - self.imported_rows

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error


@dataclass
class ParsedRow:
    row: int
    household_key: str
    group_name: str = ""
    number: str = ""
    head_name: str = ""
    name: str = ""
    relation: str = ""
    sex: str | None = None
    birth_date: dt.date | None = None
    id_number: str = ""
    phone: str = ""
    address: str = ""
    residence: str = "registered"
    grid_code: str = ""
    tags: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def error(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.row, column, reason))


_text = cell_text


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        y, m, d = (int(p) for p in text.split("-"))
        return dt.date(y, m, d)
    except (ValueError, TypeError):
        raise ValidationFailed("出生日期格式不正确，请写成 1990-01-31。") from None


def _find_header(rows: list[tuple]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:5]):
        cells = [_text(v) for v in row]
        if "姓名" in cells and "身份证号" in cells:
            return index, {h: cells.index(h) for h in HEADERS if h in cells}
    return None


def _parse_row(excel_row: int, values: tuple, columns: dict[str, int]) -> ParsedRow:
    from xiangzhi.people import services

    def raw(header):
        i = columns.get(header)
        return values[i] if i is not None and i < len(values) else None

    p = ParsedRow(row=excel_row, household_key="")
    p.group_name = _text(raw("组别"))
    p.number = _text(raw("户号"))
    p.head_name = _text(raw("户主"))
    p.name = _text(raw("姓名"))
    p.address = _text(raw("住址"))
    p.grid_code = _text(raw("网格编码"))
    if not p.name:
        p.error("姓名", "请填写姓名。")
    if not p.number:
        p.error("户号", "请填写户号（同一户的各行户号相同）。")
    if not p.address:
        p.error("住址", "请填写住址。")
    if not p.grid_code:
        p.error("网格编码", "请填写网格编码。")
    p.household_key = p.number

    relation = _text(raw("与户主关系"))
    if relation not in RELATION_BY_LABEL:
        p.error(
            "与户主关系",
            "请填写与户主关系（" + "、".join(label for _, label in Resident.RELATION_CHOICES) + "）。"
            if not relation
            else f"无法识别的与户主关系“{relation}”。",
        )
    else:
        p.relation = RELATION_BY_LABEL[relation]

    sex_text = _text(raw("性别"))
    if sex_text and sex_text not in SEX_BY_LABEL:
        p.error("性别", "性别只能填“男”或“女”。")
    sex = SEX_BY_LABEL.get(sex_text)

    birth_raw = raw("出生日期")
    birth = None
    if _text(birth_raw):
        try:
            birth = _date(birth_raw)
        except ValidationFailed as exc:
            p.error("出生日期", exc.message)

    id_raw = raw("身份证号")
    if isinstance(id_raw, int | float):
        p.error("身份证号", NUMBER_AS_TEXT_HINT)
    else:
        try:
            number = services.idnumber.validate(id_raw)
            p.id_number = number
            try:
                _, p.birth_date, p.sex = services.check_identity(id_number=number, birth_date=birth, sex=sex)
            except ValidationFailed as exc:
                p.error("性别" if exc.field == "sex" else "出生日期", exc.message)
        except ValidationFailed as exc:
            p.error("身份证号", exc.message)

    try:
        p.phone = services.normalise_phone(raw("联系电话"))
    except ValidationFailed as exc:
        p.error("联系电话", exc.message)

    residence = _text(raw("人员类别"))
    if residence and residence not in RESIDENCE_BY_LABEL:
        p.error("人员类别", "人员类别只能填" + "、".join(RESIDENCE_BY_LABEL) + "。")
    p.residence = RESIDENCE_BY_LABEL.get(residence, "registered")

    try:
        p.tags = services.normalise_tags(_text(raw("标签")))
    except ValidationFailed as exc:
        p.error("标签", exc.message)
    return p


class _Abort(Exception):
    pass


def run_import(*, user, file, village, all_or_nothing: bool = False) -> ImportResult:
    from xiangzhi.people import services

    if user is not None:
        policy.require(user, "people.import", village)
    result = ImportResult(all_or_nothing=all_or_nothing)
    try:
        parsed = _read(file, result)
        if not result.file_error:
            grids, existing = _validate_against_database(parsed, village, result)
            if not (all_or_nothing and result.errors):
                _write(user, parsed, grids, existing, result, services)
    finally:
        with transaction.atomic():
            record(
                "people.register_imported",
                village,
                changes={
                    "rows": result.rows,
                    "imported_rows": result.imported_rows,
                    "households_created": result.households_created,
                    "bad_rows": result.bad_rows,
                    "all_or_nothing": all_or_nothing,
                    "file_error": bool(result.file_error),
                },
                result=AuditRecord.RESULT_OK if result.ok else AuditRecord.RESULT_FAILED,
                actor=user,
            )
    result.errors.sort(key=lambda e: (e.row, HEADERS.index(e.column) if e.column in HEADERS else -1))
    return result


def _read(file, result: ImportResult) -> list[ParsedRow]:
    table = read_table(
        file,
        sheet_title=SHEET_TITLE,
        max_rows=MAX_IMPORT_ROWS,
        find_header=_find_header,
        required=REQUIRED_HEADERS,
        what="台账",
        header_hint="组别、户号、户主、姓名",
    )
    if isinstance(table, str):
        result.file_error = table
        return []
    parsed = [_parse_row(excel_row, values, table.columns) for excel_row, values in table.rows]
    result.rows = len(parsed)
    return parsed


def _validate_against_database(parsed: list[ParsedRow], village, result: ImportResult) -> tuple[dict, dict]:
    """Checks that need the database (grid codes, IDs already registered, households already there) and
    within the sheet (duplicate IDs, one head per household). Adds every problem to `result.errors`."""
    from xiangzhi.regions.models import Region

    grids = {
        r.code: r
        for r in Region.objects.filter(
            level__in=("grid", "micro_grid"),
            is_active=True,
            code__gte=village.code,
            code__lt=village.code + "~",
        )
    }
    seen: dict[str, int] = {}
    hashes = {}
    for p in parsed:
        if p.grid_code and p.grid_code not in grids:
            p.error("网格编码", f"网格编码 {p.grid_code} 不是{village.name}的网格。")
        if p.id_number:
            h = crypto.lookup_hash(p.id_number, purpose="id_number")
            hashes[p.row] = h
            if h in seen:
                p.error("身份证号", f"与第 {seen[h]} 行的身份证号重复。")
            else:
                seen[h] = p.row
    taken: set[str] = set()
    values = list(set(hashes.values()))
    for i in range(0, len(values), 500):
        taken |= set(
            Resident.objects.filter(id_number_hash__in=values[i : i + 500]).values_list(
                "id_number_hash", flat=True
            )
        )
    for p in parsed:
        if hashes.get(p.row) in taken:
            p.error("身份证号", "该身份证号已登记，不能重复登记。")

    existing = {
        h.number: h
        for h in Household.objects.filter(
            region_code__gte=village.code,
            region_code__lt=village.code + "~",
            number__in={p.number for p in parsed if p.number},
        )
    }
    for key, rows in _households(parsed).items():
        heads = [p for p in rows if p.relation == "head"]
        household = existing.get(key)
        has_head = household is not None and household.head_id is not None
        if len(heads) > 1:
            for p in heads[1:]:
                p.error("与户主关系", f"户号 {key} 有多名户主（第 {heads[0].row} 行已是户主）。")
        elif not heads and not has_head:
            rows[0].error("与户主关系", f"户号 {key} 没有户主：请把其中一人的与户主关系填为“户主”。")
        elif heads and has_head:
            heads[0].error("与户主关系", f"户号 {key} 在村里已有户主，不能再登记户主。")
        first = heads[0] if heads else rows[0]
        for p in rows:
            if p.grid_code and first.grid_code and p.grid_code != first.grid_code:
                p.error("网格编码", f"同一户的网格编码应相同（第 {first.row} 行为 {first.grid_code}）。")
            if p.address and first.address and p.address != first.address:
                p.error("住址", f"同一户的住址应相同（第 {first.row} 行为“{first.address}”）。")
        if household is not None and first.grid_code and household.region_code != first.grid_code:
            first.error("网格编码", f"户号 {key} 在村里已登记在另一网格（{household.region_code}）。")
    for p in parsed:
        result.errors.extend(p.errors)
    return grids, existing


def _households(parsed: list[ParsedRow]) -> dict[str, list[ParsedRow]]:
    groups: dict[str, list[ParsedRow]] = {}
    for p in parsed:
        if p.household_key:
            groups.setdefault(p.household_key, []).append(p)
    return groups


def _write(user, parsed: list[ParsedRow], grids, existing, result: ImportResult, services) -> None:
    groups = _households(parsed)
    try:
        with transaction.atomic():
            for key, rows in groups.items():
                bad = [p for p in rows if p.errors]
                if bad:
                    for p in rows:
                        if not p.errors:
                            result.errors.append(
                                RowError(p.row, "", f"未导入：同一户（户号 {key}）第 {bad[0].row} 行有误。")
                            )
                    continue
                try:
                    with transaction.atomic():  # one savepoint per household: all of it or none
                        created = _write_household(user, key, rows, grids, existing.get(key), services)
                except (DomainError, IntegrityError) as exc:
                    reason = (
                        exc.message if isinstance(exc, DomainError) else "写入失败（可能已被他人同时登记）。"
                    )
                    result.errors.append(RowError(rows[0].row, "", f"户号 {key} 未导入：{reason}"))
                    if result.all_or_nothing:
                        raise _Abort() from None
                    continue
                result.imported_rows += len(rows)
                result.households_created += created
    except _Abort:
        result.imported_rows = result.households_created = 0


def _write_household(user, key, rows, grids, household, services) -> int:
    heads = [p for p in rows if p.relation == "head"]
    first = heads[0] if heads else rows[0]
    created = 0
    if household is None:
        household = services.household_create(
            user=user,
            grid=grids[first.grid_code],
            address=first.address,
            number=key,
            group_name=first.group_name,
        )
        created = 1
    for p in sorted(rows, key=lambda r: r.relation != "head"):
        services.resident_create(
            user=user,
            household=household,
            name=p.name,
            id_number=p.id_number,
            birth_date=p.birth_date,
            sex=p.sex,
            phone=p.phone,
            relation=p.relation,
            residence=p.residence,
            tags=p.tags,
        )
    return created


# -- export ----------------------------------------------------------------------------------------------------


def build_export(*, user, region_code=None, q=None, tag=None, status=None) -> tuple[bytes, int, int, bool]:
    """Households and residents the user may export (`people.export` scope), as two sheets. ID numbers, phones
    and birth dates appear in full only where the user holds `people.reveal_pii`; elsewhere the last four and the
    age. Returns (content, households, residents, whether anything was revealed)."""
    from xiangzhi.people import presenters, selectors

    households = selectors.household_list(
        user=user, q=q, tag=tag, region_code=region_code, status=status, action="people.export"
    )
    residents = (
        selectors.resident_list(user=user, region_code=region_code, action="people.export")
        .filter(household__in=households.values("pk"))
        .defer(None)  # load the encrypted columns; each is decrypted only if the user may see it
    )
    wb = Workbook(write_only=True)
    hs = wb.create_sheet("户")
    hs.append(["组别", "户号", "户主", "住址", "网格编码", "网格", "人数", "状态", "标签"])
    n_households = 0
    for h in households.iterator(chunk_size=2000):
        n_households += 1
        hs.append(
            text_row(
                hs,
                [
                    h.group_name,
                    h.number,
                    h.head_name,
                    h.address,
                    h.region_code,
                    h.region.name,
                    h.member_count,
                    h.get_status_display(),
                    "、".join(h.tag_list),
                ],
            )
        )
    rs = wb.create_sheet("居民")
    rs.append([*HEADERS[:6], "出生日期/年龄", *HEADERS[7:], "状态"])
    n_residents, revealed_any = 0, False
    today = clock.today()
    for r in residents.iterator(chunk_size=2000):
        n_residents += 1
        reveal = policy.can(user, "people.reveal_pii", r)
        revealed_any |= reveal
        rs.append(
            text_row(
                rs,
                [
                    r.household.group_name,
                    r.household.number,
                    r.household.head_name,
                    r.name,
                    r.get_relation_display(),
                    r.get_sex_display(),
                    f"{r.birth_date:%Y-%m-%d}" if reveal else f"{r.age_on(today)}岁",
                    str(r.id_number) if reveal else presenters.masked_id(r),
                    str(r.phone or "") if reveal else presenters.masked_phone(r),
                    r.household.address,
                    r.get_residence_display(),
                    r.region_code,
                    "、".join(r.tag_list),
                    r.get_status_display(),
                ],
            )
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), n_households, n_residents, revealed_any
