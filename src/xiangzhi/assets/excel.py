"""三资 registers in Excel: the contracts (export, template, import) and the 合同清理 report (export).

The import is all or nothing: every row is checked by the same `services.contract_clean` as the form and the API,
codes are checked against the sheet and the village, and only when no row has a problem are the contracts written,
in one transaction. Each problem names its Excel row and column in Chinese. An exported sheet imports again (the
ID number is exported masked: a masked value imports as "not given"). Text that people typed goes through
`text_row`, so nothing runs as a formula in the cadre's spreadsheet.
"""

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from xiangzhi import policy
from xiangzhi.assets import rules, selectors, services
from xiangzhi.assets.models import Contract
from xiangzhi.audit.services import record
from xiangzhi.core.errors import DomainError, ValidationFailed
from xiangzhi.core.money import fen_to_yuan, yuan_to_fen
from xiangzhi.core.xlsx import cell_text, read_table, text_row

SHEET = "三资合同台账"
MAX_ROWS = 5000
MAX_EXPORT = 100_000
# (header, service field, width)
COLUMNS = [
    ("合同编号", "code", 14),
    ("类别", "category", 8),
    ("合同事项", "matter", 18),
    ("资产或地块", "subject", 28),
    ("面积（亩）", "area", 10),
    ("金额（元）", "amount", 12),
    ("金额口径", "amount_basis", 10),
    ("承包（承租）方", "counterparty_name", 16),
    ("承包方类型", "counterparty_type", 10),
    ("本集体经济组织成员", "counterparty_is_member", 10),
    ("身份证号", "counterparty_id_number", 20),
    ("起始日", "starts_on", 12),
    ("截止日", "ends_on", 12),
    ("有书面合同", "has_written_contract", 10),
    ("决议编号", "resolution", 10),
    ("付款计划", "schedule", 30),
    ("备注", "note", 24),
]
HEADERS = [h for h, _f, _w in COLUMNS]
COLUMN_OF_FIELD = {f: h for h, f, _w in COLUMNS}
EXPORT_EXTRA = [("村", 12), ("应收（元）", 12), ("已收（元）", 12), ("欠款（元）", 12), ("清理问题", 30)]
REQUIRED = ["合同编号", "类别", "合同事项", "资产或地块", "金额（元）", "承包（承租）方", "起始日", "截止日"]
YES, NO = "是", "否"


def _label_to_code(choices) -> dict[str, str]:
    return {label: code for code, label in choices}


CATEGORY_BY_LABEL = _label_to_code(rules.CATEGORY_CHOICES)
MATTER_BY_LABEL = _label_to_code(rules.MATTER_CHOICES)
BASIS_BY_LABEL = _label_to_code(rules.AMOUNT_BASIS_CHOICES)
TYPE_BY_LABEL = _label_to_code(rules.COUNTERPARTY_TYPE_CHOICES)


def _schedule_cell(contract) -> str:
    return "；".join(
        f"{i.due_on:%Y-%m-%d} {fen_to_yuan(i.amount).replace(',', '')}" for i in contract.instalments.all()
    )


