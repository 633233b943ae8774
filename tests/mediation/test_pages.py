"""Mediation pages: opening from a case (scope, category), the whole loop through the forms, masked ID numbers,
the 30-day notice, the agreement PDF read back with pdftotext, lists, the rosters and the service-log export."""

import io
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from tests.factories import signed_in_client
from tests.mediation import factories as mf
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock
from xiangzhi.mediation import services
from xiangzhi.mediation.models import Agreement, Mediation, MediationParty, ServiceLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return mf.crew(township)


def text(resp) -> str:
    return resp.content.decode()


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    out = subprocess.run(
        [shutil.which("pdftotext"), "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return re.sub(r"\s+", "", out.stdout.decode())


# -- opening from a case ---------------------------------------------------------------------------------------------


def test_open_from_a_case_page(township, c):
    case = mf.dispute(township, c)
    client = signed_in_client(c.secretary)
    page = client.get(f"/mediation/new/?case={case.pk}")
    assert page.status_code == 200 and "受理调解" in text(page) and "王调解" in text(page)
    bad = client.post(f"/mediation/new/?case={case.pk}", {"level": "village", "summary": " "})
    assert bad.status_code == 422 and "请填写纠纷简要情况" in text(bad) and not Mediation.objects.exists()
    done = client.post(
        f"/mediation/new/?case={case.pk}",
        {"level": "village", "summary": "围墙纠纷。", "mediators": [c.roster_a.pk]},
    )
    m = Mediation.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/mediation/{m.pk}/"
    again = client.get(f"/mediation/new/?case={case.pk}")
    assert "已有一项正在进行的调解" in text(again)


def test_open_refuses_a_case_out_of_reach_and_a_non_dispute_case(township, c):
    other = mf.dispute(township, c, region_code=township.grid_b1.code, user=c.grid_worker_b)
    client = signed_in_client(c.secretary)
    before = AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()
    for resp in (
        client.get(f"/mediation/new/?case={other.pk}"),
        client.post(f"/mediation/new/?case={other.pk}", {"level": "village", "summary": "越权。"}),
    ):
        assert resp.status_code == 404
    assert AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count() == before + 2
    env = mf.dispute(township, c, category="ENVIRONMENT")
    page = client.get(f"/mediation/new/?case={env.pk}")
    assert "只有“矛盾纠纷”类事件才能发起调解" in text(page)
    refused = client.post(f"/mediation/new/?case={env.pk}", {"level": "village", "summary": "试试。"})
    assert refused.status_code == 422 and "矛盾纠纷" in text(refused)
    assert client.get("/mediation/new/").status_code == 400
    # a mediator carries mediations but does not open them
    assert signed_in_client(c.mediator).get(f"/mediation/new/?case={env.pk}").status_code == 403
    assert not Mediation.objects.exists()


# -- the loop through the forms ----------------------------------------------------------------------------------------


def test_the_whole_mediation_through_the_pages(township, c, django_capture_on_commit_callbacks):
    from tests.people import factories as pf

    m = mf.opened(township, c)
    client = signed_in_client(c.mediator)
    url = f"/mediation/{m.pk}/"
    # a resident, found by search and picked
    pf.household(township.grid_a1, head_name="张建国")
    found = client.get(f"{url}parties/new/?q=张建国")
    assert "张建国" in text(found)
    resident = MediationParty._meta.get_field("resident").related_model.objects.get(name="张建国")
    r = client.post(f"{url}parties/new/", {"role": "applicant", "kind": "resident", "resident": resident.pk})
    assert r.status_code == 302
    # an outsider with a mistyped ID number: refused next to the field, nothing written, the number not echoed
    number = mf.outsider_id()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    r = client.post(
        f"{url}parties/new/", {"role": "respondent", "kind": "outsider", "name": "李外来", "id_number": wrong}
    )
    assert r.status_code == 422 and "校验位不正确" in text(r) and m.parties.count() == 1
    r = client.post(
        f"{url}parties/new/",
        {"role": "respondent", "kind": "outsider", "name": "李外来", "id_number": number},
    )
    assert r.status_code == 302
    page = text(client.get(url))
    assert "**************" + number[-4:] in page and number not in page
    assert resident.id_last4 in page
    # a session, the agreement, the signatures and the seal
    r = client.post(
        f"{url}sessions/new/", {"date": clock.today().isoformat(), "place": "村调解室", "notes": "各自陈述。"}
    )
    assert r.status_code == 302
    r = client.post(
        f"{url}agreement/",
        {
            "form": "written",
            "facts": "围墙占地半米。",
            "terms": "围墙东移半米。",
            "performance_method": "自行拆除。",
            "performance_due": clock.today().isoformat(),
        },
    )
    assert r.status_code == 302 and m.agreement.form == "written"
    with django_capture_on_commit_callbacks(execute=True):
        for p in m.parties.all():
            assert client.post(f"/mediation/parties/{p.pk}/sign/").status_code == 302
        assert signed_in_client(c.secretary).post(f"{url}agreement/seal/").status_code == 302
    m.refresh_from_db()
    assert m.outcome == "success"
    page = text(client.get(url))
    deadline = m.agreement.confirmation_deadline
    assert f"司法确认期限：{deadline.year}年{deadline.month}月{deadline.day}日" in page
    assert "双方当事人可以自调解协议生效之日起三十日内共同向人民法院申请司法确认" in page
    # ended: the action links are gone, and the forms refuse
    assert "登记调解结果" not in page
    late = client.post(f"{url}sessions/new/", {"date": clock.today().isoformat(), "place": "x", "notes": "y"})
    assert late.status_code == 422 and "已结束" in text(late)


def test_refusal_page_ends_the_mediation(township, c):
    m = mf.opened(township, c)
    _p1, p2 = mf.with_parties(township, m, c.mediator)
    client = signed_in_client(c.mediator)
    unconfirmed = client.post(f"/mediation/parties/{p2.pk}/refuse/", {"reason": "不愿调解。"})
    assert unconfirmed.status_code == 422 and "请勾选确认" in text(unconfirmed)
    r = client.post(f"/mediation/parties/{p2.pk}/refuse/", {"reason": "不愿调解。", "confirmed": "on"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert (m.state, m.outcome) == ("ended", "failed")
    assert "当事人拒绝调解" in text(client.get(f"/mediation/{m.pk}/"))


def test_a_village_cadre_sees_but_gets_no_action_forms(township, c):
    m = mf.opened(township, c)
    client = signed_in_client(c.secretary)
    page = text(client.get(f"/mediation/{m.pk}/"))
    assert m.number in page and "/sessions/new/" not in page and "/parties/new/" not in page
    assert client.get(f"/mediation/{m.pk}/sessions/new/").status_code == 403


# -- the PDF -----------------------------------------------------------------------------------------------------------


def test_the_agreement_pdf_prints_chinese_and_masks_id_numbers(township, c):
    m = mf.opened(township, c)
    number = mf.outsider_id()
    p1, p2 = mf.with_parties(township, m, c.mediator, outsider_number=number)
    mf.written(m, c.mediator)
    client = signed_in_client(c.mediator)
    resp = client.get(f"/mediation/{m.pk}/agreement.pdf")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp["Cache-Control"] == "no-store"
    body = pdf_text(resp.content)
    for expected in (
        "人民调解协议书",
        "南山村人民调解委员会",
        m.number,
        "张建国",
        "李外来",
        "**************" + number[-4:],
        "张家将围墙向东移回半米",
        "双方当事人可以自调解协议生效之日起三十日内共同向人民法院申请司法确认",
        "人民调解员（签名）：王调解",
        "签名、盖章或者按指印",
    ):
        assert expected in body, expected
    assert number not in body and p1.resident.id_number not in body
    # once in effect, the PDF carries the dates, the deadline among them
    services.agreement_sign(user=c.mediator, party=p1)
    services.agreement_sign(user=c.mediator, party=p2)
    services.agreement_seal(user=c.secretary, mediation=m)
    m.agreement.refresh_from_db()
    body = pdf_text(client.get(f"/mediation/{m.pk}/agreement.pdf").content)
    assert f"申请司法确认截至{m.agreement.confirmation_deadline:%Y年%m月%d日}" in body and "已盖章" in body


def test_no_pdf_for_an_oral_agreement_or_none(township, c):
    m = mf.opened(township, c)
    client = signed_in_client(c.mediator)
    assert client.get(f"/mediation/{m.pk}/agreement.pdf").status_code == 409
    mf.with_parties(township, m, c.mediator)
    services.agreement_record(
        user=c.mediator,
        mediation=m,
        form=Agreement.ORAL,
        facts="事实。",
        terms="条款。",
        performance_method="当场。",
        performance_due=clock.today(),
    )
    assert client.get(f"/mediation/{m.pk}/agreement.pdf").status_code == 409


# -- lists ---------------------------------------------------------------------------------------------------------------


def test_the_list_filters_and_pages(township, c):
    ended = mf.opened(township, c)
    services.mediation_outcome(user=c.mediator, mediation=ended, outcome="petition", note="转信访。")
    for _ in range(20):
        mf.opened(township, c)
    client = signed_in_client(c.town_leader)
    first = text(client.get("/mediation/"))
    assert "第 1 / 2 页" in first and "共 21 项" in first
    only = text(client.get("/mediation/?outcome=petition"))
    assert ended.number in only and "共 1 项" in only
    assert "共 20 项" in text(client.get("/mediation/?state=open&level=village"))
    assert "共 0 项" in text(client.get(f"/mediation/?region={township.village_b.code}"))
    assert "共 1 项" in text(client.get(f"/mediation/?q={ended.number}"))


# -- the roster, the register, the service log ------------------------------------------------------------------------


def test_roster_form_refuses_another_village(township, c):
    client = signed_in_client(c.secretary)
    r = client.post(
        "/mediation/mediators/", {"region": township.village_b.code, "name": "越权者", "kind": "party_team"}
    )
    assert r.status_code == 422 and "请从列表中选择调委会" in text(r)
    r = client.post(
        "/mediation/mediators/",
        {"region": township.village_a.code, "name": "新调解员", "kind": "legal_literate"},
    )
    assert r.status_code == 302
    page = text(client.get("/mediation/mediators/"))
    assert "新调解员" in page and "法律明白人" in page and "赵调解" not in page
    # a mediator may read the roster but not add to it
    assert signed_in_client(c.mediator).post("/mediation/mediators/", {}).status_code == 403


def test_service_log_page_and_export(township, c):
    a = services.legal_adviser_add(
        user=c.secretary, village=township.village_a, name="刘律师", firm="明理律所"
    )
    client = signed_in_client(c.adviser_user)
    r = client.post(
        f"/mediation/advisers/{a.pk}/",
        {
            "kind": "lecture",
            "date": clock.today().isoformat(),
            "hours": "2",
            "people": "45",
            "materials": "300",
            "notes": '=HYPERLINK("http://x")民法典讲座',
        },
    )
    assert r.status_code == 302
    bad = client.post(
        f"/mediation/advisers/{a.pk}/",
        {
            "kind": "reception",
            "date": clock.today().isoformat(),
            "hours": "1",
            "people": "0",
            "materials": "0",
        },
    )
    assert bad.status_code == 422 and "接访请填写接待的群众人数" in text(bad)
    assert ServiceLog.objects.count() == 1
    page = text(signed_in_client(c.town_leader).get("/mediation/service-log/"))
    assert "刘律师" in page and "普法讲座" in page and "300" in page
    resp = signed_in_client(c.town_leader).get("/mediation/service-log/export.xlsx?kind=lecture")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:2] == ("村", "法律顾问") and rows[1][0] == "南山村" and rows[1][4] == "普法讲座"
    assert ws.cell(2, 9).data_type == "s" and rows[1][8].startswith("=HYPERLINK")  # text, not a formula
    assert "普法讲座 1 场" in rows[-1] and "发放普法资料 300 份" in rows[-1]
    assert AuditRecord.objects.filter(action="mediation.service_log_exported").count() == 1
    # a mediator may read the log but not export it
    assert signed_in_client(c.mediator).get("/mediation/service-log/export.xlsx").status_code == 403
