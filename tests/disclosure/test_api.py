import pytest
from django.test import Client

from tests import factories
from tests.disclosure import factories as df
from xiangzhi.disclosure.models import Notice, Question

pytestmark = pytest.mark.django_db
J = "application/json"


def test_the_public_list_needs_no_login_and_shows_published_only(township):
    df.published(township.village_a, title="公开的")
    df.draft(township.village_a, title="草稿")
    r = Client().get(f"/api/v1/board/villages/{township.village_a.code}/notices")
    assert r.status_code == 200
    assert [i["title"] for i in r.json()["items"]] == ["公开的"]


def test_draft_sign_off_publish_and_edit_refused(township):
    sec = factories.signed_in_client(factories.user_with_role("village_secretary", township.village_a))
    sup = factories.signed_in_client(factories.user_with_role("supervisor", township.village_a))
    r = sec.post(
        "/api/v1/board/notices",
        {"village_code": township.village_a.code, "kind": "finance", "title": "一月财务", "body": "收支"},
        content_type=J,
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert sec.post(f"/api/v1/board/notices/{pk}/publish").status_code == 422
    assert sup.post(f"/api/v1/board/notices/{pk}/sign-off").status_code == 200
    assert sec.post(f"/api/v1/board/notices/{pk}/publish").json()["state"] == "published"
    r = sec.put(f"/api/v1/board/notices/{pk}", {"title": "改", "body": "改"}, content_type=J)
    assert r.status_code == 409 and "已公开的事项不能修改" in r.json()["detail"]
    assert Notice.objects.get(pk=pk).title == "一月财务"
    r = sec.post(
        f"/api/v1/board/notices/{pk}/supersede", {"title": "一月财务（更正）", "body": "收支"}, content_type=J
    )
    assert r.status_code == 201 and r.json()["supersedes_id"] == pk


def test_another_villages_cadre_gets_404_and_nothing_changes(township):
    n = df.draft(township.village_a, title="南山草稿")
    other = factories.signed_in_client(factories.user_with_role("village_secretary", township.village_b))
    assert (
        other.put(f"/api/v1/board/notices/{n.pk}", {"title": "x", "body": "x"}, content_type=J).status_code
        == 404
    )
    assert other.post(f"/api/v1/board/notices/{n.pk}/publish").status_code == 404
    assert (
        other.post(
            f"/api/v1/board/notices/{n.pk}/supersede", {"title": "x", "body": "x"}, content_type=J
        ).status_code
        == 404
    )
    r = other.post(
        "/api/v1/board/notices",
        {"village_code": township.village_a.code, "kind": "village", "title": "越权", "body": "x"},
        content_type=J,
    )
    assert r.status_code == 403
    n.refresh_from_db()
    assert n.title == "南山草稿" and n.state == "draft" and Notice.objects.count() == 1


def test_ask_and_answer_over_the_api(township):
    n = df.published(township.village_a)
    villager = factories.signed_in_client(factories.user_with_role("villager", township.village_a))
    r = villager.post(f"/api/v1/board/notices/{n.pk}/questions", {"text": "何时开工？"}, content_type=J)
    assert r.status_code == 201
    qid = r.json()["id"]
    outsider = factories.signed_in_client(factories.user_with_role("villager", township.village_b))
    assert (
        outsider.post(f"/api/v1/board/notices/{n.pk}/questions", {"text": "外村"}, content_type=J).status_code
        == 403
    )
    other_sec = factories.signed_in_client(factories.user_with_role("village_secretary", township.village_b))
    assert (
        other_sec.post(f"/api/v1/board/questions/{qid}/answer", {"answer": "x"}, content_type=J).status_code
        == 404
    )
    sec = factories.signed_in_client(factories.user_with_role("village_secretary", township.village_a))
    assert (
        sec.post(f"/api/v1/board/questions/{qid}/answer", {"answer": "五月。"}, content_type=J).status_code
        == 200
    )
    assert Question.objects.get(pk=qid).answer == "五月。"
    public = Client().get(f"/api/v1/board/villages/{township.village_a.code}/notices/{n.pk}").json()
    assert public["questions"][0]["answer"] == "五月。"
    assert Client().get(f"/api/v1/board/villages/{township.village_b.code}/notices/{n.pk}").status_code == 404


def test_the_question_queue_and_the_setting_over_the_api(township):
    from xiangzhi.disclosure import services
    from xiangzhi.disclosure.models import VillageSetting

    n = df.published(township.village_a)
    services.question_ask(
        user=factories.user_with_role("villager", township.village_a), notice=n, text="南山的问题"
    )
    services.question_ask(
        user=factories.user_with_role("villager", township.village_b),
        notice=df.published(township.village_b),
        text="北坡的问题",
    )
    sec = factories.signed_in_client(factories.user_with_role("village_secretary", township.village_a))
    r = sec.get("/api/v1/board/questions")
    assert r.status_code == 200 and [i["text"] for i in r.json()["items"]] == ["南山的问题"]
    villager = factories.signed_in_client(factories.user_with_role("villager", township.village_a))
    assert villager.get("/api/v1/board/questions").status_code == 403
    url = f"/api/v1/board/villages/{township.village_a.code}/setting"
    assert sec.get(url).json() == {"village_code": township.village_a.code, "finance_monthly": False}
    assert sec.put(url, {"finance_monthly": "yes"}, content_type=J).status_code == 422
    assert not VillageSetting.objects.exists()
    r = sec.put(url, {"finance_monthly": True}, content_type=J)
    assert r.status_code == 200 and r.json()["finance_monthly"] is True
    other = f"/api/v1/board/villages/{township.village_b.code}/setting"
    assert sec.put(other, {"finance_monthly": True}, content_type=J).status_code == 404
    assert not VillageSetting.objects.filter(region_code=township.village_b.code).exists()
