"""The case loop through the services: every transition, its guard, its timeline entry; the rules at their
boundaries (reopen once then escalate, the petition limits, return to sender, 未评价 apart from 满意)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.cases.factories import cast, photo, reported
from xiangzhi.audit.models import AuditRecord
from xiangzhi.cases import services
from xiangzhi.cases.models import Case, CaseEvent
from xiangzhi.cases.selectors import allowed_actions, case_list, reporter_display
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiangzhi.core.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return cast(township)


def actions(case):
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("action", flat=True))


def test_the_whole_loop_grid_village_town_department_verify_rate(
    township, c, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = reported(township, c, photos=[photo()])
        assert case.state == Case.REPORTED and case.level == "grid" and case.photos.count() == 1
        case = services.case_escalate(user=c.grid_worker, case=case, reason="需要村里协调清运车辆。")
        assert (case.state, case.level) == (Case.REPORTED, "village")
        case = services.case_escalate(user=c.secretary, case=case, reason="村里没有清运能力，请镇里处理。")
        assert (case.state, case.level) == (Case.REPORTED, "town")
        case = services.case_assign(
            user=c.town_leader, case=case, category="ENVIRONMENT", triage="government"
        )
        assert case.department == c.department and case.handler == "department"
        case = services.case_start(user=c.dept_staff, case=case)
        case = services.case_resolve(user=c.dept_staff, case=case, result="已组织清运，垃圾全部运走。")
        assert case.closed_on_time is True
        case = services.case_verify(user=c.grid_worker, case=case, passed=True, note="现场已清理干净。")
        case = services.case_rate(user=c.villager, case=case, rating="satisfied")
    assert case.state == Case.CLOSED and case.rating == "satisfied" and case.closed_at
    assert case.max_level == "town"
    assert actions(case) == ["report", "escalate", "escalate", "assign", "start", "resolve", "verify", "rate"]
    audited = set(AuditRecord.objects.filter(object_id=str(case.pk)).values_list("action", flat=True))
    assert {"cases.report", "cases.escalate", "cases.assign", "cases.rate"} <= audited
    told = set(Notification.objects.values_list("user_id", "event"))
    assert {
        (c.grid_worker.pk, "case.reported"),
        (c.secretary.pk, "case.escalated"),
        (c.town_leader.pk, "case.escalated"),
        (c.dept_staff.pk, "case.assigned"),
        (c.grid_worker.pk, "case.verify"),
        (c.villager.pk, "case.rate"),
    } <= told
    assert (c.secretary_b.pk, "case.escalated") not in told and (
        c.grid_worker_b.pk,
        "case.reported",
    ) not in told


def test_a_transition_not_allowed_from_the_state_is_refused_in_chinese(township, c):
    case = reported(township, c)
    with pytest.raises(Conflict) as err:
        services.case_resolve(user=c.grid_worker, case=case, result="好了")
    assert "待受理" in err.value.message and "不能办结" in err.value.message
    assert actions(Case.objects.get(pk=case.pk)) == ["report"]


def test_a_stale_version_is_a_conflict_and_nothing_moves(township, c):
    case = reported(township, c)
    services.case_accept(user=c.grid_worker, case=case, version=case.version)
    with pytest.raises(Conflict) as err:
        services.case_escalate(user=c.grid_worker, case=case, reason="x", version=case.version)
    assert "他人更新" in err.value.message
    assert Case.objects.get(pk=case.pk).state == Case.ASSIGNED


def test_only_the_level_that_holds_the_case_acts_on_it(township, c):
    case = reported(township, c)
    with pytest.raises(PermissionDenied):
        services.case_accept(user=c.secretary, case=case)  # it is at the grid
    with pytest.raises(PermissionDenied):
        services.case_accept(user=c.grid_worker_b, case=case)  # another grid


def test_a_department_acts_only_on_its_own_cases(township, c):
    from xiangzhi.core.services import department_create

    other = department_create(town=township.town, name="派出所", code="paichusuo")
    case = reported(township, c)
    services.case_escalate(user=c.grid_worker, case=case, reason="上报")
    services.case_escalate(user=c.secretary, case=case, reason="上报")
    case = services.case_assign(
        user=c.town_leader, case=case, category="SECURITY", triage="government", department=other
    )
    with pytest.raises(PermissionDenied):
        services.case_start(user=c.dept_staff, case=case)


def test_unsatisfied_reopens_once_then_escalates(township, c):
    case = reported(township, c)
    case = services.case_accept(user=c.grid_worker, case=case)
    case = services.case_start(user=c.grid_worker, case=case)
    case = services.case_resolve(user=c.grid_worker, case=case, result="已调解")
    case = services.case_verify(user=c.grid_worker, case=case, passed=True)
    case = services.case_rate(user=c.villager, case=case, rating="unsatisfied", note="没解决")
    assert (case.state, case.level, case.reopen_count) == (Case.IN_PROGRESS, "grid", 1)
    case = services.case_resolve(user=c.grid_worker, case=case, result="再次调解")
    case = services.case_verify(user=c.grid_worker, case=case, passed=True)
    case = services.case_rate(user=c.villager, case=case, rating="unsatisfied")
    assert (case.state, case.level, case.reopen_count) == (Case.REPORTED, "village", 2)
    assert actions(case)[-1] == "escalate"


def test_only_the_reporter_rates(township, c):
    case = reported(township, c)
    for step in (services.case_accept, services.case_start):
        case = step(user=c.grid_worker, case=case)
    case = services.case_resolve(user=c.grid_worker, case=case, result="好")
    case = services.case_verify(user=c.grid_worker, case=case, passed=True)
    with pytest.raises(PermissionDenied):
        services.case_rate(user=c.secretary, case=case, rating="satisfied")


def test_return_visit_and_close_keep_unrated_apart_from_satisfied(township, c):
    def verified():
        case = reported(township, c)
        for step in (services.case_accept, services.case_start):
            case = step(user=c.grid_worker, case=case)
        case = services.case_resolve(user=c.grid_worker, case=case, result="好")
        return services.case_verify(user=c.grid_worker, case=case, passed=True)

    a = services.case_visit(user=c.secretary, case=verified(), rating="partly", note="电话回访")
    b = services.case_close(user=c.secretary, case=verified(), note="多次联系不上上报人")
    assert (a.rating, a.rating_source) == ("partly", "visit")
    assert (b.state, b.rating) == (Case.CLOSED, "unrated")
    with pytest.raises(ValidationFailed):
        services.case_visit(user=c.secretary, case=verified(), rating="unrated", note="x")


def test_failed_verification_goes_back_to_the_handler(township, c):
    case = reported(township, c)
    for step in (services.case_accept, services.case_start):
        case = step(user=c.grid_worker, case=case)
    case = services.case_resolve(user=c.grid_worker, case=case, result="好")
    with pytest.raises(ValidationFailed):
        services.case_verify(user=c.grid_worker, case=case, passed=False)  # a reason is required
    case = services.case_verify(user=c.grid_worker, case=case, passed=False, note="垃圾还在")
    assert case.state == Case.IN_PROGRESS and case.resolved_at is None


def test_return_to_sender_and_nothing_to_return_at_the_first_step(township, c):
    case = reported(township, c)
    with pytest.raises(Conflict):
        services.case_return(user=c.grid_worker, case=case, reason="不归我管")
    with pytest.raises(ValidationFailed):
        services.case_return(user=c.grid_worker, case=case, reason=" ")
    case = services.case_assign(user=c.grid_worker, case=case, category="INFRASTRUCTURE", triage="village")
    assert case.level == "village"
    case = services.case_return(user=c.secretary, case=case, reason="这是民事，网格内协商即可")
    assert (case.state, case.level, case.handler) == (Case.REPORTED, "grid", "grid")
    assert "民事" in CaseEvent.objects.filter(case=case).last().note


def test_suspend_stops_the_clock(township, c):
    case = reported(township, c)
    case = services.case_accept(user=c.grid_worker, case=case)
    case = services.case_start(user=c.grid_worker, case=case)
    before = case.deadline
    case = services.case_suspend(user=c.grid_worker, case=case, reason="等待法院判决")
    clock.advance(dt.timedelta(days=10))
    case = services.case_resume(user=c.grid_worker, case=case)
    assert case.deadline - before >= dt.timedelta(days=10)
    with pytest.raises(ValidationFailed):
        services.case_suspend(user=c.grid_worker, case=case, reason="")


def test_merge_duplicates(township, c):
    a = reported(township, c)
    b = reported(township, c, description="村口垃圾又堆起来了。")
    b = services.case_merge(user=c.grid_worker, case=b, into=a)
    assert b.state == Case.MERGED and b.merged_into_id == a.pk
    assert actions(a)[-1] == "merged_in"
    with pytest.raises(ValidationFailed):
        services.case_merge(user=c.grid_worker, case=a, into=a)


def test_petition_limits_sixty_days_one_extension_of_at_most_thirty(township, c):
    case = reported(township, c, category="PETITION", description="反映低保评定不公。")
    services.case_escalate(user=c.grid_worker, case=case, reason="信访事项")
    services.case_escalate(user=c.secretary, case=Case.objects.get(pk=case.pk), reason="信访事项")
    from xiangzhi.core.services import department_create

    department_create(town=township.town, name="信访办", code="xinfang")
    case = services.case_assign(user=c.town_leader, case=Case.objects.get(pk=case.pk), triage="government")
    start = case.assignments.get(ended_at=None).assigned_at
    local = timezone.localtime
    assert (
        local(case.deadline).date() - local(start).date()
    ).days == 61  # the end of the 60th day after acceptance
    too_far = case.deadline + dt.timedelta(days=30, minutes=1)
    with pytest.raises(ValidationFailed) as err:
        services.extension_request(user=c.town_leader, case=case, new_deadline=too_far, reason="复杂")
    assert "30日" in err.value.message
    ext = services.extension_request(
        user=c.town_leader, case=case, new_deadline=case.deadline + dt.timedelta(days=30), reason="情况复杂"
    )
    with pytest.raises(PermissionDenied):
        services.extension_decide(user=c.town_leader, extension=ext, approve=True)  # one level up decides
    services.extension_decide(user=c.county, extension=ext, approve=True)
    case = Case.objects.get(pk=case.pk)
    assert case.extension_count == 1
    with pytest.raises(ValidationFailed) as err:
        services.extension_request(
            user=c.town_leader, case=case, new_deadline=case.deadline + dt.timedelta(days=1), reason="再延"
        )
    assert "只能延期一次" in err.value.message


def test_the_petition_reporter_is_shown_only_to_its_handlers(township, c):
    case = reported(township, c, category="PETITION", description="反映村干部问题。")
    assert case.confidential_reporter
    assert "保密" not in reporter_display(c.grid_worker, case)  # it is at the grid: the grid handles it
    assert reporter_display(c.secretary, case) == "（保密）"
    assert reporter_display(c.villager, case) != "（保密）"


def test_bad_input_is_refused_with_chinese_messages(township, c):
    cases = [
        (dict(description="  "), "请填写事件内容"),
        (dict(description="字" * 2001), "太长"),
        (dict(region_code=township.grid_b1.code), "本村"),
        (dict(latitude="0", longitude="0"), "境内"),
        (dict(category="NOPE"), "未知的事件类别"),
        (dict(photos=[photo() for _ in range(10)]), "最多 9 张"),
    ]
    for kw, message in cases:
        with pytest.raises(ValidationFailed) as err:
            reported(township, c, **kw)
        assert message in err.value.message, (kw.keys(), err.value.message)
    assert Case.objects.count() == 0


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_kept(township, c):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as err:
        reported(township, c, photos=[bad])
    assert "图片" in err.value.message
    assert Case.objects.count() == 0


def test_exif_is_stripped_from_case_photos(township, c):
    from PIL import Image

    case = reported(township, c, photos=[photo(exif=True)])
    stored = case.photos.get().file
    with stored.file.open("rb") as fh:
        assert not Image.open(fh).getexif()


def test_the_same_submission_twice_is_stored_once(township, c):
    a, created_a = services.case_report(
        user=c.villager, region_code=township.grid_a1.code, description="路灯坏了", idempotency_key="k-1"
    )
    b, created_b = services.case_report(
        user=c.villager, region_code=township.grid_a1.code, description="路灯坏了", idempotency_key="k-1"
    )
    assert created_a and not created_b and a.pk == b.pk and Case.objects.count() == 1


def test_lists_filter_and_offer_only_what_may_be_done(township, c):
    case = reported(township, c, category="ENVIRONMENT")
    reported(township, c, region_code=township.grid_a2.code, category="DISPUTE")
    assert list(case_list(user=c.grid_worker)) == [case]
    assert case_list(user=c.secretary).count() == 2
    assert case_list(user=c.secretary, category="DISPUTE").count() == 1
    assert case_list(user=c.secretary_b).count() == 0
    assert list(case_list(user=c.villager)) and case_list(user=c.villager).count() == 2
    assert set(allowed_actions(c.grid_worker, case)) == {"accept", "assign", "return", "escalate", "merge"}
    assert allowed_actions(c.secretary, case) == []
