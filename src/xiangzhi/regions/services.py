"""Changing the jurisdiction tree."""

from django.core.exceptions import ValidationError
from django.db import transaction

from xiangzhi.audit.services import record
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.regions.models import Region, validate_code


@transaction.atomic
def region_create(*, code: str, name: str, parent: Region | None = None) -> Region:
    code = (code or "").strip()
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写名称。", field="name")
    try:
        level = validate_code(code, parent.code if parent else None)
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict["code"][0], field="code") from None
    if Region.objects.filter(code=code).exists():
        raise ValidationFailed(f"区划代码 {code} 已存在。", field="code")
    region = Region.objects.create(code=code, name=name, level=level, parent=parent)
    record("regions.created", region, changes={"code": code, "name": name})
    return region
