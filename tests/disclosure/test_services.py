import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tests import factories
from tests.disclosure import factories as df
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiangzhi.disclosure import selectors, services
from xiangzhi.disclosure.models import Notice

pytestmark = pytest.mark.django_db


def at(day: dt.date):
    clock.set_fixed(dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=dt.UTC))


def kinds_behind(township, on):
    rows = {
        r["village"].code: [o["kind"] for o in r["overdue"]]
        for r in selectors.overdue_villages(township.town, on=on)
    }
    return rows.get(township.village_a.code, [])


def test_quarterly_schedule_exactly_three_months_is_on_time_one_day_more_is_behind(township):
    at(dt.date(2026, 1, 15))
    for kind in ("party", "village", "finance"):
        df.published(township.village_a, kind=kind, title=f"{kind}公开")
    assert kinds_behind(township, dt.date(2026, 4, 15)) == []
    assert kinds_behind(township, dt.date(2026, 4, 16)) == ["party", "village", "finance"]


def test_finance_monthly_setting_shortens_the_interval(township):
    at(dt.date(2026, 1, 31))
    for kind in ("party", "village", "finance"):
        df.published(township.village_a, kind=kind, title=f"{kind}公开")
    services.setting_set(
        user=df.secretary(township.village_a), village=township.village_a, finance_monthly=True
    )
    # 31 January + 1 month = 28 February (no 31st)
    assert kinds_behind(township, dt.date(2026, 2, 28)) == []
    assert kinds_behind(township, dt.date(2026, 3, 1)) == ["finance"]
    services.setting_set(
        user=df.secretary(township.village_a), village=township.village_a, finance_monthly=False
    )
    assert kinds_behind(township, dt.date(2026, 3, 1)) == []


def test_a_village_that_never_published_is_behind_on_every_kind(township):
    assert kinds_behind(township, dt.date(2026, 1, 1)) == ["party", "village", "finance"]


def test_finance_needs_the_supervisors_sign_off(township):
    sec = df.secretary(township.village_a)
    n = df.draft(township.village_a, kind="finance", title="一月财务收支", user=sec)
    with pytest.raises(ValidationFailed, match="村务监督委员会审核"):
        services.notice_publish(user=sec, notice=n)
    assert Notice.objects.get(pk=n.pk).state == "draft"
    with pytest.raises(PermissionDenied):
        services.notice_sign_off(user=sec, notice=n)
    services.notice_sign_off(user=factories.user_with_role("supervisor", township.village_a), notice=n)
    assert services.notice_publish(user=sec, notice=n).state == "published"
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {
        "disclosure.notice_drafted",
        "disclosure.notice_signed_off",
        "disclosure.notice_published",
    } <= actions


def test_the_database_refuses_a_published_finance_notice_without_sign_off(township):
    n = df.draft(township.village_a, kind="finance")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.filter(pk=n.pk).update(state="published", published_at=clock.now())


def test_a_supervisor_of_another_village_cannot_sign_off(township):
    n = df.draft(township.village_a, kind="finance")
    with pytest.raises(PermissionDenied):
        services.notice_sign_off(user=factories.user_with_role("supervisor", township.village_b), notice=n)


def test_an_edit_to_a_published_notice_is_refused_and_nothing_changes(township):
    n = df.published(township.village_a, title="修路决议", body="原文")
    sec = df.secretary(township.village_a)
    with pytest.raises(Conflict, match="已公开的事项不能修改"):
        services.notice_edit(user=sec, notice=n, title="改过的标题", body="改过")
    n.refresh_from_db()
    assert (n.title, n.body) == ("修路决议", "原文")


def test_a_draft_can_be_edited(township):
    n = df.draft(township.village_a, title="草稿")
    services.notice_edit(user=df.secretary(township.village_a), notice=n, title="新标题", body="新内容")
    n.refresh_from_db()
    assert n.title == "新标题"


def test_superseding_keeps_the_old_version_linked(township):
    old = df.published(township.village_a, kind="resolution", title="修路决议", body="决议修路")
    sec = df.secretary(township.village_a)
    new = services.notice_supersede(
        user=sec, notice=old, title="修路决议（更新）", body="决议修路", result="已完工"
    )
    old.refresh_from_db()
    assert old.superseded_by_id is None  # not until the new one is public
    services.notice_publish(user=sec, notice=new)
    old.refresh_from_db()
    assert old.superseded_by_id == new.pk and old.state == "published" and old.body == "决议修路"
    assert set(selectors.board_notices(township.village_a)) == {old, new}
    assert list(selectors.board_notices(township.village_a, current_only=True)) == [new]
    with pytest.raises(Conflict):
        services.notice_supersede(user=sec, notice=old, title="再改", body="再改")


