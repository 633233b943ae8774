"""The pages that change the tree: rename, create a child, and the 撤并 flow (choose → dry run → confirm)."""

import re

import pytest

from tests.factories import signed_in_client
from tests.regions.test_merge import villages  # noqa: F401  (fixture)
from xiangzhi.audit.models import AuditRecord
from xiangzhi.audit.services import record
from xiangzhi.people.models import Household
from xiangzhi.regions.models import Region
from xiangzhi.regions.selectors import region_merge_plan
from xiangzhi.regions.services import region_create, region_merge


def body(resp) -> str:
    return resp.content.decode()


def field_error(html: str, field: str) -> str:
    """The error paragraph rendered right after the field's input."""
    m = re.search(rf'<p class="error" id="id_{field}-error" role="alert">(.*?)</p>', html, re.S)
    return m.group(1) if m else ""


# --- rename ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rename_page_changes_the_name_and_audits(township, make_user):
    leader = make_user("town_leader", township.town)
    client = signed_in_client(leader)
    url = f"/regions/{township.village_a.code}/edit/"
    assert 'value="南山村"' in body(client.get(url))
    resp = client.post(url, {"name": "  南山新村 "})
    assert resp.status_code == 302 and resp.url == f"/regions/{township.village_a.code}/"
    assert Region.objects.get(pk=township.village_a.pk).name == "南山新村"
    rec = AuditRecord.objects.get(action="regions.renamed")
    assert (rec.actor, rec.changes, rec.region_code) == (
        leader,
        {"name": ["南山村", "南山新村"]},
        township.village_a.code,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,message",
    [("", "请填写名称。"), ("南山村", "名称没有变化。"), ("南" * 101, "名称不能超过 100 个字。")],
)
def test_rename_refusals_are_shown_next_to_the_field(township, make_user, name, message):
    client = signed_in_client(make_user("town_leader", township.town))
    resp = client.post(f"/regions/{township.village_a.code}/edit/", {"name": name})
    assert resp.status_code == 422
    assert field_error(body(resp), "name") == message
    assert Region.objects.get(pk=township.village_a.pk).name == "南山村"
    assert not AuditRecord.objects.filter(action="regions.renamed").exists()


@pytest.mark.django_db
def test_rename_of_a_merged_village_is_refused(villages):  # noqa: F811
    region_merge(source=villages.village_b, target=villages.village_a)
    from tests.factories import user_with_role

    client = signed_in_client(user_with_role("town_leader", villages.town))
    resp = client.post(f"/regions/{villages.village_b.code}/edit/", {"name": "北坡新村"})
    assert resp.status_code == 422 and "已撤并" in field_error(body(resp), "name")


@pytest.mark.django_db
def test_change_pages_need_regions_change_within_reach(township, make_user):
    secretary = signed_in_client(make_user("village_secretary", township.village_a))
    denied_before = AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()
    for url in (f"/regions/{township.village_a.code}/edit/", f"/regions/{township.village_a.code}/new/"):
        assert secretary.get(url).status_code == 404
        assert secretary.post(url, {"name": "x", "code": township.village_a.code + "009"}).status_code == 404
    assert AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count() == denied_before + 4
    assert Region.objects.filter(code=township.village_a.code + "009").count() == 0
    # the detail page offers the links only to those who may use them
    detail = body(secretary.get(f"/regions/{township.village_a.code}/"))
    assert "修改名称" not in detail and "新增下级" not in detail
    leader = signed_in_client(make_user("town_leader", township.town))
    detail = body(leader.get(f"/regions/{township.village_a.code}/"))
    assert "修改名称" in detail and "新增下级" in detail


