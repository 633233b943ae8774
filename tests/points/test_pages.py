"""The points pages: schemes (draft, items, 施行, new version, adopting a town template), the villager's claim from a
phone and "my claims", the cadre's record form, the review queue, the claim with its timeline and photos, the notice
board with objections and their answers. Chinese messages next to the field, nothing written on bad input, and
scoping: a villager sees only the own household's claims, another village's are a 404."""

import datetime as dt
import re
from html import unescape

import pytest

from tests.cases.factories import photo
from tests.factories import signed_in_client, user_with_role
from tests.points import factories as pts
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock
from xiangzhi.points import services
from xiangzhi.points.models import Claim, Objection, PointItem, PointScheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return pts.cast(township)


def text(resp) -> str:
    return unescape(resp.content.decode())


def field_error(resp, field: str) -> str:
    m = re.search(rf'id="id_{field}_error" role="alert">(.*?)</p>', resp.content.decode(), re.S)
    return unescape(m.group(1)) if m else ""


def token_of(resp) -> str:
    return re.search(r'name="token" value="([^"]+)"', resp.content.decode()).group(1)


def denials() -> int:
    return AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()


def today() -> str:
    return clock.today().isoformat()


# -- the villager ---------------------------------------------------------------------------------------------------


def test_the_claim_page_is_for_a_phone_and_offers_the_own_villages_active_items(township, c):
    other = pts.scheme(township.village_b, c.secretary_b, items=[("BP01", "北坡专项", 4, {})])
    resp = signed_in_client(c.villager).get("/points/claim/")
    page = text(resp)
    assert resp.status_code == 200 and "申报积分" in page and "王大爷户" in page
    assert "HJ01 庭院整洁（+5 分，每期最多 10 分）" in page and "须附照片" in page
    assert "北坡专项" not in page and str(other.items.get().pk) not in re.findall(r'value="(\d+)"', page)
    assert "font-size:18px" in page and "min-height:60px" in page  # villager sizes
    assert re.search(r'<input type="file" name="photos"[^>]*accept="image/\*"[^>]*multiple[^>]*capture', page)
    assert "localStorage" in page


def test_a_villager_claims_once_for_a_double_submit(c):
    client = signed_in_client(c.villager)
    token = token_of(client.get("/points/claim/"))
    form = {
        "item": pts.item(c, "GY01").pk,
        "occurred_on": today(),
        "description": "参加清理河道",
        "token": token,
        "photos": [photo()],
    }
    first = client.post("/points/claim/", form, follow=True)
    claim = Claim.objects.get()
    assert first.redirect_chain[-1][0] == f"/points/claims/{claim.pk}/?claimed=1"
    assert "已申报，等待村评议小组评议" in text(first) and "removeItem" in text(first)
    assert (claim.household, claim.claimant, claim.points, claim.source) == (c.home, c.villager, 3, "self")
    assert claim.evidence.count() == 1 and claim.idempotency_key == f"form:{token}"
    again = client.post("/points/claim/", {**form, "photos": [photo()]}, follow=True)
    assert Claim.objects.count() == 1 and "已申报过" in text(again)


