"""Isolation of the 三务公开 routes (makers in tests/disclosure/factories.py). Merged into registry.ROUTES.

The board, its notices, their attachments and its print view are public (no login, published notices only, like
the DESIGN's 公开栏). The town page is the town's own (another town is an audited 404). The API's writes take JSON,
which this harness does not post: their isolation is in tests/disclosure/test_api.py."""

from tests.isolation.registry import Detail, Exempt, Listing


def _df():
    from tests.disclosure import factories

    return factories


def _renamed(made, **names):
    kwargs, marker = made
    return {new: kwargs[old] for new, old in names.items()}, marker


def _town(grid):
    """The town of the grid; its village has published nothing, so it is listed as behind."""
    return {"code": grid.parent.parent.code}, grid.parent.name


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
    "api:disclosure_answer": Exempt(
        "JSON 写入：他村的提问返回 404 且不写入（见 tests/disclosure/test_api.py）"
    ),
}
