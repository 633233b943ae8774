"""Isolation of the grid work routes (makers in tests/grid/factories.py). Merged into registry.ROUTES."""

from tests.isolation.registry import Detail, Exempt, Listing, Post

GRID_FILTERS = {"region": ("region",)}


def _grid():
    from tests.grid import factories

    return factories


def _renamed(made, **names):
    kwargs, marker = made
    return {new: kwargs[old] for new, old in names.items()}, marker


def patrol_recorded(response, kwargs):
    from xiangzhi.grid.models import Patrol

    assert response.status_code == 302, response.status_code
    assert Patrol.objects.filter(region__code=kwargs["_grid"], notes="巡查正常").exists()


def visit_recorded(response, kwargs):
    from xiangzhi.grid.models import Visit

    assert response.status_code == 302, response.status_code
    assert Visit.objects.filter(household_id=kwargs["_household"]).exists()


ROUTES = {
    # the grid worker's own forms: the grid and the households offered are his own; another's are refused (422)
    "grid:patrol_today": Listing(
        "grid_worker",
        lambda g: _grid().make_grid_to_patrol(g),
        post=Post(
            data=lambda k: {"grid": k["_grid"], "date": _today(), "notes": "巡查正常"}, ok=patrol_recorded
        ),
    ),
    "grid:visit_create": Listing(
        "grid_worker",
        lambda g: _grid().make_household_to_visit(g),
        filters={"q": ("marker",)},
        post=Post(
            data=lambda k: {"household": k["_household"], "date": _today(), "purpose": "routine"},
            ok=visit_recorded,
        ),
    ),
    "grid:patrol_list": [
        Listing("village_secretary", lambda g: _grid().make_listed_patrol(g), filters=GRID_FILTERS),
        Listing("town_leader", lambda g: _grid().make_listed_patrol(g), filters=GRID_FILTERS),
    ],
    "grid:patrol_detail": Detail("village_secretary", lambda g: _grid().make_patrol(g)),
    "grid:visit_list": [
        Listing(
            "village_secretary",
            lambda g: _grid().make_listed_visit(g),
            filters={"region": ("region",), "q": ("marker",)},
        ),
        Listing("grid_worker", lambda g: _grid().make_listed_visit(g)),
    ],
    "grid:visit_detail": Detail("village_secretary", lambda g: _grid().make_visit(g)),
    "grid:follow_up_list": Listing(
        "village_secretary", lambda g: _grid().make_follow_up(g), filters=GRID_FILTERS
    ),
    "grid:coverage": [
        Listing("village_secretary", lambda g: _grid().make_unvisited(g), filters=GRID_FILTERS),
        Listing("town_leader", lambda g: _grid().make_unvisited(g), filters=GRID_FILTERS),
    ],
    "grid:coverage_export": [
        Listing("village_secretary", lambda g: _grid().make_unvisited(g), filters=GRID_FILTERS),
        Listing("town_leader", lambda g: _grid().make_unvisited(g), filters=GRID_FILTERS),
    ],
    # API (GET and POST share one path each; the POSTs' refusals are in tests/grid/test_api.py)
    "api:grid_patrol_list": Listing(
        "village_committee", lambda g: _grid().make_listed_patrol(g), api=True, filters=GRID_FILTERS
    ),
    "api:grid_patrol_create": Exempt(
        "与巡查列表同一路径的 POST：越权网格返回 404 并记入审计、不写入（见 tests/grid/test_api.py："
        "test_patrol_of_another_grid_is_404_and_bad_bodies_422）"
    ),
    "api:grid_visit_create": Exempt(
        "与走访列表同一路径的 POST：看不到的户返回 404、看得到但不在本人网格的户返回 403，均不写入"
        "（见 tests/grid/test_api.py：test_visit_of_a_household_out_of_reach_writes_nothing）"
    ),
    "api:grid_visit_list": Listing(
        "village_committee",
        lambda g: _grid().make_listed_visit(g),
        api=True,
        filters={"region": ("region",), "q": ("marker",)},
    ),
    "api:grid_coverage": Listing("town_leader", lambda g: _renamed_grid(g), api=True, filters=GRID_FILTERS),
}


def _today() -> str:
    from xiangzhi.core import clock

    return clock.today().isoformat()


def _renamed_grid(grid):
    """The coverage API names each grid (no households are listed there): the grid's name is the marker."""
    _grid().make_unvisited(grid)
    return {}, grid.name
