"""The rules of matters at their boundaries (written first): 四议两公开 in order, no step skipped, merged or
reordered; each step's meeting of the right body, of the village, held no earlier than the step before was done;
a failed vote leaves the step to a new meeting; the decision's own thresholds; supporters of a villager's proposal;
the consultation path. Every refusal is a Chinese domain error and changes nothing."""

import datetime as dt

import pytest

from tests import factories as tf
from tests.deliberation import factories as f
from tests.deliberation import matter_factories as mf
from tests.isolation.test_every_route import changed_tables, db_state
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.core.models import Notification
from xiangzhi.deliberation import matter_rules, matters, rules, services
from xiangzhi.deliberation.models import Matter, MatterStep
from xiangzhi.disclosure.models import Notice

pytestmark = pytest.mark.django_db


def _unchanged(fn, exc, text):
    before = db_state()
    with pytest.raises(exc) as e:
        fn()
    assert text in e.value.message
    assert [t for t in changed_tables(before, db_state()) if not t.startswith("audit.")] == []


@pytest.fixture
def b(township):
    return mf.village_bodies(township.grid_a1)


def test_the_kinds_say_their_path():
    art24 = [k for k in matter_rules.KINDS if k.art24]
    assert len(art24) == 9 and all(k.path == matter_rules.PATH_FOUR for k in art24)
    assert matter_rules.KIND_BY_CODE["land_outsider"].item_kind == rules.ITEM_LAND_CONTRACT_OUTSIDER
    assert matter_rules.KIND_BY_CODE["construction_land"].item_kind == rules.ITEM_CONSTRUCTION_LAND
    assert matter_rules.KIND_BY_CODE["civil"].path == matter_rules.PATH_CONSULT
    assert [s.label for s in matter_rules.FOUR_STEPS] == [
        "村党组织提议",
        "村“两委”会议商议",
        "党员大会审议",
        "村民会议或村民代表会议决议",
        "决议公开",
        "实施结果公开",
    ]


def test_six_steps_in_order_make_the_matter_done(township, b):
    m = mf.matter(b.village)
    assert [s.code for s in m.steps.order_by("seq")] == [s.code for s in matter_rules.FOUR_STEPS]
    m = mf.all_six(m, b)
    assert m.status == Matter.DONE
    steps = list(m.steps.order_by("seq"))
    assert all(s.status == MatterStep.DONE and s.done_at for s in steps)
    assert [s.meeting.body.kind for s in steps[:4]] == [
        rules.BRANCH_COMMITTEE,
        rules.COMMITTEES,
        rules.PARTY_ASSEMBLY,
        rules.REPRESENTATIVES,
    ]
    resolution, result = steps[4].notice, steps[5].notice
    resolution.refresh_from_db()
    assert resolution.is_published and resolution.superseded_by_id == result.pk and resolution.major
    assert result.is_published and result.result == "已拨付，村道修缮完工。" and result.kind == "resolution"
    assert steps[3].item.art24  # the decision was put as an Art. 24 matter


def test_a_step_cannot_be_skipped(township, b):
    m = mf.matter(b.village)
    mf.meeting_step(m, b.branch)
    # step 2 is 两委会: a 党员大会 (step 3) is refused, and the board cannot be reached before the decision
    _unchanged(
        lambda: matters.step_meeting_call(
            user=None, matter=m, body=b.party, title="党员大会", held_on=clock.today()
        ),
        ValidationFailed,
        "“村“两委”会议商议”须由两委会完成",
    )
    user = mf.publisher(b.village)
    _unchanged(
        lambda: matters.resolution_publish(user=user, matter=m, title="决议", body="内容"),
        Conflict,
        "现在应进行“村“两委”会议商议”，不能跳过或调换步骤",
    )
    _unchanged(
        lambda: matters.result_publish(user=user, matter=m, result="完成"),
        Conflict,
        "不能跳过或调换步骤",
    )


