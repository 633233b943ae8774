"""Notices built through the real services."""

from tests import factories
from xiangzhi.disclosure import services
from xiangzhi.disclosure.models import Notice  # noqa: F401  (the isolation makers look rows up through it)


def secretary(village):
    return factories.user_with_role("village_secretary", village)


def make_draft(grid, *, kind="village", title=None):
    village = grid.parent
    n = services.notice_draft(
        user=secretary(village),
        village=village,
        kind=kind,
        title=title or f"公开{grid.name}",
        body="本月村务事项。",
    )
    return {"pk": n.pk}, n.title


def draft(village, *, kind="village", title="村务公开", body="本季度村务事项。", user=None, **kw):
    return services.notice_draft(
        user=user or secretary(village), village=village, kind=kind, title=title, body=body, **kw
    )


def published(village, *, kind="village", title="村务公开", body="本季度村务事项。", **kw):
    user = secretary(village)
    n = draft(village, kind=kind, title=title, body=body, user=user, **kw)
    if kind == "finance":
        services.notice_sign_off(user=factories.user_with_role("supervisor", village), notice=n)
    return services.notice_publish(user=user, notice=n)


def make_finance_draft(grid):
    village = grid.parent
    n = draft(village, kind="finance", title=f"财务{grid.name}", body="本月收支。")
    return {"pk": n.pk}, n.title


def make_published(grid):
    n = published(grid.parent, title=f"已公开{grid.name}", body="本季度村务事项。")
    return {"pk": n.pk}, n.title


def make_question(grid):
    village = grid.parent
    n = published(village, title=f"有提问{grid.name}")
    q = services.question_ask(
        user=factories.user_with_role("villager", village), notice=n, text=f"提问{grid.name}"
    )
    return {"pk": q.pk}, q.text


def make_village(grid):
    return {"code": grid.parent.code}, grid.parent.name
