"""Rules about a village's bodies as a whole, as data (issue 5, item 2), with the article they come from.

- 村民委员会组织法 Art. 25: 村民代表会议由村民委员会成员和村民代表组成，村民代表应当占村民代表会议组成人员的五分之四
  以上，妇女村民代表应当占村民代表会议组成人员的三分之一以上。村民代表由村民按每五户至十五户推选一人，或者由各村民
  小组推选若干人。 The roster page warns; it does not refuse (the village may be between two elections).
  Women are counted as the law says: women representatives against all the members (组成人员), which is stricter
  than against the representatives alone.
- the 村民代表会议 should meet at least quarterly (Art. 26: 村民代表会议由村民委员会召集，每季度召开一次): the town sees
  the villages that have not met within three calendar months (same month arithmetic as 三务公开's schedule).
"""

import datetime as dt
from dataclasses import dataclass

from xiangzhi.deliberation.rules import BASE_ROLL, Threshold
from xiangzhi.disclosure.selectors import add_months

REPRESENTATIVE_ROLE = "representative"
COMMITTEE_ROLE = "committee_member"

# representatives / all members of the 村民代表会议: at least 4/5
REPS_SHARE = Threshold(4, 5, False, BASE_ROLL)
# women representatives / all members of the 村民代表会议: at least 1/3 (the law's base, 组成人员)
WOMEN_SHARE = Threshold(1, 3, False, BASE_ROLL)
# active households of the village per representative: 5 to 15 (both included)
HOUSEHOLDS_PER_REP = (5, 15)
# the 村民代表会议 meets at least every 3 calendar months
MEETING_INTERVAL_MONTHS = 3


@dataclass(frozen=True)
class Warning:
    code: str
    text: str


def art25_warnings(*, members: int, representatives: int, women: int, households: int) -> list[Warning]:
    """The Art. 25 warnings of a 村民代表会议 with `members` active members, of whom `representatives` are 村民代表
    (`women` of them women), in a village of `households` active households. Empty when all is in order."""
    out = []
    if not REPS_SHARE.met(representatives, members):
        out.append(
            Warning(
                "reps_share",
                f"村民代表{representatives}人，占组成人员{members}人的比例不足五分之四"
                f"（至少须{REPS_SHARE.needed(members)}人，村民委员会组织法第二十五条）。",
            )
        )
    if members and not WOMEN_SHARE.met(women, members):
        out.append(
            Warning(
                "women_share",
                f"妇女村民代表{women}人，不足组成人员{members}人的三分之一"
                f"（至少须{WOMEN_SHARE.needed(members)}人，村民委员会组织法第二十五条）。",
            )
        )
    low, high = HOUSEHOLDS_PER_REP
    if not representatives:
        out.append(Warning("households", "尚无村民代表：村民代表由村民按每五户至十五户推选一人。"))
    elif not (low * representatives <= households <= high * representatives):
        out.append(
            Warning(
                "households",
                f"全村在册{households}户、村民代表{representatives}人，平均每{households / representatives:.1f}户"
                f"一名代表，不在每{low}户至{high}户推选一人的范围内（村民委员会组织法第二十五条）；"
                "如由各村民小组推选若干人，请核对各组推选情况。",
            )
        )
    return out


def quarterly_due(last_held: dt.date | None) -> dt.date | None:
    """The last day on which the next 村民代表会议 is still on time (None: never met, late already)."""
    return add_months(last_held, MEETING_INTERVAL_MONTHS) if last_held else None


def quarterly_late(last_held: dt.date | None, today: dt.date) -> bool:
    """Held exactly three months ago (same day of the month) is on time; a day more is late."""
    due = quarterly_due(last_held)
    return due is None or today > due
