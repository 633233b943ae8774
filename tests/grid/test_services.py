"""Patrols and visits: the rules of the services (whose grid, one patrol a day, cases raised, follow-ups)."""

import datetime as dt

import pytest

from tests.grid import factories as gf
from tests.people import factories as pf
from xiangzhi import policy
from xiangzhi.audit.models import AuditRecord
from xiangzhi.cases.models import Case
from xiangzhi.core import clock
from xiangzhi.core.errors import PermissionDenied, ValidationFailed
from xiangzhi.core.models import PrivateFile
from xiangzhi.grid import selectors, services
from xiangzhi.grid.models import Patrol, Visit
from xiangzhi.grid.services import CaseDraft

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 3, 18, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with clock.frozen(MOMENT):
        yield


def test_patrol_is_recorded_with_photos_and_audited(township):
    worker = gf.worker(township.grid_a1)
    patrol, created = services.patrol_record(
        user=worker,
        grid=township.grid_a1,
        notes="沿河道巡查，未见异常。",
        route="村委会—河道—村口",
        started_at=dt.time(8, 0),
        ended_at=dt.time(9, 0),
        photos=[gf.photo(), gf.photo("b.png")],
    )
    assert created
    assert (patrol.region_code, patrol.date, patrol.worker_id) == (
        township.grid_a1.code,
        clock.today(),
        worker.pk,
    )
    photos = list(patrol.photos.all())
    assert [p.purpose for p in photos] == ["patrol_photo", "patrol_photo"]
    assert {p.region_code for p in photos} == {township.grid_a1.code}
    rec = AuditRecord.objects.get(action="grid.patrol_recorded")
    assert rec.object_id == str(patrol.pk) and rec.changes["photos"] == 2


def test_second_submission_the_same_day_adds_to_the_patrol(township):
    worker = gf.worker(township.grid_a1)
    first, created = services.patrol_record(
        user=worker,
        grid=township.grid_a1,
        notes="上午巡查主街。",
        started_at=dt.time(8, 0),
        ended_at=dt.time(9, 0),
    )
    clock.advance(dt.timedelta(hours=5))
    again, created_again = services.patrol_record(
        user=worker,
        grid=township.grid_a1,
        notes="下午巡查河道。",
        ended_at=dt.time(15, 0),
        photos=[gf.photo()],
        cases=[CaseDraft(description="河道护栏松动，有落水危险。")],
    )
    assert created and not created_again
    assert again.pk == first.pk and Patrol.objects.count() == 1
    again.refresh_from_db()
    assert again.notes.startswith("上午巡查主街。") and "（22:30 补充）下午巡查河道。" in again.notes
    assert (again.started_at, again.ended_at, again.submissions) == (dt.time(8, 0), dt.time(15, 0), 2)
    assert again.photos.count() == 1 and again.cases.count() == 1
    assert AuditRecord.objects.filter(action="grid.patrol_added", object_id=str(first.pk)).exists()


def test_another_day_or_another_grid_is_another_patrol(township):
    worker = gf.worker(township.grid_a1, township.grid_a2)
    a, _ = services.patrol_record(user=worker, grid=township.grid_a1, notes="一网格")
    b, _ = services.patrol_record(user=worker, grid=township.grid_a2, notes="二网格")
    c, created = services.patrol_record(
        user=worker, grid=township.grid_a1, notes="补录昨天", date=clock.today() - dt.timedelta(days=1)
    )
    assert created and len({a.pk, b.pk, c.pk}) == 3


def test_patrol_dates_no_future_and_at_most_a_week_late(township):
    worker = gf.worker(township.grid_a1)
    with pytest.raises(ValidationFailed, match="不能晚于今天") as exc:
        services.patrol_record(
            user=worker, grid=township.grid_a1, notes="x", date=clock.today() + dt.timedelta(1)
        )
    assert exc.value.field == "date"
    with pytest.raises(ValidationFailed, match="7 天内"):
        services.patrol_record(
            user=worker, grid=township.grid_a1, notes="x", date=clock.today() - dt.timedelta(8)
        )
    assert not Patrol.objects.exists()


def test_patrol_outside_my_grids_is_refused_and_audited(township):
    worker = gf.worker(township.grid_a1)
    with pytest.raises(PermissionDenied, match="不在您负责的范围内"):
        services.patrol_record(user=worker, grid=township.grid_b1, notes="越界")
    assert not Patrol.objects.exists()
    assert AuditRecord.objects.filter(action="grid.record", result=AuditRecord.RESULT_DENIED).exists()
    # cadres read but do not record
    secretary = gf.worker(township.village_a, role="village_secretary")
    assert policy.can(secretary, "grid.view") and not policy.can(secretary, "grid.record")
    with pytest.raises(PermissionDenied):
        services.patrol_record(user=secretary, grid=township.grid_a1, notes="x")


def test_an_empty_patrol_is_refused(township):
    with pytest.raises(ValidationFailed, match="请填写巡查情况"):
        services.patrol_record(user=gf.worker(township.grid_a1), grid=township.grid_a1, notes="  ")


