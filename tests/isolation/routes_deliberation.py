"""Isolation of the deliberation routes (makers in tests/deliberation/factories.py). Merged into registry.ROUTES."""

from tests.isolation.registry import Detail, Exempt, Listing, Post

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


# -- bodies, rosters, meetings' record, authorisations, the town's views (makers below) --------------------------


def _today() -> str:
    from xiangzhi.core import clock

    return clock.today().isoformat()


def _body(g, *, kind="committees", n=2):
    return _f().body_with_members(g, n, kind=kind, name=f"机构{g.code}")


def make_body(g):
    return {"pk": _body(g).pk}, f"机构{g.code}"


def make_body_listed(g):
    _body(g)
    return {}, f"机构{g.code}"


def make_body_with_candidate(g):
    from tests.people import factories as pf

    body = _body(g, kind="representatives")
    h = pf.household(g, head_name=f"候选{g.code}")
    return {"pk": body.pk, "_resident": h.head_id}, f"机构{g.code}"


def make_body_with_member(g):
    body = _body(g)
    return {"pk": body.pk, "_resident": body.members.first().resident_id}, f"机构{g.code}"


def member_added(response, kwargs):
    from xiangzhi.deliberation.models import BodyMember

    _redirected(response)
    assert (
        BodyMember.objects.get(body_id=kwargs["pk"], resident_id=kwargs["_resident"]).role == "representative"
    )


def member_removed(response, kwargs):
    from xiangzhi.deliberation.models import BodyMember

    _redirected(response)
    assert not BodyMember.objects.get(body_id=kwargs["pk"], resident_id=kwargs["_resident"]).is_active


def meeting_called(response, kwargs):
    from xiangzhi.deliberation.models import Meeting

    _redirected(response)
    m = Meeting.objects.get(body_id=kwargs["pk"], title="召集测试")
    assert m.roll.count() == 2


def minutes_saved(response, kwargs):
    from xiangzhi.deliberation.models import Meeting

    _redirected(response)
    assert Meeting.objects.get(pk=kwargs["pk"]).minutes == "会议讨论了村道修缮。"


def closed(response, kwargs):
    from xiangzhi.deliberation.models import Meeting

    _redirected(response)
    assert Meeting.objects.get(pk=kwargs["pk"]).status == "closed"


def _authorisation(g):
    import datetime as dt

    from xiangzhi.deliberation import services

    return services.authorisation_grant(
        user=None, village=g.parent, scope=f"授权{g.code}", valid_from=dt.date(2026, 1, 1)
    )


def make_authorisation(g):
    return {"pk": _authorisation(g).pk}, f"授权{g.code}"


def make_authorisation_listed(g):
    _authorisation(g)
    return {"_village": g.parent.code}, f"授权{g.code}"


def authorised(response, kwargs):
    from xiangzhi.deliberation.models import Authorisation

    _redirected(response)
    assert Authorisation.objects.filter(region_code=kwargs["_village"], scope="新的授权").exists()


def revoked(response, kwargs):
    from xiangzhi.deliberation.models import Authorisation

    _redirected(response)
    assert Authorisation.objects.get(pk=kwargs["pk"]).revoked


def _passed_land_item(g):
    from xiangzhi.deliberation import services

    f = _f()
    body = f.body_with_members(g, 3)
    m = f.meeting(body, days=0)
    lines = f.attend(m, 3)
    it = f.item(m, title=f"承包{g.code}", kind="land_contract_outsider")
    f.open_votes(it, lines, yes=3)
    return services.item_decide(user=None, item=it)


def make_approval(g):
    return {"pk": _passed_land_item(g).pk}, f"承包{g.code}"


def make_approval_listed(g):
    _passed_land_item(g)
    return {}, f"承包{g.code}"


def approved(response, kwargs):
    from xiangzhi.deliberation.models import Item

    _redirected(response)
    assert Item.objects.get(pk=kwargs["pk"]).township_approved_at is not None


def make_quarterly(g):
    """Nothing to make: a village whose 村民代表会议 has never met (here: has none) is listed as behind."""
    return {}, g.parent.name


def make_secret_item_api(g):
    return _renamed(_secret_item(g), item_id="pk")


JSON_WRITES = "JSON 写入：他村的对象返回 404 且不写入（见 tests/deliberation/test_bodies_api.py）"

