"""三资 pages: the register with filters and alerts, a contract with its checks, the forms (200 / 422 with nothing
written / 403 / 404), the settings, the report of a village and a town, and the 合同摘要 PDF read back."""

import datetime as dt
import re
import shutil
import subprocess
from html import unescape

import pytest
from django.urls import reverse

from tests import factories
from tests.assets import factories as f
from xiangzhi.assets import rules, services
from xiangzhi.assets.models import AssetSetting, Contract, Payment
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def cast(township):
    with clock.frozen(NOW):
        c = f.cast(township)
        c.t = township
        c.good = f.contract(
            c.secretary,
            township.village_a,
            resolution=c.item,
            code="HT-GOOD",
            counterparty_name="守约户王五",
            schedule=[(dt.date(2026, 1, 1), 100000)],
        )
        services.payment_record(user=c.secretary, contract=c.good, amount=100000, paid_on=dt.date(2026, 1, 2))
        c.bad = f.contract(
            c.secretary,
            township.village_a,
            code="HT-BAD",
            counterparty_name="欠款户赵六",
            subject="东沟鱼塘",
            has_written_contract=False,
            ends_on=dt.date(2026, 7, 1),
            counterparty_id_number=f.VALID_ID,
            schedule=[(dt.date(2026, 3, 1), 250000)],
        )
        c.other = f.contract(c.secretary_b, township.village_b, code="HT-B", counterparty_name="北坡承包方")
        yield c


def text(resp) -> str:
    return unescape(resp.content.decode())


def body(resp) -> str:
    return text(resp).split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def client(user):
    return factories.signed_in_client(user)


def test_the_register_lists_the_villages_contracts_with_problems_and_alerts(cast):
    resp = client(cast.secretary).get(reverse("assets:contract_list"))
    assert resp.status_code == 200
    rows = body(resp)
    assert "守约户王五" in rows and "欠款户赵六" in rows and "北坡承包方" not in rows
    page = text(resp)
    assert "欠款合计 <strong>2,500.00</strong> 元" in page and "HT-BAD 东沟鱼塘" in page  # arrears alert
    assert "2026-07-01 到期" in page  # ends within 90 days
    assert "无书面合同" in rows and "拖欠承包费、租金" in rows
    assert f.VALID_ID not in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("problem=arrears", "欠款户赵六", "守约户王五"),
        ("problem=any", "欠款户赵六", "守约户王五"),
        ("problem=no_written", "欠款户赵六", "守约户王五"),
        ("expiring=1&days=30", "欠款户赵六", "守约户王五"),
        ("q=王五", "守约户王五", "欠款户赵六"),
        ("category=funds", None, "守约户王五"),
        ("matter=lease", "守约户王五", None),
    ],
)
def test_the_register_filters(cast, query, shown, hidden):
    with clock.frozen(NOW):
        rows = body(client(cast.secretary).get(reverse("assets:contract_list") + "?" + query))
    if shown:
        assert shown in rows
    if hidden:
        assert hidden not in rows


def test_the_register_paginates(cast):
    with clock.frozen(NOW):
        for n in range(21):
            f.contract(cast.secretary, cast.t.village_a, code=f"P{n:02d}")
        resp = client(cast.secretary).get(reverse("assets:contract_list"))
        assert "第 1 / 2 页" in text(resp)
        assert client(cast.secretary).get(reverse("assets:contract_list") + "?page=2").status_code == 200


def test_the_contract_page_shows_checks_with_the_law_and_a_masked_id(cast):
    with clock.frozen(NOW):
        resp = client(cast.supervisor).get(reverse("assets:contract_detail", args=[cast.bad.pk]))
    page = text(resp)
    assert resp.status_code == 200
    assert "**************002X" in page and f.VALID_ID not in page
    assert "无书面合同" in page and "民法典第七百零七条" in page and "没有批准合同的决议" in page
    assert "欠款 <strong>2,500.00</strong> 元" in page
    assert "登记收款" not in page  # the supervisor reads only


