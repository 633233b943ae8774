"""Scheme periods (month or quarter): the unit of caps, rankings and the 红黑榜."""

import datetime as dt

from xiangzhi.points.models import PERIOD_MONTH, PERIOD_QUARTER


def bounds(day: dt.date, period: str) -> tuple[dt.date, dt.date]:
    """First and last day of the period that holds `day`."""
    if period == PERIOD_QUARTER:
        first_month = 3 * ((day.month - 1) // 3) + 1
        start = dt.date(day.year, first_month, 1)
        months = 3
    elif period == PERIOD_MONTH:
        start = dt.date(day.year, day.month, 1)
        months = 1
    else:
        raise ValueError(f"unknown period {period!r}")
    year, month = divmod(start.month - 1 + months, 12)
    end = dt.date(start.year + year, month + 1, 1) - dt.timedelta(days=1)
    return start, end


def label(start: dt.date, period: str) -> str:
    if period == PERIOD_QUARTER:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年{start.month}月"


def previous(day: dt.date, period: str) -> tuple[dt.date, dt.date]:
    """The period before the one that holds `day`."""
    start, _ = bounds(day, period)
    return bounds(start - dt.timedelta(days=1), period)
