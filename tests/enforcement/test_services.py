"""Enforcement rules at their boundaries: the 7-working-day 公示 deadline, legal review before a major decision
(Art. 58), dates, amounts, publishing once, de-identification; every refusal leaves nothing written."""

import datetime as dt

import pytest

from tests.enforcement import factories as ef
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiangzhi.disclosure.models import Notice
from xiangzhi.enforcement import selectors, services
from xiangzhi.enforcement.models import Decision, Entry, Inspection, LegalReview

pytestmark = pytest.mark.django_db

# 2026-09-30 (Wed) is followed by the National Day holiday (10-01..10-07) and a make-up working Saturday (10-10):
# working days after it are 10-08, 10-09, 10-10, 10-12, 10-13, 10-14, 10-15 (the 7th), 10-16 (the 8th).
DECIDED = dt.date(2026, 9, 30)
SEVENTH = dt.date(2026, 10, 15)
EIGHTH = dt.date(2026, 10, 16)


def at(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


@pytest.fixture
def c(township):
    return ef.cast(township)


def snapshot():
    return (
        Inspection.objects.count(),
        Decision.objects.count(),
        LegalReview.objects.count(),
        Entry.objects.count(),
        Notice.objects.count(),
        list(Decision.objects.values_list("state", "published_on", "case_number")),
    )


# -- the 公示 deadline ---------------------------------------------------------------------------------------------


def test_publish_due_is_the_seventh_working_day_across_the_holiday_and_make_up_saturday():
    assert services.publish_due_for(DECIDED) == SEVENTH
    # an ordinary week: Monday's decision is due the Tuesday after next (weekend skipped)
    assert services.publish_due_for(dt.date(2026, 6, 1)) == dt.date(2026, 6, 10)


def _decided_then_published_on(c, day):
    with clock.frozen(at(DECIDED)):
        d = ef.decided(c, decided_on=DECIDED)
    assert d.publish_due == SEVENTH
    with clock.frozen(at(day)):
        services.decision_publish(user=c.officer, decision=d)
        d.refresh_from_db()
        overdue = list(selectors.overdue_list(user=c.leader))
    return d, overdue


def test_published_on_the_seventh_working_day_is_on_time(c):
    d, overdue = _decided_then_published_on(c, SEVENTH)
    assert d.published_on == SEVENTH and not d.published_late
    assert d not in overdue


def test_published_on_the_eighth_working_day_is_late(c):
    d, overdue = _decided_then_published_on(c, EIGHTH)
    assert d.published_late
    assert overdue == [d]


def test_unpublished_decision_is_listed_only_after_its_seventh_working_day(c):
    with clock.frozen(at(DECIDED)):
        d = ef.decided(c, decided_on=DECIDED)
    with clock.frozen(at(SEVENTH)):
        assert list(selectors.overdue_list(user=c.leader)) == []
    with clock.frozen(at(EIGHTH)):
        assert list(selectors.overdue_list(user=c.leader)) == [d]
        assert selectors.figures(user=c.leader)["overdue"] == 1


def test_a_non_penalty_decision_has_no_publication_deadline(c):
    d = ef.decided(c, kind="none", amount_fen=0)
    assert d.publish_due is None


# -- legal review before a major decision (Art. 58) -------------------------------------------------------------


def test_major_decision_without_review_is_refused_and_nothing_changes(c):
    d = ef.proposal(c, ef.inspection(c), major=True)
    before = snapshot()
    with pytest.raises(ValidationFailed, match="法制审核"):
        services.decision_make(
            user=c.leader, decision=d, case_number="罚〔2026〕9号", decided_on=clock.today()
        )
    assert snapshot() == before


def test_major_decision_after_failed_review_is_refused(c):
    d = ef.proposal(c, ef.inspection(c), major=True)
    services.legal_review_record(user=c.reviewer, decision=d, opinion="依据不当。", passed=False)
    before = snapshot()
    with pytest.raises(ValidationFailed, match="法制审核"):
        services.decision_make(
            user=c.leader, decision=d, case_number="罚〔2026〕9号", decided_on=clock.today()
        )
    assert snapshot() == before


def test_a_later_failed_review_overrides_an_earlier_pass(c):
    d = ef.proposal(c, ef.inspection(c), major=True)
    services.legal_review_record(user=c.reviewer, decision=d, opinion="合法。", passed=True)
    clock.advance(dt.timedelta(minutes=1))
    services.legal_review_record(user=c.reviewer, decision=d, opinion="发现新情况，不予通过。", passed=False)
    with pytest.raises(ValidationFailed, match="法制审核"):
        services.decision_make(
            user=c.leader, decision=d, case_number="罚〔2026〕9号", decided_on=clock.today()
        )


def test_major_decision_with_passed_review_is_made_by_the_town_leader(c):
    d = ef.proposal(c, ef.inspection(c), major=True)
    services.legal_review_record(user=c.reviewer, decision=d, opinion="合法。", passed=True)
    with pytest.raises(PermissionDenied):
        services.decision_make(
            user=c.officer, decision=d, case_number="罚〔2026〕9号", decided_on=clock.today()
        )
    d = services.decision_make(
        user=c.leader, decision=d, case_number="罚〔2026〕9号", decided_on=clock.today()
    )
    assert d.state == Decision.DECIDED and d.decided_by == c.leader


def test_normal_decision_needs_no_review(c):
    d = ef.decided(c)
    assert d.state == Decision.DECIDED and not d.reviews.exists()


def test_review_only_by_the_legal_office_and_not_by_the_case_handler(c):
    d = ef.proposal(c, ef.inspection(c), major=True)
    for user in (c.leader, c.officer, c.farm_officer, c.county):
        with pytest.raises(PermissionDenied):
            services.legal_review_record(user=user, decision=d, opinion="合法。", passed=True)
    assert not LegalReview.objects.exists()
    assert AuditRecord.objects.filter(action="enforcement.review", result="denied").count() == 4


def test_the_legal_office_cannot_review_a_case_it_handled(c):
    insp = ef.inspection(c, user=c.leader)
    d = ef.proposal(c, insp, major=True, user=c.leader)
    # a 司法所 reviewer who also recorded the inspection (the town leader here did; make the reviewer record one)
    own = ef.inspection(c, user=c.leader, department=c.sifa)
    own_d = services.decision_propose(
        user=c.reviewer,
        inspection=own,
        kind="warning",
        amount_fen=0,
        legal_basis="依据",
        facts="事实",
        is_major=True,
    )
    with pytest.raises(ValidationFailed, match="承办人员"):
        services.legal_review_record(user=c.reviewer, decision=own_d, opinion="合法。", passed=True)
    services.legal_review_record(user=c.reviewer, decision=d, opinion="合法。", passed=True)


# -- dates and amounts -------------------------------------------------------------------------------------------


def test_decision_dated_before_the_inspection_is_refused_the_same_day_is_accepted(c):
    day = clock.today() - dt.timedelta(days=5)
    insp = ef.inspection(c, date=day)
    d = ef.proposal(c, insp)
    before = snapshot()
    with pytest.raises(ValidationFailed, match="不能早于检查日期"):
        services.decision_make(
            user=c.officer, decision=d, case_number="罚〔2026〕2号", decided_on=day - dt.timedelta(days=1)
        )
    assert snapshot() == before
    d = services.decision_make(user=c.officer, decision=d, case_number="罚〔2026〕2号", decided_on=day)
    assert d.decided_on == day


def test_future_dates_are_refused(c):
    with pytest.raises(ValidationFailed, match="不能晚于今天"):
        ef.inspection(c, date=clock.today() + dt.timedelta(days=1))
    assert not Inspection.objects.exists()


@pytest.mark.parametrize(
    ("kind", "amount", "ok"),
    [
        ("fine", -1, False),
        ("fine", 0, False),
        ("fine", 1, True),
        ("warning", 1, False),
        ("warning", 0, True),
        ("confiscation", 0, True),
        ("fine", 1.5, False),
    ],
)
def test_amount_rules(c, kind, amount, ok):
    insp = ef.inspection(c)
    before = snapshot()
    if ok:
        assert ef.proposal(c, insp, kind=kind, amount_fen=amount).amount_fen == amount
    else:
        with pytest.raises(ValidationFailed):
            ef.proposal(c, insp, kind=kind, amount_fen=amount)
        assert snapshot() == before


def test_negative_amount_is_refused_by_the_database_too(c):
    from django.db import IntegrityError, transaction

    d = ef.proposal(c, ef.inspection(c))
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=d.pk).update(amount_fen=-100)


