"""`notify(user, event, obj, title=...)`: a message in the user's in-app inbox, written after the commit.

Call it from a service, inside the transaction of the change it reports: the notification is written only once
that transaction commits (`transaction.on_commit`), so a rolled-back change never leaves a message behind.
Titles and bodies are shown to the recipient as they are: never put an ID number or phone number in them.
"""

from collections.abc import Iterable

from django.db import transaction

from xiangzhi.core import clock
from xiangzhi.core.models import Notification


def _fields(event: str, obj, *, title: str, body: str, url: str) -> dict:
    if not event or len(event) > 64:
        raise ValueError("notify: event must be 1-64 characters")
    if not title:
        raise ValueError("notify: a title is required")
    return {
        "event": event,
        "title": title[:200],
        "body": body or "",
        "url": (url or "")[:300],
        "object_type": obj._meta.label_lower if obj is not None and hasattr(obj, "_meta") else "",
        "object_id": str(getattr(obj, "pk", "") or "") if obj is not None else "",
        "region_code": (getattr(obj, "region_code", "") or "") if obj is not None else "",
    }


def notify(user, event: str, obj=None, *, title: str, body: str = "", url: str = "") -> None:
    """Put a message in `user`'s inbox once the current transaction commits (at once outside a transaction).
    Users that are missing or deactivated get nothing."""
    notify_many([user] if user is not None else [], event, obj, title=title, body=body, url=url)


def notify_many(users: Iterable, event: str, obj=None, *, title: str, body: str = "", url: str = "") -> None:
    """The same message to several users, in one insert after the commit; each user once."""
    fields = _fields(event, obj, title=title, body=body, url=url)
    user_ids = sorted({u.pk for u in users if u is not None and getattr(u, "is_active", False) and u.pk})
    if not user_ids:
        return

    def write():
        at = clock.now()
        Notification.objects.bulk_create(
            [Notification(user_id=uid, created_at=at, **fields) for uid in user_ids]
        )

    transaction.on_commit(write)