def test_bad_claims_get_chinese_messages_and_write_nothing(township, c):
    client = signed_in_client(c.villager)
    other = pts.scheme(township.village_b, c.secretary_b, items=[("BP01", "北坡专项", 4, {})])
    base = {"occurred_on": today(), "token": token_of(client.get("/points/claim/"))}
    # an item the village's scheme does not have
    resp = client.post("/points/claim/", {**base, "item": other.items.get().pk})
    assert resp.status_code == 422 and field_error(resp, "item") == "本村施行中的积分方案没有这一项。"
    resp = client.post("/points/claim/", {**base, "item": 999999})
    assert resp.status_code == 422 and field_error(resp, "item") == "本村施行中的积分方案没有这一项。"
    # the photo the item asks for
    resp = client.post("/points/claim/", {**base, "item": pts.item(c, "GY01").pk})
    assert resp.status_code == 422 and "须附照片" in field_error(resp, "photos")
    # beyond the cap: 10 a month, 10 already pending
    pts.approved(c)
    pts.approved(c)
    resp = client.post("/points/claim/", {**base, "item": pts.item(c, "HJ01").pk, "description": "打扫庭院"})
    assert resp.status_code == 422
    assert "超过上限：“庭院整洁”每月最多 10 分，本期已计 10 分，还可计 0 分。" in field_error(
        resp, "points"
    ) + text(resp)
    assert "打扫庭院" in text(resp)  # what was typed is kept
    # a future date, no item
    resp = client.post(
        "/points/claim/", {**base, "item": pts.item(c, "MD01").pk, "occurred_on": "2999-01-01"}
    )
    assert field_error(resp, "occurred_on") == "发生日期不能晚于今天。"
    resp = client.post("/points/claim/", {**base, "occurred_on": "昨天"})
    assert field_error(resp, "item") == "请选择申报哪一项。"
    assert "请按“年-月-日”填写哪天的事" in field_error(resp, "occurred_on")
    assert Claim.objects.filter(source="self").count() == 0


def test_my_claims_lists_the_own_household_only_and_others_are_404(c):
    mine = services.claim_submit(user=c.villager, item=pts.item(c, "MD01"), household=c.home)
    theirs = services.claim_record(user=c.secretary, item=pts.item(c, "MD01"), household=c.other)
    client = signed_in_client(c.villager)
    page = text(client.get("/points/mine/"))
    assert "孝老爱亲" in page and f"/points/claims/{mine.pk}/" in page
    assert f"/points/claims/{theirs.pk}/" not in page
    assert client.get(f"/points/claims/{mine.pk}/").status_code == 200
    before = denials()
    assert client.get(f"/points/claims/{theirs.pk}/").status_code == 404
    assert denials() == before + 1
    home = text(client.get("/points/"))
    assert "王大爷户的积分" in home and "申报积分" in home and "孝老爱亲" in home
    # the villager cannot open the staff lists
    assert client.get("/points/claims/").status_code == 403
    assert client.get("/points/review/").status_code == 403


def test_the_villager_withdraws_an_open_claim_with_the_version(c):
    claim = services.claim_submit(user=c.villager, item=pts.item(c, "MD01"), household=c.home)
    client = signed_in_client(c.villager)
    assert "撤回这条申报" in text(client.get(f"/points/claims/{claim.pk}/"))
    resp = client.post(f"/points/claims/{claim.pk}/withdraw/", {"version": claim.version + 5})
    assert resp.status_code == 409 and "刚被他人处理过" in text(resp)
    resp = client.post(f"/points/claims/{claim.pk}/withdraw/", {"version": claim.version})
    assert resp.status_code == 302
    claim.refresh_from_db()
    assert claim.state == Claim.WITHDRAWN


def test_evidence_photos_are_served_to_who_sees_the_claim_only(c):
    claim = services.claim_submit(
        user=c.villager, item=pts.item(c, "GY01"), household=c.home, photos=[photo()]
    )
    file_id = claim.evidence.get().pk
    url = f"/points/claims/{claim.pk}/files/{file_id}/"
    assert signed_in_client(c.villager).get(url).status_code == 200
    assert signed_in_client(c.reviewer).get(url).status_code == 200
    assert signed_in_client(c.secretary_b).get(url).status_code == 404
    stranger = services.claim_submit(user=c.villager, item=pts.item(c, "MD01"), household=c.home)
    assert (
        signed_in_client(c.villager).get(f"/points/claims/{stranger.pk}/files/{file_id}/").status_code == 404
    )
    page = text(signed_in_client(c.reviewer).get(f"/points/claims/{claim.pk}/"))
    assert url in page and "照片（1 张）" in page


# -- cadres: recording ------------------------------------------------------------------------------------------------


