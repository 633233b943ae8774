"""Mediation services at their boundaries: who may open and on which case, refusal ends it, the agreement takes
effect only once every party has signed and the committee sealed it, the 30-day window for judicial
confirmation, outsiders' ID numbers checked, sealed and masked, scope."""

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.utils import timezone

from tests.mediation import factories as mf
from xiangzhi.audit.models import AuditRecord
from xiangzhi.cases.models import CaseEvent
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiangzhi.core.models import Notification
from xiangzhi.mediation import selectors, services
from xiangzhi.mediation.models import Agreement, Mediation, MediationParty, confirmation_deadline_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return mf.crew(township)


def case_notes(case):
    return list(
        CaseEvent.objects.filter(case=case, action="mediation").order_by("seq").values_list("note", flat=True)
    )


# -- opening ---------------------------------------------------------------------------------------------------------


def test_open_writes_the_case_timeline_and_an_audit_record(township, c):
    case = mf.dispute(township, c)
    m = mf.opened(township, c, case=case)
    assert m.state == Mediation.OPEN and m.region_code == case.region_code == township.grid_a1.code
    assert m.committee == "南山村人民调解委员会" and list(m.mediators.all()) == [c.roster_a]
    (note,) = case_notes(case)
    assert m.number in note and "村级调解" in note and "王调解" in note
    assert AuditRecord.objects.filter(action="mediation.open", object_id=str(m.pk)).exists()


def test_only_a_dispute_case_may_open_one_and_nothing_is_written(township, c):
    case = mf.dispute(township, c, category="ENVIRONMENT")
    with pytest.raises(ValidationFailed, match="矛盾纠纷"):
        mf.opened(township, c, case=case)
    assert not Mediation.objects.exists() and case_notes(case) == []


def test_one_open_mediation_per_case_then_another_after_it_ended(township, c):
    m = mf.opened(township, c)
    with pytest.raises(Conflict, match="已有一项正在进行的调解"):
        mf.opened(township, c, case=m.case)
    services.mediation_outcome(user=c.mediator, mediation=m, outcome="failed", note="双方分歧太大。")
    again = mf.opened(township, c, case=m.case)
    assert again.pk != m.pk and again.is_open


def test_a_town_level_mediation_is_opened_by_the_town_leader(township, c):
    case = mf.dispute(township, c)
    with pytest.raises(PermissionDenied):
        mf.opened(township, c, case=case, level="town")
    assert not Mediation.objects.exists()
    m = mf.opened(township, c, case=case, level="town", user=c.town_leader, mediators=[c.roster_town])
    assert m.committee == "尉庄乡人民调解委员会" and m.committee_code == township.town.code
    # the town leader carries a 镇-level mediation, not a village one
    services.session_add(
        user=c.town_leader, mediation=m, date=clock.today(), place="乡司法所", notes="首次调解。"
    )
    village_level = mf.opened(township, c)
    with pytest.raises(PermissionDenied):
        services.session_add(
            user=c.town_leader, mediation=village_level, date=clock.today(), place="村委会", notes="调解。"
        )


def test_mediators_come_from_the_committees_roster(township, c):
    with pytest.raises(ValidationFailed, match="赵调解"):
        mf.opened(township, c, mediators=[c.roster_b])  # village B's roster
    with pytest.raises(ValidationFailed, match="镇调解员"):
        mf.opened(township, c, mediators=[c.roster_town])  # the town's, for a village-level mediation
    assert not Mediation.objects.exists()


def test_mediators_and_village_cadres_have_their_parts(township, c):
    case = mf.dispute(township, c)
    with pytest.raises(PermissionDenied):  # a mediator carries mediations; opening is the village's
        mf.opened(township, c, case=case, user=c.mediator)
    m = mf.opened(township, c, case=case, user=c.committee_member)
    with pytest.raises(PermissionDenied):  # a cadre opens and sees; the mediators record the work
        services.session_add(
            user=c.secretary, mediation=m, date=clock.today(), place="村委会", notes="调解。"
        )
    services.session_add(user=c.adviser_user, mediation=m, date=clock.today(), place="村委会", notes="释法。")
    assert m.sessions.count() == 1


