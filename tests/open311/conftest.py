import importlib
from types import SimpleNamespace

import pytest

from tests.cases.factories import cast
from xiangzhi.cases import services as case_services
from xiangzhi.open311 import services


@pytest.fixture
def categories(db):
    """The categories of cases migration 0002 (a transactional test elsewhere in the session may have flushed
    them: loading again is idempotent)."""
    from django.apps import apps

    importlib.import_module("xiangzhi.cases.migrations.0002_defaults").load(apps, None)


@pytest.fixture
def world(township, categories):
    """The township, its people, an Open311 client of the town and a few cases: public ones (one with an exact
    point and a reporter), a private one (a dispute) and a merged (closed) one."""
    t = township
    c = cast(t)
    client, key = services.client_create(name="随手拍", region_code=t.town.code)

    def report(**kw):
        kw.setdefault("region_code", t.grid_a1.code)
        case, _ = case_services.case_report(user=kw.pop("user", c.grid_worker), **kw)
        return case

    garbage = report(
        description="村口垃圾堆放多日，无人清理。",
        category="ENVIRONMENT.garbage",
        latitude="35.973456",
        longitude="110.847891",
        user=None,
        source="hotline",
        reporter_name="李秀英",
        reporter_phone="13912345678",
    )
    road = report(
        description="北坡村道路塌陷一处。",
        category="INFRASTRUCTURE.road",
        region_code=t.grid_b1.code,
        user=c.grid_worker_b,
    )
    dispute = report(description="邻里因宅基地边界争吵，需要调解。", category="DISPUTE.neighbour")
    duplicate = report(description="村口垃圾没人清理。", category="ENVIRONMENT.garbage")
    duplicate = case_services.case_merge(user=c.grid_worker, case=duplicate, into=garbage, note="重复上报")
    return SimpleNamespace(
        t=t, c=c, client=client, key=key, garbage=garbage, road=road, dispute=dispute, duplicate=duplicate
    )
