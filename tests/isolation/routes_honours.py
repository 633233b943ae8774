"""Isolation of the 红黑榜 routes (makers in tests/honours/factories.py). Merged into registry.ROUTES.

A village's cadres see and act on their village's lists and get an audited 404 on another village's. The API's
writes take JSON, which this harness does not post: their isolation is in tests/honours/test_api.py. The villager's
own pages need a viewer linked to a household, which this harness's viewers are not: see tests/honours. The public
board shows published lists only, to anyone (no login, like the DESIGN's 公开栏)."""

from tests.isolation.registry import Detail, Exempt, Listing, Post

FILTERS = {"region": ("region",)}


def _hf():
    from tests.honours import factories

    return factories


def _renamed(made, **names):
    kwargs, marker = made
    return {new: kwargs[old] for new, old in names.items()}, marker


def _list(pk):
    from xiangzhi.honours.models import HonourList

    return HonourList.objects.get(pk=pk)


def _redirected(response, k):
    assert response.status_code == 302, f"expected a redirect after success, got {response.status_code}"
    assert response["Location"] == f"/honours/{k['pk']}/", response["Location"]


def regenerated(response, k):
    _redirected(response, k)
    assert _list(k["pk"]).version == 2


def notified(response, k):
    _redirected(response, k)
    assert _list(k["pk"]).state == "notified"


def published(response, k):
    _redirected(response, k)
    assert _list(k["pk"]).state == "published"


def decided(response, k):
    from xiangzhi.honours.models import Appeal

    assert response.status_code == 302, response.status_code
    appeal = Appeal.objects.get(pk=k["pk"])
    assert appeal.state == "upheld" and appeal.entry.removed


def generated(response, k):
    from xiangzhi.honours.models import HonourList

    assert response.status_code == 302, response.status_code
    assert HonourList.objects.filter(region_code=k["_village"]).exists()


def _village_ready(grid):
    """A village with an active scheme and a household with March points; the form names the village."""
    import datetime as dt

    from tests import factories
    from tests.people import factories as pf
    from tests.points import factories as pts

    village = grid.parent
    _hf().in_april()
    pts.scheme(village, factories.user_with_role("village_secretary", village))
    pts.give(pf.household(grid, head_name="表单户"), 5, day=dt.date(2026, 3, 3))
    return {"_village": village.code}, village.name


def _household(grid):
    from tests.people import factories as pf

    h = pf.household(grid, head_name=f"评优{grid.code[-6:]}")
    return {"household_id": h.pk}, h.head_name


ROUTES = {
    "honours:list": [
        Listing("village_secretary", lambda g: _hf().make_list(g), filters=FILTERS),
        Listing("town_leader", lambda g: _hf().make_list(g), filters=FILTERS),
    ],
    "honours:generate": Listing(
        "village_secretary",
        _village_ready,
        post=Post(data=lambda k: {"village": k["_village"], "month": "2026-03"}, ok=generated),
    ),
    "honours:detail": Detail("village_secretary", lambda g: _hf().make_list(g)),
    "honours:regenerate": Detail(
        "village_secretary", lambda g: _hf().make_list(g), method="post", post=Post(ok=regenerated)
    ),
    "honours:notify": Detail(
        "village_secretary",
        lambda g: _hf().make_list(g),
        method="post",
        post=Post(data={"appeal_days": "5"}, ok=notified),
    ),
    "honours:publish": Detail(
        "village_secretary", lambda g: _hf().make_empty_list(g), method="post", post=Post(ok=published)
    ),
    "honours:export": Detail("village_secretary", lambda g: _hf().make_list(g)),
    "honours:pdf": Detail("village_secretary", lambda g: _hf().make_list(g)),
    "honours:appeal_decide": Detail(
        "village_secretary",
        lambda g: _hf().make_appeal(g),
        post=Post(data={"decision": "upheld", "reason": "核实属实"}, ok=decided),
    ),
    "honours:mine": Exempt(
        "只列出本人户的条目（草稿不列）；他户条目不出现，见 tests/honours/test_pages.py 与 tests/honours/test_flow.py"
    ),
    "honours:appeal": Exempt(
        "只能对本人户的条目申诉，他户条目返回 404（见 tests/honours/test_pages.py："
        "test_the_villager_sees_the_own_entry_and_appeals_then_the_committee_decides）"
    ),
    "honours:board": Exempt("公开栏，无需登录，只显示已公布的榜单（见 tests/honours/test_pages.py）"),
    "honours:board_detail": Exempt(
        "公开栏，无需登录；未公布的榜单或他村的榜单返回 404（见 tests/honours/test_pages.py）"
    ),
    "honours:board_pdf": Exempt("公开栏的打印件，同上，只有已公布的榜单（见 tests/honours/test_pages.py）"),
    # API
    "api:honours_list": [
        Listing("village_committee", lambda g: _hf().make_list(g), api=True, filters=FILTERS),
        Listing("town_leader", lambda g: _hf().make_list(g), api=True, filters=FILTERS),
    ],
    "api:honours_detail": Detail(
        "village_committee", lambda g: _renamed(_hf().make_list(g), list_id="pk"), api=True
    ),
    "api:honours_appeals": Detail(
        "village_committee", lambda g: _renamed(_hf().make_appeal(g), list_id="_list"), api=True
    ),
    "api:honours_flag": Detail("village_committee", _household, api=True),
    "api:honours_generate": Exempt("JSON 写入：他村返回 404 且不写入（见 tests/honours/test_api.py）"),
    "api:honours_regenerate": Exempt(
        "JSON 写入：他村的榜单返回 404 且不写入（见 tests/honours/test_api.py）"
    ),
    "api:honours_notify": Exempt("JSON 写入：他村的榜单返回 404 且不写入（见 tests/honours/test_api.py）"),
    "api:honours_publish": Exempt("JSON 写入：他村的榜单返回 404 且不写入（见 tests/honours/test_api.py）"),
    "api:honours_appeal_decide": Exempt(
        "JSON 写入：他村的申诉返回 404 且不写入（见 tests/honours/test_api.py）"
    ),
    "api:honours_mine": Exempt("只返回本人户的条目（见 tests/honours/test_api.py）"),
    "api:honours_appeal_raise": Exempt(
        "只能对本人户的条目申诉，他户返回 404（见 tests/honours/test_api.py）"
    ),
}