def test_a_grid_worker_records_for_a_household_of_his_grid(c):
    client = signed_in_client(c.grid_worker)
    page = text(client.get("/points/record/"))
    assert "王大爷户" in page and "李大妈户" not in page  # grid a2 is not his
    resp = client.post(
        "/points/record/",
        {
            "household": c.home.pk,
            "item": pts.item(c, "KF01").pk,
            "occurred_on": today(),
            "description": "柴草乱堆",
        },
    )
    claim = Claim.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/points/claims/{claim.pk}/"
    assert (claim.points, claim.source, claim.claimant) == (-5, "recorded", c.grid_worker)
    # another grid's household is not offered, and refused when posted
    resp = client.post(
        "/points/record/", {"household": c.other.pk, "item": pts.item(c, "MD01").pk, "occurred_on": today()}
    )
    assert resp.status_code == 422 and field_error(resp, "household") == "请从列表中选择户。"
    resp = client.post(
        "/points/record/",
        {"household": c.home.pk, "item": pts.item(c, "KF01").pk, "points": "5", "occurred_on": today()},
    )
    assert resp.status_code == 422 and "同为加分或同为扣分" in text(resp)
    assert Claim.objects.count() == 1


# -- the review group -----------------------------------------------------------------------------------------------


def test_the_review_queue_filters_and_approves_with_the_version(township, c):
    a = services.claim_record(user=c.grid_worker, item=pts.item(c, "HJ01"), household=c.home)
    b = services.claim_record(user=c.secretary, item=pts.item(c, "MD01"), household=c.other)
    far_scheme = pts.scheme(township.village_b, c.secretary_b)
    services.claim_record(user=c.secretary_b, item=far_scheme.items.get(code="MD01"), household=c.far)
    client = signed_in_client(c.reviewer)
    page = text(client.get("/points/review/"))
    assert "王大爷户" in page and "李大妈户" in page and "赵老汉户" not in page
    assert "评议积分申报" in page and "通过" in page
    page = text(client.get("/points/review/?item=MD01"))
    assert "李大妈户" in page and "王大爷户" not in page
    page = text(client.get(f"/points/review/?region={township.grid_a1.code}"))
    assert "王大爷户" in page and "李大妈户" not in page
    page = text(client.get(f"/points/review/?region={township.grid_b1.code}"))
    assert "赵老汉户" not in page
    # the queue's quick approval, back to the queue
    resp = client.post(
        f"/points/claims/{a.pk}/review/",
        {"decision": "approve", "version": a.version, "next": "/points/review/?item=HJ01"},
    )
    assert resp.status_code == 302 and resp["Location"] == "/points/review/?item=HJ01"
    a.refresh_from_db()
    assert a.state == Claim.NOTICE and a.notice_until == a.reviewed_at + dt.timedelta(days=7)
    # a page drawn before someone else reviewed: the Conflict, and the claim as it is now
    resp = client.post(f"/points/claims/{a.pk}/review/", {"decision": "reject", "note": "重复", "version": 1})
    assert resp.status_code == 409 and "刚被他人处理过" in text(resp)
    # adjust needs points and a reason; reject needs a reason; a cap still bounds an adjustment
    resp = client.post(f"/points/claims/{b.pk}/review/", {"decision": "adjust", "version": b.version})
    assert resp.status_code == 422
    assert (
        field_error(resp, "points") == "调整分值时请填写分值。"
        and field_error(resp, "note") == "调整分值时请写明理由。"
    )
    resp = client.post(f"/points/claims/{b.pk}/review/", {"decision": "reject", "version": b.version})
    assert field_error(resp, "note") == "不通过时请写明理由。"
    resp = client.post(
        f"/points/claims/{b.pk}/review/",
        {"decision": "adjust", "points": "6", "note": "只照顾了一周", "version": b.version},
    )
    assert resp.status_code == 302
    b.refresh_from_db()
    assert (b.state, b.points, b.claimed_points) == (Claim.NOTICE, 6, 10)
    detail = text(client.get(f"/points/claims/{b.pk}/"))
    assert "评议：调整为 +6 分后通过" in detail and "只照顾了一周" in detail and "公示中，至" in detail


