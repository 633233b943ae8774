"""Isolation of the figures, the case register export and the routing rules (xiangzhi/cases/views_figures.py)."""

from tests.isolation.registry import Listing, Post


def _case_in(grid):
    from xiangzhi.cases import figures, services

    marker = f"事件{grid.code}"
    services.case_report(user=None, region_code=grid.code, description=f"{marker}。路灯不亮。", title=marker)
    figures.rollup()
    return {}, marker


def _village_figures(grid):
    """Figures by village: the town leader's page has a row for each village with cases (its own, not others').
    The marker is the row's cell, not the bare name (the region picker names every village in reach anyway).
    The region filter is not walked here: its rows change level with the filter (county → towns, town →
    villages …), so tests/cases/test_watch_pages.py checks it: another town's code gives nothing."""
    from xiangzhi.regions.models import Region

    _case_in(grid)
    return {}, f'data-label="辖区">{Region.objects.get(code=grid.code[:12]).name}</td>'


def _village_name(grid):
    """The API's figures by village: the village with cases is named, as its own row."""
    from xiangzhi.regions.models import Region

    _case_in(grid)
    return {}, f'"name": "{Region.objects.get(code=grid.code[:12]).name}"'


def _town_rule(grid):
    from xiangzhi.cases.models import RoutingRule

    code = f"d{grid.code[:9]}"
    RoutingRule.objects.get_or_create(
        town_code=grid.code[:9],
        category="SAFETY",
        triage="government",
        level="town",
        defaults=dict(handler="department", department_code=code, deadline_value=2, deadline_unit="workdays"),
    )
    return {"_town": grid.code[:9]}, code


def _rule_form(k):
    return {
        "town": k["_town"],
        "category": "AGRICULTURE",
        "triage": "government",
        "level": "town",
        "handler": "department",
        "department_code": f"n{k['_town']}",
        "deadline_value": 3,
        "deadline_unit": "workdays",
        "warn_before_hours": 24,
        "grace_workdays": 1,
    }


def _rule_saved(response, k):
    from xiangzhi.cases.models import RoutingRule

    assert response.status_code == 302, response.status_code
    assert RoutingRule.objects.filter(town_code=k["_town"], department_code=f"n{k['_town']}").exists()


ROUTES = {
    "cases:figures": Listing("town_leader", _village_figures),
    "api:case_figures": Listing("town_leader", _village_name, api=True),
    "cases:export": Listing("town_leader", _case_in, filters={"region": ("region",)}),
    "cases:routing": Listing("town_leader", _town_rule, post=Post(data=_rule_form, ok=_rule_saved)),
}
