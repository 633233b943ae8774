"""Isolation registrations of the mediation routes (merged into tests/isolation/registry.py). The makers are in
tests/mediation/factories.py; what success looks like for each POST is below.

A mediator (assigned to a village) sees and acts on the mediations of that village and gets an audited 404 on
another village's; the rosters are kept by the village secretary; the service log is written by the legal
adviser. The API's writes share their paths with reads (GET shows the sessions, the outcome, the agreement): the
reads are checked here; the writes take JSON, which this harness does not post, and are checked for isolation in
tests/mediation/test_api.py."""

from tests.isolation.registry import Detail, Exempt, Listing, Post


def _mf():
    from tests.mediation import factories

    return factories


def _today() -> str:
    from xiangzhi.core import clock

    return clock.today().isoformat()


def _redirected(response, to: str | None = None):
    assert response.status_code == 302, f"expected a redirect after success, got {response.status_code}"
    if to is not None:
        assert response["Location"] == to, response["Location"]


def _mediation(pk):
    from xiangzhi.mediation.models import Mediation

    return Mediation.objects.get(pk=pk)


def _party(pk):
    from xiangzhi.mediation.models import MediationParty

    return MediationParty.objects.get(pk=pk)


# -- what success looks like -------------------------------------------------------------------------------------


def party_added(response, k):
    _redirected(response, f"/mediation/{k['pk']}/")
    assert _mediation(k["pk"]).parties.filter(name="外来当事人").exists()


def session_added(response, k):
    _redirected(response, f"/mediation/{k['pk']}/")
    assert _mediation(k["pk"]).sessions.filter(place="村委会调解室").count() == 1


def mediators_set(response, k):
    _redirected(response, f"/mediation/{k['pk']}/")
    assert list(_mediation(k["pk"]).mediators.values_list("pk", flat=True)) == [k["_mediator"]]


def outcome_recorded(response, k):
    _redirected(response, f"/mediation/{k['pk']}/")
    m = _mediation(k["pk"])
    assert (m.state, m.outcome) == ("ended", "litigation")


def agreement_recorded(response, k):
    _redirected(response, f"/mediation/{k['pk']}/")
    assert _mediation(k["pk"]).agreement.form == "written"


def sealed(response, k):
    _redirected(response, f"/mediation/{k['pk']}/")
    assert _mediation(k["pk"]).agreement.sealed_at is not None


def refused(response, k):
    p = _party(k["pk"])
    _redirected(response, f"/mediation/{p.mediation_id}/")
    assert p.refused_at is not None and p.mediation.state == "ended"


def signed(response, k):
    p = _party(k["pk"])
    _redirected(response, f"/mediation/{p.mediation_id}/")
    assert p.signed_at is not None


def roster_added(response, k):
    from xiangzhi.mediation.models import Mediator

    _redirected(response, "/mediation/mediators/")
    assert Mediator.objects.filter(region_code=k["_village"], name="新调解员").exists()


def roster_removed(response, k):
    from xiangzhi.mediation.models import Mediator

    _redirected(response, "/mediation/mediators/")
    assert Mediator.objects.get(pk=k["pk"]).is_active is False


def adviser_added(response, k):
    from xiangzhi.mediation.models import LegalAdviser

    added = LegalAdviser.objects.get(region_code=k["_village"], name="新顾问")
    _redirected(response, f"/mediation/advisers/{added.pk}/")


def adviser_removed(response, k):
    from xiangzhi.mediation.models import LegalAdviser

    _redirected(response, f"/mediation/advisers/{k['pk']}/")
    assert LegalAdviser.objects.get(pk=k["pk"]).is_active is False


def service_logged(response, k):
    from xiangzhi.mediation.models import ServiceLog

    _redirected(response, f"/mediation/advisers/{k['pk']}/")
    assert ServiceLog.objects.filter(adviser_id=k["pk"], kind="reception", people=3).exists()


REGION = {"region": ("region",)}
# rosters and the service log belong to a village (or a town), not a grid: a grid's code finds none of them, so
# the filter is tried with the town's code (and the other town's, which must list nothing of it)
TOWN = {"region": ("town",)}
API_WRITE = "接口写操作（JSON）；越权的调解返回 404 且不写入，见 tests/mediation/test_api.py"

