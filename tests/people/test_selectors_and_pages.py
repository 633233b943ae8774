import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from tests.factories import signed_in_client
from tests.people import factories as pf
from xiangzhi.audit.models import AuditRecord
from xiangzhi.people import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(township):
    born = dt.date(1961, 7, 15)
    zhang = pf.household(
        township.grid_a1,
        head_name="张三",
        id_number=pf.id_number(birth=born),
        phone="13812345678",
        number="A-001",
    )
    pf.resident(zhang, name="张小花", sex="F", relation="child", tags=["留守儿童"])
    li = pf.household(township.grid_a2, head_name="李四", number="A-002")
    wang = pf.household(township.grid_b1, head_name="王五", number="B-001")
    return {"zhang": zhang, "li": li, "wang": wang, "born": born}


def names(qs):
    return sorted(r.name for r in qs)


def test_pinyin_initials_find_the_name(township, make_user, data):
    user = make_user("village_secretary", township.village_a)
    assert names(selectors.resident_list(user=user, q="zs")) == ["张三"]
    assert names(selectors.resident_list(user=user, q="ZX")) == ["张小花"]
    assert names(selectors.resident_list(user=user, q="z")) == ["张三", "张小花"]
    assert [h.head_name for h in selectors.household_list(user=user, q="zs")] == ["张三"]
    assert names(selectors.resident_list(user=user, q="小花")) == ["张小花"]


def test_prefix_range_upper_bound_for_z():
    assert selectors.prefix_range("f", "zz") == selectors.Q(f__gte="zz")
    q = selectors.prefix_range("f", "azz")
    assert ("f__lt", "b") in q.children


def test_last_four_full_id_and_phone_search(township, make_user, data):
    user = make_user("village_secretary", township.village_a)
    head = data["zhang"].head
    number = head.id_number
    assert names(selectors.resident_list(user=user, q=number[-4:])) == ["张三"]
    assert names(selectors.resident_list(user=user, q=number)) == ["张三"]
    assert names(selectors.resident_list(user=user, q=number.lower())) == ["张三"]
    assert names(selectors.resident_list(user=user, q="13812345678")) == ["张三"]
    assert [h.pk for h in selectors.household_list(user=user, q=number)] == [data["zhang"].pk]
    assert (
        list(
            selectors.resident_list(
                user=user, q=number[:-1] + "0" if number[-1] != "0" else number[:-1] + "1"
            )
        )
        == []
    )


def test_scope_village_a_never_sees_village_b(township, make_user, data):
    user = make_user("village_secretary", township.village_a)
    assert [h.head_name for h in selectors.household_list(user=user)] == ["张三", "李四"]
    assert [h.head_name for h in selectors.household_list(user=user, q="ww")] == []
    wang_number = data["wang"].head.id_number
    assert list(selectors.resident_list(user=user, q=wang_number)) == []
    with pytest.raises(Http404):
        selectors.household_get(user=user, pk=data["wang"].pk)
    with pytest.raises(Http404):
        selectors.resident_get(user=user, pk=data["wang"].head_id)
    denied = AuditRecord.objects.filter(result="denied", action="people.view")
    assert denied.count() == 2
    grid_user = make_user("grid_worker", township.grid_a2)
    assert [h.head_name for h in selectors.household_list(user=grid_user)] == ["李四"]
    assert list(selectors.household_list(user=make_user())) == []


def test_filters_tag_region_status(township, make_user, data):
    user = make_user("town_leader", township.town)
    assert [h.head_name for h in selectors.household_list(user=user, tag="留守儿童")] == ["张三"]
    assert [
        h.head_name for h in selectors.household_list(user=user, region_code=township.village_b.code)
    ] == ["王五"]
    assert [h.head_name for h in selectors.household_list(user=user, status="closed")] == []


def test_household_list_page_runs_a_constant_number_of_queries(client, township, make_user, data):
    user = make_user("village_secretary", township.village_a)
    client = signed_in_client(user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/people/households/").status_code == 200
        return len(ctx)

    client.get("/people/households/")  # the first view of a session records activity (a session write)
    first = count()
    for i in range(5):
        pf.household(township.grid_a1, head_name=f"赵{i}")
    assert count() == first
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/people/residents/").status_code == 200
    before = len(ctx)
    pf.resident(data["li"], name="李小")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/people/residents/").status_code == 200
    assert len(ctx) == before


def test_grid_worker_sees_masked_values_only(client, township, make_user, data):
    worker = make_user("grid_worker", township.grid_a1)
    client = signed_in_client(worker)
    head = data["zhang"].head
    number, phone = head.id_number, "13812345678"
    pages = [
        client.get(f"/people/residents/{head.pk}/"),
        client.get(f"/people/households/{data['zhang'].pk}/"),
        client.get("/people/residents/"),
        client.get("/people/households/"),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert number not in html and number[:14] not in html
        assert phone not in html
        assert "1961-07-15" not in html and "1961年7月15日" not in html
    detail = pages[0].content.decode()
    assert "**************" + number[-4:] in detail
    assert "*******5678" in detail
    assert f"{head.age_on(dt.date.today())} 岁" in detail
    assert "查看完整身份证号" not in detail
    reveal = client.post(f"/people/residents/{head.pk}/reveal/")
    assert reveal.status_code == 403
    assert number not in reveal.content.decode()
    assert AuditRecord.objects.filter(action="people.reveal_pii", result="denied", actor=worker).count() == 1
    assert not AuditRecord.objects.filter(action="people.pii_revealed").exists()


def test_secretary_reveals_and_the_reveal_is_audited(client, township, make_user, data):
    secretary = make_user("village_secretary", township.village_a)
    client = signed_in_client(secretary)
    head = data["zhang"].head
    number = head.id_number
    detail = client.get(f"/people/residents/{head.pk}/").content.decode()
    assert number not in detail and "查看完整身份证号" in detail
    assert not AuditRecord.objects.filter(action="people.pii_revealed").exists()
    reveal = client.post(f"/people/residents/{head.pk}/reveal/", HTTP_HX_REQUEST="true")
    html = reveal.content.decode()
    assert reveal.status_code == 200
    assert number in html and "13812345678" in html and "1961-07-15" in html
    assert reveal["Cache-Control"] == "no-store"
    rec = AuditRecord.objects.get(action="people.pii_revealed")
    assert (rec.actor, rec.object_id, rec.region_code) == (secretary, str(head.pk), head.region_code)
    assert number not in str(rec.changes) and "13812345678" not in str(rec.changes)
    assert client.get(f"/people/residents/{head.pk}/reveal/").status_code == 405


def test_detail_of_another_village_is_404(client, township, make_user, data):
    client = signed_in_client(make_user("village_secretary", township.village_a))
    assert client.get(f"/people/households/{data['wang'].pk}/").status_code == 404
    assert client.get(f"/people/residents/{data['wang'].head_id}/").status_code == 404
    assert client.post(f"/people/residents/{data['wang'].head_id}/reveal/").status_code == 404


def test_pages_require_sign_in_and_a_role(client, township, make_user, data):
    assert client.get("/people/households/").status_code == 302
    client = signed_in_client(make_user())
    assert client.get("/people/households/").status_code == 403
