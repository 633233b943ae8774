"""分: where a case goes and how long its handler has (category × 三事 × level → handler and deadline).

The rules are data: `DEFAULT_RULES` below are loaded as rows without a town (migration 0002) and a town may add
its own rows, which win. The most specific row wins: the town's before the default, then an exact category before
"any", then an exact 三事 type before "any".
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from xiangzhi.cases.models import LEVEL_CODE_LENGTH, RoutingRule
from xiangzhi.core import calendar

# 信访工作条例 (2022) Art. 32: a petition is handled within 60 days of acceptance; where the case is complex the
# limit may be extended once, by at most 30 days, with the approval of the organ's head.
PETITION_DAYS = 60
PETITION_MAX_EXTENSION_DAYS = 30
PETITION_MAX_EXTENSIONS = 1

# (category, triage, level, handler, department code, value, unit)
DEFAULT_RULES = [
    # reports wait at the level they arrive at: accept or dispatch within 1 working day
    ("", "", "grid", "grid", "", 1, "workdays"),
    ("", "", "village", "village", "", 1, "workdays"),
    ("", "", "town", "town", "", 1, "workdays"),
    ("", "", "county", "county", "", 5, "workdays"),
    # 民事: settled inside the self-governing unit
    ("", "civil", "grid", "grid", "", 5, "workdays"),
    ("", "civil", "village", "village", "", 7, "workdays"),
    ("", "civil", "town", "town", "", 10, "workdays"),
    # 村事: the village 两委
    ("", "village", "grid", "village", "", 7, "workdays"),
    ("", "village", "village", "village", "", 7, "workdays"),
    ("", "village", "town", "village", "", 7, "workdays"),
    # 政事: a town department (限时办结)
    ("", "government", "grid", "town", "", 1, "workdays"),
    ("", "government", "village", "town", "", 1, "workdays"),
    ("", "government", "town", "department", "", 5, "workdays"),
    ("SAFETY", "government", "town", "department", "yingji", 48, "hours"),
    ("SECURITY", "government", "town", "department", "paichusuo", 3, "workdays"),
    ("DISPUTE", "government", "town", "department", "sifa", 10, "workdays"),
    ("AGRICULTURE", "government", "town", "department", "nongye", 5, "workdays"),
    ("LIVELIHOOD", "government", "town", "department", "minzheng", 5, "workdays"),
    ("ENVIRONMENT", "government", "town", "department", "zhifa", 5, "workdays"),
    ("PETITION", "government", "town", "department", "xinfang", PETITION_DAYS, "days"),
]

# What a level settles itself when it accepts a case without classifying it first.
OWN_TRIAGE = {"grid": "civil", "village": "village", "town": "government", "county": ""}
HANDLER_LEVEL = {
    "grid": "grid",
    "village": "village",
    "town": "town",
    "department": "town",
    "county": "county",
}


@dataclass(frozen=True)
class Route:
    handler: str
    level: str
    department_code: str
    deadline_value: int
    deadline_unit: str
    warn_before_hours: int = 24
    grace_workdays: int = 1

    def deadline_from(self, start: dt.datetime) -> dt.datetime:
        if self.deadline_unit == "hours":
            return start + dt.timedelta(hours=self.deadline_value)
        if self.deadline_unit == "days":
            return calendar.calendar_deadline(start, self.deadline_value)
        return calendar.workday_deadline(start, self.deadline_value)

    def warn_from(self, start: dt.datetime, deadline: dt.datetime) -> dt.datetime:
        return max(start, deadline - dt.timedelta(hours=self.warn_before_hours))

    def escalate_from(self, deadline: dt.datetime) -> dt.datetime:
        """The grace period after the deadline, counted in working days (a deadline on Friday night escalates at
        the end of the next working day, not on Saturday)."""
        if self.grace_workdays == 0:
            return deadline
        last_day = deadline - dt.timedelta(microseconds=1)
        return calendar.workday_deadline(last_day, self.grace_workdays)


def town_of(region_code: str) -> str:
    return region_code[: LEVEL_CODE_LENGTH["town"]]


def route(*, region_code: str, level: str, category: str = "", triage: str = "") -> Route:
    """The rule for a case of `category`/`triage` at `level` in the town of `region_code`."""
    town = town_of(region_code)
    rows = list(
        RoutingRule.objects.filter(
            Q(town_code="") | Q(town_code=town),
            Q(category="") | Q(category=category),
            Q(triage="") | Q(triage=triage),
            level=level,
        )
    )
    if not rows:
        # The default rows are loaded by migration 0002; should they be missing (a test database flushed
        # between tests, a table emptied by hand), the same defaults are read from the code.
        rows = [
            r
            for r in default_rules()
            if r.level == level and r.category in ("", category) and r.triage in ("", triage)
        ]
    best = max(rows, key=lambda r: (r.town_code != "", r.category != "", r.triage != ""))
    route = Route(
        handler=best.handler,
        level=HANDLER_LEVEL[best.handler],
        department_code=best.department_code,
        deadline_value=best.deadline_value,
        deadline_unit=best.deadline_unit,
        warn_before_hours=best.warn_before_hours,
        grace_workdays=best.grace_workdays,
    )
    if category == "PETITION" and route.handler != "grid":
        # the petition limit is the law's, whatever a town's rule says
        route = Route(**{**route.__dict__, "deadline_value": PETITION_DAYS, "deadline_unit": "days"})
    return route


def default_rules() -> list[RoutingRule]:
    """DEFAULT_RULES as (unsaved) rows."""
    return [
        RoutingRule(
            town_code="",
            category=c,
            triage=t,
            level=lvl,
            handler=h,
            department_code=d,
            deadline_value=v,
            deadline_unit=u,
        )
        for c, t, lvl, h, d, v, u in DEFAULT_RULES
    ]


def _default_handler(level: str) -> str:
    return {"grid": "grid", "village": "village", "town": "town", "county": "county"}[level]


def intake(*, region_code: str, level: str, category: str = "", triage: str = "") -> Route:
    """Where a case waits when it arrives at `level` (reported, escalated, returned): the level's own handler,
    with the intake deadline of that level."""
    r = route(region_code=region_code, level=level)  # the ("", "", level) row
    return Route(**{**r.__dict__, "handler": _default_handler(level), "level": level, "department_code": ""})
