"""Isolation of the 三务公开 routes (makers in tests/disclosure/factories.py). Merged into registry.ROUTES.

The board, its notices, their attachments and its print view are public (no login, published notices only, like
the DESIGN's 公开栏). The town page is the town's own (another town is an audited 404). The API's writes take JSON,
which this harness does not post: their isolation is in tests/disclosure/test_api.py."""

from tests.isolation.registry import Detail, Exempt, Listing, Post

# Notices and questions belong to a village (no grid): the filter is tried with the town code, which a grid code
# cannot narrow.
FILTERS = {"village": ("town",)}


def _df():
    from tests.disclosure import factories

    return factories


def _renamed(made, **names):
    kwargs, marker = made
    return {new: kwargs[old] for new, old in names.items()}, marker


def _town(grid):
    """The town of the grid; its village has published nothing, so it is listed as behind."""
    return {"code": grid.parent.parent.code}, grid.parent.name


def _notice(pk):
    from xiangzhi.disclosure.models import Notice

    return Notice.objects.get(pk=pk)


def _to_detail(response, pk):
    assert response.status_code == 302, f"expected a redirect after success, got {response.status_code}"
    assert response["Location"] == f"/board/staff/{pk}/", response["Location"]


def edited(response, k):
    _to_detail(response, k["pk"])
    assert _notice(k["pk"]).title == "改过的标题"


def signed_off(response, k):
    _to_detail(response, k["pk"])
    assert _notice(k["pk"]).signed_off_at is not None


def published(response, k):
    _to_detail(response, k["pk"])
    assert _notice(k["pk"]).state == "published"


def updated(response, k):
    from xiangzhi.disclosure.models import Notice

    new = Notice.objects.get(supersedes_id=k["pk"])
    _to_detail(response, new.pk)
    assert new.title == "更新后的标题" and new.state == "draft"


def answered(response, k):
    from xiangzhi.disclosure.models import Question

    assert response.status_code == 302, response.status_code
    assert Question.objects.get(pk=k["pk"]).answer == "已答复。"


def set_monthly(response, k):
    from xiangzhi.disclosure.models import VillageSetting

    assert response.status_code == 302, response.status_code
    assert VillageSetting.objects.get(region_code=k["code"]).finance_monthly


TEXT = {"title": "改过的标题", "body": "改过的内容。", "result": "", "mask_names": ""}

ROUTES = {
    "disclosure:board": Exempt("公开栏，无需登录，只显示已公开的事项（见 tests/disclosure/test_pages.py）"),
    "disclosure:board_print": Exempt("公开栏的打印页，同上（见 tests/disclosure/test_pages.py）"),
    "disclosure:notice": Exempt(
        "公开栏，无需登录；草稿或他村的事项返回 404（见 tests/disclosure/test_pages.py）"
    ),
    "disclosure:attachment": Exempt(
        "已公开事项的附件，公开；草稿的附件返回 404（见 tests/disclosure/test_pages.py）"
    ),
    "disclosure:ask": Exempt(
        "只有本村村民能对本村已公开事项提问，他村村民被拒绝且不写入（见 tests/disclosure/test_pages.py）"
    ),
    "disclosure:town": Detail("town_leader", _town),
    # the cadres' pages
    "disclosure:staff_list": [
        Listing("village_secretary", lambda g: _df().make_draft(g), filters=FILTERS),
        Listing("town_leader", lambda g: _df().make_draft(g), filters=FILTERS),
        Listing("supervisor", lambda g: _df().make_draft(g), filters=FILTERS),
    ],
    "disclosure:staff_export": [
        Listing("village_secretary", lambda g: _df().make_draft(g), filters=FILTERS),
        Listing("town_leader", lambda g: _df().make_draft(g), filters=FILTERS),
    ],
    "disclosure:staff_new": Listing(
        "village_secretary",
        lambda g: _df().make_village(g),
        post=Post(
            data=lambda k: {**TEXT, "village": k["code"], "kind": "village", "title": f"新草稿{k['code']}"},
            ok=lambda r, k: _to_detail(r, _df().Notice.objects.get(title=f"新草稿{k['code']}").pk),
        ),
    ),
    "disclosure:staff_detail": Detail("village_secretary", lambda g: _df().make_draft(g)),
    "disclosure:staff_edit": Detail(
        "village_secretary", lambda g: _df().make_draft(g), post=Post(data=TEXT, ok=edited)
    ),
    "disclosure:staff_sign_off": Detail(
        "supervisor", lambda g: _df().make_finance_draft(g), method="post", post=Post(ok=signed_off)
    ),
    "disclosure:staff_publish": Detail(
        "village_secretary", lambda g: _df().make_draft(g), method="post", post=Post(ok=published)
    ),
    "disclosure:staff_update": Detail(
        "village_secretary",
        lambda g: _df().make_published(g),
        post=Post(data={**TEXT, "title": "更新后的标题"}, ok=updated),
    ),
    "disclosure:staff_questions": Listing(
        "village_secretary", lambda g: _df().make_question(g), filters=FILTERS
    ),
    "disclosure:staff_answer": Detail(
        "village_secretary",
        lambda g: _df().make_question(g),
        method="post",
        post=Post(data={"answer": "已答复。"}, ok=answered),
    ),
    "disclosure:staff_setting": Detail(
        "village_secretary",
        lambda g: _df().make_village(g),
        post=Post(data={"finance_monthly": "on"}, ok=set_monthly),
    ),
    # API
    "api:disclosure_board": Exempt("公开栏，无需登录，只返回已公开的事项（见 tests/disclosure/test_api.py）"),
    "api:disclosure_board_notice": Exempt(
        "公开栏，无需登录；草稿或他村的事项返回 404（见 tests/disclosure/test_api.py）"
    ),
    "api:disclosure_list": Listing("village_secretary", lambda g: _df().make_draft(g), api=True),
    "api:disclosure_detail": Detail(
        "village_secretary", lambda g: _renamed(_df().make_draft(g), notice_id="pk"), api=True
    ),
    "api:disclosure_ask": Exempt(
        "只有本村村民能提问，他村返回 403 且不写入（见 tests/disclosure/test_api.py）"
    ),
    "api:disclosure_draft": Exempt("JSON 写入：他村被拒绝且不写入（见 tests/disclosure/test_api.py）"),
    "api:disclosure_edit": Exempt(
        "JSON 写入：他村的事项返回 404 且不写入（见 tests/disclosure/test_api.py）"
    ),
    "api:disclosure_sign_off": Exempt(
        "JSON 写入：他村的事项返回 404 且不写入（见 tests/disclosure/test_api.py）"
    ),
    "api:disclosure_publish": Exempt(
        "JSON 写入：他村的事项返回 404 且不写入（见 tests/disclosure/test_api.py）"
    ),
    "api:disclosure_supersede": Exempt(
        "JSON 写入：他村的事项返回 404 且不写入（见 tests/disclosure/test_api.py）"
    ),
    "api:disclosure_questions": Listing(
        "village_secretary", lambda g: _df().make_question(g), api=True, filters={"region": ("town",)}
    ),
    "api:disclosure_setting": Detail("village_secretary", lambda g: _df().make_village(g), api=True),
    "api:disclosure_setting_set": Exempt(
        "JSON 写入：他村的设置返回 404 且不写入（见 tests/disclosure/test_api.py）"
    ),
    "api:disclosure_answer": Exempt(
        "JSON 写入：他村的提问返回 404 且不写入（见 tests/disclosure/test_api.py）"
    ),
}