def test_one_live_decision_per_inspection_and_withdraw_frees_it(c):
    insp = ef.inspection(c)
    d = ef.proposal(c, insp)
    with pytest.raises(Conflict):
        ef.proposal(c, insp)
    services.decision_withdraw(user=c.officer, decision=d, reason="金额有误。")
    again = ef.proposal(c, insp, amount_fen=100000)
    assert again.state == Decision.DRAFT
    with pytest.raises(Conflict):
        services.decision_withdraw(user=c.officer, decision=ef.decided(c), reason="x")


def test_case_number_unique_within_the_department(c):
    ef.decided(c, case_number="罚〔2026〕5号")
    d = ef.proposal(c, ef.inspection(c))
    with pytest.raises(ValidationFailed, match="文书编号"):
        services.decision_make(
            user=c.officer, decision=d, case_number="罚〔2026〕5号", decided_on=clock.today()
        )


# -- subjects and ID numbers -------------------------------------------------------------------------------------


def test_person_id_number_is_encrypted_hashed_and_masked(c):
    insp = ef.inspection(c)
    assert insp.masked_id == "**************002X"
    assert insp.subject_id_hash and insp.subject_id_last4 == "002X"
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("select subject_id_number from enforcement_inspection where id = %s", [insp.pk])
        assert ef.ID_NUMBER not in cur.fetchone()[0]
    audit = AuditRecord.objects.filter(action="enforcement.inspection_created").get()
    assert ef.ID_NUMBER not in str(audit.changes) and audit.changes["identity_given"] is True
    assert all(ef.ID_NUMBER not in e.note for e in Entry.objects.all())