# --- create a child -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_child_page_creates_and_audits(township, make_user):
    leader = make_user("town_leader", township.town)
    client = signed_in_client(leader)
    url = f"/regions/{township.village_a.code}/new/"
    page = body(client.get(url))
    assert (
        "在南山村下新增网格" in page and f'value="{township.village_a.code}"' in page
    )  # the prefix typed for you
    resp = client.post(url, {"code": township.village_a.code + "003", "name": "南山村第三网格"})
    assert resp.status_code == 302 and resp.url == f"/regions/{township.village_a.code}003/"
    grid = Region.objects.get(code=township.village_a.code + "003")
    assert (grid.name, grid.level, grid.parent_id) == ("南山村第三网格", "grid", township.village_a.pk)
    assert AuditRecord.objects.get(action="regions.created", object_id=str(grid.pk)).actor == leader


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code,name,field,message",
    [
        ("14102920120100", "新网格", "code", "区划代码长度应为 6/9/12/15/18 位，实际为 14 位。"),
        ("14102920120100a", "新网格", "code", "区划代码只能由数字组成。"),
        (
            "141029201202009",
            "新网格",
            "code",
            "区划代码 141029201202009 应以上级代码 141029201202 开头，且上级必须为 141029201202。",
        ),
        ("141029201201001", "新网格", "code", "区划代码 141029201201001 已存在。"),
        ("141029201201009", "", "name", "请填写名称。"),
    ],
)
def test_create_child_keeps_typed_values_and_shows_the_rule_next_to_the_field(
    township, make_user, code, name, field, message
):
    client = signed_in_client(make_user("town_leader", township.town))
    before = Region.objects.count()
    resp = client.post(f"/regions/{township.village_a.code}/new/", {"code": code, "name": name})
    assert resp.status_code == 422
    html = body(resp)
    assert field_error(html, field) == message
    assert f'value="{code}"' in html and f'value="{name}"' in html  # what was typed is still there
    assert Region.objects.count() == before


@pytest.mark.django_db
def test_a_micro_grid_has_no_children(township, make_user):
    micro = region_create(code=township.grid_a1.code + "001", name="微网格", parent=township.grid_a1)
    client = signed_in_client(make_user("town_leader", township.town))
    assert "是最低一级" in body(client.get(f"/regions/{micro.code}/new/"))
    client.post(f"/regions/{micro.code}/new/", {"code": micro.code + "001", "name": "x"})
    assert not Region.objects.filter(parent=micro).exists()


# --- 撤并 -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_merge_pages_need_regions_merge(villages, make_user):  # noqa: F811
    client = signed_in_client(make_user("town_leader", villages.town))
    assert client.get("/regions/merge/").status_code == 403
    url = f"/regions/merge/{villages.village_b.code}/into/{villages.village_a.code}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"plan": "x"}).status_code == 404
    assert Region.objects.get(pk=villages.village_b.pk).is_active
    assert "村庄撤并" not in body(client.get("/regions/"))


@pytest.mark.django_db
def test_merge_choice_lists_only_towns_and_villages_in_reach(villages, make_user):  # noqa: F811
    other_county = region_create(code="141030", name="大宁县", parent=None)
    far_town = region_create(code="141030101", name="昕水镇", parent=other_county)
    region_create(code="141030101201", name="东关村", parent=far_town)
    client = signed_in_client(make_user("county_officer", villages.county))
    assert "村庄撤并" in body(client.get("/regions/"))
    page = body(client.get("/regions/merge/"))  # one town in reach: chosen already
    assert "南山村（141029201201）" in page and "北坡村（141029201202）" in page
    assert "昕水镇" not in page and "东关村" not in page
    probe = client.get("/regions/merge/?town=141030101")
    assert probe.status_code == 422 and "东关村" not in body(probe) and "请从列表中选择乡镇" in body(probe)
    # a village of another county typed into the form is not a choice
    resp = client.get(
        "/regions/merge/", {"town": villages.town.code, "source": "141030101201", "target": "x"}
    )
    assert resp.status_code == 422
    assert field_error(body(resp), "source") == "请从列表中选择本乡镇的村。"


@pytest.mark.django_db
def test_merge_choice_validation_and_redirect(villages, make_user):  # noqa: F811
    client = signed_in_client(make_user("county_officer", villages.county))
    a, b = villages.village_a.code, villages.village_b.code
    same = client.get("/regions/merge/", {"town": villages.town.code, "source": b, "target": b})
    assert same.status_code == 422 and field_error(body(same), "target") == "并入的村不能与被撤并的村相同。"
    missing = client.get("/regions/merge/", {"town": villages.town.code, "source": b, "target": ""})
    assert missing.status_code == 422 and field_error(body(missing), "target") == "请选择并入的村。"
    ok = client.get("/regions/merge/", {"town": villages.town.code, "source": b, "target": a})
    assert ok.status_code == 302 and ok.url == f"/regions/merge/{b}/into/{a}/"