# -- scope -----------------------------------------------------------------------------------------------------------


def test_another_villages_mediator_gets_a_404_and_the_refusal_is_audited(township, c):
    m = mf.opened(township, c)
    with pytest.raises(Http404):
        selectors.mediation_get(user=c.mediator_b, pk=m.pk)
    assert AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED, object_id=str(m.pk)).exists()
    assert selectors.mediation_list(user=c.mediator_b).count() == 0
    with pytest.raises(PermissionDenied):
        services.session_add(
            user=c.mediator_b, mediation=m, date=clock.today(), place="村委会", notes="越权。"
        )
    assert m.sessions.count() == 0
    assert selectors.mediation_get(user=c.town_staff, pk=m.pk) == m  # 包村干部 see
    assert selectors.mediation_get(user=c.mediator, pk=m.pk) == m


# -- parties ---------------------------------------------------------------------------------------------------------


def test_outsider_id_number_is_validated_stored_encrypted_and_shown_masked(township, c):
    m = mf.opened(township, c)
    with pytest.raises(ValidationFailed, match="校验位") as exc:
        bad = mf.outsider_id()
        bad = bad[:17] + ("0" if bad[17] != "0" else "1")
        services.party_add(user=c.mediator, mediation=m, name="李外来", id_number=bad)
    assert exc.value.field == "id_number" and bad not in exc.value.message
    assert m.parties.count() == 0

    number = mf.outsider_id()
    party = services.party_add(user=c.mediator, mediation=m, name="李外来", id_number=number.lower())
    party = MediationParty.objects.get(pk=party.pk)
    assert party.id_number == number.upper() and party.id_last4 == number[-4:]
    assert party.masked_id == "*" * 14 + number[-4:]
    with connection.cursor() as cur:
        cur.execute("SELECT id_number FROM mediation_mediationparty WHERE id = %s", [party.pk])
        (stored,) = cur.fetchone()
    assert number not in stored and stored.startswith("k")
    # the audit diff says an ID number was given, never which
    rec = AuditRecord.objects.get(action="mediation.party_add", object_id=str(m.pk))
    assert rec.changes["identity_given"] is True and number not in str(rec.changes)
    with pytest.raises(ValidationFailed, match="已登记"):
        services.party_add(user=c.mediator, mediation=m, name="李外来", id_number=number)


def test_a_resident_party_shows_the_registers_last_four(township, c):
    m = mf.opened(township, c)
    p1, _ = mf.with_parties(township, m, c.mediator)
    assert p1.name == "张建国" and p1.id_number == "" and p1.masked_id.endswith(p1.resident.id_last4)
    with pytest.raises(ValidationFailed, match="已是本调解的当事人"):
        services.party_add(user=c.mediator, mediation=m, resident=p1.resident)


def test_a_resident_out_of_the_users_reach_cannot_be_picked(township, c):
    from tests.people import factories as pf

    m = mf.opened(township, c)
    other = pf.household(township.grid_b1, head_name="北坡人").head
    with pytest.raises(ValidationFailed, match="外来人员"):
        services.party_add(user=c.mediator, mediation=m, resident=other)


# -- refusal and outcomes --------------------------------------------------------------------------------------------


def test_a_partys_refusal_ends_the_mediation(township, c):
    m = mf.opened(township, c)
    _p1, p2 = mf.with_parties(township, m, c.mediator)
    m = services.party_refuse(user=c.mediator, party=p2, reason="李外来表示不接受调解，要去法院起诉。")
    assert (m.state, m.outcome, m.refused) == (Mediation.ENDED, "failed", True) and m.ended_at
    assert "拒绝调解" in case_notes(m.case)[-1]
    with pytest.raises(Conflict, match="已结束"):
        services.session_add(user=c.mediator, mediation=m, date=clock.today(), place="村委会", notes="再谈。")
    with pytest.raises(Conflict):
        mf.written(m, c.mediator)
    assert selectors.mediation_figures(c.town_leader)["failed"] == 1


