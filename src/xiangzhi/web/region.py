"""The region switcher: a user with several regions (or a large one) narrows every list to one of them.

The choice lives in the session; it only ever narrows what the policy already allows.
"""

from xiangzhi import policy
from xiangzhi.regions.models import Region

SESSION_KEY = "xz_region"


def choices(user) -> list[Region]:
    """The regions the user may switch to: each assigned region and, for town or county assignments, the
    villages below it."""
    assigned = [a.region for a in policy.assignments(user) if a.region_id]
    codes = {r.code for r in assigned}
    extra = []
    for r in assigned:
        if r.level in ("county", "town"):
            extra += list(
                Region.objects.filter(code__startswith=r.code, level__in=["town", "village"]).exclude(
                    code__in=codes
                )
            )
    seen, result = set(), []
    for r in sorted(assigned + extra, key=lambda r: r.code):
        if r.code not in seen:
            seen.add(r.code)
            result.append(r)
    return result


def current(request) -> Region | None:
    code = request.session.get(SESSION_KEY)
    if not code:
        return None
    for r in choices(request.user):
        if r.code == code:
            return r
    return None


def current_code(request) -> str | None:
    region = current(request)
    return region.code if region else None