def test_bad_id_number_and_org_with_id_number_are_refused(c):
    with pytest.raises(ValidationFailed):
        ef.inspection(c, id_number="110105194912310021")
    with pytest.raises(ValidationFailed, match="单位当事人"):
        ef.inspection(c, person=False, id_number=ef.ID_NUMBER)
    assert not Inspection.objects.exists()


def test_department_of_another_town_or_staff_of_another_department_is_refused(c):
    with pytest.raises(PermissionDenied):
        ef.inspection(c, user=c.farm_officer)
    with pytest.raises(PermissionDenied):
        ef.inspection(c, user=c.county)
    assert not Inspection.objects.exists()


# -- 执法公示 ------------------------------------------------------------------------------------------------------


def test_publication_on_the_town_board_de_identifies_a_person(c):
    d = ef.decided(c)
    services.decision_publish(user=c.officer, decision=d)
    d.refresh_from_db()
    n = d.notice
    assert n.region_code == c.t.town.code and n.kind == "enforcement" and n.state == Notice.PUBLISHED
    text = n.title + n.body
    assert "张某" in text and "张三丰" not in text
    assert ef.ID_NUMBER not in text and "002X" not in text
    assert "南山村东头" not in text  # no exact address
    assert "2,000.00 元" in text


def test_publication_names_an_organisation(c):
    d = ef.decided(c, ef.inspection(c, person=False))
    services.decision_publish(user=c.officer, decision=d)
    d.refresh_from_db()
    assert "尉庄乡利民砖厂" in d.notice.body


def test_publishing_twice_is_refused(c):
    d = ef.decided(c)
    services.decision_publish(user=c.officer, decision=d)
    before = snapshot()
    with pytest.raises(Conflict, match="不能重复公示"):
        services.decision_publish(user=c.officer, decision=d)
    assert snapshot() == before


def test_a_draft_cannot_be_published(c):
    d = ef.proposal(c, ef.inspection(c))
    with pytest.raises(Conflict):
        services.decision_publish(user=c.officer, decision=d)
    assert not Notice.objects.exists()


