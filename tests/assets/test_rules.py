"""合同清理 rules at their exact boundaries (written first), and the refusals of bad input (nothing written)."""

import datetime as dt

import pytest

from tests.assets import factories as f
from xiangzhi.assets import rules, selectors, services
from xiangzhi.assets.models import Contract, Instalment, Payment
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiangzhi.deliberation import rules as drules

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def cast(township):
    with clock.frozen(TODAY):
        c = f.cast(township)
        c.t = township
        yield c


def flags(contract) -> set[str]:

    qs = selectors.with_figures(Contract.objects.filter(pk=contract.pk), clock.today())
    return {c.code for c in selectors.problems_of(qs.get())}


# -- the dates of the law ------------------------------------------------------------------------------------------


def test_add_years_keeps_the_day_and_moves_29_february_to_28():
    assert rules.add_years(dt.date(2020, 1, 1), 20) == dt.date(2040, 1, 1)
    assert rules.add_years(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    assert rules.add_years(dt.date(2024, 2, 29), 20) == dt.date(2044, 2, 29)


# -- 民法典 Art. 705: a lease of more than twenty years -----------------------------------------------------------


@pytest.mark.parametrize(
    ("ends_on", "flagged"),
    [(dt.date(2040, 1, 1), False), (dt.date(2040, 1, 2), True), (dt.date(2039, 12, 31), False)],
)
def test_a_lease_of_exactly_twenty_years_is_fine_and_a_day_more_flags(cast, ends_on, flagged):
    c = f.contract(cast.secretary, cast.t.village_a, resolution=cast.item, ends_on=ends_on)
    assert (rules.OVER_20_YEARS in flags(c)) is flagged


def test_the_twenty_year_rule_is_for_leases_not_for_land_contracting(cast):
    c = f.contract(
        cast.secretary,
        cast.t.village_a,
        resolution=cast.item,
        matter=rules.MATTER_LAND,
        category=rules.RESOURCES,
        ends_on=dt.date(2049, 12, 31),
    )
    assert rules.OVER_20_YEARS not in flags(c)


# -- 农村土地承包法 Art. 38: past the land contract period (二轮延包) -------------------------------------------


@pytest.mark.parametrize(
    ("ends_on", "flagged"), [(dt.date(2057, 12, 31), False), (dt.date(2058, 1, 1), True)]
)
def test_a_land_contract_past_the_villages_land_period_flags(cast, ends_on, flagged):
    services.setting_save(
        user=cast.secretary, village=cast.t.village_a, land_period_ends_on=dt.date(2057, 12, 31)
    )
    c = f.contract(
        cast.secretary,
        cast.t.village_a,
        resolution=cast.item,
        matter=rules.MATTER_LAND,
        category=rules.RESOURCES,
        ends_on=ends_on,
    )
    assert (rules.PAST_LAND_PERIOD in flags(c)) is flagged


def test_without_a_land_period_set_nothing_is_flagged_and_leases_are_not_checked(cast):
    c = f.contract(
        cast.secretary,
        cast.t.village_a,
        resolution=cast.item,
        matter=rules.MATTER_LAND,
        ends_on=dt.date(2090, 1, 1),
    )
    assert rules.PAST_LAND_PERIOD not in flags(c)
    services.setting_save(
        user=cast.secretary, village=cast.t.village_a, land_period_ends_on=dt.date(2030, 1, 1)
    )
    lease = f.contract(
        cast.secretary, cast.t.village_a, resolution=cast.item, code="HT-2", ends_on=dt.date(2035, 1, 1)
    )
    assert rules.PAST_LAND_PERIOD not in flags(lease)


# -- written contract, resolution ----------------------------------------------------------------------------------


def test_no_written_contract_and_no_resolution_flag(cast):
    c = f.contract(cast.secretary, cast.t.village_a, has_written_contract=False)
    assert flags(c) == {rules.NO_WRITTEN, rules.NO_RESOLUTION}
    ok = f.contract(cast.secretary, cast.t.village_a, resolution=cast.item, code="HT-2")
    assert flags(ok) == set()


def test_land_to_an_outsider_needs_the_two_thirds_item_approved_by_the_township(cast):
    land = {"matter": rules.MATTER_LAND, "category": rules.RESOURCES, "counterparty_is_member": False}
    ordinary = f.contract(cast.secretary, cast.t.village_a, resolution=cast.item, code="L1", **land)
    assert rules.NO_RESOLUTION in flags(ordinary)
    pending = f.passed_item(cast.t.grid_a1, kind=drules.ITEM_LAND_CONTRACT_OUTSIDER, approve=False)
    assert pending.passed and pending.township_approved_at is None
    not_approved = f.contract(cast.secretary, cast.t.village_a, resolution=pending, code="L2", **land)
    assert rules.NO_RESOLUTION in flags(not_approved)
    approved = f.passed_item(cast.t.grid_a2, kind=drules.ITEM_LAND_CONTRACT_OUTSIDER)
    good = f.contract(cast.secretary, cast.t.village_a, resolution=approved, code="L3", **land)
    assert rules.NO_RESOLUTION not in flags(good)
    # to a member of the collective, any passed resolution of the village will do
    member = f.contract(
        cast.secretary,
        cast.t.village_a,
        resolution=cast.item,
        code="L4",
        **{**land, "counterparty_is_member": True},
    )
    assert rules.NO_RESOLUTION not in flags(member)


def test_construction_land_needs_its_own_two_thirds_item(cast):
    lease = {"matter": rules.MATTER_CONSTRUCTION_LAND, "category": rules.RESOURCES}
    ordinary = f.contract(cast.secretary, cast.t.village_a, resolution=cast.item, code="C1", **lease)
    assert rules.NO_RESOLUTION in flags(ordinary)
    special = f.passed_item(cast.t.grid_a2, kind=drules.ITEM_CONSTRUCTION_LAND)
    good = f.contract(cast.secretary, cast.t.village_a, resolution=special, code="C2", **lease)
    assert rules.NO_RESOLUTION not in flags(good)


# -- arrears: due date passed and unpaid ---------------------------------------------------------------------------


def test_arrears_start_the_day_after_the_due_date_and_end_when_paid(cast):
    due = dt.date(2026, 6, 15)
    c = f.contract(cast.secretary, cast.t.village_a, resolution=cast.item, schedule=[(due, 500000)])
    assert rules.ARREARS not in flags(c)  # due today: not yet in arrears
    with clock.frozen(TODAY + dt.timedelta(days=1)):
        assert rules.ARREARS in flags(c)
        got = selectors.with_figures(Contract.objects.filter(pk=c.pk), clock.today()).get()
        assert selectors.arrears_of(got) == 500000
        services.payment_record(user=cast.secretary, contract=c, amount=499999, paid_on=clock.today())
        got = selectors.with_figures(Contract.objects.filter(pk=c.pk), clock.today()).get()
        assert selectors.arrears_of(got) == 1 and rules.ARREARS in flags(c)
        services.payment_record(
            user=cast.secretary, contract=c, amount=1, paid_on=clock.today(), receipt_no="R2"
        )
        assert rules.ARREARS not in flags(c)


def test_recovered_income_counts_payments_in_the_review_period_up_to_what_was_owed(cast):
    v = cast.t.village_a
    c = f.contract(
        cast.secretary,
        v,
        resolution=cast.item,
        schedule=[(dt.date(2025, 1, 1), 300000), (dt.date(2026, 1, 1), 300000)],
    )
    services.payment_record(
        user=cast.secretary, contract=c, amount=100000, paid_on=dt.date(2025, 12, 1), receipt_no="A"
    )
    services.payment_record(
        user=cast.secretary, contract=c, amount=150000, paid_on=dt.date(2026, 2, 28), receipt_no="B"
    )
    services.payment_record(
        user=cast.secretary, contract=c, amount=250000, paid_on=dt.date(2026, 3, 1), receipt_no="C"
    )
    services.payment_record(
        user=cast.secretary, contract=c, amount=90000, paid_on=dt.date(2026, 5, 1), receipt_no="D"
    )
    # owed at the start (2026-03-01): 600000 due before it − 250000 paid before it = 350000
    services.setting_save(
        user=cast.secretary,
        village=v,
        review_starts_on=dt.date(2026, 3, 1),
        review_ends_on=dt.date(2026, 4, 30),
    )
    assert selectors.recovered(v, dt.date(2026, 3, 1), dt.date(2026, 4, 30)) == 250000
    assert selectors.recovered(v, dt.date(2026, 3, 1), dt.date(2026, 5, 1)) == 340000
    assert selectors.recovered(v, dt.date(2026, 3, 2), dt.date(2026, 5, 1)) == 90000
    assert (
        selectors.recovered(v, dt.date(2025, 1, 1), dt.date(2026, 6, 1)) == 0
    )  # nothing was owed before 2025-01-01
    r = selectors.report(user=cast.leader, region=cast.t.town.code)
    assert r.total.recovered == 250000 and r.total.contracts == 1 and r.total.area_cmu == 35


# -- bad input: a clear Chinese message, nothing written ----------------------------------------------------------


def _nothing_written():
    assert not Contract.objects.exists() and not Instalment.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="assets.contract").exists()