def test_a_contract_of_another_village_is_an_audited_404(cast):
    before = AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()
    assert (
        client(cast.secretary).get(reverse("assets:contract_detail", args=[cast.other.pk])).status_code == 404
    )
    assert client(cast.secretary).get(reverse("assets:contract_detail", args=[999999])).status_code == 404
    assert AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count() == before + 1


def _form(village, **kw):
    data = {
        "village": village.code,
        "code": "HT-NEW",
        "category": "resources",
        "matter": "land",
        "subject": "西坡机动地",
        "area": "12.50",
        "amount": "3,750.00",
        "amount_basis": "per_year",
        "counterparty_name": "新承包户",
        "counterparty_type": "individual",
        "counterparty_is_member": "1",
        "counterparty_id_number": "",
        "starts_on": "2026-01-01",
        "ends_on": "2030-12-31",
        "has_written_contract": "1",
        "resolution": "",
        "schedule": "2026-03-01 3750\n2027-03-01 3750",
        "note": "",
    }
    data.update(kw)
    return data


def test_a_cadre_records_a_contract(cast):
    data = _form(cast.t.village_a, resolution=str(cast.item.pk))
    resp = client(cast.committee).get(reverse("assets:contract_create"))
    assert resp.status_code == 200 and "决议" in text(resp)
    resp = client(cast.committee).post(reverse("assets:contract_create"), data)
    assert resp.status_code == 302, text(resp)
    c = Contract.objects.get(code="HT-NEW")
    assert c.area_cmu == 1250 and c.amount == 375000 and c.resolution_id == cast.item.pk
    assert list(c.instalments.values_list("amount", flat=True)) == [375000, 375000]
    assert AuditRecord.objects.filter(action="assets.contract_created", object_id=str(c.pk)).exists()


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"starts_on": "2026-01-02", "ends_on": "2026-01-01"}, "早于起始日"),
        ({"area": "-3"}, "面积不能为负数"),
        ({"amount": "-5"}, "金额不能为负数"),
        ({"code": "HT-GOOD"}, "在本村已存在"),
        ({"resolution": "999999"}, "所选决议不是本村已通过的决议"),
        ({"schedule": "2026-03-01"}, "应为“日期 金额”"),
        ({"amount": "abc"}, "不是有效的金额"),
    ],
)
def test_bad_input_on_the_form_is_a_422_with_a_chinese_message_and_nothing_written(cast, kw, message):
    before = Contract.objects.count()
    resp = client(cast.secretary).post(reverse("assets:contract_create"), _form(cast.t.village_a, **kw))
    assert resp.status_code == 422
    assert message in text(resp)
    assert Contract.objects.count() == before


def test_create_for_another_village_is_refused_and_writes_nothing(cast):
    before = Contract.objects.count()
    resp = client(cast.secretary).post(reverse("assets:contract_create"), _form(cast.t.village_b))
    assert resp.status_code == 422 and "不在您的辖区内" in text(resp)
    assert Contract.objects.count() == before


def test_readers_may_not_write(cast):
    for user in (cast.supervisor, cast.leader):
        c = client(user)
        assert c.get(reverse("assets:contract_create")).status_code == 403
        assert (
            c.post(
                reverse("assets:payment_add", args=[cast.bad.pk]), {"amount": "1", "paid_on": "2026-01-01"}
            ).status_code
            == 404
        )
        assert c.get(reverse("assets:contract_edit", args=[cast.bad.pk])).status_code == 404
    assert client(cast.grid_worker).get(reverse("assets:contract_list")).status_code == 403
    assert not Payment.objects.filter(contract=cast.bad).exists()