@pytest.mark.parametrize(
    "text",
    [
        "联系电话13912345678",
        "身份证号142601199001011234",
        "身份证14260119900101123X",
        "旧证号142601900101123",
    ],
)
def test_id_and_phone_numbers_are_refused(township, text):
    with pytest.raises(ValidationFailed, match="含有身份证号或手机号"):
        df.draft(township.village_a, body=text)
    assert not Notice.objects.exists()


def test_a_number_that_is_neither_passes(township):
    n = df.draft(township.village_a, body="收入12345元，支出1391234567元以内。")
    assert n.pk


def test_listed_names_are_masked(township):
    n = df.draft(
        township.village_a,
        title="张三申请宅基地",
        body="张三、李四光、欧阳明华与张三丰",
        mask_names=["张三", "李四光", "欧阳明华"],
    )
    assert n.title == "张某申请宅基地"
    assert n.body == "张某、李某、欧某与张某丰"


def test_a_name_that_is_not_a_name_is_refused(township):
    with pytest.raises(ValidationFailed, match="不像一个中文姓名"):
        df.draft(township.village_a, mask_names=["abc"])


def test_an_attachment_must_be_checked_before_publication(township):
    from django.core.files.uploadedfile import SimpleUploadedFile

    sec = df.secretary(township.village_a)
    pdf = SimpleUploadedFile("账目.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    n = df.draft(township.village_a, user=sec, attachment=pdf)
    with pytest.raises(ValidationFailed, match="附件无法自动检查"):
        services.notice_publish(user=sec, notice=n)
    services.notice_edit(user=sec, notice=n, title=n.title, body=n.body, attachment_checked=True)
    assert services.notice_publish(user=sec, notice=n).state == "published"


def test_the_hook_publishes_at_once_and_supersedes_the_same_source(township):
    user = df.secretary(township.village_a)
    first = services.publish(
        region=township.village_a,
        kind="points",
        title="三月积分公示",
        body="共 20 户",
        source_ref="points:1",
        published_by=user,
    )
    assert first.state == "published"
    second = services.publish(
        region=township.village_a,
        kind="points",
        title="三月积分公示（更正）",
        body="共 21 户",
        source_ref="points:1",
        published_by=user,
    )
    first.refresh_from_db()
    assert first.superseded_by_id == second.pk
    with pytest.raises(ValidationFailed):
        services.publish(
            region=township.village_a, kind="finance", title="账", body="账", source_ref="", published_by=user
        )
    with pytest.raises(ValidationFailed, match="含有身份证号或手机号"):
        services.publish(
            region=township.village_a,
            kind="enforcement",
            title="处罚",
            body="电话13912345678",
            source_ref="x",
            published_by=user,
        )


def test_questions_by_villagers_of_the_village_and_answers(township):
    n = df.published(township.village_a)
    villager = factories.user_with_role("villager", township.village_a)
    q = services.question_ask(user=villager, notice=n, text="修路钱花了多少？")
    with pytest.raises(PermissionDenied):
        services.question_ask(
            user=factories.user_with_role("villager", township.village_b), notice=n, text="问"
        )
    with pytest.raises(PermissionDenied):
        services.question_answer(user=villager, question=q, answer="答")
    services.question_answer(user=df.secretary(township.village_a), question=q, answer="共 3 万元。")
    with pytest.raises(Conflict):
        services.question_answer(user=df.secretary(township.village_a), question=q, answer="改答复")
    q.refresh_from_db()
    assert q.answer == "共 3 万元。"


def test_no_question_on_a_draft(township):
    n = df.draft(township.village_a)
    with pytest.raises(ValidationFailed):
        services.question_ask(
            user=factories.user_with_role("villager", township.village_a), notice=n, text="问"
        )


def test_town_staff_publish_for_their_villages_only(township):
    staff = factories.user_with_role("town_staff", township.village_a)
    df.draft(township.village_a, user=staff)
    with pytest.raises(PermissionDenied):
        df.draft(township.village_b, user=staff)