@pytest.mark.parametrize(
    ("kw", "exc", "text", "field"),
    [
        (
            {"starts_on": dt.date(2026, 1, 2), "ends_on": dt.date(2026, 1, 1)},
            ValidationFailed,
            "早于起始日",
            "ends_on",
        ),
        ({"area": "-3"}, ValidationFailed, "面积不能为负数", "area"),
        ({"area": "1.234"}, ValidationFailed, "两位小数", "area"),
        ({"area": 1.5}, ValidationFailed, "面积须为数字", "area"),
        ({"amount": -1}, ValidationFailed, "金额不能为负数", "amount"),
        ({"resolution_id": 999999}, ValidationFailed, "找不到编号为 999999 的决议", "resolution"),
        ({"category": "land"}, ValidationFailed, "请选择类别", "category"),
        (
            {"counterparty_id_number": "110105194912310021"},
            ValidationFailed,
            "校验位",
            "counterparty_id_number",
        ),
        ({"schedule": [(dt.date(2021, 1, 1), 0)]}, ValidationFailed, "须大于 0", "schedule"),
        ({"schedule": [(dt.date(2031, 1, 1), 100)]}, ValidationFailed, "不在合同期限内", "schedule"),
    ],
)
def test_bad_input_is_refused_with_a_chinese_message_and_nothing_written(cast, kw, exc, text, field):
    with pytest.raises(exc) as err:
        f.contract(cast.secretary, cast.t.village_a, **kw)
    assert text in err.value.message and err.value.field == field
    _nothing_written()


