"""The case pages: report, list, the case with its timeline and its action forms, in Chinese, for the right roles;
refusals in words next to the field with what was typed kept; a stale page gets the Conflict; nothing written on
bad input; one case for a double submit; a light report page for a villager's phone."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cases.factories import cast, photo, reported
from tests.factories import signed_in_client
from xiangzhi.cases import services
from xiangzhi.cases.models import Case, CaseEvent
from xiangzhi.core.models import PrivateFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return cast(township)


def client_of(user):
    return signed_in_client(user)


def text(resp) -> str:
    return unescape(resp.content.decode())


def field_error(resp, field: str) -> str:
    m = re.search(rf'id="id_{field}_error" role="alert">(.*?)</p>', resp.content.decode(), re.S)
    return unescape(m.group(1)) if m else ""


def token_of(resp) -> str:
    return re.search(r'name="token" value="([^"]+)"', resp.content.decode()).group(1)


def report_form(township, **kw):
    data = {"description": "村口路灯坏了，晚上看不见路。", "region": township.grid_a1.code, "place": "村口"}
    data.update(kw)
    return data


# -- 提: the report page --------------------------------------------------------------------------------------------


def test_the_report_page_offers_the_villagers_own_village_only_and_keeps_a_draft(township, c):
    resp = client_of(c.villager).get("/cases/report/")
    page = text(resp)
    assert resp.status_code == 200 and "上报事件" in page and "发生了什么事" in page
    assert township.grid_a1.code in page and township.grid_a2.code in page and township.village_a.code in page
    assert township.grid_b1.code not in page
    assert re.search(r'<input type="file" name="photos"[^>]*accept="image/\*"[^>]*multiple[^>]*capture', page)
    assert "localStorage" in page and "navigator.geolocation" in page
    assert "<script src" not in page.split("<main", 1)[1]  # no external script on the page itself


def test_a_report_files_a_case_and_says_its_number(township, c):
    client = client_of(c.villager)
    token = token_of(client.get("/cases/report/"))
    resp = client.post(
        "/cases/report/", {**report_form(township), "token": token, "photos": [photo()]}, follow=True
    )
    case = Case.objects.get()
    assert resp.redirect_chain[-1][0] == f"/cases/{case.pk}/?reported=1"
    assert f"已上报，编号 {case.number}" in text(resp)
    assert (case.reporter, case.region_code, case.place, case.photos.count()) == (
        c.villager,
        township.grid_a1.code,
        "村口",
        1,
    )
    assert case.idempotency_key == f"form:{token}"
    assert "removeItem" in text(resp)  # the draft is cleared once the case exists


def test_the_same_form_token_twice_is_one_case(township, c):
    client = client_of(c.villager)
    token = token_of(client.get("/cases/report/"))
    first = client.post("/cases/report/", {**report_form(township), "token": token})
    second = client.post("/cases/report/", {**report_form(township), "token": token}, follow=True)
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert first["Location"] == second.redirect_chain[-1][0] == f"/cases/{case.pk}/?reported=1"
    assert f"编号 {case.number}" in text(second)


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_written(township, c):
    bad = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    resp = client_of(c.villager).post("/cases/report/", {**report_form(township), "photos": [bad]})
    assert resp.status_code == 200
    assert "文件类型不符" in field_error(resp, "photos")
    assert "村口路灯坏了" in text(resp)  # what was typed is kept
    assert Case.objects.count() == 0 and PrivateFile.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"description": "  "}, "description", "请填写发生了什么事"),
        ({"region": ""}, "region", "请选择地点所在的村或网格"),
        ({"category": "NOPE"}, "category", "请从列表中选择事件类别"),
        ({"description": "字" * 2001}, "description", "太长"),
    ],
)
def test_report_refusals_are_in_chinese_next_to_the_field(township, c, change, field, message):
    resp = client_of(c.villager).post("/cases/report/", report_form(township, **change))
    assert message in field_error(resp, field), text(resp)
    assert Case.objects.count() == 0


def test_a_region_out_of_reach_is_refused_and_nothing_written(township, c):
    """Another village's grid is not on the villager's list: the form refuses it (and the service would)."""
    resp = client_of(c.villager).post("/cases/report/", report_form(township, region=township.grid_b1.code))
    assert "请从列表中选择" in field_error(resp, "region")
    assert Case.objects.count() == 0


def test_a_point_outside_china_is_refused_by_the_service_in_words(township, c):
    resp = client_of(c.villager).post("/cases/report/", report_form(township, latitude="0", longitude="0"))
    assert "境内" in text(resp) and Case.objects.count() == 0


def _static_size(url: str) -> int:
    from django.conf import settings

    name = url.removeprefix(settings.STATIC_URL).split("?")[0]
    found = finders.find(name)
    assert found, f"static file not found: {url}"
    return Path(found).stat().st_size


def test_the_villagers_report_page_is_well_under_300_kb(township, c):
    resp = client_of(c.villager).get("/cases/report/")
    page = resp.content.decode()
    refs = re.findall(r'<(?:link[^>]*href|script[^>]*src|img[^>]*src)="([^"]+)"', page)
    assert any(r.endswith(".css") for r in refs)  # the page's own style sheet is counted
    total = len(resp.content) + sum(_static_size(r) for r in refs if r.startswith("/static/"))
    assert not [r for r in refs if r.startswith("http")], "no third-party resources"
    assert total < 300 * 1024, f"report page weighs {total} bytes"


def test_staff_without_a_report_grant_are_refused(township):
    from tests import factories

    nobody = factories.user_with_role("store_keeper", township.village_a)
    assert client_of(nobody).get("/cases/report/").status_code == 403


# -- the list ------------------------------------------------------------------------------------------------------


def test_the_list_filters_by_state_category_triage_region_overdue_and_number(township, c):
    a = reported(township, c, category="ENVIRONMENT", description="垃圾堆放。")
    b = reported(township, c, region_code=township.grid_a2.code, category="DISPUTE", description="邻里纠纷。")
    from tests import factories

    worker_a2 = factories.user_with_role("grid_worker", township.grid_a2)
    services.case_assign(user=worker_a2, case=b, category="DISPUTE", triage="village")
    Case.objects.filter(pk=b.pk).update(is_overdue=True)
    client = client_of(c.secretary)

    def titles(query=""):
        page = text(client.get("/cases/" + query))
        return {t for t in ("垃圾堆放", "邻里纠纷") if t in page}

    assert titles() == {"垃圾堆放", "邻里纠纷"}
    assert titles("?state=reported") == {"垃圾堆放"}
    assert titles("?state=open") == {"垃圾堆放", "邻里纠纷"}
    assert titles("?category=DISPUTE") == {"邻里纠纷"}
    assert titles("?triage=village") == {"邻里纠纷"}
    assert titles(f"?region={township.grid_a1.code}") == {"垃圾堆放"}
    assert titles("?overdue=1") == {"邻里纠纷"}
    assert titles(f"?q={a.number}") == {"垃圾堆放"}
    assert titles("?q=纠纷") == {"邻里纠纷"}
    assert titles("?handler=village") == {"邻里纠纷"}
    page = text(client.get("/cases/?overdue=1"))
    assert "已超期" in page  # in words, not colour only
    assert "待受理" in text(client.get("/cases/")) and "事件" in page


def test_the_list_is_paginated(township, c):
    for i in range(21):
        reported(township, c, description=f"第{i:02d}件事。")
    client = client_of(c.grid_worker)
    first = text(client.get("/cases/"))
    assert "第 1 / 2 页" in first and "第00件事" not in first  # newest first
    assert "第00件事" in text(client.get("/cases/?page=2"))


def test_the_list_costs_the_same_queries_for_3_rows_as_for_13(township, c):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_of(c.secretary)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/cases/").status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        reported(township, c, description=f"事{i}。")
    queries()  # the first request also stamps the session
    few = queries()
    for i in range(10):
        reported(township, c, description=f"又一件事{i}。")
    assert queries() == few


def test_a_villager_sees_only_their_own_reports(township, c):
    from tests.cases.factories import villager

    other = villager(township.village_a, name="李大娘")
    reported(township, c, description="我家门口的路塌了。")
    reported(township, c, user=other, description="别人家的事。")
    page = text(client_of(c.villager).get("/cases/"))
    assert "我上报的事件" in page and "我家门口的路塌了" in page and "别人家的事" not in page
    assert 'name="region"' not in page  # no region picker for a villager


def test_the_list_does_not_show_another_villages_cases(township, c):
    reported(township, c, description="南山村的事。")
    assert "南山村的事" not in text(client_of(c.secretary_b).get("/cases/"))


# -- one case --------------------------------------------------------------------------------------------------------


def test_the_case_page_shows_facts_photos_timeline_and_only_the_allowed_forms(township, c):
    case = reported(township, c, photos=[photo()], place="村口")
    resp = client_of(c.grid_worker).get(f"/cases/{case.pk}/")
    page = text(resp)
    assert resp.status_code == 200
    assert case.number in page and "待受理" in page and "村口" in page and c.villager.full_name in page
    assert f"/files/{case.photos.get().file_id}/" in page
    assert "办理经过" in page and "上报" in page
    for name in ("accept", "assign", "return", "escalate", "merge"):
        assert f'action="/cases/{case.pk}/{name}/"' in page, name
    for name in ("start", "resolve", "verify", "rate"):
        assert f'action="/cases/{case.pk}/{name}/"' not in page, name
    # the village does not act on a case held by the grid: it sees it, with no forms
    page = text(client_of(c.secretary).get(f"/cases/{case.pk}/"))
    assert case.number in page and "/accept/" not in page


def test_a_case_out_of_reach_is_a_404(township, c):
    case = reported(township, c)
    assert client_of(c.secretary_b).get(f"/cases/{case.pk}/").status_code == 404
    assert (
        client_of(c.grid_worker_b)
        .post(f"/cases/{case.pk}/accept/", {"accept-version": case.version})
        .status_code
        == 404
    )
    assert Case.objects.get(pk=case.pk).state == Case.REPORTED


def test_an_action_moves_the_case_and_redirects_to_it(township, c):
    case = reported(township, c)
    client = client_of(c.grid_worker)
    resp = client.post(
        f"/cases/{case.pk}/accept/", {"accept-version": case.version, "accept-note": "我去看看"}
    )
    assert resp.status_code == 302 and resp["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.state == Case.ASSIGNED
    page = text(client.get(f"/cases/{case.pk}/"))
    assert "已受理" in page and "受理：待受理 → 已派遣" in page and "我去看看" in page


def test_a_stale_page_gets_the_conflict_message_and_nothing_moves(township, c):
    case = reported(township, c)
    client = client_of(c.grid_worker)
    old = case.version
    services.case_accept(user=c.grid_worker, case=case)  # someone else acted meanwhile
    resp = client.post(
        f"/cases/{case.pk}/escalate/", {"escalate-version": old, "escalate-reason": "村里协调"}
    )
    assert resp.status_code == 409
    page = text(resp)
    assert "刚被他人更新过" in page and "村里协调" in page  # the message, and what was typed kept
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.level) == (Case.ASSIGNED, "grid")
    assert f'name="escalate-version" value="{fresh.version}"' in resp.content.decode()


def test_action_forms_refuse_in_chinese_and_write_nothing(township, c):
    case = reported(township, c)
    client = client_of(c.grid_worker)
    events = CaseEvent.objects.count()
    resp = client.post(
        f"/cases/{case.pk}/escalate/", {"escalate-version": case.version, "escalate-reason": ""}
    )
    assert resp.status_code == 422 and "请填写上报理由" in field_error(resp, "escalate-reason")
    resp = client.post(f"/cases/{case.pk}/assign/", {"assign-version": case.version})
    assert "请选择三事类型" in field_error(resp, "assign-triage")
    assert "请选择事件类别" in field_error(resp, "assign-category")
    resp = client.post(f"/cases/{case.pk}/escalate/", {"escalate-reason": "上报"})
    assert "页面已过期" in text(resp)
    resp = client.post(f"/cases/{case.pk}/merge/", {"merge-version": case.version, "merge-into": "abc"})
    assert "SJ 加数字" in field_error(resp, "merge-into")
    resp = client.post(f"/cases/{case.pk}/merge/", {"merge-version": case.version, "merge-into": case.number})
    assert "不能把事件合并到它自己" in field_error(resp, "merge-into")
    assert CaseEvent.objects.count() == events and Case.objects.get(pk=case.pk).version == case.version


def test_an_action_the_state_does_not_allow_is_refused_in_words(township, c):
    case = reported(township, c)
    resp = client_of(c.grid_worker).post(
        f"/cases/{case.pk}/resolve/", {"resolve-version": case.version, "resolve-result": "好了"}
    )
    assert resp.status_code == 409 and "不能办结" in text(resp)
    assert Case.objects.get(pk=case.pk).state == Case.REPORTED


def test_merge_by_number(township, c):
    a = reported(township, c)
    b = reported(township, c, description="村口垃圾又堆起来了。")
    resp = client_of(c.grid_worker).post(
        f"/cases/{b.pk}/merge/", {"merge-version": b.version, "merge-into": a.number.lower()}
    )
    assert resp.status_code == 302
    b.refresh_from_db()
    assert b.state == Case.MERGED and b.merged_into_id == a.pk


def _in_progress(township, c):
    case = reported(township, c)
    case = services.case_accept(user=c.grid_worker, case=case)
    return services.case_start(user=c.grid_worker, case=case)


def test_resolve_with_a_non_image_is_refused_and_nothing_moves(township, c):
    case = _in_progress(township, c)
    bad = SimpleUploadedFile("r.png", b"GIF89a nope", content_type="image/png")
    files = PrivateFile.objects.count()
    resp = client_of(c.grid_worker).post(
        f"/cases/{case.pk}/resolve/",
        {"resolve-version": case.version, "resolve-result": "已清理", "resolve-photos": [bad]},
    )
    assert "文件类型不符" in field_error(resp, "resolve-photos")
    assert Case.objects.get(pk=case.pk).state == Case.IN_PROGRESS and PrivateFile.objects.count() == files


def test_extension_request_and_decision_through_the_pages(township, c):
    case = _in_progress(township, c)
    later = case.deadline.astimezone().replace(microsecond=0) + __import__("datetime").timedelta(days=3)
    resp = client_of(c.grid_worker).post(
        f"/cases/{case.pk}/extend/",
        {
            "extend-version": case.version,
            "extend-new_deadline": later.strftime("%Y-%m-%dT%H:%M"),
            "extend-reason": "等材料",
        },
    )
    assert resp.status_code == 302
    ext = case.extensions.get()
    page = text(client_of(c.secretary).get(f"/cases/{case.pk}/"))
    assert "审批延期" in page and "等材料" in page
    resp = client_of(c.secretary).post(
        f"/cases/{case.pk}/decide_extension/",
        {"decide_extension-extension": ext.pk, "decide_extension-approve": "0"},
    )
    assert "不批准时请写明理由" in field_error(resp, "decide_extension-note")
    resp = client_of(c.secretary).post(
        f"/cases/{case.pk}/decide_extension/",
        {"decide_extension-extension": ext.pk, "decide_extension-approve": "1"},
    )
    assert resp.status_code == 302
    ext.refresh_from_db()
    assert ext.approved is True


def test_the_reporter_rates_with_three_big_buttons(township, c):
    case = _in_progress(township, c)
    case = services.case_resolve(user=c.grid_worker, case=case, result="已修好")
    case = services.case_verify(user=c.grid_worker, case=case, passed=True)
    client = client_of(c.villager)
    page = text(client.get(f"/cases/{case.pk}/"))
    for label in ("满意", "基本满意", "不满意"):
        assert (
            f'value="{ {"满意": "satisfied", "基本满意": "partly", "不满意": "unsatisfied"}[label] }">{label}</button>'
            in page
        )
    assert "照片已收到" not in page  # no photos on this case
    assert "剩余" not in page and "办理时限" not in page  # the result is in: no handling deadline runs
    resp = client.post(
        f"/cases/{case.pk}/rate/", {"rate-version": case.version, "rate-rating": "satisfied"}, follow=True
    )
    assert "谢谢您的评价" in text(resp)
    case.refresh_from_db()
    assert (case.state, case.rating) == (Case.CLOSED, "satisfied")


def test_verify_failed_needs_a_note(township, c):
    case = _in_progress(township, c)
    case = services.case_resolve(user=c.grid_worker, case=case, result="已修好")
    resp = client_of(c.grid_worker).post(
        f"/cases/{case.pk}/verify/", {"verify-version": case.version, "verify-passed": "0"}
    )
    assert "核查未通过时请写明" in field_error(resp, "verify-note")
    assert Case.objects.get(pk=case.pk).state == Case.RESOLVED


def test_the_reporter_opens_the_photos_of_their_own_case_and_nobody_else_does(township):
    from tests.cases.factories import villager

    c = cast(township)
    case = reported(township, c, photos=[photo()])
    file_id = case.photos.get().file_id
    url = f"/cases/{case.pk}/files/{file_id}/"
    own = signed_in_client(c.villager).get(url)
    assert own.status_code == 200 and own["Content-Type"] == "image/jpeg"
    assert signed_in_client(c.grid_worker).get(url).status_code == 200
    neighbour = villager(township.village_a, name="李婶")
    assert signed_in_client(neighbour).get(url).status_code == 404  # another villager's case
    other = reported(township, c, photos=[photo()])
    wrong = f"/cases/{case.pk}/files/{other.photos.get().file_id}/"
    assert signed_in_client(c.villager).get(wrong).status_code == 404  # not this case's file