def test_a_reviewer_cannot_review_his_own_recording_nor_another_village(township, c):
    own = services.claim_record(user=c.secretary, item=pts.item(c, "MD01"), household=c.home)
    far_scheme = pts.scheme(township.village_b, c.secretary_b)
    far = services.claim_record(user=c.secretary_b, item=far_scheme.items.get(code="MD01"), household=c.far)
    client = signed_in_client(c.reviewer)
    before = denials()
    resp = client.post(f"/points/claims/{far.pk}/review/", {"decision": "approve", "version": far.version})
    assert resp.status_code == 404 and denials() == before + 1
    far.refresh_from_db()
    assert far.state == Claim.SUBMITTED
    assert "提交评议" in text(client.get(f"/points/claims/{own.pk}/"))


# -- the notice board and objections ---------------------------------------------------------------------------------


def test_the_notice_board_shows_the_village_with_no_personal_data(township, c):
    claim = pts.approved(c, description="在村口扫雪，王大爷电话13800000000")
    far_scheme = pts.scheme(township.village_b, c.secretary_b)
    far = services.claim_record(user=c.secretary_b, item=far_scheme.items.get(code="MD01"), household=c.far)
    services.claim_review(
        user=user_with_role("points_reviewer", township.village_b), claim=far, decision="approve"
    )
    page = text(signed_in_client(c.villager).get("/points/notice/"))
    assert "王大爷户 · 庭院整洁" in page and "+5 分" in page and "公示至" in page and "提出异议" in page
    assert "13800000000" not in page and "扫雪" not in page
    assert "赵老汉" not in page
    assert claim.notice_until


def test_an_objection_in_the_notice_period_and_one_too_late(c):
    claim = pts.approved(c)
    client = signed_in_client(c.villager)
    resp = client.post(f"/points/claims/{claim.pk}/object/", {f"o{claim.pk}-text": ""})
    assert resp.status_code == 422 and "请填写异议内容。" in text(resp)
    resp = client.post(f"/points/claims/{claim.pk}/object/", {f"o{claim.pk}-text": "他家院子并不整洁"})
    assert resp.status_code == 302
    objection = Objection.objects.get()
    assert (objection.claim, objection.raised_by, objection.state) == (claim, c.villager, Objection.OPEN)
    page = text(client.get("/points/notice/"))
    assert (
        "已收到 1 条异议，待答复" in page and "他家院子并不整洁" not in page
    )  # not public before its answer
    # after the notice period: refused in words, nothing written
    clock.set_fixed(claim.notice_until + dt.timedelta(minutes=1))
    client = signed_in_client(c.villager)  # a week later: a new session
    resp = client.post(f"/points/claims/{claim.pk}/object/", {f"o{claim.pk}-text": "还有意见"})
    assert resp.status_code == 409 and "公示期已过或这条申报不在公示中，不能再提出异议。" in text(resp)
    assert Objection.objects.count() == 1


def test_answering_an_objection_publishes_it_and_upheld_sends_the_claim_back(c):
    claim = pts.approved(c)
    objection = services.objection_raise(user=c.villager, claim=claim, text_="院子没打扫")
    client = signed_in_client(c.reviewer)
    page = text(client.get("/points/objections/"))
    assert "王大爷户" in page and "院子没打扫" in page
    resp = client.post(f"/points/objections/{objection.pk}/", {"upheld": "0"})
    assert resp.status_code == 422 and field_error(resp, "answer") == "请填写答复内容。"
    resp = client.post(f"/points/objections/{objection.pk}/", {"upheld": "0", "answer": "经核实已打扫"})
    assert resp.status_code == 302
    page = text(signed_in_client(c.villager).get("/points/notice/"))
    assert "院子没打扫" in page and "经核实已打扫" in page and "异议不成立" in page
    resp = client.post(f"/points/objections/{objection.pk}/", {"upheld": "1", "answer": "改主意"})
    assert resp.status_code == 409 and "已经答复过" in text(resp)
    second = services.objection_raise(user=c.villager, claim=claim, text_="还是没打扫")
    client.post(f"/points/objections/{second.pk}/", {"upheld": "1", "answer": "复查属实"})
    claim.refresh_from_db()
    assert claim.state == Claim.SUBMITTED and claim.notice_until is None
    assert signed_in_client(c.secretary_b).get(f"/points/objections/{second.pk}/").status_code == 404