def test_a_resolution_of_another_village_or_not_passed_is_refused(cast):
    other = f.passed_item(cast.t.grid_b1)
    with pytest.raises(ValidationFailed, match="不是本村的决议"):
        f.contract(cast.secretary, cast.t.village_a, resolution=other)
    failed = f.passed_item(cast.t.grid_a2, passed=False)
    assert failed.passed is False
    with pytest.raises(ValidationFailed, match="未获表决通过"):
        f.contract(cast.secretary, cast.t.village_a, resolution=failed)
    _nothing_written()


def test_a_duplicate_code_is_refused_in_the_village_but_free_in_another(cast):
    f.contract(cast.secretary, cast.t.village_a)
    with pytest.raises(Conflict, match="合同编号“HT-001”在本村已存在"):
        f.contract(cast.secretary, cast.t.village_a, subject="另一份")
    assert Contract.objects.count() == 1
    f.contract(cast.secretary_b, cast.t.village_b)
    assert Contract.objects.count() == 2


def test_the_database_refuses_what_the_services_refuse(cast):
    from django.db import IntegrityError, transaction

    c = f.contract(cast.secretary, cast.t.village_a)
    for change in ({"area_cmu": -300}, {"amount": -1}, {"ends_on": dt.date(2019, 12, 31)}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Contract.objects.filter(pk=c.pk).update(**change)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            contract=c,
            region_code=c.region_code,
            paid_on=dt.date(2026, 1, 1),
            amount=0,
            recorded_at=clock.now(),
        )