def test_success_is_not_recorded_by_hand(township, c):
    m = mf.opened(township, c)
    with pytest.raises(ValidationFailed, match="调解协议"):
        services.mediation_outcome(user=c.mediator, mediation=m, outcome="success", note="成了。")
    m.refresh_from_db()
    assert m.is_open


def test_litigation_and_petition_outcomes_end_it_and_note_the_case(township, c):
    m = mf.opened(township, c)
    m = services.mediation_outcome(user=c.mediator, mediation=m, outcome="litigation", note="当事人已起诉。")
    assert (m.state, m.outcome) == (Mediation.ENDED, "litigation")
    assert "转入诉讼" in case_notes(m.case)[-1]


def test_session_dates_are_checked(township, c):
    m = mf.opened(township, c)
    with pytest.raises(ValidationFailed, match="晚于今天"):
        services.session_add(
            user=c.mediator, mediation=m, date=clock.today() + dt.timedelta(days=1), place="村委会", notes="x"
        )
    with pytest.raises(ValidationFailed, match="调解地点"):
        services.session_add(user=c.mediator, mediation=m, date=clock.today(), place=" ", notes="x")
    assert m.sessions.count() == 0


# -- the agreement ---------------------------------------------------------------------------------------------------


def test_written_agreement_takes_effect_only_after_every_signature_and_the_seal(
    township, c, django_capture_on_commit_callbacks
):
    m = mf.opened(township, c)
    p1, p2 = mf.with_parties(township, m, c.mediator)
    a = mf.written(m, c.mediator)
    with pytest.raises(Conflict, match="已记录调解协议"):
        services.party_add(user=c.mediator, mediation=m, name="后来者")
    services.agreement_sign(user=c.mediator, party=p1)
    services.agreement_seal(user=c.mediator, mediation=m)  # the mediator keeping the seal
    a.refresh_from_db()
    m.refresh_from_db()
    assert a.sealed_at and not a.is_effective and m.is_open  # one party has not signed yet
    with pytest.raises(Conflict, match="已登记"):
        services.agreement_sign(user=c.mediator, party=p1)
    moment = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))  # a Monday; +30 days: Wed 1 April 2026
    with clock.frozen(moment), django_capture_on_commit_callbacks(execute=True):
        services.agreement_sign(user=c.mediator, party=p2)
    a.refresh_from_db()
    m.refresh_from_db()
    assert a.effective_at == moment and a.confirmation_deadline == dt.date(2026, 4, 1)
    assert (m.state, m.outcome) == (Mediation.ENDED, "success")
    assert "申请司法确认" in case_notes(m.case)[-1] and "2026年04月01日" in case_notes(m.case)[-1]
    told = Notification.objects.filter(event="mediation.agreement_effective")
    assert set(told.values_list("user_id", flat=True)) == {c.secretary.pk, c.committee_member.pk}
    assert "2026年04月01日" in told.first().title


def test_sealing_alone_or_signatures_alone_do_not_make_it_effective(township, c):
    m = mf.opened(township, c)
    p1, p2 = mf.with_parties(township, m, c.mediator)
    a = mf.written(m, c.mediator)
    services.agreement_sign(user=c.mediator, party=p1)
    services.agreement_sign(user=c.mediator, party=p2)
    a.refresh_from_db()
    assert not a.is_effective and a.confirmation_deadline is None
    with pytest.raises(PermissionDenied):  # the committee's seal: not the town's for a village mediation
        services.agreement_seal(user=c.town_leader, mediation=m)
    services.agreement_seal(user=c.secretary, mediation=m)
    a.refresh_from_db()
    assert a.is_effective


def test_an_oral_agreement_takes_effect_when_recorded(township, c):
    m = mf.opened(township, c)
    p1, _ = mf.with_parties(township, m, c.mediator)
    a = services.agreement_record(
        user=c.mediator,
        mediation=m,
        form=Agreement.ORAL,
        facts="邻里因排水起争执。",
        terms="李家改道排水沟。",
        performance_method="当场改道。",
        performance_due=clock.today(),
    )
    assert a.is_effective and a.confirmation_deadline
    m.refresh_from_db()
    assert m.outcome == "success"
    with pytest.raises(Conflict):
        services.agreement_sign(user=c.mediator, party=p1)


