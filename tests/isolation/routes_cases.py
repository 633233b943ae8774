"""Isolation of the case pages (xiangzhi/cases/views.py): the list, the case page and one POST route per
transition. Each maker files a case in the grid through the real services (title = the marker) and moves it, as
the people who would, to the state where the viewer's role acts on it."""

from tests.isolation.registry import Detail, Exempt, Listing, Post


def _u(role, region, **grant):
    from tests import factories

    return factories.user_with_role(role, region, **grant)


def _region(code):
    from xiangzhi.regions.models import Region

    return Region.objects.get(code=code)


def _report(grid, marker: str, user=None):
    from xiangzhi.cases import services

    case, _ = services.case_report(
        user=user, region_code=grid.code, description=f"{marker}。路灯不亮。", title=marker
    )
    return case


def _out(case, marker, **extra):
    case.refresh_from_db()
    return {"pk": case.pk, "_version": case.version, **extra}, marker


def _reported(grid):
    return _out(_report(grid, f"事件{grid.code}"), f"事件{grid.code}")


def _in_days(days: int) -> str:
    """A deadline `days` ahead, as the form's datetime-local field sends it."""
    import datetime as dt

    from django.utils import timezone

    from xiangzhi.core import clock

    return timezone.localtime(clock.now() + dt.timedelta(days=days)).strftime("%Y-%m-%dT17:00")


def _with_photo(grid):
    """A case with a photo: the case's own file route serves it to whoever may see the case."""
    from tests.cases.factories import photo
    from xiangzhi.cases import services

    marker = f"事件{grid.code}"
    case, _ = services.case_report(
        user=None, region_code=grid.code, description=f"{marker}。", title=marker, photos=[photo()]
    )
    return {"pk": case.pk, "file_id": case.photos.get().file_id}, marker


def _steps(grid, *steps):
    """A case in `grid` moved by its grid worker through `steps` (accept, start, resolve, verify …)."""
    from xiangzhi.cases import services

    worker = _u("grid_worker", grid)
    marker = f"事件{grid.code}"
    case = _report(grid, marker)
    for step in steps:
        if step == "accept":
            case = services.case_accept(user=worker, case=case)
        elif step == "start":
            case = services.case_start(user=worker, case=case)
        elif step == "suspend":
            case = services.case_suspend(user=worker, case=case, reason="等待法院判决")
        elif step == "resolve":
            case = services.case_resolve(user=worker, case=case, result="已修好")
        elif step == "verify":
            case = services.case_verify(user=worker, case=case, passed=True)
        elif step == "escalate":
            case = services.case_escalate(user=worker, case=case, reason="需要村里协调")
    return case, marker, worker


def _made(*steps):
    def make(grid):
        case, marker, _ = _steps(grid, *steps)
        return _out(case, marker)

    return make


def _with_extension(grid):
    import datetime as dt

    from xiangzhi.cases import services

    case, marker, worker = _steps(grid, "accept", "start")
    ext = services.extension_request(
        user=worker, case=case, new_deadline=case.deadline + dt.timedelta(days=3), reason="等材料"
    )
    return _out(case, marker, _extension=ext.pk)


def _duplicate_pair(grid):
    first = _report(grid, f"先报{grid.code}")
    case = _report(grid, f"事件{grid.code}")
    return _out(case, f"事件{grid.code}", _into=first.number)


def _villagers_verified(grid):
    """Reported by the village's villager (the viewer, in the own village), resolved and verified."""
    from xiangzhi.accounts.models import RoleAssignment
    from xiangzhi.cases import services

    village = grid.code[:12]
    grant = RoleAssignment.objects.filter(role="villager", region_code=village, is_active=True).first()
    reporter = grant.user if grant else _u("villager", _region(village))
    worker = _u("grid_worker", grid)
    marker = f"事件{grid.code}"
    case = _report(grid, marker, user=reporter)
    for step in (services.case_accept, services.case_start):
        case = step(user=worker, case=case)
    case = services.case_resolve(user=worker, case=case, result="已修好")
    case = services.case_verify(user=worker, case=case, passed=True)
    return _out(case, marker)


def _state(state, level=None):
    def ok(response, k):
        from xiangzhi.cases.models import Case

        assert response.status_code == 302, f"expected a redirect after success, got {response.status_code}"
        assert response["Location"] == f"/cases/{k['pk']}/", response["Location"]
        case = Case.objects.get(pk=k["pk"])
        assert case.state == state, case.state
        if level:
            assert case.level == level, case.level

    return ok


def _extension_approved(response, k):
    from xiangzhi.cases.models import DeadlineExtension

    assert response.status_code == 302, response.status_code
    assert DeadlineExtension.objects.get(pk=k["_extension"]).approved is True


