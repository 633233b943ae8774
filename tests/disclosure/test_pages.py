import datetime as dt

import pytest
from django.test import Client

from tests import factories
from tests.disclosure import factories as df
from xiangzhi.core import clock
from xiangzhi.disclosure import services
from xiangzhi.disclosure.models import Question

pytestmark = pytest.mark.django_db


def test_the_board_is_public_phone_first_with_a_qr_code_and_a_print_view(township):
    df.published(township.village_a, title="一季度村务公开")
    df.draft(township.village_a, title="未公开的草稿")
    body = Client().get(f"/board/{township.village_a.code}/").content.decode()
    assert "一季度村务公开" in body and "未公开的草稿" not in body
    assert 'name="viewport"' in body and "font-size:18px" in body and "min-height:60px" in body
    assert "<svg" in body  # the QR code for the wall
    assert '<style media="print">' in body
    assert f"/board/{township.village_a.code}/print/" in body
    printed = Client().get(f"/board/{township.village_a.code}/print/")
    assert printed.status_code == 200
    text = printed.content.decode()
    assert '<style media="print">' in text and "一季度村务公开" in text and "<svg" in text


def test_a_superseded_notice_stays_visible_marked_and_linked(township):
    old = df.published(township.village_a, title="旧版决议")
    sec = df.secretary(township.village_a)
    new = services.notice_publish(
        user=sec, notice=services.notice_supersede(user=sec, notice=old, title="新版决议", body="更正")
    )
    body = Client().get(f"/board/{township.village_a.code}/{old.pk}/").content.decode()
    assert "已更新" in body and f"/board/{township.village_a.code}/{new.pk}/" in body


def test_a_draft_or_another_villages_notice_is_not_on_the_board(township):
    draft = df.draft(township.village_a)
    other = df.published(township.village_b)
    assert Client().get(f"/board/{township.village_a.code}/{draft.pk}/").status_code == 404
    assert Client().get(f"/board/{township.village_a.code}/{other.pk}/").status_code == 404


def test_a_villager_of_the_village_asks_another_villages_cannot(township):
    n = df.published(township.village_a)
    url = f"/board/{township.village_a.code}/{n.pk}/"
    mine = factories.signed_in_client(factories.user_with_role("villager", township.village_a))
    assert "提交问题" in mine.get(url).content.decode()
    r = mine.post(url + "ask/", {"text": "钱花在哪里？"})
    assert r.status_code == 302
    other = factories.signed_in_client(factories.user_with_role("villager", township.village_b))
    assert "提交问题" not in other.get(url).content.decode()
    assert other.post(url + "ask/", {"text": "外村的问题"}).status_code == 403
    assert list(Question.objects.values_list("text", flat=True)) == ["钱花在哪里？"]
    bad = mine.post(url + "ask/", {"text": "我的电话13912345678"})
    assert bad.status_code == 422 and "含有身份证号或手机号" in bad.content.decode()
    assert Question.objects.count() == 1
    assert "钱花在哪里？" in Client().get(url).content.decode()  # public


def test_a_village_three_months_behind_on_finance_is_flagged_on_the_towns_page(township):
    clock.set_fixed(dt.datetime(2026, 1, 10, 10, 0, tzinfo=dt.UTC))
    for v in (township.village_a, township.village_b):
        for kind in ("party", "village", "finance"):
            df.published(v, kind=kind, title=f"{kind}公开")
    services.setting_set(
        user=df.secretary(township.village_a), village=township.village_a, finance_monthly=True
    )
    clock.set_fixed(dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC))
    df.published(township.village_a, kind="party", title="党务")
    df.published(township.village_a, kind="village", title="村务")
    clock.set_fixed(
        dt.datetime(2026, 4, 10, 10, 0, tzinfo=dt.UTC)
    )  # three months after the last finance notice
    leader = factories.signed_in_client(factories.user_with_role("town_leader", township.town))
    body = leader.get(f"/board/town/{township.town.code}/").content.decode().split("<table")[1]
    assert "南山村" in body and "财务公开" in body and "2026年1月10日" in body
    assert "北坡村" not in body  # quarterly: due 10 April, on time
    clock.set_fixed(dt.datetime(2026, 4, 11, 10, 0, tzinfo=dt.UTC))
    leader = factories.signed_in_client(
        factories.user_with_role("town_leader", township.town)
    )  # a new session
    later = leader.get(f"/board/town/{township.town.code}/").content.decode().split("<table")[1]
    assert "北坡村" in later


def test_the_town_page_is_for_the_town_leader_and_county(township):
    villager = factories.signed_in_client(factories.user_with_role("villager", township.village_a))
    assert villager.get(f"/board/town/{township.town.code}/").status_code in (403, 404)
    county = factories.signed_in_client(factories.user_with_role("county_officer", township.county))
    assert county.get(f"/board/town/{township.town.code}/").status_code == 200


def test_the_attachment_of_a_published_notice_is_public_a_drafts_is_not(township):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = b"%PDF-1.4\n%test\n"
    draft = df.draft(township.village_a, attachment=SimpleUploadedFile("a.pdf", pdf), attachment_checked=True)
    url = f"/board/{township.village_a.code}/{draft.pk}/attachment/"
    assert Client().get(url).status_code == 404
    services.notice_publish(user=df.secretary(township.village_a), notice=draft)
    r = Client().get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == pdf
    assert Client().get(f"/board/{township.village_b.code}/{draft.pk}/attachment/").status_code == 404