# -- schemes --------------------------------------------------------------------------------------------------------


def test_a_village_drafts_adds_items_and_puts_a_new_version_in_force(township, c):
    client = signed_in_client(c.secretary)
    page = text(client.get("/points/schemes/"))
    assert "南山村文明积分方案" in page and "北坡村" not in page
    resp = client.post(f"/points/schemes/{c.scheme.pk}/copy/", {})
    draft = PointScheme.objects.get(status=PointScheme.DRAFT)
    assert resp.status_code == 302 and resp["Location"] == f"/points/schemes/{draft.pk}/"
    assert (draft.version, draft.based_on, draft.items.count()) == (2, c.scheme, 5)
    item = {
        "code": "hj02",
        "name": "门前三包",
        "category": "environment",
        "points": "2",
        "cap_per_period": "4",
    }
    assert (
        client.post(f"/points/schemes/{draft.pk}/items/", {**item, "source_article": "第五条"}).status_code
        == 302
    )
    resp = client.post(f"/points/schemes/{draft.pk}/items/", {**item, "code": "HJ02"})
    assert resp.status_code == 422 and "本方案已有这个编号" in field_error(resp, "code")
    resp = client.post(f"/points/schemes/{draft.pk}/items/", {**item, "code": "HJ03", "cap_per_period": "1"})
    assert (
        resp.status_code == 422
        and field_error(resp, "cap_per_period") == "每周期上限不能小于该项一次的分值。"
    )
    resp = client.post(
        f"/points/schemes/{draft.pk}/items/", {**item, "code": "HJ03", "points": "3", "is_violation": "on"}
    )
    assert field_error(resp, "is_violation") == "只有扣分项才能标记为违反村规民约。"
    hj01 = draft.items.get(code="HJ01")
    resp = client.post(
        f"/points/schemes/{draft.pk}/items/{hj01.pk}/",
        {
            "code": "ZZ",
            "name": "房前屋后整洁",
            "category": "environment",
            "points": "8",
            "cap_per_period": "16",
        },
    )
    assert resp.status_code == 302
    hj01.refresh_from_db()
    assert (hj01.code, hj01.name, hj01.points) == ("HJ01", "房前屋后整洁", 8)
    kf02 = draft.items.get(code="KF02")
    assert client.post(f"/points/schemes/{draft.pk}/items/{kf02.pk}/delete/").status_code == 302
    assert client.post(f"/points/schemes/{draft.pk}/activate/").status_code == 302
    draft.refresh_from_db()
    c.scheme.refresh_from_db()
    assert (draft.status, c.scheme.status) == (PointScheme.ACTIVE, PointScheme.RETIRED)
    assert sorted(draft.items.values_list("code", flat=True)) == ["GY01", "HJ01", "HJ02", "KF01", "MD01"]
    # in force: no more changes, said in words
    resp = client.post(f"/points/schemes/{draft.pk}/items/", {**item, "code": "HJ09"})
    assert resp.status_code == 409 and "请另建新版本" in text(resp)
    # the villager's claim form now offers the new version
    assert "房前屋后整洁（+8 分" in text(signed_in_client(c.villager).get("/points/claim/"))