def test_payments_refuse_zero_future_dates_and_a_receipt_twice(cast):
    c = f.contract(cast.secretary, cast.t.village_a)
    with pytest.raises(ValidationFailed, match="须大于 0"):
        services.payment_record(user=cast.secretary, contract=c, amount=0, paid_on=clock.today())
    with pytest.raises(ValidationFailed, match="不能晚于今天"):
        services.payment_record(
            user=cast.secretary, contract=c, amount=5, paid_on=clock.today() + dt.timedelta(days=1)
        )
    services.payment_record(
        user=cast.secretary, contract=c, amount=5, paid_on=clock.today(), receipt_no="NO.1"
    )
    with pytest.raises(Conflict, match="已登记过"):
        services.payment_record(
            user=cast.secretary, contract=c, amount=5, paid_on=clock.today(), receipt_no="NO.1"
        )
    assert Payment.objects.count() == 1


def test_who_may_record(cast):
    for user in (cast.secretary_b, cast.supervisor, cast.leader, cast.grid_worker):
        with pytest.raises(PermissionDenied):
            f.contract(user, cast.t.village_a)
    f.contract(cast.committee, cast.t.village_a, code="A")
    f.contract(cast.town_staff, cast.t.village_a, code="B")
    assert Contract.objects.count() == 2


def test_the_id_number_is_encrypted_masked_and_never_audited(cast):
    from django.db import connection

    c = f.contract(cast.secretary, cast.t.village_a, counterparty_id_number=f.VALID_ID)
    c.refresh_from_db()
    assert c.counterparty_id_number == f.VALID_ID and c.id_number_masked == "**************002X"
    with connection.cursor() as cur:
        cur.execute("SELECT counterparty_id_number FROM assets_contract WHERE id = %s", [c.pk])
        assert f.VALID_ID not in cur.fetchone()[0]
    assert not any(f.VALID_ID in str(r.changes) for r in AuditRecord.objects.all())
    with pytest.raises(ValidationFailed, match="单位时不填身份证号"):
        f.contract(
            cast.secretary,
            cast.t.village_a,
            code="X",
            counterparty_type=rules.ORGANISATION,
            counterparty_id_number=f.VALID_ID,
        )


def test_update_replaces_the_schedule_and_keeps_payments(cast):
    c = f.contract(cast.secretary, cast.t.village_a, schedule=[(dt.date(2021, 1, 1), 100)])
    services.payment_record(user=cast.secretary, contract=c, amount=100, paid_on=dt.date(2021, 1, 1))
    new = f.fields(subject="改", schedule=[(dt.date(2022, 1, 1), 200), (dt.date(2023, 1, 1), 300)])
    services.contract_update(user=cast.secretary, contract=c, **new)
    assert list(c.instalments.values_list("amount", flat=True)) == [200, 300]
    assert c.payments.count() == 1
    with pytest.raises(ValidationFailed):
        services.contract_update(user=cast.secretary, contract=c, **f.fields(area="-3"))
    c.refresh_from_db()
    assert c.subject == "改" and c.area_cmu == 35


def test_the_daily_alerts_are_said_once(cast, django_capture_on_commit_callbacks):
    from xiangzhi.assets import tasks
    from xiangzhi.core.models import Notification

    f.contract(cast.secretary, cast.t.village_a, code="OWE", schedule=[(dt.date(2026, 6, 14), 1000)])
    f.contract(cast.secretary, cast.t.village_a, code="END", ends_on=dt.date(2026, 9, 13))  # today + 90
    f.contract(cast.secretary, cast.t.village_a, code="LATER", ends_on=dt.date(2026, 9, 15))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.alerts_notify(today=dt.date(2026, 6, 15)) == 1
    notes = Notification.objects.filter(event="assets.alert")
    assert {n.user_id for n in notes} == {cast.secretary.pk, cast.committee.pk, cast.town_staff.pk}
    body = notes.first().body
    assert "OWE（村委会临街门面房两间）欠款 10.00 元" in body and "END" in body and "LATER" not in body
    assert services.alerts_notify(today=dt.date(2026, 6, 16)) == 0  # said once
    assert tasks.alerts_notify.call() == 1  # the task runs the service for the clock's day (2026-06-15 here)
