"""Region codes: the statistical division code without its zero padding (DESIGN.md, "Jurisdiction tree").

county 6 digits (141029), town 9 (141029201), village 12 (141029201201), grid 15, micro-grid 18.
A node's scope is every code that starts with its own: one indexed range query, `code >= p AND code < p + "~"`.
"""

from django.db.models import Q

COUNTY, TOWN, VILLAGE, GRID, MICRO_GRID = "county", "town", "village", "grid", "micro_grid"
LEVELS = (COUNTY, TOWN, VILLAGE, GRID, MICRO_GRID)
LENGTHS = {COUNTY: 6, TOWN: 9, VILLAGE: 12, GRID: 15, MICRO_GRID: 18}
LEVEL_BY_LENGTH = {length: level for level, length in LENGTHS.items()}
LEVEL_LABELS = {COUNTY: "县", TOWN: "乡镇", VILLAGE: "村（社区）", GRID: "网格", MICRO_GRID: "微网格"}
SCOPE_END = "~"  # sorts after every digit


def level_of(code: str) -> str | None:
    return LEVEL_BY_LENGTH.get(len(code)) if code.isdigit() else None


def parent_code(code: str) -> str | None:
    level = level_of(code)
    if level is None or level == COUNTY:
        return None
    return code[: LENGTHS[LEVELS[LEVELS.index(level) - 1]]]


def ancestor_codes(code: str) -> list[str]:
    """The codes above `code`, county first: 141029201201 → [141029, 141029201]."""
    result = []
    parent = parent_code(code)
    while parent:
        result.insert(0, parent)
        parent = parent_code(parent)
    return result


def county_of(code: str) -> str:
    return code[:6]


def in_scope(code: str, prefix: str) -> bool:
    return code.startswith(prefix)


def scope_q(prefixes, field: str = "region_code") -> Q:
    """Rows whose `field` falls under any of `prefixes`; Q() matching nothing when there are none."""
    prefixes = minimal_prefixes(prefixes)
    if not prefixes:
        return Q(pk__in=[])
    q = Q()
    for p in prefixes:
        q |= Q(**{f"{field}__gte": p, f"{field}__lt": p + SCOPE_END})
    return q


def minimal_prefixes(prefixes) -> list[str]:
    """Drop prefixes already covered by a shorter one, so scoped queries stay short."""
    result: list[str] = []
    for p in sorted(set(prefixes), key=lambda c: (len(c), c)):
        if not any(p.startswith(r) for r in result):
            result.append(p)
    return sorted(result)
