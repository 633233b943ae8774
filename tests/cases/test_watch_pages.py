"""The figures page, its Excel export, the case register export and the routing rules page."""

import io

import pytest
from openpyxl import load_workbook

from tests.cases.factories import cast, reported
from tests.factories import signed_in_client
from xiangzhi.cases import figures, routing, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return cast(township)


def closed_satisfied(township, c):
    case = reported(township, c, category="ENVIRONMENT")
    for step in (services.case_accept, services.case_start):
        case = step(user=c.grid_worker, case=case)
    case = services.case_resolve(user=c.grid_worker, case=case, result="已清理")
    case = services.case_verify(user=c.grid_worker, case=case, passed=True)
    return services.case_rate(user=c.villager, case=case, rating="satisfied")


def test_figures_page_shows_rates_in_words_and_exports(township, c):
    closed_satisfied(township, c)
    reported(township, c, category="DISPUTE")
    figures.rollup()
    client = signed_in_client(c.town_leader)
    page = client.get("/cases/figures/").content.decode()
    assert "事件统计" in page and "按期办结率" in page and "未评价" in page
    assert 'data-label="辖区">南山村</td>' in page and "100.0%" in page  # on time 1/1, satisfied 1/1
    other = client.get(f"/cases/figures/?region={township.village_b.code}").content.decode()
    assert "南山村</td>" not in other and "这段时间没有事件" in other
    xlsx = client.get("/cases/figures/?format=xlsx")
    wb = load_workbook(io.BytesIO(xlsx.content))
    rows = list(wb["按类别"].values)
    assert rows[-1][0] == "合计" and rows[-1][1] == 2


def test_figures_of_another_town_are_empty(township, c):
    from tests import factories
    from xiangzhi.regions.services import region_create

    other_town = region_create(code="141029202", name="关王庙乡", parent=township.county)
    closed_satisfied(township, c)
    figures.rollup()
    leader = factories.user_with_role("town_leader", other_town)
    page = signed_in_client(leader).get(f"/cases/figures/?region={township.village_a.code}").content.decode()
    assert "南山村</td>" not in page and "这段时间没有事件" in page


def test_villagers_and_grid_workers_see_no_figures(township, c):
    assert signed_in_client(c.villager).get("/cases/figures/").status_code == 403
    assert signed_in_client(c.grid_worker).get("/cases/figures/").status_code == 403


def test_the_register_export_keeps_a_petitioners_name_from_those_not_handling_it(township, c):
    reported(township, c, category="PETITION", description="反映补贴发放问题")
    wb = load_workbook(io.BytesIO(signed_in_client(c.town_leader).get("/cases/export/").content))
    rows = list(wb["事件台账"].values)
    assert rows[1][10] == "（保密）" and c.villager.full_name not in str(rows)


def test_a_town_rule_wins_over_the_default_and_bad_input_is_refused(township, c):
    client = signed_in_client(c.town_leader)
    form = {
        "town": township.town.code,
        "category": "ENVIRONMENT",
        "triage": "civil",
        "level": "grid",
        "handler": "grid",
        "department_code": "",
        "deadline_value": 2,
        "deadline_unit": "workdays",
        "warn_before_hours": 12,
        "grace_workdays": 0,
    }
    assert client.post("/cases/routing/", form).status_code == 302
    r = routing.route(region_code=township.grid_a1.code, level="grid", category="ENVIRONMENT", triage="civil")
    assert (r.deadline_value, r.warn_before_hours, r.grace_workdays) == (2, 12, 0)
    bad = client.post("/cases/routing/", {**form, "handler": "department", "level": "town"})
    assert bad.status_code == 422 and "部门代码" in bad.content.decode()
    assert signed_in_client(c.secretary).get("/cases/routing/").status_code == 403


def test_figures_through_the_api(township, c):
    closed_satisfied(township, c)
    figures.rollup()
    client = signed_in_client(c.town_leader)
    body = client.get("/api/v1/cases/figures/").json()
    assert body["total"]["received"] == 1 and body["total"]["satisfaction_rate"] == 1.0
    assert body["by_region"][0]["name"] == "南山村"
    assert client.get("/api/v1/cases/figures/?start=2026-05-01&end=2026-01-01").status_code == 422
    assert signed_in_client(c.grid_worker).get("/api/v1/cases/figures/").status_code == 403


def test_a_dispute_case_opens_a_mediation_from_its_page_and_the_figures_count_it(township, c):
    from xiangzhi.mediation import services as mediation_services

    case = reported(township, c, category="DISPUTE", description="两户因宅基地边界争执。")
    page = signed_in_client(c.secretary).get(f"/cases/{case.pk}/").content.decode()
    assert "发起调解" in page and f"/mediation/new/?case={case.pk}" in page
    other = reported(township, c, category="ENVIRONMENT")
    assert "发起调解" not in signed_in_client(c.secretary).get(f"/cases/{other.pk}/").content.decode()
    m = mediation_services.mediation_open(
        user=c.secretary, case=case, level="village", summary="宅基地边界纠纷"
    )
    page = signed_in_client(c.secretary).get(f"/cases/{case.pk}/").content.decode()
    assert f"/mediation/{m.pk}/" in page and "调解中" in page and "发起调解" not in page
    figures_page = signed_in_client(c.town_leader).get("/cases/figures/").content.decode()
    assert "期间发起调解 1 件" in figures_page