def _widths(ws, widths) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def template_bytes() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(HEADERS)
    ws.append(
        [
            "HT-2026-001",
            "资源",
            "集体土地发包",
            "东沟机动地 3 号地块",
            "12.50",
            "3750.00",
            "每年",
            "李四",
            "个人",
            "是",
            "",
            "2026-01-01",
            "2030-12-31",
            "是",
            "",
            "2026-03-01 3750；2027-03-01 3750",
            "示例行，导入前请删除",
        ]
    )
    _widths(ws, [w for _h, _f, w in COLUMNS])
    for col in ("K", "L", "M"):
        for cell in ws[col]:
            cell.number_format = "@"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def contracts_export(*, user, filters: selectors.ContractFilter) -> bytes:
    policy.require(user, "assets.export")
    qs = selectors.contract_list(user=user, filters=filters, action="assets.export").prefetch_related(
        "instalments"
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    _widths(ws, [w for _h, _f, w in COLUMNS] + [w for _h, w in EXPORT_EXTRA])
    ws.append(HEADERS + [h for h, _w in EXPORT_EXTRA])
    rows = 0
    for c in qs[:MAX_EXPORT]:
        ws.append(
            text_row(
                ws,
                [
                    c.code,
                    c.get_category_display(),
                    c.get_matter_display(),
                    c.subject,
                    services.format_area(c.area_cmu),
                    fen_to_yuan(c.amount).replace(",", ""),
                    c.get_amount_basis_display(),
                    c.counterparty_name,
                    c.get_counterparty_type_display(),
                    YES if c.counterparty_is_member else NO,
                    c.id_number_masked,
                    c.starts_on.isoformat(),
                    c.ends_on.isoformat(),
                    YES if c.has_written_contract else NO,
                    c.resolution_id or "",
                    _schedule_cell(c),
                    c.note,
                    c.region.name,
                    fen_to_yuan(c.due_total).replace(",", ""),
                    fen_to_yuan(c.paid_total).replace(",", ""),
                    fen_to_yuan(selectors.arrears_of(c)).replace(",", ""),
                    "、".join(p.label for p in selectors.problems_of(c)),
                ],
            )
        )
        rows += 1
    out = io.BytesIO()
    wb.save(out)
    with transaction.atomic():
        record(
            "assets.contracts_exported",
            changes={"rows": rows, "filter_region": filters.region or "", "problem": filters.problem},
            region_code=policy.audit_region(user, "assets.export", filters.region),
            actor=user,
        )
    return out.getvalue()


def report_export(*, user, region: str | None = None) -> bytes:
    policy.require(user, "assets.export")
    rep = selectors.report(user=user, region=region)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("合同清理报告")
    head = [
        "村",
        "辖区代码",
        "清理合同（份）",
        "面积（亩）",
        "年租金合计（元）",
        "当前欠款（元）",
        "清收欠款（元）",
    ]
    head += [c.label for c in rep.checks] + ["有问题的合同（份）", "清理期间"]
    _widths(ws, [12, 15, 12, 12, 14, 14, 14] + [14] * len(rep.checks) + [14, 24])
    ws.append(head)
    for r in [*rep.rows, rep.total]:
        period = f"{r.review_starts_on:%Y-%m-%d} 至 {r.review_ends_on:%Y-%m-%d}" if r.review_starts_on else ""
        ws.append(
            text_row(
                ws,
                [
                    r.name,
                    r.code,
                    r.contracts,
                    services.format_area(r.area_cmu),
                    fen_to_yuan(r.amount_per_year).replace(",", ""),
                    fen_to_yuan(r.arrears).replace(",", ""),
                    fen_to_yuan(r.recovered).replace(",", ""),
                    *[r.problems.get(c.code, 0) for c in rep.checks],
                    r.with_problems,
                    period,
                ],
            )
        )
    out = io.BytesIO()
    wb.save(out)
    with transaction.atomic():
        record(
            "assets.report_exported",
            changes={"villages": len(rep.rows), "filter_region": region or ""},
            region_code=policy.audit_region(user, "assets.export", region),
            actor=user,
        )
    return out.getvalue()


# -- import -----------------------------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int  # Excel row number (0: the file as a whole)
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        return f"{where}{'「' + self.column + '」' if self.column else ''}：{self.message}"


@dataclass
class ImportResult:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _find_header(rows):
    for i, row in enumerate(rows[:10]):
        texts = [cell_text(v) for v in row]
        if texts and texts[0] == HEADERS[0]:
            return i, {t: j for j, t in enumerate(texts) if t}
    return None


def _date_cell(value, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"{label}“{text}”不是有效的日期（如 2026-03-01）。") from None


def _pick(value: str, mapping: dict, label: str) -> str:
    if value not in mapping:
        raise ValidationFailed(f"{label}应为{'、'.join(mapping)}之一，填的是“{value}”。")
    return mapping[value]


def _yes_no(value: str, label: str) -> bool:
    if value not in (YES, NO):
        raise ValidationFailed(f"{label}应填“是”或“否”，填的是“{value}”。")
    return value == YES


def _row_fields(values, columns) -> tuple[dict, list[tuple[str, str]]]:
    """The service kwargs of one row, and the problems of its cells as (column, message)."""

    def raw(header):
        j = columns.get(header)
        return values[j] if j is not None and j < len(values) else None

    def txt(header):
        return cell_text(raw(header))

    out, problems = {}, []
    steps = [
        ("code", "合同编号", lambda: txt("合同编号")),
        ("category", "类别", lambda: _pick(txt("类别"), CATEGORY_BY_LABEL, "类别")),
        ("matter", "合同事项", lambda: _pick(txt("合同事项"), MATTER_BY_LABEL, "合同事项")),
        ("subject", "资产或地块", lambda: txt("资产或地块")),
        ("area", "面积（亩）", lambda: txt("面积（亩）")),
        ("amount", "金额（元）", lambda: yuan_to_fen(txt("金额（元）") or "x")),
        ("amount_basis", "金额口径", lambda: _pick(txt("金额口径") or "每年", BASIS_BY_LABEL, "金额口径")),
        ("counterparty_name", "承包（承租）方", lambda: txt("承包（承租）方")),
        (
            "counterparty_type",
            "承包方类型",
            lambda: _pick(txt("承包方类型") or "个人", TYPE_BY_LABEL, "承包方类型"),
        ),
        (
            "counterparty_is_member",
            "本集体经济组织成员",
            lambda: _yes_no(txt("本集体经济组织成员"), "本集体经济组织成员"),
        ),
        ("counterparty_id_number", "身份证号", lambda: "" if "*" in txt("身份证号") else raw("身份证号")),
        ("starts_on", "起始日", lambda: _date_cell(raw("起始日"), "起始日")),
        ("ends_on", "截止日", lambda: _date_cell(raw("截止日"), "截止日")),
        ("has_written_contract", "有书面合同", lambda: _yes_no(txt("有书面合同"), "有书面合同")),
        ("resolution_id", "决议编号", lambda: txt("决议编号") or None),
        ("schedule", "付款计划", lambda: services.parse_schedule(re.sub("[；;]", "\n", txt("付款计划")))),
        ("note", "备注", lambda: txt("备注")),
    ]
    for name, header, get in steps:
        try:
            out[name] = get()
        except ValidationFailed as exc:
            problems.append((header, exc.message))
    if isinstance(out.get("counterparty_id_number"), int | float):
        out["counterparty_id_number"] = str(
            out["counterparty_id_number"]
        )  # refused by idnumber with its hint
    return out, problems


def run_import(*, user, file, village) -> ImportResult:
    """Import a 合同台账 into `village`: all rows or none."""
    policy.require(user, "assets.manage", village)
    result = ImportResult()
    table = read_table(
        file,
        sheet_title=SHEET,
        max_rows=MAX_ROWS,
        find_header=_find_header,
        required=REQUIRED,
        what="三资合同台账",
        header_hint="合同编号、类别、合同事项",
    )
    if isinstance(table, str):
        result.errors.append(RowError(0, "", table))
        return result
    cleaned, seen = [], {}
    existing = set(Contract.objects.filter(region=village).values_list("code", flat=True))
    for excel_row, values in table.rows:
        kwargs, problems = _row_fields(values, table.columns)
        for column, message in problems:
            result.errors.append(RowError(excel_row, column, message))
        if problems:
            continue
        try:
            data = services.contract_clean(village=village, **kwargs)
        except DomainError as exc:
            result.errors.append(RowError(excel_row, COLUMN_OF_FIELD.get(_field(exc.field), ""), exc.message))
            continue
        if data.code in existing:
            result.errors.append(RowError(excel_row, "合同编号", f"合同编号“{data.code}”在本村已存在。"))
            continue
        if data.code in seen:
            result.errors.append(
                RowError(excel_row, "合同编号", f"合同编号“{data.code}”与第 {seen[data.code]} 行重复。")
            )
            continue
        seen[data.code] = excel_row
        cleaned.append(data)
    if not table.rows:
        result.errors.append(RowError(0, "", "表中没有合同（表头下面是空的）。"))
    if result.errors:
        return result
    with transaction.atomic():
        for data in cleaned:
            services._create(user, village, data)  # noqa: SLF001 - checked above, same module family
        record(
            "assets.contracts_imported",
            village,
            actor=user,
            region_code=village.code,
            changes={"rows": len(cleaned)},
        )
    result.created = len(cleaned)
    return result


def _field(name: str | None) -> str | None:
    return {"resolution": "resolution"}.get(name, name)
