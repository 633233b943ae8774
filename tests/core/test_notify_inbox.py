import pytest
from django.db import transaction

from tests.core.clients import signed_in
from xiangzhi.core.models import Notification
from xiangzhi.core.notify import notify, notify_many


@pytest.mark.django_db(transaction=True)
def test_notification_is_written_only_after_commit(township, make_user):
    user = make_user("village_secretary", township.village_a)
    with transaction.atomic():
        notify(user, "regions.test", township.village_a, title="有新事件", body="请处理", url="/regions/")
        assert Notification.objects.count() == 0  # not before the commit
    n = Notification.objects.get()
    assert (n.user, n.event, n.title, n.region_code, n.object_type, n.object_id) == (
        user,
        "regions.test",
        "有新事件",
        township.village_a.code,
        "regions.region",
        str(township.village_a.pk),
    )


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_leaves_no_notification(township, make_user):
    user = make_user("village_secretary", township.village_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(user, "regions.test", None, title="不会出现")
        raise RuntimeError("rollback")
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_notify_many_skips_inactive_and_duplicates(township, make_user, django_capture_on_commit_callbacks):
    a = make_user("village_secretary", township.village_a)
    b = make_user("village_committee", township.village_a)
    b.is_active = False
    b.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify_many([a, a, b, None], "x.y", title="通知")
    assert list(Notification.objects.values_list("user_id", flat=True)) == [a.pk]


def _inbox_for(user, n, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(n):
            notify(user, "tests.msg", None, title=f"消息{i:02d}", url="/regions/")


@pytest.mark.django_db
def test_inbox_lists_only_own_messages_with_pagination(
    township, make_user, django_capture_on_commit_callbacks
):
    me = make_user("village_secretary", township.village_a)
    other = make_user("village_secretary", township.village_b)
    _inbox_for(me, 21, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        notify(other, "tests.msg", None, title="别人的消息")
    client = signed_in(me)
    page1 = client.get("/inbox/").content.decode()
    assert "消息20" in page1 and "消息01" in page1 and "消息00" not in page1  # newest first, 20 a page
    assert "别人的消息" not in page1
    page2 = client.get("/inbox/?page=2").content.decode()
    assert "消息00" in page2 and "别人的消息" not in page2
    foreign = Notification.objects.get(user=other)
    assert client.post(f"/inbox/{foreign.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=foreign.pk).read_at is None


@pytest.mark.django_db
def test_mark_read_badge_and_background_poll(township, make_user, django_capture_on_commit_callbacks):
    me = make_user("village_secretary", township.village_a)
    _inbox_for(me, 3, django_capture_on_commit_callbacks)
    client = signed_in(me)
    badge = client.get("/inbox/badge/", HTTP_X_BACKGROUND_POLL="1", HTTP_HX_REQUEST="true")
    assert badge.status_code == 200 and ">3<" in badge.content.decode()
    first = Notification.objects.filter(user=me).order_by("id").first()
    resp = client.post(f"/inbox/{first.pk}/read/", {"open": "1"})
    assert resp.status_code == 302 and resp["Location"] == "/regions/"
    assert Notification.objects.get(pk=first.pk).read_at is not None
    assert ">2<" in client.get("/inbox/badge/").content.decode()
    assert client.get(f"/inbox/{first.pk}/read/").status_code == 405  # state changes need POST
    client.post("/inbox/read-all/")
    assert client.get("/inbox/badge/").content.decode().strip() == ""
    assert "暂无消息" in client.get("/inbox/?unread=1").content.decode()


@pytest.mark.django_db
def test_background_poll_does_not_count_as_activity(township, make_user, settings):
    from xiangzhi.core import clock

    me = make_user("village_secretary", township.village_a)
    client = signed_in(me)
    assert client.get("/inbox/").status_code == 200  # marks the session active
    clock.advance(__import__("datetime").timedelta(seconds=settings.SESSION_IDLE_SECONDS - 60))
    assert client.get("/inbox/badge/", HTTP_X_BACKGROUND_POLL="1").status_code == 200
    clock.advance(__import__("datetime").timedelta(seconds=120))
    # The poll did not refresh the idle timer: the session has now been idle too long.
    expired = client.get("/inbox/badge/", HTTP_X_BACKGROUND_POLL="1", HTTP_HX_REQUEST="true")
    assert expired.status_code == 401
