"""Working days for deadlines (限时办结, 公示期, 督办): China's public holidays and make-up working days (调休).

The dates come from the maintained `chinese_calendar` package, which knows the State Council's yearly notice for
the years it ships (2004 up to the newest notice: upgrade the package each December when the next year's is out).
**Outside the years the package knows, the calendar falls back to Monday–Friday** (no holidays, no make-up
Saturdays) rather than failing: a deadline is still computed, and `is_known_year(year)` tells a caller whether
it rests on the official calendar. A deadline counted in a year not yet published may shift once it is.

Conventions: `add_workdays(start, n)` counts working days *after* `start` (start itself is not counted, as "within
5 working days of receipt" is read); a deadline is the end of its last working day in local time (Asia/Shanghai).
"""

import datetime as dt
from functools import lru_cache

import chinese_calendar
from chinese_calendar import constants as _cc
from django.utils import timezone

from xiangzhi.core import clock


@lru_cache(maxsize=1)
def known_years() -> range:
    """The years the installed package carries official holiday data for."""
    years = {d.year for d in _cc.holidays} | {d.year for d in _cc.workdays}
    return range(min(years), max(years) + 1)


def is_known_year(year: int) -> bool:
    return year in known_years()


def is_workday(day: dt.date) -> bool:
    """True on a working day: Mon–Fri that is not a public holiday, or a make-up working day (调休上班)."""
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    if is_known_year(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def is_holiday(day: dt.date) -> bool:
    return not is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (n ≥ 1), or before it for n ≤ -1; n = 0 gives `start` itself."""
    step = 1 if n > 0 else -1
    day, left = start, abs(n)
    while left:
        day += dt.timedelta(days=step)
        if is_workday(day):
            left -= 1
    return day


def next_workday(day: dt.date) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: 0 when end ≤ start. With start = received and end = today, the working
    days used so far; against a limit of N, the case is overdue once this exceeds N."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


def end_of_day(day: dt.date) -> dt.datetime:
    """The last instant of `day` in local time, as an aware datetime (the next local midnight, exclusive)."""
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def workday_deadline(start: dt.datetime | dt.date, n: int) -> dt.datetime:
    """The deadline of something received at `start` with n working days to do it: the end (next local
    midnight) of the n-th working day after the day it was received."""
    if isinstance(start, dt.datetime):
        start = timezone.localtime(start).date()
    return end_of_day(add_workdays(start, n))


def calendar_deadline(start: dt.datetime | dt.date, days: int) -> dt.datetime:
    """Natural-day limits (公示 7 天): the end of the `days`-th day after `start`."""
    if isinstance(start, dt.datetime):
        start = timezone.localtime(start).date()
    return end_of_day(start + dt.timedelta(days=days))


def is_overdue(deadline: dt.datetime, *, now: dt.datetime | None = None) -> bool:
    return (now or clock.now()) >= deadline