def test_payment_form(cast):
    c = client(cast.secretary)
    url = reverse("assets:payment_add", args=[cast.bad.pk])
    with clock.frozen(NOW):
        bad = c.post(url, {"amount": "-1", "paid_on": "2026-06-01"})
        assert bad.status_code == 422 and "收款金额不能为负数" in text(bad)
        ok = c.post(url, {"amount": "2500", "paid_on": "2026-06-01", "receipt_no": "SJ-1"})
        assert ok.status_code == 302
        again = c.post(url, {"amount": "1", "paid_on": "2026-06-01", "receipt_no": "SJ-1"})
        assert again.status_code == 422 and "已登记过" in text(again)
        page = text(c.get(reverse("assets:contract_detail", args=[cast.bad.pk])))
    assert Payment.objects.filter(contract=cast.bad).count() == 1
    assert "拖欠承包费、租金" not in page.split("合同清理检查", 1)[1].split("付款计划与收款", 1)[0]


def test_edit_keeps_the_id_number_when_left_empty(cast):
    c = client(cast.secretary)
    url = reverse("assets:contract_edit", args=[cast.bad.pk])
    page = text(c.get(url))
    assert "**************002X" in page and f.VALID_ID not in page
    data = _form(
        cast.t.village_a, code="HT-BAD", matter="lease", category="assets", subject="改名鱼塘", schedule=""
    )
    data.pop("village")
    with clock.frozen(NOW):
        resp = c.post(url, data)
    assert resp.status_code == 302, text(resp)
    cast.bad.refresh_from_db()
    assert cast.bad.subject == "改名鱼塘" and cast.bad.counterparty_id_number == f.VALID_ID
    bad = c.post(url, {**data, "ends_on": "2020-01-01"})
    assert bad.status_code == 422
    cast.bad.refresh_from_db()
    assert cast.bad.ends_on == dt.date(2030, 12, 31)


def test_settings_and_the_report_of_village_and_town(cast):
    c = client(cast.secretary)
    url = reverse("assets:setting_edit", args=[cast.t.village_a.code])
    assert c.get(url).status_code == 200
    bad = c.post(url, {"review_starts_on": "2026-05-01", "review_ends_on": "2026-04-01"})
    assert bad.status_code == 422 and "结束日早于开始日" in text(bad)
    assert not AssetSetting.objects.exists()
    assert c.post(url, {"review_starts_on": "2026-03-02", "review_ends_on": "2026-06-30"}).status_code == 302
    assert c.get(reverse("assets:setting_edit", args=[cast.t.village_b.code])).status_code == 404
    with clock.frozen(NOW):
        services.payment_record(
            user=cast.secretary, contract=cast.bad, amount=100000, paid_on=dt.date(2026, 6, 1)
        )
        village = text(c.get(reverse("assets:report")))
        town = client(cast.leader).get(reverse("assets:report") + f"?region={cast.t.town.code}")
    assert "清理合同 <strong>2</strong> 份" in village and "清收欠款 <strong>1,000.00</strong> 元" in village
    assert "北坡村" not in village
    page = text(town)
    assert town.status_code == 200 and "尉庄乡合同清理报告" in page
    assert "清理合同 <strong>3</strong> 份" in page and "南山村" in page and "北坡村" in page
    assert "面积 <strong>1.05</strong> 亩" in page
    assert client(cast.grid_worker).get(reverse("assets:report")).status_code == 403


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    out = subprocess.run(
        [shutil.which("pdftotext"), "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return re.sub(r"\s+", "", out.stdout.decode())


def test_the_contract_summary_pdf_reads_back_in_chinese(cast):
    with clock.frozen(NOW):
        resp = client(cast.supervisor).get(reverse("assets:contract_pdf", args=[cast.bad.pk]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    got = pdf_text(resp.content)
    for expected in (
        "南山村集体合同摘要",
        "HT-BAD",
        "东沟鱼塘",
        "欠款户赵六",
        "**************002X",
        "无书面合同",
        "欠款：2,500.00元",
    ):
        assert expected in got, expected
    assert f.VALID_ID not in got
    assert client(cast.secretary_b).get(reverse("assets:contract_pdf", args=[cast.bad.pk])).status_code == 404


def test_rules_are_listed_with_their_law_on_the_report(cast):
    page = text(client(cast.leader).get(reverse("assets:report")))
    for check in rules.CHECKS:
        assert check.label in page and check.law in page
