"""Deliberation test data through the real services (user=None: the system acts)."""

import datetime as dt

from tests.party import factories as partyf
from tests.people import factories as pf
from xiangzhi.core import clock
from xiangzhi.deliberation import rules, services
from xiangzhi.party import services as party_services


def residents(grid, n: int, *, per_household: int = 10, birth=dt.date(1970, 1, 1)) -> list:
    """`n` adult residents of `grid`, in households of up to `per_household`."""
    out = []
    while len(out) < n:
        h = pf.household(grid, head_name=f"户主{len(out)}", birth=birth)
        out.append(h.members.get())
        while len(out) < n and h.members.count() < per_household:
            out.append(pf.resident(h, name=f"村民{len(out)}", birth=birth))
    return out


def body_with_members(grid, n: int, *, kind: str = rules.REPRESENTATIVES, **kw):
    """A body of the grid's village with `n` members (for 村民代表会议: 5 村委会成员, the rest 村民代表)."""
    body = services.body_create(user=None, village=grid.parent, kind=kind, **kw)
    people = residents(grid, n)
    for i, r in enumerate(people):
        role = (
            ("committee_member" if i < 5 else "representative") if kind == rules.REPRESENTATIVES else "member"
        )
        services.body_member_add(user=None, body=body, resident=r, role=role)
    return body


def party_assembly(grid, *, full: int, probationary: int = 0):
    org = partyf.branch(grid.parent, name=f"支部{grid.code}")
    for i in range(full):
        party_services.party_member_add(user=None, org=org, name=f"正式党员{i}")
    for i in range(probationary):
        party_services.party_member_add(user=None, org=org, name=f"预备党员{i}", status="probationary")
    return services.body_create(user=None, village=grid.parent, kind=rules.PARTY_ASSEMBLY, party_org=org)


def meeting(body, *, title: str = "会议", days: int = 10, **kw):
    return services.meeting_call(
        user=None, body=body, title=title, held_on=clock.today() + dt.timedelta(days=days), **kw
    )


def attend(meeting, n: int, *, voting_only: bool = True) -> list:
    """Mark the first `n` lines (with a vote) present; returns them."""
    lines = list(meeting.roll.filter(can_vote=True).order_by("id")[:n]) if voting_only else []
    for e in lines:
        services.attendance_record(user=None, meeting=meeting, entry=e, present=True)
    return lines


def open_votes(item, entries, yes: int, no: int = 0) -> None:
    """The first `yes` entries vote yes, the next `no` no, the rest abstain."""
    for i, e in enumerate(entries):
        choice = "yes" if i < yes else "no" if i < yes + no else "abstain"
        services.open_vote_record(user=None, item=item, entry=e, choice=choice)


def teller_users(meeting, n: int = 2) -> list:
    """`n` villager accounts, each linked to a new resident of the meeting's village (one household of a grid)."""
    from tests import factories as tf
    from xiangzhi.regions.models import Region

    village = Region.objects.get(code=meeting.region_code)
    grid = Region.objects.filter(parent=village).order_by("code").first() or village
    h = pf.household(grid, head_name="计票人甲")
    people = [h.members.get()] + [pf.resident(h, name=f"监票人{i}", sex="F") for i in range(1, n)]
    users = []
    for r in people:
        u = tf.user_with_role("villager", village)
        u.resident = r
        u.save(update_fields=["resident"])
        users.append(u)
    return users


def item(meeting, **kw):
    it = services.item_add(user=None, meeting=meeting, title=kw.pop("title", "议题"), **kw)
    if not it.secret:
        return services.vote_open(user=None, item=it)
    counter, scrutineer = teller_users(meeting)
    return services.vote_open(user=None, item=it, counters=[counter], scrutineers=[scrutineer])


# -- makers for tests/isolation/routes_deliberation.py: make(grid) -> (url kwargs, marker text) -----------------


def _marker(grid) -> str:
    return f"会议{grid.code}"


def _committee_meeting(grid, n: int = 2):
    body = body_with_members(grid, n, kind=rules.COMMITTEES)
    return services.meeting_call(user=None, body=body, title=_marker(grid), held_on=clock.today())


def make_meeting(grid):
    return {"pk": _committee_meeting(grid).pk}, _marker(grid)


def make_listed(grid):
    _committee_meeting(grid)
    return {}, _marker(grid)


def make_meeting_with_entry(grid):
    m = _committee_meeting(grid)
    return {"pk": m.pk, "_entry": m.roll.first().pk}, _marker(grid)


def make_open_item(grid, *, secret: bool = False, link_villager: bool = False):
    """A meeting with both members present and an item open to the vote; `_entry` is a present roll line. With
    `link_villager` the village's newest villager account without a resident becomes that line's person."""
    m = _committee_meeting(grid)
    lines = attend(m, 2)
    it = item(m, title=f"议题{grid.code}", secret=secret)
    if link_villager:
        from xiangzhi.accounts.models import User

        user = (
            User.objects.filter(
                resident__isnull=True,
                role_assignments__role="villager",
                role_assignments__region__code=grid.parent.code,
            )
            .order_by("-id")
            .first()
        )
        if user is not None:
            user.resident_id = lines[0].resident_id
            user.save(update_fields=["resident"])
    return {"pk": it.pk, "_entry": lines[0].pk, "_lines": [e.pk for e in lines]}, _marker(grid)
