"""Reading the jurisdiction tree, scoped to the user."""

from xiangzhi import policy
from xiangzhi.regions import codes
from xiangzhi.regions.models import Region


def region_list(*, user, level: str | None = None, within: str | None = None):
    qs = policy.scope(user, "regions.view", Region.objects.all(), field="code")
    if level:
        qs = qs.filter(level=level)
    if within:
        qs = qs.filter(codes.scope_q([within], field="code"))
    return qs


def region_get(*, user, code: str) -> Region:
    return policy.get_scoped_or_404(user, "regions.view", Region.objects.all(), code=code)


def ancestors(region: Region) -> list[Region]:
    """The chain from the county down to the region's parent, in one query."""
    wanted = []
    code = codes.parent_code(region.code)
    while code:
        wanted.append(code)
        code = codes.parent_code(code)
    return list(Region.objects.filter(code__in=wanted).order_by("code"))
