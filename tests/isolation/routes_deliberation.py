"""Isolation of the deliberation routes (makers in tests/deliberation/factories.py). Merged into registry.ROUTES."""

from tests.isolation.registry import Detail, Listing, Post

# Meetings belong to a village (a grid filter picks its village), so the grid-narrowing check does not apply.
REGION = {"region": ("town",)}


def _f():
    from tests.deliberation import factories

    return factories


def _redirected(response):
    assert response.status_code == 302, response.status_code


def attended(response, kwargs):
    from xiangzhi.deliberation.models import RollEntry

    _redirected(response)
    assert RollEntry.objects.get(pk=kwargs["_entry"]).present


def item_added(response, kwargs):
    from xiangzhi.deliberation.models import Item

    _redirected(response)
    assert Item.objects.filter(meeting_id=kwargs["pk"], title="修村道", vote_status="open").exists()


def objected(response, kwargs):
    from xiangzhi.deliberation.models import Objection

    _redirected(response)
    assert Objection.objects.filter(meeting_id=kwargs["pk"], text="会前未公示").exists()


def open_voted(response, kwargs):
    from xiangzhi.deliberation.models import OpenVote

    _redirected(response)
    assert OpenVote.objects.filter(item_id=kwargs["pk"], entry_id=kwargs["_entry"], choice="no").exists()


def marked(response, kwargs):
    from xiangzhi.deliberation.models import VoteMark

    _redirected(response)
    assert VoteMark.objects.filter(item_id=kwargs["pk"], entry_id=kwargs["_entry"]).exists()


def decided(response, kwargs):
    from xiangzhi.deliberation.models import Item

    _redirected(response)
    assert Item.objects.get(pk=kwargs["pk"]).vote_status == "closed"


def _renamed(made, **names):
    kwargs, marker = made
    return {new: kwargs[old] for new, old in names.items()}, marker


def _open_item(g):
    return _f().make_open_item(g)


def _secret_item(g):
    return _f().make_open_item(g, secret=True)


def _decidable(g):
    from xiangzhi.deliberation import services
    from xiangzhi.deliberation.models import Item, RollEntry

    kwargs, marker = _f().make_open_item(g)
    item = Item.objects.get(pk=kwargs["pk"])
    for pk in kwargs["_lines"]:
        services.open_vote_record(user=None, item=item, entry=RollEntry.objects.get(pk=pk), choice="yes")
    return kwargs, marker


ROUTES = {
    "deliberation:list": [
        Listing("village_secretary", lambda g: _f().make_listed(g), filters=REGION),
        Listing("villager", lambda g: _f().make_listed(g), filters=REGION),
        Listing("town_staff", lambda g: _f().make_listed(g), filters=REGION),
    ],
    "deliberation:detail": [
        Detail("village_committee", lambda g: _f().make_meeting(g)),
        Detail("supervisor", lambda g: _f().make_meeting(g)),
        Detail("villager", lambda g: _f().make_meeting(g)),
    ],
    "deliberation:attendance": Detail(
        "village_secretary",
        lambda g: _f().make_meeting_with_entry(g),
        method="post",
        post=Post(ok=attended, data=lambda k: {"entry": k["_entry"], "present": "1"}),
    ),
    "deliberation:item_new": Detail(
        "town_staff",
        lambda g: _f().make_meeting(g),
        method="post",
        post=Post(ok=item_added, data={"title": "修村道", "kind": "ordinary"}),
    ),
    "deliberation:objection": Detail(
        "supervisor",
        lambda g: _f().make_meeting(g),
        method="post",
        post=Post(ok=objected, data={"text": "会前未公示"}),
    ),
    "deliberation:open_vote": Detail(
        "village_committee",
        _open_item,
        method="post",
        post=Post(ok=open_voted, data=lambda k: {"entry": k["_entry"], "choice": "no"}),
    ),
    "deliberation:ballot": Detail(
        "villager",
        lambda g: _f().make_open_item(g, secret=True, link_villager=True),
        method="post",
        post=Post(ok=marked, data={"choice": "yes"}),
    ),
    "deliberation:paper": Detail(
        "village_secretary",
        _secret_item,
        method="post",
        post=Post(ok=marked, data=lambda k: {"action": "issue", "entry": k["_entry"]}),
    ),
    "api:meeting_list": [
        Listing("village_secretary", lambda g: _f().make_listed(g), api=True, filters=REGION),
        Listing("villager", lambda g: _f().make_listed(g), api=True, filters=REGION),
    ],
    "api:meeting_detail": [
        Detail("village_committee", lambda g: _renamed(_f().make_meeting(g), meeting_id="pk"), api=True),
        Detail("villager", lambda g: _renamed(_f().make_meeting(g), meeting_id="pk"), api=True),
    ],
    # GET here; the POST on the same path (本人无记名投票, JSON) is checked in tests/deliberation/test_web.py
    "api:item_detail": Detail("supervisor", lambda g: _renamed(_open_item(g), item_id="pk"), api=True),
    "deliberation:decide": Detail(
        "village_secretary", _decidable, method="post", post=Post(ok=decided, data={})
    ),
}
