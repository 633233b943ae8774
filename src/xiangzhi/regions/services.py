"""Changing the jurisdiction tree: create a node, merge a village into another (撤并), import the tree from Excel."""

import io
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Concat, Substr

from xiangzhi.audit.services import record
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.regions import codes
from xiangzhi.regions.models import Region, validate_code


@transaction.atomic
def region_create(*, code: str, name: str, parent: Region | None = None) -> Region:
    code = (code or "").strip()
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写名称。", field="name")
    if len(name) > Region._meta.get_field("name").max_length:
        raise ValidationFailed("名称不能超过 100 个字。", field="name")
    try:
        level = validate_code(code, parent.code if parent else None)
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict["code"][0], field="code") from None
    if parent is not None and not parent.is_active:
        raise ValidationFailed(f"上级 {parent.code}（{parent.name}）已撤并，不能再增加下级。", field="code")
    if Region.objects.filter(code=code).exists():
        raise ValidationFailed(f"区划代码 {code} 已存在。", field="code")
    region = Region.objects.create(code=code, name=name, level=level, parent=parent)
    record("regions.created", region, changes={"code": code, "name": name})
    return region


@transaction.atomic
def region_rename(*, region: Region, name: str) -> Region:
    """Change a region's name (its code never changes: other rows carry copies of it)."""
    region = Region.objects.select_for_update().get(pk=region.pk)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写名称。", field="name")
    if len(name) > Region._meta.get_field("name").max_length:
        raise ValidationFailed("名称不能超过 100 个字。", field="name")
    if not region.is_active:
        raise ValidationFailed(f"{region.name}已撤并，不能再修改。", field="name")
    if name == region.name:
        raise ValidationFailed("名称没有变化。", field="name")
    old = region.name
    region.name = name
    region.save(update_fields=["name"])
    record("regions.renamed", region, changes={"name": [old, name]})
    return region


# --- 撤并: merging a village into another ---------------------------------------------------------------


@dataclass
class MergeResult:
    source: Region
    target: Region
    grid_codes: dict[str, str]  # old grid code -> new grid code
    rows: dict[str, int] = field(default_factory=dict)  # model label -> rows whose region_code was rewritten