def test_steps_cannot_be_reordered_with_a_meeting_of_a_later_body(township, b):
    m = mf.matter(b.village)
    later = f.meeting(b.committees, title="两委会提前开会", days=0)
    _unchanged(
        lambda: matters.step_meeting_attach(user=None, matter=m, meeting=later),
        ValidationFailed,
        "“村党组织提议”须由支委会完成，不能用两委会的会议",
    )
    # an item passed at that meeting does not complete step 1 either
    item = mf.item(later, title="提前商议")
    f.open_votes(item, f.attend(later, 5), yes=5)
    services.item_decide(user=None, item=item)
    _unchanged(
        lambda: matters.step_complete(user=None, matter=m, item=item), ValidationFailed, "须由支委会完成"
    )


def test_one_meeting_cannot_fulfil_two_steps(township, b):
    m = mf.matter(b.village)
    step1 = mf.meeting_step(m, b.branch)
    # the same 支委会 meeting, with a second passed item, is refused for the next step
    _unchanged(
        lambda: matters.step_meeting_attach(user=None, matter=m, meeting=step1.meeting),
        ValidationFailed,
        "须由两委会完成",
    )
    # and a 两委会 meeting already tied to another matter's step is refused here
    other = mf.matter(b.village, title="另一议题")
    mf.meeting_step(other, b.branch)
    taken = matters.step_meeting_call(
        user=None, matter=other, body=b.committees, title="两委会", held_on=clock.today()
    )
    _unchanged(
        lambda: matters.step_meeting_attach(user=None, matter=m, meeting=taken),
        Conflict,
        "一次会议只能完成一个步骤",
    )
    item = mf.vote(taken)
    _unchanged(
        lambda: matters.step_complete(user=None, matter=m, item=item), Conflict, "一次会议只能完成一个步骤"
    )


def test_the_meeting_belongs_to_the_matters_village(township, b):
    m = mf.matter(b.village)
    elsewhere = f.body_with_members(township.grid_b1, 3, kind=rules.BRANCH_COMMITTEE)
    _unchanged(
        lambda: matters.step_meeting_call(
            user=None, matter=m, body=elsewhere, title="外村支委会", held_on=clock.today()
        ),
        ValidationFailed,
        "不是本村议事机构的会议",
    )


def test_a_meeting_held_before_the_previous_step_was_done_is_refused_the_day_itself_is_fine(township, b):
    start = clock.now()
    with clock.frozen(start):
        m = mf.matter(b.village)
        early = f.meeting(b.committees, title="提前召开的两委会", days=0)  # held today
        on_day = f.meeting(b.committees, title="次日的两委会", days=1)  # held tomorrow
        step1 = matters.step_meeting_call(
            user=None, matter=m, body=b.branch, title="支委会", held_on=clock.today()
        )
        item = mf.vote(step1)
    with clock.frozen(start + dt.timedelta(days=1)):
        matters.step_complete(user=None, matter=m, item=item)  # done tomorrow
        _unchanged(
            lambda: matters.step_meeting_attach(user=None, matter=m, meeting=early),
            ValidationFailed,
            "早于上一步骤完成的日期",
        )
        step = matters.step_meeting_attach(user=None, matter=m, meeting=on_day)
        assert step.code == "discuss" and step.status == MatterStep.ACTIVE


def test_a_failed_vote_leaves_the_step_open_for_a_new_meeting(township, b):
    m = mf.matter(b.village)
    first = matters.step_meeting_call(
        user=None, matter=m, body=b.branch, title="支委会", held_on=clock.today()
    )
    failed = mf.vote(first, yes=1, no=2)  # 1 of 3: not more than half of the members
    assert failed.passed is False
    _unchanged(
        lambda: matters.step_complete(user=None, matter=m, item=failed), ValidationFailed, "表决未通过"
    )
    step = m.steps.get(seq=1)
    assert step.status == MatterStep.ACTIVE and list(step.meetings.all()) == [first]
    again = matters.step_meeting_call(
        user=None, matter=m, body=b.branch, title="支委会（复议）", held_on=clock.today()
    )
    matters.step_complete(user=None, matter=m, item=mf.vote(again, yes=2, no=1))  # 2 of 3 passes
    step.refresh_from_db()
    assert step.status == MatterStep.DONE and step.meeting == again and step.meetings.count() == 2