@pytest.mark.django_db
def test_confirmation_page_shows_the_dry_run_and_the_merge_matches_it(villages, make_user):  # noqa: F811
    t = villages
    officer = make_user("county_officer", t.county)
    client = signed_in_client(officer)
    url = f"/regions/merge/{t.village_b.code}/into/{t.village_a.code}/"
    records_before = AuditRecord.objects.count()
    page = client.get(url)
    assert page.status_code == 200
    html = body(page)
    new_grid = t.village_a.code + "003"
    assert f'<td data-label="原编号">{t.grid_b1.code}</td>' in html and f"<strong>{new_grid}</strong>" in html
    assert "<dt>网格</dt><dd>1 个（含微网格 1 个）</dd>" in html
    assert "<dt>户</dt><dd>2 户</dd>" in html and "<dt>居民</dt><dd>2 人</dd>" in html
    assert "<dt>党员</dt><dd>1 条</dd>" in html and "<dt>党组织</dt><dd>1 条</dd>" in html
    assert AuditRecord.objects.count() == records_before  # the dry run wrote nothing
    assert Region.objects.get(pk=t.village_b.pk).is_active

    plan = region_merge_plan(source=t.village_b, target=t.village_a)
    assert f'name="plan" value="{plan.fingerprint}"' in html
    resp = client.post(url, {"plan": plan.fingerprint})
    assert resp.status_code == 302 and resp.url == f"/regions/{t.village_a.code}/"
    assert (Region.objects.get(pk=t.village_b.pk).is_active, Region.objects.get(pk=t.grid_b1.pk).code) == (
        False,
        new_grid,
    )
    assert Household.objects.get(pk=t.hh_b.pk).region_code == new_grid
    merged = AuditRecord.objects.get(action="regions.merged")
    assert merged.actor == officer
    assert merged.changes["grids"] == {g.old_code: g.new_code for g in plan.grids}
    for label in ("people.household", "people.resident", "party.partymember", "party.partyorg"):
        assert merged.changes["rows"][label] == plan.rows[label][1], label
    assert "已并入南山村" in body(client.get(resp.url))


@pytest.mark.django_db
def test_confirming_a_stale_plan_shows_the_new_one_instead(villages, make_user):  # noqa: F811
    t = villages
    client = signed_in_client(make_user("county_officer", t.county))
    url = f"/regions/merge/{t.village_b.code}/into/{t.village_a.code}/"
    old = region_merge_plan(source=t.village_b, target=t.village_a).fingerprint
    region_create(code=t.village_a.code + "007", name="南山村第七网格", parent=t.village_a)  # meanwhile
    resp = client.post(url, {"plan": old})
    assert resp.status_code == 409
    assert "数据有了变化" in body(resp) and f"<strong>{t.village_a.code}008</strong>" in body(resp)
    assert Region.objects.get(pk=t.village_b.pk).is_active
    assert not AuditRecord.objects.filter(action="regions.merged").exists()


@pytest.mark.django_db
def test_confirmation_page_refuses_what_the_service_refuses(villages, make_user):  # noqa: F811
    t = villages
    other_town = region_create(code="141029202", name="关王庙乡", parent=t.county)
    far = region_create(code="141029202201", name="河西村", parent=other_town)
    client = signed_in_client(make_user("county_officer", t.county))
    resp = client.get(f"/regions/merge/{t.village_b.code}/into/{far.code}/")
    assert resp.status_code == 422
    assert "只能在同一乡镇内撤并村" in body(resp) and 'name="plan"' not in body(resp)
    assert client.post(f"/regions/merge/{t.village_b.code}/into/{far.code}/", {"plan": ""}).status_code == 422
    assert Region.objects.get(pk=t.village_b.pk).is_active
    region_merge(source=t.village_b, target=t.village_a)
    again = client.get(f"/regions/merge/{t.village_b.code}/into/{t.village_a.code}/")
    assert again.status_code == 422 and "北坡村已撤并，不能再次撤并。" in body(again)


@pytest.mark.django_db
def test_rows_outside_any_grid_are_listed_and_block_the_merge(villages, make_user):  # noqa: F811
    t = villages
    record("tests.orphan", None, region_code=t.village_b.code + "555")
    client = signed_in_client(make_user("county_officer", t.county))
    url = f"/regions/merge/{t.village_b.code}/into/{t.village_a.code}/"
    page = client.get(url)
    assert page.status_code == 422
    assert "不属于任何网格" in body(page) and "<li>审计记录：1 条</li>" in body(page)
    assert 'name="plan"' not in body(page)
    plan = region_merge_plan(source=t.village_b, target=t.village_a)
    assert client.post(url, {"plan": plan.fingerprint}).status_code == 422
    assert Region.objects.get(pk=t.village_b.pk).is_active