def region_code_models() -> list[type[models.Model]]:
    """Every concrete model with a field named `region_code`: the copies a merger must rewrite."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or model._meta.abstract:
            continue
        try:
            f = model._meta.get_field("region_code")
        except Exception:
            continue
        if getattr(f, "concrete", False):
            found.append(model)
    return sorted(found, key=lambda m: m._meta.label)


def _rewrite_prefix(qs, old: str, new: str) -> int:
    """region_code = new + what follows `old`, for every row under `old` (an indexed range query)."""
    return qs.filter(codes.scope_q([old])).update(
        region_code=Concat(Value(new), Substr("region_code", len(old) + 1), output_field=CharField())
    )


def _next_free_numbers(target: Region, count: int) -> list[str]:
    """The next `count` grid codes under `target`, after the highest grid number in use there (gaps left by a
    deleted grid are not reused, so an old code never comes back meaning another place)."""
    used = Region.objects.filter(codes.scope_q([target.code], field="code"), level=codes.GRID).values_list(
        "code", flat=True
    )
    highest = max((int(c[-3:]) for c in used), default=0)
    if highest + count > 999:
        raise ValidationFailed(f"{target.name}的网格编号不够用（最多 999 个）。")
    return [f"{target.code}{n:03d}" for n in range(highest + 1, highest + count + 1)]


def _repoint_foreign_keys(source: Region, target: Region, counts: dict[str, int]) -> None:
    """Rows that point at the source village (a party branch's home, a role's region…) now point at the target.
    Many-to-many links (a 联村党总支's covered villages) move too, without duplicating an existing link."""
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if getattr(f, "related_model", None) is not Region or not getattr(f, "concrete", False):
                continue
            if model is Region:
                continue  # parent / merged_into of the tree itself are handled by the merge
            if f.many_to_many:
                through = f.remote_field.through
                src_col, dst_col = f.m2m_field_name(), f.m2m_reverse_field_name()
                links = through.objects.filter(**{dst_col: source})
                already = set(
                    through.objects.filter(**{dst_col: target}).values_list(f"{src_col}_id", flat=True)
                )
                links.filter(**{f"{src_col}_id__in": already}).delete()
                moved = links.update(**{dst_col: target})
            elif f.many_to_one or f.one_to_one:
                moved = model._default_manager.filter(**{f.name: source}).update(**{f.name: target})
            else:
                continue
            if moved:
                key = f"{model._meta.label_lower}.{f.name}"
                counts[key] = counts.get(key, 0) + moved


def _merge_role_assignments(source: Region, target: Region, counts: dict[str, int]) -> None:
    """A person holding the same role on both villages keeps one assignment: the source's copy is removed
    before the codes are rewritten (it would otherwise collide with the target's on the unique key)."""
    from xiangzhi.accounts.models import RoleAssignment

    at_target = set(
        RoleAssignment.objects.filter(region_code=target.code).values_list(
            "user_id", "role", "scope_type", "scope_id"
        )
    )
    duplicates = [
        a.pk
        for a in RoleAssignment.objects.filter(region_code=source.code)
        if (a.user_id, a.role, a.scope_type, a.scope_id) in at_target
    ]
    if duplicates:
        RoleAssignment.objects.filter(pk__in=duplicates).delete()
        counts["accounts.roleassignment.duplicates_removed"] = len(duplicates)


def region_merge_grid_codes(*, source: Region, target: Region) -> dict[str, str]:
    """Old grid code -> the code it takes under the target, in code order (what a merger would do now)."""
    grids = list(Region.objects.filter(parent=source, level=codes.GRID).order_by("code"))
    return dict(zip([g.code for g in grids], _next_free_numbers(target, len(grids)), strict=True))


def region_merge_check(*, source: Region, target: Region) -> None:
    """Refuse a merger the rules forbid (also asked by the confirmation page's dry run, before anything moves)."""
    if source.level != codes.VILLAGE or target.level != codes.VILLAGE:
        raise ValidationFailed("撤并只能在村（社区）之间进行。")
    if source.pk == target.pk:
        raise ValidationFailed("不能把一个村并入它自己。")
    if not source.is_active:
        raise ValidationFailed(f"{source.name}已撤并，不能再次撤并。")
    if not target.is_active:
        raise ValidationFailed(f"{target.name}已撤并，不能作为并入的目标。")
    if source.parent_id != target.parent_id:
        raise ValidationFailed("只能在同一乡镇内撤并村；跨乡镇调整请先调整乡镇区划。")


@transaction.atomic
def region_merge(*, source: Region, target: Region, actor=None) -> MergeResult:
    """Merge village `source` into village `target` of the same town (撤并).

    In one transaction: the source's grids move under the target with the next free grid numbers (their
    micro-grids follow), every copied `region_code` under the source is rewritten on every model that has one
    (discovered, so new modules are covered without being listed here; audit records included, which is why the
    hash leaves region_code out), rows pointing at the source village point at the target, and the source is
    marked inactive with `merged_into`. One audit record tells it all, with counts. Any conflict rolls it all back.
    """
    source = Region.objects.select_for_update().get(pk=source.pk)
    target = Region.objects.select_for_update().get(pk=target.pk)
    region_merge_check(source=source, target=target)

    grid_codes = region_merge_grid_codes(source=source, target=target)
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            _merge_role_assignments(source, target, counts)
            for model in region_code_models():
                qs = model._default_manager.all()
                n = qs.filter(region_code=source.code).update(region_code=target.code)
                for old, new in grid_codes.items():
                    n += _rewrite_prefix(qs, old, new)
                if n:
                    counts[model._meta.label_lower] = n
                left = qs.filter(codes.scope_q([source.code])).count()
                if left:
                    raise ValidationFailed(
                        f"{model._meta.verbose_name}中有 {left} 条记录的辖区代码在{source.name}下，"
                        "却不属于任何网格，无法撤并；请先更正这些记录。"
                    )
            # The tree: grids and micro-grids get their new codes (free codes, so no clash on the unique key).
            for old, new in grid_codes.items():
                for node in Region.objects.filter(codes.scope_q([old], field="code")).order_by("code"):
                    node.code = new + node.code[len(old) :]
                    if node.level == codes.GRID:
                        node.parent = target
                    node.save(update_fields=["code", "parent"])
            _repoint_foreign_keys(source, target, counts)
            source.is_active = False
            source.merged_into = target
            source.save(update_fields=["is_active", "merged_into"])
    except IntegrityError:
        raise Conflict(f"{source.name}并入{target.name}时与已有数据冲突，已全部撤回。") from None
    record(
        "regions.merged",
        target,
        actor=actor,
        changes={"source": source.code, "target": target.code, "grids": grid_codes, "rows": counts},
    )
    return MergeResult(source=source, target=target, grid_codes=grid_codes, rows=counts)


# --- Excel: the tree as a sheet (区划代码, 名称, 上级代码) -------------------------------------------------

EXCEL_HEADERS = ["区划代码", "名称", "上级代码"]


class ImportFailed(ValidationFailed):
    """The import was refused as a whole; `errors` lists (row number, message) for every bad row."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(f"导入失败：{len(errors)} 行有错误，未导入任何数据。")
        self.errors = errors


@dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed into a number cell
    return str(value).strip()


def _read_rows(data: bytes) -> list[tuple[int, str, str, str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ValidationFailed("无法读取该文件，请上传 Excel（.xlsx）文件。", field="file") from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_cell_text(v) for v in next(rows, ())][:3]
    if header != EXCEL_HEADERS:
        raise ValidationFailed(f"第 1 行应为表头：{'、'.join(EXCEL_HEADERS)}。", field="file")
    out = []
    for number, row in enumerate(rows, start=2):
        cells = [_cell_text(v) for v in (list(row) + [None, None, None])[:3]]
        if not any(cells):
            continue
        out.append((number, *cells))
    wb.close()
    return out


@transaction.atomic
def region_import(*, data: bytes, user=None) -> ImportReport:
    """Create the regions of a sheet (区划代码, 名称, 上级代码), all or nothing.

    Every row goes through `region_create`, so the rules are the same as one by one; a row's parent may be in the
    database or earlier *or later* in the sheet (rows are taken level by level). A row identical to an existing
    region is left as it is (so a sheet exported earlier can be imported again); with `user`, every row must lie
    within the user's `regions.change` reach. Any bad row refuses the whole sheet, with a Chinese message per row.
    """
    from xiangzhi import policy

    rows = _read_rows(data)
    if not rows:
        raise ValidationFailed("表格中没有数据行。", field="file")
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    report = ImportReport()
    for number, code, _name, _parent in rows:
        if code in seen:
            errors.append((number, f"区划代码 {code} 与第 {seen[code]} 行重复。"))
        else:
            seen[code] = number

    def order(row):
        return (len(row[1]) if row[1].isdigit() else 99, row[0])

    for number, code, name, parent_code in sorted(rows, key=order):
        if seen.get(code) != number:
            continue  # a duplicate, reported above
        if user is not None and not policy.can(user, "regions.change", SimpleNamespace(region_code=code)):
            errors.append((number, f"区划代码 {code} 不在您的管辖范围内。"))
            continue
        existing = Region.objects.filter(code=code).select_related("parent").first()
        if existing is not None:
            same_parent = (existing.parent.code if existing.parent_id else "") == parent_code
            if existing.name == name and same_parent:
                report.unchanged += 1
            else:
                errors.append((number, f"区划代码 {code} 已存在（{existing.name}），与本行不一致。"))
            continue
        parent = None
        if parent_code:
            parent = Region.objects.filter(code=parent_code).first()
            if parent is None:
                errors.append((number, f"上级代码 {parent_code} 不存在（表中也没有能导入的该行）。"))
                continue
        try:
            with transaction.atomic():
                region_create(code=code, name=name, parent=parent)
        except ValidationFailed as exc:
            errors.append((number, exc.message))
            continue
        report.created += 1
    if errors:
        transaction.set_rollback(True)
        raise ImportFailed(sorted(errors))
    record(
        "regions.imported",
        None,
        actor=user,
        region_code=min(seen, key=len) if seen else "",
        changes={"created": report.created, "unchanged": report.unchanged},
    )
    return report
