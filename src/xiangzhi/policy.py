"""The one authorisation policy: `can(user, action, obj)` and scoped selectors.

Each app declares its actions in its own `policy.py` with `register(action, roles=..., rule=...)`:
which roles grant the action, and optionally an object rule for what the region alone does not say
(a department's cases, one store). Views, API routes, exports and reports ask here and nowhere else.

A role assignment grants its actions over the subtree of its region: an object is within reach when its
`region_code` starts with the assignment's region code. Assignments without a region (the 三员) reach the
whole install.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404

from xiangzhi.regions.codes import in_scope, scope_q

Rule = Callable[[object, object, object], bool]  # (user, assignment, obj) -> bool


@dataclass
class ActionSpec:
    action: str
    roles: frozenset[str]
    rule: Rule | None = None
    label: str = ""
    extra_scopes: list[Callable] = field(default_factory=list)


_actions: dict[str, ActionSpec] = {}


def register(action: str, *, roles: Iterable[str], rule: Rule | None = None, label: str = "") -> None:
    from xiangzhi.accounts.roles import ROLES

    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles for {action}: {sorted(unknown)}")
    _actions[action] = ActionSpec(action, frozenset(roles), rule, label)


def actions() -> dict[str, ActionSpec]:
    return dict(_actions)


def _spec(action: str) -> ActionSpec:
    try:
        return _actions[action]
    except KeyError:
        raise LookupError(f"action {action!r} is not registered in any policy.py") from None


def assignments(user) -> list:
    """The user's active role assignments, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_xz_assignments", None)
    if cached is None:
        from xiangzhi.accounts.models import RoleAssignment

        cached = list(RoleAssignment.objects.filter(user=user, is_active=True).select_related("region"))
        user._xz_assignments = cached
    return cached


def granting(user, action: str) -> list:
    spec = _spec(action)
    return [a for a in assignments(user) if a.role in spec.roles]


def can(user, action: str, obj=None) -> bool:
    spec = _spec(action)
    grants = granting(user, action)
    if not grants:
        return False
    if obj is None:
        return True
    code = getattr(obj, "region_code", None)
    for a in grants:
        if code is not None and not in_scope(code, a.region_code):
            continue
        if spec.rule is None or spec.rule(user, a, obj):
            return True
    return False


def region_prefixes(user, action: str) -> list[str]:
    return [a.region_code for a in granting(user, action)]


def audit_region(user, action: str, code: str | None = None) -> str:
    """The region an audit record of `action` belongs to: `code` (a filter the user chose) when it lies within the
    user's reach — a code typed for another county must not file the record in that county's chain — else the
    user's one grant, else none (the system chain)."""
    prefixes = region_prefixes(user, action)
    if code and any(in_scope(code, p) for p in prefixes):
        return code
    return prefixes[0] if len(prefixes) == 1 else ""


def scope(
    user, action: str, queryset: QuerySet, *, field: str = "region_code", within: str | None = None
) -> QuerySet:
    """The rows of `queryset` the user may `action`: one indexed range query per granted region.

    `within` narrows to a subtree (a village or grid picked in a filter). It is intersected with the granted
    prefixes here, so the database sees one narrow range instead of a wide one AND a narrow one (which SQLite
    would answer from the wide one). Object rules that narrow further are applied by the app's own selector."""
    prefixes = region_prefixes(user, action)
    if within:
        prefixes = [
            within if in_scope(within, p) else p
            for p in prefixes
            if in_scope(within, p) or in_scope(p, within)
        ]
    return queryset.filter(scope_q(prefixes, field))


def get_scoped_or_404(user, action: str, queryset: QuerySet, **lookup):
    """Fetch and authorise in one call. An object outside the user's reach is a 404, and the refusal is audited
    (with the object's region, so the county's audit administrator sees who probed it)."""
    from xiangzhi.audit.services import record_denied

    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404("未找到")
    if not can(user, action, obj):
        record_denied(action, obj=obj, region_code=getattr(obj, "region_code", ""), detail="out_of_scope")
        raise Http404("未找到")
    return obj


def require(user, action: str, obj=None) -> None:
    """For actions on objects the user can already see: refuse with a domain error, audited."""
    from xiangzhi.audit.services import record_denied
    from xiangzhi.core.errors import PermissionDenied

    if not can(user, action, obj):
        record_denied(action, obj=obj, region_code=getattr(obj, "region_code", "") if obj is not None else "")
        raise PermissionDenied("您没有权限执行此操作。")