def test_patrol_raises_a_case_in_its_grid_with_source_patrol(township):
    worker = gf.worker(township.grid_a1)
    patrol, _ = services.patrol_record(
        user=worker,
        grid=township.grid_a1,
        notes="发现垃圾堆放。",
        cases=[CaseDraft(description="村口垃圾堆放多日，无人清理。", photos=[gf.photo()])],
    )
    case = patrol.cases.get()
    assert (case.source, case.region_code, case.reporter_id) == ("patrol", township.grid_a1.code, worker.pk)
    assert case.photos.count() == 1
    assert PrivateFile.objects.filter(purpose="case_photo", region_code=township.grid_a1.code).count() == 1


def test_a_bad_case_photo_leaves_nothing_half_written(township):
    from django.core.files.uploadedfile import SimpleUploadedFile

    worker = gf.worker(township.grid_a1)
    bad = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as exc:
        services.patrol_record(
            user=worker,
            grid=township.grid_a1,
            notes="发现问题",
            cases=[CaseDraft(description="路灯坏了。", photos=[bad])],
        )
    assert exc.value.field == "case_photos"
    assert not Patrol.objects.exists() and not Case.objects.exists()


def test_visit_copies_the_household_region_and_raises_a_case(township):
    h = pf.household(township.grid_a2, head_name="刘大娘")
    worker = gf.worker(township.grid_a2)
    visit = services.visit_record(
        user=worker,
        household=h,
        purpose="assistance",
        notes="独居，行动不便。",
        needs="希望帮忙申请临时救助。",
        cases=[CaseDraft(description="刘大娘申请临时救助，需村里核实。")],
    )
    assert visit.region_code == township.grid_a2.code and visit.date == clock.today()
    case = visit.cases.get()
    assert (case.source, case.region_code) == ("visit", township.grid_a2.code)
    assert AuditRecord.objects.filter(action="grid.visit_recorded", object_id=str(visit.pk)).exists()


def test_household_outside_my_grid_is_refused_clearly(township):
    h = pf.household(township.grid_a2, head_name="外网格户")
    worker = gf.worker(township.grid_a1)
    with pytest.raises(PermissionDenied) as exc:
        services.visit_record(user=worker, household=h, purpose="routine")
    assert exc.value.message == "该户不在您负责的网格内，不能登记走访。"
    assert exc.value.field == "household"
    assert not Visit.objects.exists()
    assert AuditRecord.objects.filter(
        action="grid.record", result=AuditRecord.RESULT_DENIED, region_code=township.grid_a2.code
    ).exists()


def test_visit_rules(township):
    h = pf.household(township.grid_a1)
    worker = gf.worker(township.grid_a1)
    with pytest.raises(ValidationFailed, match="走访事由"):
        services.visit_record(user=worker, household=h, purpose="chat")
    with pytest.raises(ValidationFailed, match="回访期限不能早于"):
        services.visit_record(
            user=worker, household=h, purpose="routine", follow_up_due=clock.today() - dt.timedelta(days=1)
        )
    with pytest.raises(ValidationFailed, match="事件内容"):
        services.visit_record(user=worker, household=h, purpose="routine", cases=[CaseDraft(description=" ")])
    assert not Visit.objects.exists()


def test_follow_up_visit_marks_the_first_followed_up(township):
    h = pf.household(township.grid_a1)
    other = pf.household(township.grid_a1)
    worker = gf.worker(township.grid_a1)
    first = services.visit_record(
        user=worker,
        household=h,
        purpose="dispute",
        needs="邻里宅基地纠纷",
        follow_up_due=dt.date(2026, 3, 25),
    )
    assert list(selectors.follow_up_list(user=worker)) == [first]
    with pytest.raises(ValidationFailed, match="同一户"):
        services.visit_record(user=worker, household=other, purpose="dispute", parent=first)
    clock.advance(dt.timedelta(days=2))
    second = services.visit_record(user=worker, household=h, purpose="dispute", notes="已调解", parent=first)
    first.refresh_from_db()
    assert first.followed_up_at == clock.now() and second.parent_id == first.pk
    assert list(selectors.follow_up_list(user=worker)) == []
    assert list(first.follow_ups.all()) == [second]


def test_overdue_follow_ups(township):
    h = pf.household(township.grid_a1)
    worker = gf.worker(township.grid_a1)
    due = services.visit_record(
        user=worker, household=h, purpose="routine", follow_up_due=dt.date(2026, 3, 19)
    )
    clock.advance(dt.timedelta(days=3))
    assert list(selectors.follow_up_list(user=worker, overdue_only=True)) == [due]
    town = gf.worker(township.town, role="town_leader")
    assert list(selectors.follow_up_list(user=town)) == [due]
    other_village = gf.worker(township.village_b, role="village_secretary")
    assert list(selectors.follow_up_list(user=other_village)) == []
