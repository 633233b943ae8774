from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact

from xiangzhi.regions import codes


class Region(models.Model):
    """One node of the jurisdiction tree. `code` carries the whole path; `parent` mirrors it for joins."""

    code = models.CharField("区划代码", max_length=18, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField(
        "层级", max_length=12, choices=[(lvl, codes.LEVEL_LABELS[lvl]) for lvl in codes.LEVELS]
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField("有效", default=True)  # False once merged away (撤并)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Village-level settings other modules read (e.g. the 党员联户 limit).
    household_link_limit = models.PositiveSmallIntegerField("党员联户上限", default=15)

    class Meta:
        ordering = ["code"]
        verbose_name = "辖区"
        constraints = [
            # Built from SQL's own length() rather than a regex: SQLite has no REGEXP of its own (Django adds one
            # per connection), so a regex constraint would break every other client of the file. That the code is
            # all digits is checked by validate_code(), the only way regions are made.
            models.CheckConstraint(
                condition=models.Q(
                    *[
                        models.Q(level=level) & models.Q(Exact(Length("code"), length))
                        for level, length in codes.LENGTHS.items()
                    ],
                    _connector=models.Q.OR,
                ),
                name="region_code_length_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region_code(self) -> str:  # a region is scoped by its own code
        return self.code

    @property
    def level_label(self) -> str:
        return codes.LEVEL_LABELS[self.level]

    def clean(self):
        validate_code(self.code, self.parent.code if self.parent_id else None)


def validate_code(code: str, parent: str | None) -> str:
    """Return the level of `code` or raise ValidationError with a Chinese message."""
    if not code or not code.isdigit():
        raise ValidationError({"code": "区划代码只能由数字组成。"})
    level = codes.level_of(code)
    if level is None:
        raise ValidationError({"code": f"区划代码长度应为 6/9/12/15/18 位，实际为 {len(code)} 位。"})
    expected_parent = codes.parent_code(code)
    if expected_parent is None:
        if parent:
            raise ValidationError({"code": "县级区划不能有上级。"})
    elif parent != expected_parent:
        raise ValidationError(
            {"code": f"区划代码 {code} 应以上级代码 {expected_parent} 开头，且上级必须为 {expected_parent}。"}
        )
    return level
