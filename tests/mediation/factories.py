"""Mediation test data, made through the real services (cases through tests/cases/factories.py)."""

import datetime as dt
import itertools
from types import SimpleNamespace

from tests import factories
from tests.cases.factories import cast, reported
from tests.people import factories as people_factories
from xiangzhi.core import clock
from xiangzhi.mediation import services
from xiangzhi.mediation.models import Agreement

_seq = itertools.count(1)


def crew(t) -> SimpleNamespace:
    """The cases cast of township `t` and the mediation people: a mediator and a legal adviser of village A, a
    mediator of village B, a 包村干部 of village A, and the roster entries."""
    c = cast(t)
    u = factories.user_with_role
    c.mediator = u("mediator", t.village_a)
    c.mediator_b = u("mediator", t.village_b)
    c.adviser_user = u("legal_adviser", t.village_a)
    c.town_staff = u("town_staff", t.village_a)
    c.committee_member = u("village_committee", t.village_a)
    c.roster_a = services.mediator_add(
        user=None, region=t.village_a, name="王调解", kind="party_team", account=c.mediator
    )
    c.roster_a2 = services.mediator_add(user=None, region=t.village_a, name="李明白", kind="legal_literate")
    c.roster_b = services.mediator_add(user=None, region=t.village_b, name="赵调解", kind="people_mediator")
    c.roster_town = services.mediator_add(user=None, region=t.town, name="镇调解员", kind="people_mediator")
    return c


def dispute(t, c, **kw):
    kw.setdefault("category", "DISPUTE")
    kw.setdefault("description", "张家和李家因宅基地边界的围墙起了争执，双方多次争吵。")
    return reported(t, c, **kw)


def opened(t, c, *, case=None, level: str = "village", user=None, mediators=None):
    case = case or dispute(t, c)
    return services.mediation_open(
        user=user or c.secretary,
        case=case,
        level=level,
        summary="宅基地边界围墙纠纷，双方各执一词。",
        mediators=[c.roster_a] if mediators is None else mediators,
    )


def outsider_id() -> str:
    return people_factories.id_number(address6="130102")


def with_parties(t, m, user, *, outsider_number: str | None = None):
    """A resident of grid A1 (the applicant) and an outsider (the respondent)."""
    h = people_factories.household(t.grid_a1, head_name="张建国")
    p1 = services.party_add(user=user, mediation=m, resident=h.head, role="applicant")
    p2 = services.party_add(
        user=user,
        mediation=m,
        name="李外来",
        id_number=outsider_number or outsider_id(),
        address="河北省石家庄市",
        role="respondent",
    )
    return p1, p2


def written(m, user, **kw):
    kw.setdefault("facts", "张家在两家交界处砌围墙，李家认为占用了其宅基地约半米。")
    kw.setdefault("terms", "张家将围墙向东移回半米，李家补偿张家砌墙材料费五百元。")
    kw.setdefault("performance_method", "张家自行拆除重砌；李家现金一次付清。")
    kw.setdefault("performance_due", clock.today() + dt.timedelta(days=15))
    return services.agreement_record(user=user, mediation=m, form=Agreement.WRITTEN, **kw)


# -- makers for tests/isolation/routes_mediation.py: make(grid) -> (url kwargs, marker) ---------------------------


def _marker(grid) -> str:
    return f"纠纷{grid.code}"


def _case_in(grid):
    from xiangzhi.cases import services as case_services

    case, _ = case_services.case_report(
        user=None,
        region_code=grid.code,
        title=_marker(grid),
        description="两户因排水沟起了纠纷。",
        category="DISPUTE",
    )
    return case


def _mediation_in(grid):
    from xiangzhi.regions.models import Region

    village = Region.objects.get(code=grid.code[:12])
    roster = services.mediator_add(user=None, region=village, name=f"调解员{grid.code}", kind="party_team")
    m = services.mediation_open(
        user=None, case=_case_in(grid), level="village", summary="排水沟纠纷。", mediators=[roster]
    )
    return m, village


def _two_parties(grid, m):
    h = people_factories.household(grid, head_name=f"当事人{grid.code}", phone=people_factories.phone())
    a = services.party_add(user=None, mediation=m, resident=h.head, role="applicant")
    b = services.party_add(
        user=None, mediation=m, name=f"外来{next(_seq)}", id_number=outsider_id(), role="respondent"
    )
    return a, b


def make_mediation(grid):
    m, _ = _mediation_in(grid)
    return {"pk": m.pk}, _marker(grid)


def make_listed(grid):
    _mediation_in(grid)
    return {}, _marker(grid)


def make_mediation_with_candidate(grid):
    """A mediation and one more roster mediator of its village (for the page that changes the mediators)."""
    m, village = _mediation_in(grid)
    extra = services.mediator_add(user=None, region=village, name=f"候选{grid.code}", kind="legal_literate")
    return {"pk": m.pk, "_mediator": extra.pk}, _marker(grid)


def make_mediation_with_parties(grid):
    m, _ = _mediation_in(grid)
    _two_parties(grid, m)
    return {"pk": m.pk}, _marker(grid)


def make_party(grid):
    m, _ = _mediation_in(grid)
    a, _b = _two_parties(grid, m)
    return {"pk": a.pk}, _marker(grid)


def make_written(grid):
    m, _ = _mediation_in(grid)
    _two_parties(grid, m)
    written(m, None)
    return {"pk": m.pk}, _marker(grid)


def make_written_party(grid):
    m, _ = _mediation_in(grid)
    a, _b = _two_parties(grid, m)
    written(m, None)
    return {"pk": a.pk}, _marker(grid)


def make_roster(grid):
    from xiangzhi.regions.models import Region

    village = Region.objects.get(code=grid.code[:12])
    x = services.mediator_add(user=None, region=village, name=f"名册{grid.code}", kind="party_team")
    return {"pk": x.pk, "_village": village.code}, f"名册{grid.code}"


def make_adviser(grid):
    from xiangzhi.regions.models import Region

    village = Region.objects.get(code=grid.code[:12])
    a = services.legal_adviser_add(user=None, village=village, name=f"律师{grid.code}", firm="明理律师事务所")
    return {"pk": a.pk, "_village": village.code}, f"律师{grid.code}"


def make_service_log(grid):
    kwargs, _ = make_adviser(grid)
    from xiangzhi.mediation.models import LegalAdviser

    adviser = LegalAdviser.objects.get(pk=kwargs["pk"])
    services.service_log_add(
        user=None,
        adviser=adviser,
        kind="lecture",
        date=clock.today(),
        hours=2,
        people=40,
        materials=100,
        notes=f"讲座{grid.code}",
    )
    return kwargs, f"讲座{grid.code}"
