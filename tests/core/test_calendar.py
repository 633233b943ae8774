import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from xiangzhi.core import calendar

D = dt.date
SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    "day,workday",
    [
        (D(2025, 9, 26), True),  # Friday
        (D(2025, 9, 27), False),  # Saturday
        (D(2025, 9, 28), True),  # Sunday, make-up working day for National Day
        (D(2025, 9, 30), True),
        (D(2025, 10, 1), False),  # National Day + Mid-Autumn: 10-01 … 10-08
        (D(2025, 10, 8), False),
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),  # Saturday, make-up working day
        (D(2025, 10, 12), False),
        (D(2026, 9, 20), True),  # Sunday, make-up working day
        (D(2026, 10, 1), False),
        (D(2026, 10, 7), False),
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # Saturday, make-up working day
    ],
)
def test_is_workday_follows_the_official_calendar(day, workday):
    assert calendar.is_workday(day) is workday
    assert calendar.is_holiday(day) is (not workday)


def test_add_workdays_skips_the_holiday_and_counts_make_up_days():
    assert calendar.add_workdays(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert calendar.add_workdays(D(2025, 9, 26), 1) == D(2025, 9, 28)  # Sunday make-up day counts
    assert calendar.add_workdays(D(2025, 9, 30), 3) == D(2025, 10, 11)  # 10-09, 10-10, Saturday 10-11
    assert calendar.add_workdays(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert calendar.add_workdays(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert calendar.add_workdays(D(2025, 10, 3), 0) == D(2025, 10, 3)


def test_workdays_between_and_next_workday():
    assert calendar.workdays_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert calendar.workdays_between(D(2025, 9, 30), D(2025, 9, 30)) == 0
    assert calendar.workdays_between(D(2025, 10, 9), D(2025, 9, 30)) == 0
    assert calendar.next_workday(D(2026, 10, 1)) == D(2026, 10, 8)
    assert calendar.next_workday(D(2026, 10, 8)) == D(2026, 10, 8)


def test_workday_deadline_is_the_end_of_the_last_working_day():
    received = dt.datetime(2025, 9, 30, 15, 0, tzinfo=SH)
    deadline = calendar.workday_deadline(received, 1)
    assert deadline == dt.datetime(2025, 10, 10, 0, 0, tzinfo=SH)
    assert not calendar.is_overdue(deadline, now=deadline - dt.timedelta(microseconds=1))
    assert calendar.is_overdue(deadline, now=deadline)
    # received late in the evening UTC is already the next local day
    assert calendar.workday_deadline(dt.datetime(2025, 10, 8, 17, 0, tzinfo=dt.UTC), 1) == dt.datetime(
        2025, 10, 11, 0, 0, tzinfo=SH
    )
    assert calendar.calendar_deadline(D(2026, 10, 1), 7) == dt.datetime(2026, 10, 9, 0, 0, tzinfo=SH)


def test_unknown_years_fall_back_to_monday_to_friday():
    assert calendar.is_known_year(2026)
    assert not calendar.is_known_year(2099)
    assert calendar.is_workday(D(2099, 10, 1))  # a Thursday: no holiday data, counted as a working day
    assert not calendar.is_workday(D(2099, 10, 3))  # Saturday
    assert calendar.add_workdays(D(2099, 10, 2), 1) == D(2099, 10, 5)