def test_an_agreement_needs_two_parties(township, c):
    m = mf.opened(township, c)
    services.party_add(user=c.mediator, mediation=m, name="独一人")
    with pytest.raises(ValidationFailed, match="两方当事人"):
        mf.written(m, c.mediator)
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("effective", "deadline"),
    [
        (dt.date(2026, 3, 2), dt.date(2026, 4, 1)),  # day + 30, a working Wednesday
        (dt.date(2026, 3, 7), dt.date(2026, 4, 7)),  # + 30 = Mon 6 April, 清明 holiday → Tue 7 April
        (dt.date(2026, 6, 4), dt.date(2026, 7, 6)),  # + 30 = Saturday 4 July → Monday 6 July
        (dt.date(2026, 9, 1), dt.date(2026, 10, 8)),  # + 30 = 1 October, 国庆 → 8 October
    ],
)
def test_the_judicial_confirmation_deadline(effective, deadline):
    from xiangzhi.core.calendar import is_workday

    got = confirmation_deadline_for(effective)
    assert got >= effective + dt.timedelta(days=30) and is_workday(got)
    assert got == deadline


# -- figures and the service log -----------------------------------------------------------------------------------


def test_mediation_figures(township, c):
    moment = timezone.make_aware(dt.datetime(2026, 5, 10, 9, 0))
    with clock.frozen(moment):
        m1 = mf.opened(township, c)
        p1, p2 = mf.with_parties(township, m1, c.mediator)
        services.agreement_record(
            user=c.mediator,
            mediation=m1,
            form=Agreement.ORAL,
            facts="事实。",
            terms="条款。",
            performance_method="当场。",
            performance_due=clock.today(),
        )
        m2 = mf.opened(township, c)
        services.mediation_outcome(user=c.mediator, mediation=m2, outcome="petition", note="转信访。")
        mf.opened(township, c)  # still open
    other = mf.opened(
        township,
        c,
        case=mf.dispute(township, c, region_code=township.grid_b1.code, user=c.grid_worker_b),
        user=c.secretary_b,
        mediators=[c.roster_b],
    )
    assert other.region_code.startswith(township.village_b.code)
    f = selectors.mediation_figures(c.town_leader, start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31))
    assert f == {
        "opened": 3,
        "succeeded": 1,
        "failed": 0,
        "to_litigation": 0,
        "to_petition": 1,
        "success_rate": 0.5,
    }
    assert selectors.mediation_figures(c.mediator_b)["opened"] == 1  # only village B's
    assert selectors.mediation_figures(c.town_leader, region=township.village_b.code)["opened"] == 1
    empty = selectors.mediation_figures(c.town_leader, start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31))
    assert empty["opened"] == 0 and empty["success_rate"] is None


def test_service_log_counts_as_the_town_reports_them(township, c):
    a = services.legal_adviser_add(
        user=c.secretary, village=township.village_a, name="刘律师", firm="明理律所"
    )
    today = clock.today()
    services.service_log_add(user=c.adviser_user, adviser=a, kind="visit", date=today, hours=3, people=5)
    services.service_log_add(user=c.adviser_user, adviser=a, kind="reception", date=today, hours=1, people=4)
    services.service_log_add(
        user=c.adviser_user,
        adviser=a,
        kind="lecture",
        date=today,
        hours="1.5",
        people=60,
        materials=200,
        notes="民法典与土地流转",
    )
    t = selectors.service_totals(selectors.service_log_list(user=c.town_leader))
    assert (t.visits, t.receptions, t.lectures, t.materials) == (1, 4, 1, 200) and t.hours == 5.5
    with pytest.raises(ValidationFailed, match="人数"):
        services.service_log_add(
            user=c.adviser_user, adviser=a, kind="reception", date=today, hours=1, people=0
        )
    with pytest.raises(ValidationFailed, match="时长"):
        services.service_log_add(user=c.adviser_user, adviser=a, kind="visit", date=today, hours=0)
    with pytest.raises(PermissionDenied):
        services.service_log_add(user=c.mediator_b, adviser=a, kind="visit", date=today, hours=1)
    assert a.logs.count() == 3