def _extension_requested(response, k):
    from xiangzhi.cases.models import DeadlineExtension

    _state("in_progress")(response, k)
    assert DeadlineExtension.objects.filter(case_id=k["pk"], approved=None).count() == 1


def _form(name, **fields):
    return lambda k: {f"{name}-version": k["_version"], **{f"{name}-{f}": v for f, v in fields.items()}}


FILTERS = {"region": ("region",), "q": ("marker",)}

ROUTES = {
    "cases:file": Detail("grid_worker", _with_photo),
    "cases:list": [
        Listing("grid_worker", _reported, filters=FILTERS),
        Listing("village_secretary", _reported, filters=FILTERS),
        Listing("town_leader", _reported, filters=FILTERS),
    ],
    "cases:report": Exempt(
        "地点只能从本人可上报的村和网格中选，越权的网格被表单拒绝且不写入（见 tests/cases/test_pages.py："
        "test_a_region_out_of_reach_is_refused_and_nothing_written），服务也再查一次"
    ),
    "cases:detail": [
        Detail("grid_worker", _reported),
        Detail("village_secretary", _reported),
    ],
    "cases:accept": Detail(
        "grid_worker", _reported, method="post", post=Post(data=_form("accept"), ok=_state("assigned"))
    ),
    "cases:assign": Detail(
        "grid_worker",
        _reported,
        method="post",
        post=Post(
            data=_form("assign", category="ENVIRONMENT", triage="civil", urgency="normal"),
            ok=_state("assigned", "grid"),
        ),
    ),
    "cases:return": Detail(
        "village_secretary",
        _made("escalate"),
        method="post",
        post=Post(data=_form("return", reason="民事，网格内协商"), ok=_state("reported", "grid")),
    ),
    "cases:start": Detail(
        "grid_worker",
        _made("accept"),
        method="post",
        post=Post(data=_form("start"), ok=_state("in_progress")),
    ),
    "cases:suspend": Detail(
        "grid_worker",
        _made("accept", "start"),
        method="post",
        post=Post(data=_form("suspend", reason="等待法院判决"), ok=_state("suspended")),
    ),
    "cases:resume": Detail(
        "grid_worker",
        _made("accept", "start", "suspend"),
        method="post",
        post=Post(data=_form("resume"), ok=_state("in_progress")),
    ),
    "cases:deliberate": Detail(
        "grid_worker",
        _made("accept", "start"),
        method="post",
        post=Post(data=_form("deliberate", note="提交村民代表会议"), ok=_state("deliberating")),
    ),
    "cases:extend": Detail(
        "grid_worker",
        _made("accept", "start"),
        method="post",
        post=Post(
            data=lambda k: {
                "extend-version": k["_version"],
                "extend-new_deadline": _in_days(30),
                "extend-reason": "等材料",
            },
            ok=_extension_requested,
        ),
    ),
    "cases:decide_extension": Detail(
        "village_secretary",
        _with_extension,
        method="post",
        post=Post(
            data=lambda k: {"decide_extension-extension": k["_extension"], "decide_extension-approve": "1"},
            ok=_extension_approved,
        ),
    ),
    "cases:resolve": Detail(
        "grid_worker",
        _made("accept", "start"),
        method="post",
        post=Post(data=_form("resolve", result="已修好"), ok=_state("resolved")),
    ),
    "cases:verify": Detail(
        "grid_worker",
        _made("accept", "start", "resolve"),
        method="post",
        post=Post(data=_form("verify", passed="1", note="现场看过"), ok=_state("verified")),
    ),
    "cases:rate": Detail(
        "villager",
        _villagers_verified,
        method="post",
        post=Post(data=_form("rate", rating="satisfied"), ok=_state("closed")),
    ),
    "cases:visit": Detail(
        "village_secretary",
        _made("accept", "start", "resolve", "verify"),
        method="post",
        post=Post(data=_form("visit", rating="partly", note="电话回访"), ok=_state("closed")),
    ),
    "cases:close": Detail(
        "village_secretary",
        _made("accept", "start", "resolve", "verify"),
        method="post",
        post=Post(data=_form("close", note="多次联系不上上报人"), ok=_state("closed")),
    ),
    "cases:escalate": Detail(
        "grid_worker",
        _reported,
        method="post",
        post=Post(data=_form("escalate", reason="需要村里协调"), ok=_state("reported", "village")),
    ),
    "cases:merge": Detail(
        "grid_worker",
        _duplicate_pair,
        method="post",
        post=Post(data=lambda k: {**_form("merge")(k), "merge-into": k["_into"]}, ok=_state("merged")),
    ),
}