ROUTES.update(
    {
        "deliberation:body_list": [
            Listing("village_secretary", make_body_listed, filters=REGION),
            Listing("supervisor", make_body_listed, filters=REGION),
            Listing("town_staff", make_body_listed, filters=REGION),
        ],
        "deliberation:body_create": Exempt(
            "表单只列出本人可管理的村，越权的村返回 404 且不写入（见 tests/deliberation/test_bodies_pages.py）"
        ),
        "deliberation:meeting_new": Exempt(
            "表单只列出本人可管理的议事机构，越权的机构返回 404 且不写入（见 tests/deliberation/test_meetings.py）"
        ),
        "deliberation:body_detail": [
            Detail("village_secretary", make_body),
            Detail("villager", make_body),
        ],
        # the roster's Excel: a Detail on the body (another village's body: an audited 404)
        "deliberation:body_export": Detail("village_secretary", make_body),
        "deliberation:body_member_add": Detail(
            "village_secretary",
            make_body_with_candidate,
            method="post",
            post=Post(ok=member_added, data=lambda k: {"resident": k["_resident"], "role": "representative"}),
        ),
        "deliberation:body_member_remove": Detail(
            "village_committee",
            make_body_with_member,
            method="post",
            post=Post(ok=member_removed, data=lambda k: {"resident": k["_resident"]}),
        ),
        "deliberation:body_meeting_call": Detail(
            "town_staff",
            make_body,
            method="post",
            post=Post(ok=meeting_called, data=lambda k: {"title": "召集测试", "held_on": _today()}),
        ),
        "deliberation:minutes": Detail(
            "village_secretary",
            lambda g: _f().make_meeting(g),
            method="post",
            post=Post(ok=minutes_saved, data={"minutes": "会议讨论了村道修缮。"}),
        ),
        "deliberation:close": Detail(
            "village_secretary", lambda g: _f().make_meeting(g), method="post", post=Post(ok=closed)
        ),
        "deliberation:record": [
            Detail("village_committee", lambda g: _f().make_meeting(g)),
            Detail("villager", lambda g: _f().make_meeting(g)),
        ],
        "deliberation:authorisation_list": [
            Listing(
                "village_secretary",
                make_authorisation_listed,
                filters=REGION,
                post=Post(
                    ok=authorised,
                    data=lambda k: {"village": k["_village"], "scope": "新的授权", "valid_from": _today()},
                ),
            ),
            Listing("supervisor", make_authorisation_listed, filters=REGION),
        ],
        "deliberation:authorisation_revoke": Detail(
            "village_secretary", make_authorisation, method="post", post=Post(ok=revoked)
        ),
        "deliberation:approval_list": [
            Listing("town_leader", make_approval_listed, filters=REGION),
            Listing("town_staff", make_approval_listed, filters=REGION),
        ],
        "deliberation:approval_approve": Detail(
            "town_staff", make_approval, method="post", post=Post(ok=approved)
        ),
        "deliberation:quarterly": [
            Listing("town_leader", make_quarterly, filters=REGION),
            Listing("town_staff", make_quarterly, filters=REGION),
        ],
        # API
        "api:deliberation_body_list": Listing(
            "village_secretary", make_body_listed, api=True, filters=REGION
        ),
        "api:deliberation_body_detail": Detail(
            "village_committee", lambda g: _renamed(make_body(g), body_id="pk"), api=True
        ),
        "api:deliberation_body_members": Detail(
            "supervisor", lambda g: _renamed(make_body(g), body_id="pk"), api=True
        ),
        "api:deliberation_tellers": Detail("village_secretary", make_secret_item_api, api=True),
        "api:deliberation_authorisation_list": Listing(
            "village_secretary", make_authorisation_listed, api=True, filters=REGION
        ),
        "api:deliberation_approval_list": Listing(
            "town_leader", make_approval_listed, api=True, filters=REGION
        ),
        "api:deliberation_quarterly": Listing("town_leader", make_quarterly, api=True, filters=REGION),
        "api:deliberation_body_create": Exempt(
            "JSON 写入：只能在本人可管理的村建立，他村返回 404 且不写入（见 tests/deliberation/test_bodies_api.py）"
        ),
        "api:deliberation_member_add": Exempt(JSON_WRITES),
        "api:deliberation_member_remove": Exempt(JSON_WRITES),
        "api:deliberation_meeting_call": Exempt(JSON_WRITES),
        "api:deliberation_minutes": Exempt(JSON_WRITES),
        "api:deliberation_meeting_close": Exempt(JSON_WRITES),
        "api:deliberation_item_open": Exempt(JSON_WRITES),
        "api:deliberation_paper_enter": Exempt(
            "JSON 写入：只有本议题指定的计票人、监票人可录入，他村返回 404 且不写入（见 tests/deliberation/test_tellers.py）"
        ),
        "api:deliberation_authorisation_grant": Exempt(JSON_WRITES),
        "api:deliberation_authorisation_revoke": Exempt(JSON_WRITES),
        "api:deliberation_approve": Exempt(JSON_WRITES),
    }
)