def test_activating_an_empty_draft_is_refused_in_words(township, c):
    client = signed_in_client(c.secretary)
    resp = client.post(
        "/points/schemes/new/",
        {
            "region": township.village_a.code,
            "name": "新方案",
            "period": "quarter",
            "notice_days": "5",
            "red_list_size": "3",
        },
    )
    draft = PointScheme.objects.get(status=PointScheme.DRAFT)
    assert resp.status_code == 302 and (draft.version, draft.period, draft.notice_days) == (2, "quarter", 5)
    resp = client.post(f"/points/schemes/{draft.pk}/activate/")
    assert resp.status_code == 422 and "方案还没有积分项。" in text(resp)
    resp = client.post(
        "/points/schemes/new/",
        {
            "region": township.village_a.code,
            "name": "又一份",
            "notice_days": "5",
            "red_list_size": "3",
            "period": "month",
        },
    )
    assert resp.status_code == 422 and "已有一份未施行的草稿" in text(resp)
    resp = client.post(
        "/points/schemes/new/",
        {
            "region": township.village_b.code,
            "name": "越权",
            "notice_days": "5",
            "red_list_size": "3",
            "period": "month",
        },
    )
    assert resp.status_code == 422 and field_error(resp, "region") == "请从列表中选择村。"
    assert PointScheme.objects.filter(region_code=township.village_b.code).count() == 0


def test_a_town_template_is_published_and_a_village_adopts_it(township, c):
    town = signed_in_client(c.town_leader)
    resp = town.post(
        "/points/schemes/new/",
        {
            "region": township.town.code,
            "name": "尉庄乡文明积分模板",
            "period": "month",
            "notice_days": "7",
            "red_list_size": "5",
        },
    )
    template = PointScheme.objects.get(is_template=True)
    assert resp.status_code == 302
    town.post(
        f"/points/schemes/{template.pk}/items/",
        {"code": "T1", "name": "垃圾分类", "category": "environment", "points": "2"},
    )
    # a village does not see a template before it is published
    assert signed_in_client(c.secretary).get(f"/points/schemes/{template.pk}/").status_code == 404
    assert town.post(f"/points/schemes/{template.pk}/activate/").status_code == 302
    village = signed_in_client(c.secretary)
    page = text(village.get("/points/schemes/"))
    assert "尉庄乡文明积分模板" in page and "乡镇模板" in page
    page = text(village.get(f"/points/schemes/{template.pk}/"))
    assert "采用这个模板" in page and township.village_b.code not in page
    resp = village.post(f"/points/schemes/{template.pk}/copy/", {"region": township.village_b.code})
    assert resp.status_code == 422 and "请从列表中选择" in text(resp)
    resp = village.post(
        f"/points/schemes/{template.pk}/copy/", {"region": township.village_a.code, "name": "南山村新方案"}
    )
    adopted = PointScheme.objects.get(region_code=township.village_a.code, status=PointScheme.DRAFT)
    assert resp.status_code == 302 and adopted.based_on == template and adopted.items.get().code == "T1"
    assert adopted.name == "南山村新方案" and adopted.version == 2


def test_another_villages_scheme_is_404_and_a_villager_cannot_edit(township, c):
    far = pts.scheme(township.village_b, c.secretary_b)
    before = denials()
    assert signed_in_client(c.secretary).get(f"/points/schemes/{far.pk}/").status_code == 404
    assert signed_in_client(c.secretary).post(f"/points/schemes/{far.pk}/copy/").status_code == 404
    assert denials() == before + 2
    assert PointScheme.objects.count() == 2
    # a grid worker's reach is his grid: the village's scheme is not his to see, let alone revise
    assert signed_in_client(c.grid_worker).post(f"/points/schemes/{c.scheme.pk}/copy/").status_code == 404
    assert signed_in_client(c.villager).get("/points/schemes/").status_code == 403
    assert not PointItem.objects.filter(scheme__status=PointScheme.DRAFT).exists()