def test_the_party_assembly_passes_by_more_than_half_of_those_due_not_of_those_present(township, b):
    m = mf.matter(b.village)
    mf.meeting_step(m, b.branch)
    mf.meeting_step(m, b.committees)
    meeting = matters.step_meeting_call(
        user=None, matter=m, body=b.party, title="党员大会", held_on=clock.today()
    )
    item = mf.vote(meeting, present=3, yes=2, no=1)  # 3 of 5 present hold it; 2 yes of 5 due is not enough
    assert item.passed is False
    again = matters.step_meeting_call(
        user=None, matter=m, body=b.party, title="党员大会", held_on=clock.today()
    )
    item = mf.vote(again, present=3, yes=3)  # 3 of 5 due: passes
    assert item.passed and matters.step_complete(user=None, matter=m, item=item).status == MatterStep.DONE


def test_an_art24_decision_by_representatives_needs_the_authorisation(township):
    b = mf.village_bodies(township.grid_a1, authorised=False)
    m = mf.matter(b.village)
    for body in (b.branch, b.committees, b.party):
        mf.meeting_step(m, body)
    meeting = matters.step_meeting_call(
        user=None, matter=m, body=b.reps, title="村民代表会议", held_on=clock.today()
    )
    assert meeting.items.get().art24
    with pytest.raises(ValidationFailed) as e:
        mf.vote(meeting)
    assert "未授权" in e.value.message
    assert m.steps.get(code="resolve").status == MatterStep.ACTIVE


def test_an_art24_matter_decided_as_an_ordinary_item_is_refused(township, b):
    m = mf.matter(b.village)
    for body in (b.branch, b.committees, b.party):
        mf.meeting_step(m, body)
    meeting = f.meeting(b.reps, title="村民代表会议", days=0)
    matters.step_meeting_attach(user=None, matter=m, meeting=meeting)
    item = mf.item(meeting, title="收益分配")  # ordinary, not flagged art24
    f.open_votes(item, f.attend(meeting, 10), yes=10)
    services.item_decide(user=None, item=item)
    _unchanged(
        lambda: matters.step_complete(user=None, matter=m, item=item), ValidationFailed, "第二十四条事项"
    )


def test_land_to_an_outsider_needs_two_thirds_of_all_representatives_then_the_township(township):
    b = mf.village_bodies(township.grid_a1, representatives=30)
    m = mf.matter(b.village, kind="land_outsider", title="村东50亩地发包给外村合作社")
    for body in (b.branch, b.committees, b.party):
        mf.meeting_step(m, body)
    meeting = matters.step_meeting_call(
        user=None, matter=m, body=b.reps, title="代表会议", held_on=clock.today()
    )
    item = mf.vote(meeting, present=30, yes=19, no=11)  # 19 of 30: short of 2/3 even with everyone there
    assert item.passed is False and item.kind == rules.ITEM_LAND_CONTRACT_OUTSIDER
    again = matters.step_meeting_call(
        user=None, matter=m, body=b.reps, title="代表会议", held_on=clock.today()
    )
    item = mf.vote(again, present=20, yes=20)  # 20 of 30 representatives, whoever attends: passes
    assert item.passed and item.needs_township_approval
    _unchanged(
        lambda: matters.step_complete(user=None, matter=m, item=item),
        ValidationFailed,
        "须报乡（镇）人民政府批准",
    )
    services.item_township_approve(user=None, item=item)
    assert matters.step_complete(user=None, matter=m, item=item).status == MatterStep.DONE


def test_a_vote_by_someone_not_on_the_roll_is_refused(township, b):
    m = mf.matter(b.village)
    meeting = matters.step_meeting_call(
        user=None, matter=m, body=b.branch, title="支委会", held_on=clock.today()
    )
    stranger_meeting = f.meeting(b.committees, title="两委会", days=0)
    stranger = f.attend(stranger_meeting, 1)[0]
    _unchanged(
        lambda: services.open_vote_record(user=None, item=meeting.items.get(), entry=stranger, choice="yes"),
        ValidationFailed,
        "不在本次会议的名单上",
    )