ROUTES = {
    "mediation:list": [
        Listing("mediator", lambda g: _mf().make_listed(g), filters={**REGION, "q": ("marker",)}),
        Listing("town_leader", lambda g: _mf().make_listed(g), filters={**REGION, "q": ("marker",)}),
    ],
    "mediation:open": Exempt(
        "事件编号在查询参数中：越权或非矛盾纠纷的事件返回 404/422 且不写入，见 tests/mediation/test_pages.py"
    ),
    "mediation:detail": Detail("mediator", lambda g: _mf().make_mediation(g)),
    "mediation:party_add": Detail(
        "mediator",
        lambda g: _mf().make_mediation(g),
        post=Post(
            data={"role": "respondent", "kind": "outsider", "name": "外来当事人", "address": "外县"},
            ok=party_added,
        ),
    ),
    "mediation:session_add": Detail(
        "mediator",
        lambda g: _mf().make_mediation(g),
        post=Post(
            data=lambda k: {"date": _today(), "place": "村委会调解室", "notes": "双方陈述。"},
            ok=session_added,
        ),
    ),
    "mediation:mediators_set": Detail(
        "mediator",
        lambda g: _mf().make_mediation_with_candidate(g),
        post=Post(data=lambda k: {"mediators": [k["_mediator"]]}, ok=mediators_set),
    ),
    "mediation:outcome": Detail(
        "mediator",
        lambda g: _mf().make_mediation(g),
        post=Post(data={"outcome": "litigation", "note": "当事人已向法院起诉。"}, ok=outcome_recorded),
    ),
    "mediation:agreement_record": Detail(
        "mediator",
        lambda g: _mf().make_mediation_with_parties(g),
        post=Post(
            data=lambda k: {
                "form": "written",
                "facts": "排水沟改道引起纠纷。",
                "terms": "由甲方恢复原排水沟。",
                "performance_method": "甲方自行施工。",
                "performance_due": _today(),
            },
            ok=agreement_recorded,
        ),
    ),
    "mediation:agreement_seal": Detail("mediator", lambda g: _mf().make_written(g), post=Post(ok=sealed)),
    "mediation:agreement_pdf": Detail("mediator", lambda g: _mf().make_written(g)),
    "mediation:party_refuse": Detail(
        "mediator",
        lambda g: _mf().make_party(g),
        post=Post(data={"reason": "当事人不愿调解。", "confirmed": "on"}, ok=refused),
    ),
    "mediation:agreement_sign": Detail(
        "mediator", lambda g: _mf().make_written_party(g), post=Post(ok=signed)
    ),
    "mediation:mediator_list": [
        Listing(
            "village_secretary",
            lambda g: _mf().make_roster(g),
            filters=TOWN,
            post=Post(
                data=lambda k: {"region": k["_village"], "name": "新调解员", "kind": "party_team"},
                ok=roster_added,
            ),
        ),
        Listing("mediator", lambda g: _mf().make_roster(g), filters=TOWN),
    ],
    "mediation:mediator_deactivate": Detail(
        "village_secretary", lambda g: _mf().make_roster(g), post=Post(ok=roster_removed)
    ),
    "mediation:adviser_list": [
        Listing(
            "village_secretary",
            lambda g: _mf().make_adviser(g),
            filters=TOWN,
            post=Post(
                data=lambda k: {"village": k["_village"], "name": "新顾问", "firm": "公益律所"},
                ok=adviser_added,
            ),
        ),
        Listing("town_leader", lambda g: _mf().make_adviser(g), filters=TOWN),
    ],
    "mediation:adviser_detail": Detail(
        "legal_adviser",
        lambda g: _mf().make_adviser(g),
        post=Post(
            data=lambda k: {
                "kind": "reception",
                "date": _today(),
                "hours": "1.5",
                "people": "3",
                "materials": "0",
            },
            ok=service_logged,
        ),
    ),
    "mediation:adviser_deactivate": Detail(
        "village_secretary", lambda g: _mf().make_adviser(g), post=Post(ok=adviser_removed)
    ),
    "mediation:service_log": [
        Listing("legal_adviser", lambda g: _mf().make_service_log(g), filters=TOWN),
        Listing("town_leader", lambda g: _mf().make_service_log(g), filters=TOWN),
    ],
    "mediation:service_log_export": [
        Listing("village_secretary", lambda g: _mf().make_service_log(g), filters=TOWN),
        Listing("town_leader", lambda g: _mf().make_service_log(g), filters=TOWN),
    ],
    # API: reads here, writes (same paths, JSON bodies) in tests/mediation/test_api.py
    "api:mediation_list": [
        Listing("mediator", lambda g: _mf().make_listed(g), api=True, filters=REGION),
        Listing("town_leader", lambda g: _mf().make_listed(g), api=True, filters=REGION),
    ],
    "api:mediation_detail": Detail("mediator", lambda g: _rename(_mf().make_mediation(g)), api=True),
    "api:mediation_sessions": Detail("mediator", lambda g: _rename(_mf().make_mediation(g)), api=True),
    "api:mediation_outcome": Detail("mediator", lambda g: _rename(_mf().make_mediation(g)), api=True),
    "api:mediation_agreement": Detail("mediator", lambda g: _rename(_mf().make_written(g)), api=True),
    "api:mediation_open": Exempt(API_WRITE),
    "api:mediation_session_add": Exempt(API_WRITE),
    "api:mediation_outcome_record": Exempt(API_WRITE),
    "api:mediation_agreement_record": Exempt(API_WRITE),
}


def _rename(made):
    kwargs, marker = made
    return {"mediation_id": kwargs["pk"]}, marker
