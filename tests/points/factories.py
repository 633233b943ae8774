"""Points test data, made through the real services."""

import datetime as dt
from types import SimpleNamespace

from tests import factories
from tests.people import factories as pf
from xiangzhi.accounts import services as account_services
from xiangzhi.core import clock
from xiangzhi.points import ledger, services
from xiangzhi.points.models import LedgerEntry


def villager_of(household, name: str = "王大爷"):
    """A villager account for the head of `household`."""
    from tests.accounts.factories import phone

    head = household.head
    user, _code = account_services.villager_account_create(
        resident_or_name=head, phone=phone(), village=household.region.parent, created_by=None
    )
    return user


def scheme(
    village, secretary, *, notice_days: int = 7, period: str = "month", red_list_size: int = 5, items=None
):
    """An active scheme with the usual items (or `items`: (code, name, points, extra kwargs))."""
    s = services.scheme_create(
        user=secretary,
        region=village,
        name=f"{village.name}文明积分方案",
        period=period,
        notice_days=notice_days,
        red_list_size=red_list_size,
    )
    items = items or [
        ("HJ01", "庭院整洁", 5, {"category": "environment", "cap_per_period": 10}),
        ("GY01", "参加义务劳动", 3, {"category": "public_works", "evidence_required": True}),
        ("MD01", "孝老爱亲", 10, {"category": "family_virtue"}),
        ("KF01", "乱堆乱放", -5, {"category": "environment", "is_violation": True}),
        ("KF02", "酒席大操大办", -20, {"category": "customs", "is_violation": True}),
    ]
    for code, name, points, extra in items:
        services.item_save(user=secretary, scheme=s, code=code, name=name, points=points, **extra)
    return services.scheme_activate(user=secretary, scheme=s)


def cast(t) -> SimpleNamespace:
    """A village with a scheme, two households (one with a villager account), the people who run points."""
    u = factories.user_with_role
    secretary = u("village_secretary", t.village_a)
    home = pf.household(t.grid_a1, head_name="王大爷")
    other = pf.household(t.grid_a2, head_name="李大妈")
    far = pf.household(t.grid_b1, head_name="赵老汉")
    return SimpleNamespace(
        secretary=secretary,
        secretary_b=u("village_secretary", t.village_b),
        reviewer=u("points_reviewer", t.village_a),
        grid_worker=u("grid_worker", t.grid_a1),
        town_leader=u("town_leader", t.town),
        home=home,
        other=other,
        far=far,
        villager=villager_of(home),
        scheme=scheme(t.village_a, secretary),
    )


def item(c, code: str):
    return c.scheme.items.get(code=code)


def give(
    household, points: int, *, code: str = "", kind: str = LedgerEntry.CLAIM, day: dt.date | None = None
):
    """Points straight onto the ledger (for tests of what reads it: the store, the lists)."""
    from xiangzhi.points.models import PointItem

    item_ = None
    if code:
        item_ = PointItem.objects.filter(scheme__region_code=household.region_code[:12], code=code).first()
    return ledger.post(
        holder=ledger.Holder.of(household),
        kind=kind,
        earned=points,
        item=item_,
        occurred_on=day or clock.today(),
        actor_label="tests",
    )


def approved(c, household=None, code: str = "HJ01", **kw):
    """A recorded claim, approved by the reviewer: on notice."""
    claim = services.claim_record(user=c.grid_worker, item=item(c, code), household=household or c.home, **kw)
    return services.claim_review(user=c.reviewer, claim=claim, decision="approve")