@pytest.mark.parametrize("number", ["13912345678", ef.ID_NUMBER])
def test_a_text_with_a_phone_or_id_number_is_refused_by_the_hook_and_nothing_is_written(c, number):
    insp = ef.inspection(c)
    d = services.decision_propose(
        user=c.officer,
        inspection=insp,
        kind="warning",
        amount_fen=0,
        legal_basis="依据",
        facts=f"当事人拒不整改，号码{number}。",
    )
    d = services.decision_make(
        user=c.officer, decision=d, case_number="罚〔2026〕7号", decided_on=clock.today()
    )
    before = snapshot()
    with pytest.raises(ValidationFailed, match="身份证号或手机号"):
        services.decision_publish(user=c.officer, decision=d)
    assert snapshot() == before


def test_other_names_listed_are_masked_too(c):
    d = ef.decided(c)
    Decision.objects.filter(pk=d.pk).update(facts="当事人张三丰与李四光在禁烧区焚烧秸秆。")
    services.decision_publish(user=c.officer, decision=Decision.objects.get(pk=d.pk), mask_names=["李四光"])
    body = Decision.objects.get(pk=d.pk).notice.body
    assert "李某" in body and "李四光" not in body


# -- the full-process record -------------------------------------------------------------------------------------


def test_every_step_appends_to_the_timeline_and_is_audited(c):
    d = ef.proposal(c, ef.inspection(c), major=True)
    services.legal_review_record(user=c.reviewer, decision=d, opinion="合法。", passed=True)
    d = services.decision_make(
        user=c.leader, decision=d, case_number="罚〔2026〕8号", decided_on=clock.today()
    )
    services.entry_add(user=c.officer, inspection=d.inspection, note="送达处罚决定书。")
    services.decision_publish(user=c.officer, decision=d)
    actions = list(d.inspection.entries.values_list("action", flat=True))
    assert actions == ["inspected", "proposed", "reviewed", "decided", "note", "published"]
    audited = set(
        AuditRecord.objects.filter(action__startswith="enforcement.").values_list("action", flat=True)
    )
    assert {
        "enforcement.inspection_created",
        "enforcement.decision_proposed",
        "enforcement.legal_reviewed",
        "enforcement.decision_made",
        "enforcement.entry_added",
        "enforcement.decision_published",
    } <= audited


def test_attachment_goes_to_the_private_store(c):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    insp = ef.inspection(c)
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (1, 2, 3)).save(out, "PNG")
    att = services.attachment_add(
        user=c.officer,
        inspection=insp,
        upload=SimpleUploadedFile("现场.png", out.getvalue()),
        label="现场照片",
    )
    assert att.file.purpose == "enforcement" and att.file.region_code == insp.region_code
    with pytest.raises(ValidationFailed):
        services.attachment_add(
            user=c.officer, inspection=insp, upload=SimpleUploadedFile("a.txt", b"hello"), label="文本"
        )
    att.file.file.storage.delete(att.file.file.name)


# -- figures -----------------------------------------------------------------------------------------------------


def test_figures_count_inspections_problems_penalties_and_amount(c):
    for _ in range(3):
        ef.inspection(c, problem=False)
    ef.decided(c, case_number="罚1号", amount_fen=1_000_000)
    ef.decided(c, case_number="罚2号", amount_fen=1_040_000)
    ef.decided(c, case_number="罚3号", kind="warning", amount_fen=0)
    ef.decided(c, case_number="罚4号", kind="none", amount_fen=0)
    f = selectors.figures(user=c.leader, town_code=c.t.town.code)
    assert f["inspections"] == 7 and f["problems"] == 4
    assert f["decisions"] == 4 and f["penalties"] == 3
    assert f["fine_fen"] == 2_040_000 and f["amount_fen"] == 2_040_000  # 20,400 元 as in seed 002
    # a department's staff count only their own department's
    assert selectors.figures(user=c.farm_officer)["inspections"] == 0
    # a period that ends before today counts nothing
    assert selectors.figures(user=c.leader, date_to=clock.today() - dt.timedelta(days=1))["inspections"] == 0


def test_department_staff_see_only_their_department_the_legal_office_sees_all(c):
    mine = ef.inspection(c)
    farm = ef.inspection(c, user=c.farm_officer, department=c.nongye)
    assert set(selectors.inspection_list(user=c.officer)) == {mine}
    assert set(selectors.inspection_list(user=c.farm_officer)) == {farm}
    assert set(selectors.inspection_list(user=c.reviewer)) == {mine, farm}
    assert set(selectors.inspection_list(user=c.county)) == {mine, farm}
