"""The cadres' pages: list (scoped, filtered, paginated, Excel), draft, edit, sign-off, publish, update, answers,
settings. A refusal re-renders with the service's message and changes nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests import factories
from tests.disclosure import factories as df
from tests.disclosure import pdfs
from xiangzhi.disclosure import services
from xiangzhi.disclosure.models import Notice, Question, VillageSetting

pytestmark = pytest.mark.django_db


def client_of(role, region):
    user = factories.user_with_role(role, region)
    return factories.signed_in_client(user), user


def form(**kw):
    data = {
        "village": "",
        "kind": "village",
        "title": "三月村务公开",
        "body": "修路一段。",
        "result": "",
        "mask_names": "",
    }
    data.update(kw)
    return data


def test_the_list_is_scoped_filtered_and_shows_drafts(township):
    df.draft(township.village_a, title="南山草稿")
    df.published(township.village_a, kind="party", title="南山党务")
    df.published(township.village_b, title="北坡村务")
    sec, _ = client_of("village_secretary", township.village_a)
    body = sec.get("/board/staff/").content.decode()
    assert "南山草稿" in body and "南山党务" in body and "北坡村务" not in body
    body = sec.get("/board/staff/?kind=party").content.decode()
    assert "南山党务" in body and "南山草稿" not in body
    body = sec.get("/board/staff/?state=draft").content.decode()
    assert "南山草稿" in body and "南山党务" not in body
    # another village as a filter shows nothing of it
    body = sec.get(f"/board/staff/?village={township.village_b.code}").content.decode()
    assert "北坡村务" not in body
    leader, _ = client_of("town_leader", township.town)
    body = leader.get(f"/board/staff/?village={township.village_b.code}").content.decode()
    assert "北坡村务" in body and "南山草稿" not in body


def test_the_list_paginates(township):
    for i in range(23):
        df.draft(township.village_a, title=f"草稿{i:02d}")
    sec, _ = client_of("village_secretary", township.village_a)
    first = sec.get("/board/staff/").content.decode()
    assert "第 1 / 2 页" in first and "草稿22" in first and "草稿00" not in first
    assert "草稿00" in sec.get("/board/staff/?page=2").content.decode()


def test_a_villager_gets_no_staff_page(township):
    villager, _ = client_of("villager", township.village_a)
    assert villager.get("/board/staff/").status_code == 403
    assert villager.get("/board/staff/new/").status_code == 403
    assert villager.get("/board/staff/questions/").status_code == 403


def test_excel_export_of_the_list(township):
    df.published(township.village_a, title='=HYPERLINK("x")')
    df.draft(township.village_a, title="南山草稿")
    df.published(township.village_b, title="北坡村务")
    sec, _ = client_of("village_secretary", township.village_a)
    r = sec.get("/board/staff/export/?state=draft")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and [row[5] for row in rows[1:]] == ["南山草稿"]
    rows = list(
        load_workbook(io.BytesIO(sec.get("/board/staff/export/").content)).active.iter_rows(values_only=True)
    )
    titles = [row[5] for row in rows[1:]]
    assert "北坡村务" not in titles and '=HYPERLINK("x")' in titles  # kept as text, never a formula


def test_drafting_through_the_form(township):
    sec, _ = client_of("village_secretary", township.village_a)
    page = sec.get("/board/staff/new/")
    assert page.status_code == 200 and "起草公开事项" in page.content.decode()
    r = sec.post(
        "/board/staff/new/",
        form(village=township.village_a.code, body="张三家门前修路。", mask_names="张三"),
    )
    assert r.status_code == 302
    n = Notice.objects.get()
    assert (
        n.body == "张某家门前修路。" and n.state == Notice.DRAFT and r["Location"] == f"/board/staff/{n.pk}/"
    )


@pytest.mark.parametrize(
    "data,message",
    [
        ({"title": ""}, "请填写标题。"),
        ({"kind": "enforcement"}, "请从列表中选择类别。"),
        ({"body": "联系电话13912345678"}, "含有身份证号或手机号"),
        ({"mask_names": "Zhang3"}, "不像一个中文姓名"),
        ({"title": "字" * 101}, "标题太长"),
    ],
)
def test_a_bad_draft_re_renders_with_the_message_and_writes_nothing(township, data, message):
    sec, _ = client_of("village_secretary", township.village_a)
    r = sec.post("/board/staff/new/", form(village=township.village_a.code, **data))
    assert r.status_code == 422 and message in r.content.decode()
    assert Notice.objects.count() == 0


def test_another_village_cannot_be_picked(township):
    sec, _ = client_of("village_secretary", township.village_a)
    r = sec.post("/board/staff/new/", form(village=township.village_b.code))
    assert r.status_code == 422 and "请从列表中选择村（社区）" in r.content.decode()
    assert Notice.objects.count() == 0


def test_a_pdf_with_a_phone_number_is_refused_on_the_form(township):
    sec, _ = client_of("village_secretary", township.village_a)
    data = form(village=township.village_a.code)
    data["attachment"] = SimpleUploadedFile("账目.pdf", pdfs.text_pdf(*pdfs.WITH_PHONE))
    r = sec.post("/board/staff/new/", data)
    assert r.status_code == 422 and "附件中含有身份证号或手机号" in r.content.decode()
    assert Notice.objects.count() == 0


def test_edit_a_draft_and_an_edit_of_a_published_notice_is_refused(township):
    sec, _ = client_of("village_secretary", township.village_a)
    n = df.draft(township.village_a, title="旧标题")
    assert sec.get(f"/board/staff/{n.pk}/edit/").status_code == 200
    r = sec.post(f"/board/staff/{n.pk}/edit/", form(title="新标题"))
    assert r.status_code == 302
    n.refresh_from_db()
    assert n.title == "新标题"
    p = df.published(township.village_a, title="已公开的")
    for r in (
        sec.get(f"/board/staff/{p.pk}/edit/"),
        sec.post(f"/board/staff/{p.pk}/edit/", form(title="偷改")),
    ):
        assert r.status_code == 409 and "已公开的事项不能修改" in r.content.decode()
    p.refresh_from_db()
    assert p.title == "已公开的"
    r = sec.post(f"/board/staff/{n.pk}/edit/", form(title=""))
    assert r.status_code == 422 and "请填写标题" in r.content.decode()
    n.refresh_from_db()
    assert n.title == "新标题"


def test_finance_needs_sign_off_on_the_pages(township):
    sec, _ = client_of("village_secretary", township.village_a)
    sup, _ = client_of("supervisor", township.village_a)
    n = df.draft(township.village_a, kind="finance", title="一月财务")
    r = sec.post(f"/board/staff/{n.pk}/publish/")
    assert r.status_code == 422 and "须经村务监督委员会审核" in r.content.decode()
    n.refresh_from_db()
    assert n.state == Notice.DRAFT
    assert "审核通过" not in sec.get(f"/board/staff/{n.pk}/").content.decode()
    # the secretary may not sign off; the supervisor may not publish
    assert sec.post(f"/board/staff/{n.pk}/sign-off/").status_code == 404
    assert "审核通过" in sup.get(f"/board/staff/{n.pk}/").content.decode()
    assert sup.post(f"/board/staff/{n.pk}/sign-off/").status_code == 302
    r = sup.post(f"/board/staff/{n.pk}/sign-off/")
    assert r.status_code == 409 and "已审核过" in r.content.decode()
    assert sup.post(f"/board/staff/{n.pk}/publish/").status_code == 404
    assert sec.post(f"/board/staff/{n.pk}/publish/").status_code == 302
    n.refresh_from_db()
    assert n.state == Notice.PUBLISHED and n.signed_off_at is not None


def test_an_unchecked_scan_is_refused_at_publication_on_the_page(township):
    sec, _ = client_of("village_secretary", township.village_a)
    n = df.draft(township.village_a, attachment=SimpleUploadedFile("扫描.pdf", pdfs.image_pdf()))
    r = sec.post(f"/board/staff/{n.pk}/publish/")
    assert r.status_code == 422 and "勾选“已核对”" in r.content.decode()
    n.refresh_from_db()
    assert n.state == Notice.DRAFT


def test_an_update_supersedes_and_keeps_the_old_version(township):
    sec, _ = client_of("village_secretary", township.village_a)
    old = df.published(township.village_a, title="修路公示")
    assert sec.get(f"/board/staff/{old.pk}/update/").status_code == 200
    r = sec.post(f"/board/staff/{old.pk}/update/", form(title="修路公示（更正）"))
    assert r.status_code == 302
    new = Notice.objects.get(supersedes=old)
    assert sec.post(f"/board/staff/{new.pk}/publish/").status_code == 302
    old.refresh_from_db()
    assert old.superseded_by_id == new.pk and old.title == "修路公示"
    # a second update of the same notice is refused, nothing written
    r = sec.post(f"/board/staff/{old.pk}/update/", form(title="再改"))
    assert r.status_code == 422 and "已有更新版本" in r.content.decode()
    assert Notice.objects.count() == 2


def test_another_villages_notice_is_a_404_everywhere(township):
    sec, _ = client_of("village_secretary", township.village_a)
    other = df.draft(township.village_b, title="北坡草稿")
    for url in ("", "edit/", "update/"):
        assert sec.get(f"/board/staff/{other.pk}/{url}").status_code == 404
    for url in ("edit/", "publish/", "update/", "sign-off/"):
        assert sec.post(f"/board/staff/{other.pk}/{url}", form(title="偷改")).status_code == 404
    other.refresh_from_db()
    assert other.title == "北坡草稿" and other.state == Notice.DRAFT
    assert Notice.objects.count() == 1


def test_answering_the_queue(township):
    n = df.published(township.village_a, title="修路公示")
    villager = factories.user_with_role("villager", township.village_a)
    q = services.question_ask(user=villager, notice=n, text="修路花了多少钱？")
    other = services.question_ask(
        user=factories.user_with_role("villager", township.village_b),
        notice=df.published(township.village_b),
        text="北坡的问题",
    )
    sec, _ = client_of("village_secretary", township.village_a)
    body = sec.get("/board/staff/questions/").content.decode()
    assert "修路花了多少钱？" in body and "北坡的问题" not in body
    r = sec.post(f"/board/staff/questions/{q.pk}/answer/", {"answer": "电话13912345678"})
    assert r.status_code == 422 and "含有身份证号或手机号" in r.content.decode()
    r = sec.post(f"/board/staff/questions/{q.pk}/answer/", {"answer": ""})
    assert r.status_code == 422 and "请填写答复" in r.content.decode()
    q.refresh_from_db()
    assert q.answered_at is None
    assert sec.post(f"/board/staff/questions/{other.pk}/answer/", {"answer": "答"}).status_code == 404
    assert sec.post(f"/board/staff/questions/{q.pk}/answer/", {"answer": "一万二千元。"}).status_code == 302
    q.refresh_from_db()
    assert q.answer == "一万二千元。"
    assert "修路花了多少钱？" not in sec.get("/board/staff/questions/").content.decode()
    assert Question.objects.get(pk=other.pk).answered_at is None


def test_the_village_setting(township):
    sec, _ = client_of("village_secretary", township.village_a)
    url = f"/board/staff/settings/{township.village_a.code}/"
    assert "每季度" in sec.get(url).content.decode()
    assert sec.post(url, {"finance_monthly": "on"}).status_code == 302
    assert VillageSetting.objects.get(region_code=township.village_a.code).finance_monthly
    assert sec.get(f"/board/staff/settings/{township.village_b.code}/").status_code == 404
    assert (
        sec.post(f"/board/staff/settings/{township.village_b.code}/", {"finance_monthly": "on"}).status_code
        == 404
    )
    assert not VillageSetting.objects.filter(region_code=township.village_b.code).exists()
    sup, _ = client_of("supervisor", township.village_a)
    assert sup.post(url, {}).status_code == 404
    assert VillageSetting.objects.get(region_code=township.village_a.code).finance_monthly
