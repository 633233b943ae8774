"""Matters (四议两公开) through the real services: a village with its five bodies, a matter walked step by step."""

from types import SimpleNamespace

from tests import factories as tf
from tests.deliberation import factories as f
from xiangzhi.core import clock
from xiangzhi.deliberation import matter_rules, matters, rules, services


def village_bodies(grid, *, representatives: int = 10, authorised: bool = True) -> SimpleNamespace:
    """The bodies of the grid's village: 支委会 (3), 两委会 (5), 党员大会 (5 正式党员), 村民代表会议; with the
    村民会议's authorisation of the 村民代表会议 for Art. 24 matters (recorded from today)."""
    v = grid.parent
    b = SimpleNamespace(village=v)
    b.branch = f.body_with_members(grid, 3, kind=rules.BRANCH_COMMITTEE)
    b.committees = f.body_with_members(grid, 5, kind=rules.COMMITTEES)
    b.party = f.party_assembly(grid, full=5)
    b.reps = f.body_with_members(grid, representatives, kind=rules.REPRESENTATIVES)
    if authorised:
        services.authorisation_grant(
            user=None, village=v, scope="组织法第二十四条所列事项", valid_from=clock.today()
        )
    return b


def matter(village, *, kind: str = "collective_income", title: str = "村集体光伏收益分配", user=None, **kw):
    return matters.matter_create(
        user=user,
        village=village,
        title=title,
        description=kw.pop("description", "今年光伏电站收益十二万元，拟用于修缮村道和补助困难户。"),
        kind=kind,
        source=kw.pop("source", matter_rules.SOURCE_BRANCH),
        **kw,
    )


def vote(meeting, *, yes: int | None = None, no: int = 0, present: int | None = None, user=None):
    """Mark `present` voting lines present (all by default), record open votes and decide the step's item."""
    item = meeting.items.get()
    n = meeting.roll.filter(can_vote=True).count() if present is None else present
    lines = f.attend(meeting, n)
    f.open_votes(item, lines, yes=len(lines) if yes is None else yes, no=no)
    return services.item_decide(user=user, item=item)


def meeting_step(matter, body, *, user=None, title: str = "", held_on=None, **vote_kw):
    """Call the current step's meeting on `body`, vote (all yes by default), complete the step."""
    m = matters.step_meeting_call(
        user=user,
        matter=matter,
        body=body,
        title=title or f"{body.name}会议",
        held_on=held_on or clock.today(),
    )
    item = vote(m, **vote_kw)
    return matters.step_complete(user=user, matter=matter, item=item)


def through_resolution(matter, b, *, user=None):
    for body in (b.branch, b.committees, b.party, b.reps):
        meeting_step(matter, body, user=user)
    return matter


def publisher(village):
    return tf.user_with_role("village_committee", village)


def all_six(matter, b, *, user=None):
    user = user or publisher(b.village)
    through_resolution(matter, b, user=user)
    matters.resolution_publish(
        user=user, matter=matter, title=f"关于{matter.title}的决议", body="经村民代表会议表决通过。"
    )
    matters.result_publish(user=user, matter=matter, result="已拨付，村道修缮完工。")
    matter.refresh_from_db()
    return matter


def item(meeting, title: str = "议题", **kw):
    """An open-vote item of `meeting`, opened."""
    it = services.item_add(user=None, meeting=meeting, title=title, **kw)
    return services.vote_open(user=None, item=it)


# -- makers for tests/isolation/routes_deliberation_matters.py: make(grid) -> (url kwargs, marker text) ---------


def _marker(grid) -> str:
    return f"议题{grid.code}"


def make_matter(grid, **kw):
    m = matter(grid.parent, title=_marker(grid), **kw)
    return {"pk": m.pk}, _marker(grid)


def make_listed(grid):
    matter(grid.parent, title=_marker(grid))
    return {}, _marker(grid)


def make_village_form(grid):
    return {"_village": grid.parent.code}, grid.parent.name


def make_collecting(grid):
    """A villager's proposal waiting for support; the village's newest villager account without a resident
    (the viewer) is linked to a fresh adult resident, so that it may support."""
    from xiangzhi.accounts.models import User

    m = matter(grid.parent, title=_marker(grid), source=matter_rules.SOURCE_VILLAGER)
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
        user.resident_id = f.residents(grid, 1)[0].pk
        user.save(update_fields=["resident"])
    return {"pk": m.pk}, _marker(grid)


def make_with_body(grid):
    kwargs, marker = make_matter(grid)
    body = f.body_with_members(grid, 3, kind=rules.BRANCH_COMMITTEE)
    return {**kwargs, "_body": body.pk}, marker


def make_with_meeting(grid):
    kwargs, marker = make_with_body(grid)
    from xiangzhi.deliberation.models import Body

    meeting = f.meeting(Body.objects.get(pk=kwargs["_body"]), title=marker, days=0)
    return {**kwargs, "_meeting": meeting.pk}, marker


def make_decided(grid):
    kwargs, marker = make_with_body(grid)
    from xiangzhi.deliberation.models import Body, Matter

    m = matters.step_meeting_call(
        user=None,
        matter=Matter.objects.get(pk=kwargs["pk"]),
        body=Body.objects.get(pk=kwargs["_body"]),
        title=marker,
        held_on=clock.today(),
    )
    return {**kwargs, "_item": vote(m).pk}, marker


def _resolved(grid):
    b = village_bodies(grid)
    m = through_resolution(matter(grid.parent, title=_marker(grid)), b)
    return m


def make_resolved(grid):
    return {"pk": _resolved(grid).pk}, _marker(grid)


def make_published(grid):
    m = _resolved(grid)
    matters.resolution_publish(
        user=publisher(grid.parent), matter=m, title=f"关于{grid.name}议题的决议", body="经表决通过。"
    )
    return {"pk": m.pk}, _marker(grid)


def make_step(grid):
    kwargs, marker = make_matter(grid)
    from xiangzhi.deliberation.models import MatterStep

    return {"pk": MatterStep.objects.get(matter_id=kwargs["pk"], seq=1).pk}, marker
