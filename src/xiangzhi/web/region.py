"""The region switcher: a user with several regions (or a large one) narrows every list to one of them.

The choice lives in the session; it only ever narrows what the policy already allows.
"""

from xiangzhi import policy
from xiangzhi.regions.codes import scope_q
from xiangzhi.regions.models import Region

SESSION_KEY = "xz_region"


def choices(user) -> list[Region]:
    """The regions the user may switch to: each assigned region and, for town or county assignments, the towns
    and villages below them (one indexed range query), cached on the user for the request."""
    cached = getattr(user, "_xz_region_choices", None)
    if cached is not None:
        return cached
    assigned = [a.region for a in policy.assignments(user) if a.region_id]
    wide = [r.code for r in assigned if r.level in ("county", "town")]
    below = (
        list(Region.objects.filter(scope_q(wide, field="code"), level__in=["town", "village"]))
        if wide
        else []
    )
    by_code = {r.code: r for r in [*assigned, *below]}
    user._xz_region_choices = [by_code[code] for code in sorted(by_code)]
    return user._xz_region_choices


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
