"""Isolation of the cases API (xiangzhi/cases/api.py) and the 12345 hotline import (xiangzhi/cases/hotline.py).

The list and the detail are walked here like every route. The API's POSTs take JSON bodies, which the walker's form
posts cannot fill; tests/cases/test_api.py checks each of them instead: a case out of reach answers 404, the refusal
is audited and no table changes (test_a_case_out_of_reach_is_404_audited_and_untouched)."""

from tests.isolation.registry import Detail, Exempt, Listing


def _case(grid):
    """A case reported in `grid` by its grid worker; the marker is its title."""
    from tests import factories
    from xiangzhi.cases import services

    marker = f"事件{grid.code}"
    case, _ = services.case_report(
        user=factories.user_with_role("grid_worker", grid),
        region_code=grid.code,
        description=f"{marker}。路灯不亮。",
        title=marker,
    )
    return {"case_id": case.pk}, marker


CASE_FILTERS = {"region": ("region",), "q": ("marker",)}
API_POST = "正文为 JSON；越权事件返回 404、记入审计且不写入（见 tests/cases/test_api.py）"

ROUTES: dict[str, object] = {
    "api:case_list": [
        Listing("grid_worker", _case, api=True, filters=CASE_FILTERS),
        Listing("village_secretary", _case, api=True, filters=CASE_FILTERS),
        Listing("town_leader", _case, api=True, filters=CASE_FILTERS),
    ],
    "api:case_detail": [
        Detail("grid_worker", _case, api=True),
        Detail("village_secretary", _case, api=True),
    ],
    "api:case_create": Exempt(
        "上报地点须在本人可上报的辖区内，越权地点返回 422 且不写入（见 tests/cases/test_api.py）"
    ),
    **{
        f"api:case_{name}": Exempt(API_POST)
        for name in (
            "accept",
            "assign",
            "return",
            "start",
            "suspend",
            "resume",
            "deliberate",
            "extension_request",
            "extension_decide",
            "resolve",
            "verify",
            "rate",
            "visit",
            "close",
            "escalate",
            "merge",
        )
    },
    "api:case_hotline": Exempt(
        "只有县综治中心、乡镇领导、包村干部可用；越权的村返回 403 并记入审计，不写入"
        "（见 tests/cases/test_api.py）"
    ),
    "cases:hotline_import": Exempt(
        "导入的每行须在本人辖区内，越权行整表不导入（见 tests/cases/test_hotline.py）"
    ),
    "cases:hotline_template": Exempt("空白的热线工单模板，不含任何数据"),
}
