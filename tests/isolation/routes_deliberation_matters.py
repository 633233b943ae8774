"""Isolation of the matter routes (议题, 四议两公开; makers in tests/deliberation/matter_factories.py). Merged into
registry.ROUTES."""

from tests.isolation.registry import Detail, Exempt, Listing, Post

# Matters belong to a village (a grid filter picks its village), so the grid-narrowing check does not apply.
REGION = {"region": ("town",)}
API_WRITES = "JSON 写入：他村的议题或步骤答 404 且不写入（见 tests/deliberation/test_matters_web.py）"


def _f():
    from tests.deliberation import matter_factories

    return matter_factories


def _redirected(response):
    assert response.status_code == 302, (response.status_code, response.content.decode()[:500])


def _matter(kwargs):
    from xiangzhi.deliberation.models import Matter

    return Matter.objects.get(pk=kwargs["pk"])


def created(response, kwargs):
    from xiangzhi.deliberation.models import Matter

    _redirected(response)
    assert Matter.objects.filter(region_code=kwargs["_village"], title="修村道").exists()


def supported(response, kwargs):
    _redirected(response)
    assert _matter(kwargs).supports.count() == 1


def called(response, kwargs):
    _redirected(response)
    assert _matter(kwargs).steps.get(seq=1).meetings.filter(body_id=kwargs["_body"]).exists()


def attached(response, kwargs):
    _redirected(response)
    assert _matter(kwargs).steps.get(seq=1).meetings.filter(pk=kwargs["_meeting"]).exists()


def step_done(seq):
    def ok(response, kwargs):
        _redirected(response)
        assert _matter(kwargs).steps.get(seq=seq).status == "done"

    return ok


def stopped(response, kwargs):
    _redirected(response)
    assert _matter(kwargs).status == "stopped"


def objected(response, kwargs):
    from xiangzhi.deliberation.models import StepObjection

    _redirected(response)
    assert StepObjection.objects.filter(step_id=kwargs["pk"], text="会前未公示").exists()


def _today():
    from xiangzhi.core import clock

    return clock.today().isoformat()


def _civil(g):
    return _f().make_matter(g, kind="civil")


def _renamed(made, **names):
    kwargs, marker = made
    return {new: kwargs[old] for new, old in names.items()}, marker


ROUTES = {
    "deliberation:matter_list": [
        Listing("village_committee", lambda g: _f().make_listed(g), filters=REGION),
        Listing("villager", lambda g: _f().make_listed(g), filters=REGION),
        Listing("supervisor", lambda g: _f().make_listed(g), filters=REGION),
    ],
    "deliberation:matter_new": Listing(
        "village_committee",
        lambda g: _f().make_village_form(g),
        post=Post(
            ok=created,
            data=lambda k: {
                "village": k["_village"],
                "title": "修村道",
                "description": "路面破损",
                "kind": "civil",
            },
        ),
    ),
    "deliberation:matter_detail": [
        Detail("village_secretary", lambda g: _f().make_matter(g)),
        Detail("supervisor", lambda g: _f().make_matter(g)),
        Detail("villager", lambda g: _f().make_matter(g)),
    ],
    "deliberation:matter_support": Detail(
        "villager", lambda g: _f().make_collecting(g), method="post", post=Post(ok=supported)
    ),
    "deliberation:matter_step_call": Detail(
        "village_committee",
        lambda g: _f().make_with_body(g),
        method="post",
        post=Post(ok=called, data=lambda k: {"body": k["_body"], "title": "支委会", "held_on": _today()}),
    ),
    "deliberation:matter_step_attach": Detail(
        "village_secretary",
        lambda g: _f().make_with_meeting(g),
        method="post",
        post=Post(ok=attached, data=lambda k: {"meeting": k["_meeting"]}),
    ),
    "deliberation:matter_step_complete": Detail(
        "town_staff",
        lambda g: _f().make_decided(g),
        method="post",
        post=Post(ok=step_done(1), data=lambda k: {"item": k["_item"]}),
    ),
    "deliberation:matter_resolution": Detail(
        "village_committee",
        lambda g: _f().make_resolved(g),
        method="post",
        post=Post(ok=step_done(5), data={"title": "关于修村道的决议", "body": "经表决通过。"}),
    ),
    "deliberation:matter_result": Detail(
        "village_committee",
        lambda g: _f().make_published(g),
        method="post",
        post=Post(ok=step_done(6), data={"result": "已完工"}),
    ),
    "deliberation:matter_consult": Detail(
        "village_committee", _civil, method="post", post=Post(ok=step_done(1), data={"text": "收集意见12条"})
    ),
    "deliberation:matter_stop": Detail(
        "village_secretary",
        lambda g: _f().make_matter(g),
        method="post",
        post=Post(ok=stopped, data={"reason": "暂缓"}),
    ),
    "deliberation:matter_pdf": Detail("village_committee", lambda g: _f().make_published(g)),
    "deliberation:matter_step_objection": Detail(
        "supervisor",
        lambda g: _f().make_step(g),
        method="post",
        post=Post(ok=objected, data={"text": "会前未公示"}),
    ),
    # GET here; the POST on the same path (提出议题, JSON) is checked in tests/deliberation/test_matters_web.py
    "api:matter_list": [
        Listing("village_committee", lambda g: _f().make_listed(g), api=True, filters=REGION),
        Listing("villager", lambda g: _f().make_listed(g), api=True, filters=REGION),
    ],
    "api:matter_detail": [
        Detail("village_secretary", lambda g: _renamed(_f().make_matter(g), matter_id="pk"), api=True),
        Detail("supervisor", lambda g: _renamed(_f().make_matter(g), matter_id="pk"), api=True),
    ],
    "api:matter_support": Exempt(API_WRITES),
    "api:matter_step_call": Exempt(API_WRITES),
    "api:matter_step_complete": Exempt(API_WRITES),
    "api:matter_resolution": Exempt(API_WRITES),
    "api:matter_result": Exempt(API_WRITES),
    "api:matter_consult": Exempt(API_WRITES),
    "api:matter_step_objection": Exempt(API_WRITES),
}
