"""Enforcement test data through the real services; makers for tests/isolation/routes_enforcement.py."""

import datetime as dt
import itertools
from types import SimpleNamespace

from tests import factories
from xiangzhi.core import clock
from xiangzhi.core.models import Department
from xiangzhi.core.services import department_create
from xiangzhi.enforcement import services
from xiangzhi.regions.models import Region

# A valid GB 11643 number (check character computed) used as a person's ID in tests.
ID_NUMBER = "11010519491231002X"


def department(town, *, code: str, name: str) -> Department:
    found = Department.objects.filter(town=town, code=code).first()
    return found or department_create(town=town, name=name, code=code)


def cast(t) -> SimpleNamespace:
    """The town's 综合执法 department and its staff, a 司法所 reviewer, the town leader, a county officer."""
    zhifa = department(t.town, code="zhifa", name="综合行政执法队")
    sifa = department(t.town, code="sifa", name="司法所")
    nongye = department(t.town, code="nongye", name="农业综合服务中心")
    return SimpleNamespace(
        t=t,
        zhifa=zhifa,
        sifa=sifa,
        nongye=nongye,
        officer=factories.user_with_role(
            "department_staff", t.town, scope_type="department", scope_id=zhifa.pk
        ),
        farm_officer=factories.user_with_role(
            "department_staff", t.town, scope_type="department", scope_id=nongye.pk
        ),
        reviewer=factories.user_with_role(
            "department_staff", t.town, scope_type="department", scope_id=sifa.pk
        ),
        leader=factories.user_with_role("town_leader", t.town),
        county=factories.user_with_role("county_officer", t.county),
    )


def inspection(c, *, user=None, date=None, person=True, name=None, problem=True, village=True, **kw):
    fields = {
        "subject_kind": "person" if person else "organisation",
        "subject_name": name or ("张三丰" if person else "尉庄乡利民砖厂"),
    }
    if person:
        fields["id_number"] = kw.pop("id_number", ID_NUMBER)
    return services.inspection_create(
        user=user or c.officer,
        town=c.t.town,
        village=c.t.village_a if village else None,
        department=kw.pop("department", c.zhifa),
        date=date or clock.today(),
        place=kw.pop("place", "南山村东头"),
        inspectors=kw.pop("inspectors", "李执法、王执法"),
        findings=kw.pop("findings", "现场发现违规焚烧秸秆。"),
        problem_found=problem,
        **fields,
        **kw,
    )


def proposal(c, insp, *, kind="fine", amount_fen=200000, major=False, user=None):
    return services.decision_propose(
        user=user or c.officer,
        inspection=insp,
        kind=kind,
        amount_fen=amount_fen,
        legal_basis="《中华人民共和国大气污染防治法》第一百一十九条",
        facts="当事人在禁烧区露天焚烧秸秆。",
        is_major=major,
    )


def decided(c, insp=None, *, case_number="尉庄乡罚〔2026〕1号", decided_on=None, major=False, **kw):
    insp = insp or inspection(c)
    d = proposal(c, insp, major=major, **kw)
    if major:
        services.legal_review_record(user=c.reviewer, decision=d, opinion="事实清楚，依据正确。", passed=True)
    maker = c.leader if major else c.officer
    return services.decision_make(
        user=maker, decision=d, case_number=case_number, decided_on=decided_on or clock.today()
    )


# -- makers: make(grid) -> (url kwargs, marker) ---------------------------------------------------------------------

_made = itertools.count(1)


def _town_cast(grid) -> SimpleNamespace:
    town = Region.objects.get(code=grid.code[:9])
    village = Region.objects.get(code=grid.code[:12])
    zhifa = department(town, code="zhifa", name=f"综合行政执法队{town.code}")
    t = SimpleNamespace(town=town, village_a=village)
    officer = factories.user_with_role("department_staff", town, scope_type="department", scope_id=zhifa.pk)
    leader = factories.user_with_role("town_leader", town)
    sifa = department(town, code="sifa", name=f"司法所{town.code}")
    reviewer = factories.user_with_role("department_staff", town, scope_type="department", scope_id=sifa.pk)
    return SimpleNamespace(t=t, zhifa=zhifa, officer=officer, leader=leader, reviewer=reviewer)


def _marker(grid) -> str:
    return f"执法{grid.code[9:12]}{next(_made)}"


def make_inspection(grid):
    """An inspection in the grid's village; the marker is the organisation inspected (shown on every page)."""
    c = _town_cast(grid)
    marker = f"检查单位{grid.code}{next(_made)}"
    insp = inspection(c, person=False, name=marker, date=clock.today() - dt.timedelta(days=3))
    return {"pk": insp.pk}, marker


def make_draft(grid):
    c = _town_cast(grid)
    marker = f"拟处罚单位{grid.code}{next(_made)}"
    insp = inspection(c, person=False, name=marker, date=clock.today() - dt.timedelta(days=3))
    d = proposal(c, insp)
    return {"pk": d.pk, "_inspection": insp.pk}, marker


def make_major_draft(grid):
    c = _town_cast(grid)
    marker = f"重大案件单位{grid.code}{next(_made)}"
    insp = inspection(c, person=False, name=marker, date=clock.today() - dt.timedelta(days=3))
    d = proposal(c, insp, major=True)
    return {"pk": d.pk, "_inspection": insp.pk}, marker


def make_reviewed_major(grid):
    kwargs, marker = make_major_draft(grid)
    from xiangzhi.enforcement.models import Decision

    d = Decision.objects.get(pk=kwargs["pk"])
    sifa = Department.objects.get(town_id=d.inspection.town_id, code="sifa")
    reviewer = factories.user_with_role(
        "department_staff", d.inspection.town, scope_type="department", scope_id=sifa.pk
    )
    services.legal_review_record(user=reviewer, decision=d, opinion="合法。", passed=True)
    return kwargs, marker


def make_decided(grid):
    c = _town_cast(grid)
    n = next(_made)
    # no long run of digits in what is published (the board refuses anything that looks like an ID number)
    marker = f"已决定单位{grid.name}第{n}号"
    insp = inspection(c, person=False, name=marker, date=clock.today() - dt.timedelta(days=3))
    d = decided(c, insp, case_number=f"罚〔2026〕{n}号")
    return {"pk": d.pk, "_inspection": insp.pk}, marker


def make_overdue(grid):
    """A decision made 20 days ago and never published: past its 7 working days."""
    c = _town_cast(grid)
    n = next(_made)
    marker = f"超期单位{grid.code}{n}"
    day = clock.today() - dt.timedelta(days=20)
    insp = inspection(c, person=False, name=marker, date=day)
    d = decided(c, insp, case_number=f"罚〔2026〕{grid.code}-{n}号", decided_on=day)
    return {"pk": d.pk}, d.case_number


def town_named(grid):
    """For the figures page: the marker is the town's name in its filter list."""
    town = Region.objects.get(code=grid.code[:9])
    return {"_town": town.code}, town.name
