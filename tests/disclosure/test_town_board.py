"""执法公示 on the town's public page: the hook publishes enforcement notices on a town's board; a town takes no
other kind, and a village keeps every hook kind."""

import pytest
from django.test import Client

from tests import factories
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.disclosure import selectors, services
from xiangzhi.disclosure.models import Notice

pytestmark = pytest.mark.django_db


def officer(township):
    return factories.user_with_role("town_leader", township.town)


def test_the_hook_publishes_enforcement_on_a_towns_board(township):
    n = services.publish(
        region=township.town,
        kind="enforcement",
        title="行政处罚决定公示",
        body="张某违规搭建，罚款二千元。",
        source_ref="enforcement.decision:1",
        published_by=officer(township),
    )
    assert n.is_published and n.region_code == township.town.code
    assert list(selectors.board_notices(township.town)) == [n]
    # a village's board does not show the town's notices, and the town's shows no village's
    assert list(selectors.board_notices(township.village_a)) == []


@pytest.mark.parametrize("kind", ["points", "honours", "other"])
def test_a_town_takes_no_other_hook_kind(township, kind):
    with pytest.raises(ValidationFailed, match="乡镇公开栏只发布执法公示"):
        services.publish(
            region=township.town,
            kind=kind,
            title="公示",
            body="内容",
            source_ref="x",
            published_by=officer(township),
        )
    assert Notice.objects.count() == 0


def test_a_county_or_a_grid_is_refused_and_a_village_still_takes_enforcement(township):
    for region in (township.county, township.grid_a1):
        with pytest.raises(ValidationFailed):
            services.publish(
                region=region,
                kind="enforcement",
                title="公示",
                body="内容",
                source_ref="x",
                published_by=None,
            )
    assert Notice.objects.count() == 0
    n = services.publish(
        region=township.village_a,
        kind="points",
        title="积分公示",
        body="内容",
        source_ref="p:1",
        published_by=None,
    )
    assert n.region_code == township.village_a.code


def test_republishing_the_same_decision_supersedes_on_the_town_board(township):
    kw = dict(
        region=township.town, kind="enforcement", source_ref="enforcement.decision:7", published_by=None
    )
    old = services.publish(title="处罚决定公示", body="罚款二千元。", **kw)
    new = services.publish(title="处罚决定公示（更正）", body="罚款一千元。", **kw)
    old.refresh_from_db()
    assert old.superseded_by_id == new.pk and new.supersedes_id == old.pk


def test_the_town_board_its_print_view_and_notice_pages_are_public(township):
    n = services.publish(
        region=township.town,
        kind="enforcement",
        title="违法建设处罚公示",
        body="当事人：李某。",
        source_ref="enforcement.decision:2",
        published_by=None,
    )
    code = township.town.code
    page = Client().get(f"/board/{code}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert f"{township.town.name}行政执法公示栏" in body and "违法建设处罚公示" in body and "<svg" in body
    assert "三务公开栏" not in body
    printed = Client().get(f"/board/{code}/print/").content.decode()
    assert "行政执法公示栏" in printed and "违法建设处罚公示" in printed
    detail = Client().get(f"/board/{code}/{n.pk}/")
    assert detail.status_code == 200 and "当事人：李某。" in detail.content.decode()
    assert "登录</a>后可以提问" not in detail.content.decode()
    # the town's notice is not reachable through a village's board, nor a county's board at all
    assert Client().get(f"/board/{township.village_a.code}/{n.pk}/").status_code == 404
    assert Client().get(f"/board/{township.county.code}/").status_code == 404
    # API: the same board
    api = Client().get(f"/api/v1/board/villages/{code}/notices")
    assert api.status_code == 200 and api.json()["items"][0]["title"] == "违法建设处罚公示"


def test_a_villager_cannot_ask_on_the_towns_notice(township):
    n = services.publish(
        region=township.town,
        kind="enforcement",
        title="公示",
        body="内容",
        source_ref="e:3",
        published_by=None,
    )
    villager = factories.signed_in_client(factories.user_with_role("villager", township.village_a))
    r = villager.post(f"/board/{township.town.code}/{n.pk}/ask/", {"text": "为什么？"})
    assert r.status_code == 403
    assert n.questions.count() == 0


def test_publish_once_publishes_the_same_text_only_once(township):
    kw = dict(
        region=township.village_a, kind="points", source_ref="points.notice:2026-03-10", published_by=None
    )
    first, done = services.publish_once(title="积分公示", body="王某户：庭院整洁 +5 分", **kw)
    assert done
    again, done = services.publish_once(title="积分公示", body="王某户：庭院整洁 +5 分", **kw)
    assert not done and again == first and Notice.objects.count() == 1
    newer, done = services.publish_once(
        title="积分公示", body="王某户：庭院整洁 +5 分\n李某户：孝老爱亲 +10 分", **kw
    )
    first.refresh_from_db()
    assert done and first.superseded_by_id == newer.pk