def test_a_villagers_proposal_waits_for_its_supporters(township, b):
    people = f.residents(township.grid_a1, matter_rules.MIN_SUPPORTERS + 1)
    accounts = []
    for r in people:
        u = tf.user_with_role("villager", b.village)
        u.resident_id = r.pk
        u.save()
        accounts.append(u)
    proposer, *others = accounts
    m = mf.matter(b.village, kind="public_works", title="修村口排水沟", user=proposer, source="villager")
    assert m.status == Matter.COLLECTING and m.raised_by_resident_id == people[0].pk
    _unchanged(lambda: matters.matter_support(user=proposer, matter=m), ValidationFailed, "不能附议自己")
    _unchanged(
        lambda: matters.step_meeting_call(
            user=None, matter=m, body=b.branch, title="支委会", held_on=clock.today()
        ),
        Conflict,
        "尚在征集附议",
    )
    for u in others[:-1]:
        matters.matter_support(user=u, matter=m)
    m.refresh_from_db()
    assert m.status == Matter.COLLECTING  # one short
    _unchanged(lambda: matters.matter_support(user=others[0], matter=m), Conflict, "每人只能附议一次")
    matters.matter_support(user=others[-1], matter=m)
    m.refresh_from_db()
    assert m.status == Matter.ACTIVE and m.supports.count() == matter_rules.MIN_SUPPORTERS


def test_the_consultation_path_in_order_ends_with_a_village_notice(township):
    user = mf.publisher(township.village_a)
    m = mf.matter(township.village_a, kind="civil", title="村口停车秩序")
    assert m.path == matter_rules.PATH_CONSULT
    _unchanged(
        lambda: matters.resolution_publish(user=user, matter=m, title="决议", body="x"), Conflict, "收集意见"
    )
    texts = ["收集到意见12条", "确定议题：停车", "召开协商会", "通报协商情况", "划定停车位"]
    for t in texts:
        matters.consult_step_record(user=user, matter=m, text=t)
    step = matters.consult_step_record(
        user=user, matter=m, text="村口划定停车位20个，即日起施行。", title="停车公告"
    )
    m.refresh_from_db()
    assert m.status == Matter.DONE and step.notice.kind == "village" and step.notice.is_published
    assert [s.text for s in m.steps.order_by("seq")][:5] == texts


def test_the_supervisors_are_told_of_every_step_and_object_on_one(
    township, b, django_capture_on_commit_callbacks
):
    sup = tf.user_with_role("supervisor", b.village)
    with django_capture_on_commit_callbacks(execute=True):
        m = mf.all_six(mf.matter(b.village), b)
    titles = list(Notification.objects.filter(user=sup).values_list("title", flat=True))
    for s in matter_rules.FOUR_STEPS:
        assert any(s.label in t for t in titles), s.label
    step = m.steps.get(code="review")
    matters.step_object(user=sup, step=step, text="党员大会未提前通知全体党员")
    assert step.objections.get().text == "党员大会未提前通知全体党员"
    cadre = mf.publisher(b.village)
    _unchanged(lambda: matters.step_object(user=cadre, step=step, text="x"), Exception, "没有权限")


def test_a_done_matter_takes_no_more_steps(township, b):
    m = mf.all_six(mf.matter(b.village), b)
    assert Notice.objects.filter(region_code=b.village.code, kind="resolution").count() == 2
    _unchanged(
        lambda: matters.step_meeting_call(
            user=None, matter=m, body=b.branch, title="x", held_on=clock.today()
        ),
        Conflict,
        "已办结",
    )


def test_a_secret_step_vote_is_put_on_the_meeting_page(township, b):
    m = mf.matter(b.village)
    meeting = matters.step_meeting_call(
        user=None, matter=m, body=b.branch, title="支委会", held_on=clock.today(), secret=True
    )
    assert meeting.matter_step.code == "propose" and meeting.items.count() == 0
