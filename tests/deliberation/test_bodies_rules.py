"""Art. 25 roster warnings and the quarterly rule, at their exact boundaries (pure rules, no database)."""

import datetime as dt

from django.apps import apps
from django.db import connection

from xiangzhi.deliberation import roster

# The tables a deliberation service or page may write (besides the audit log). "Nothing changed" is checked over
# these: the whole-database snapshot of tests/isolation also reads other apps' tables, which engineers add at the
# same time (a table whose migration is not written yet would break it).
WRITTEN_APPS = ("deliberation", "people", "party", "accounts", "regions")


def db_state() -> dict[str, list]:
    state = {}
    with connection.cursor() as cur:
        for label in WRITTEN_APPS:
            for model in apps.get_app_config(label).get_models(include_auto_created=True):
                cur.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)} ORDER BY 1")  # noqa: S608
                state[model._meta.label_lower] = cur.fetchall()
    return state


def unchanged(before: dict) -> list[str]:
    """The tables that changed since `before` (empty: nothing written)."""
    after = db_state()
    return sorted(label for label in before if before[label] != after[label])


def codes(**kw) -> set[str]:
    return {w.code for w in roster.art25_warnings(**kw)}


# a 村民代表会议 of 25: 5 村委会成员 + 20 representatives (exactly 4/5), 9 women (>= 25/3), 200 households (10 each)
OK = {"members": 25, "representatives": 20, "women": 9, "households": 200}


def test_a_lawful_roster_has_no_warning():
    assert roster.art25_warnings(**OK) == []


def test_representatives_exactly_four_fifths_pass_one_fewer_warns():
    assert "reps_share" not in codes(**OK)
    # 24 members, 19 representatives: 19/24 < 4/5
    assert "reps_share" in codes(**{**OK, "members": 24, "representatives": 19})
    text = roster.art25_warnings(**{**OK, "members": 24, "representatives": 19})[0].text
    assert "五分之四" in text and "第二十五条" in text


def test_women_exactly_one_third_of_the_members_pass_one_fewer_warns():
    # 27 members: 9 women is exactly a third
    assert "women_share" not in codes(**{**OK, "members": 27, "representatives": 22, "women": 9})
    assert "women_share" in codes(**{**OK, "members": 27, "representatives": 22, "women": 8})
    # 25 members: 25/3 = 8.33, so 9 are needed and 8 warn
    assert "women_share" in codes(**{**OK, "women": 8})


def test_households_per_representative_5_and_15_are_the_edges():
    assert "households" not in codes(**{**OK, "households": 100})  # 5 each
    assert "households" in codes(**{**OK, "households": 99})  # 4.95 each
    assert "households" not in codes(**{**OK, "households": 300})  # 15 each
    assert "households" in codes(**{**OK, "households": 301})
    text = next(w.text for w in roster.art25_warnings(**{**OK, "households": 301}) if w.code == "households")
    assert "村民小组" in text and "每5户至15户" in text


def test_no_representatives_warns():
    assert codes(members=5, representatives=0, women=0, households=50) >= {"reps_share", "households"}


def test_quarterly_exactly_three_months_is_on_time_a_day_more_is_late():
    held = dt.date(2026, 6, 3)
    assert not roster.quarterly_late(held, dt.date(2026, 9, 3))
    assert roster.quarterly_late(held, dt.date(2026, 9, 4))
    # month ends: 30 Nov + 3 months = 28 Feb (2027 is not a leap year)
    assert not roster.quarterly_late(dt.date(2026, 11, 30), dt.date(2027, 2, 28))
    assert roster.quarterly_late(dt.date(2026, 11, 30), dt.date(2027, 3, 1))
    assert roster.quarterly_late(None, dt.date(2026, 9, 3))
