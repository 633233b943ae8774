"""Isolation of the points pages and API of schemes, claims, review, the notice board and objections
(points/views.py, points/api.py). Each maker builds through the real services, in the grid's village, as the people
who would: the village's secretary draws up the scheme, a grid worker records a claim, the review group approves
it. The marker is the household head's (or the scheme's) name. Merged into registry.ROUTES."""

from tests.isolation.registry import Detail, Exempt, Listing, Post

PAGES = "tests/points/test_pages.py"
API = "tests/points/test_api.py"
BULK = "tests/points/test_bulk.py"


def _u(role, region):
    from tests import factories

    return factories.user_with_role(role, region)


def _region(code):
    from xiangzhi.regions.models import Region

    return Region.objects.get(code=code)


def _secretary(village):
    from xiangzhi.accounts.models import RoleAssignment

    grant = RoleAssignment.objects.filter(
        role="village_secretary", region_code=village.code, is_active=True, user__username__startswith="pts-"
    ).first()
    if grant:
        return grant.user
    from tests import factories

    return factories.user_with_role("village_secretary", village, username=f"pts-{village.code}")


def _scheme(grid):
    """The village's active scheme (one per village: the home grid and its sibling share it)."""
    from xiangzhi.points import services

    village = _region(grid.code[:12])
    found = services.active_scheme(village.code)
    if found is not None:
        return found
    from tests.points import factories as pts

    return pts.scheme(
        village, _secretary(village), items=[("HJ01", "庭院整洁", 5, {"category": "environment"})]
    )


def _item(grid):
    return _scheme(grid).items.get(code="HJ01")


def _household(grid):
    from tests.people import factories as pf

    return pf.household(grid, head_name=f"户{grid.code}")


def make_household(grid):
    _scheme(grid)
    h = _household(grid)
    return {"_household": h.pk, "_item": _item(grid).pk, "_grid": grid.code}, h.head_name


def _claim(grid, *, photo: bool = False):
    from xiangzhi.points import services

    h = _household(grid)
    photos = []
    if photo:
        from tests.cases.factories import photo as make_photo

        photos = [make_photo()]
    claim = services.claim_record(user=_u("grid_worker", grid), item=_item(grid), household=h, photos=photos)
    return claim, h.head_name


def make_claim(grid):
    claim, marker = _claim(grid)
    return {"pk": claim.pk, "_version": claim.version}, marker


def make_claim_with_photo(grid):
    claim, marker = _claim(grid, photo=True)
    return {"pk": claim.pk, "file_id": claim.evidence.get().pk}, marker


def _on_notice(grid):
    from xiangzhi.points import services

    claim, marker = _claim(grid)
    reviewer = _u("points_reviewer", _region(grid.code[:12]))
    return services.claim_review(user=reviewer, claim=claim, decision="approve"), marker


def make_notice(grid):
    claim, marker = _on_notice(grid)
    return {"pk": claim.pk}, marker


def make_objection(grid):
    from xiangzhi.points import services

    claim, marker = _on_notice(grid)
    objection = services.objection_raise(
        user=_u("villager", _region(grid.code[:12])), claim=claim, text_="有异议"
    )
    return {"pk": objection.pk}, marker


def make_scheme(grid):
    scheme = _scheme(grid)
    return {"pk": scheme.pk}, scheme.name


def make_draft(grid):
    """A draft (the next version) of the village's scheme, with one item."""
    from xiangzhi.points import services
    from xiangzhi.points.models import PointScheme

    village = _region(grid.code[:12])
    # one draft at a time per village: a route walk (tests/privacy) asks for it more than once; the active scheme
    # may come from another module's maker, with more items
    draft = PointScheme.objects.filter(region_code=village.code, status=PointScheme.DRAFT).first()
    if draft is None:
        draft = services.scheme_copy(
            user=_secretary(village), source=_scheme(grid), region=village, name=f"草案{village.code}"
        )
    return {"pk": draft.pk, "item_pk": draft.items.order_by("pk").first().pk}, draft.name


def make_draft_only(grid):
    kwargs, marker = make_draft(grid)
    return {"pk": kwargs["pk"]}, marker


# -- effects -------------------------------------------------------------------------------------------------------


def _claim_state(state):
    def ok(response, k):
        from xiangzhi.points.models import Claim

        assert response.status_code == 302, response.status_code
        assert Claim.objects.get(pk=k["pk"]).state == state

    return ok


def claim_recorded(response, k):
    from xiangzhi.points.models import Claim

    assert response.status_code == 302, response.status_code
    assert Claim.objects.filter(household_id=k["_household"], source="recorded").exists()


def objection_raised(response, k):
    from xiangzhi.points.models import Objection

    assert response.status_code == 302, response.status_code
    assert Objection.objects.filter(claim_id=k["pk"], text="他家并没有做").exists()


def objection_answered(response, k):
    from xiangzhi.points.models import Objection

    assert response.status_code == 302, response.status_code
    assert Objection.objects.get(pk=k["pk"]).state == Objection.DISMISSED


def item_added(response, k):
    from xiangzhi.points.models import PointItem

    assert response.status_code == 302, response.status_code
    assert PointItem.objects.filter(scheme_id=k["pk"], code="ZZ9").exists()


def item_changed(response, k):
    from xiangzhi.points.models import PointItem

    assert response.status_code == 302, response.status_code
    assert PointItem.objects.get(pk=k["item_pk"]).name == "改过的名称"


def item_deleted(response, k):
    from xiangzhi.points.models import PointItem

    assert response.status_code == 302, response.status_code
    assert not PointItem.objects.filter(pk=k["item_pk"]).exists()


def scheme_active(response, k):
    from xiangzhi.points.models import PointScheme

    assert response.status_code == 302, response.status_code
    assert PointScheme.objects.get(pk=k["pk"]).status == PointScheme.ACTIVE


def scheme_copied(response, k):
    from xiangzhi.points.models import PointScheme

    assert response.status_code == 302, response.status_code
    assert PointScheme.objects.filter(based_on_id=k["pk"], status=PointScheme.DRAFT).exists()


def _today() -> str:
    from xiangzhi.core import clock

    return clock.today().isoformat()


ITEM_FORM = {"code": "ZZ9", "name": "改过的名称", "category": "other", "points": "2"}
CLAIM_FILTERS = {"region": ("region",), "q": ("marker",)}


def _renamed(make, **names):
    def renamed(grid):
        kwargs, marker = make(grid)
        return {new: kwargs[old] for new, old in names.items()}, marker

    return renamed


ROUTES = {
    "points:home": Exempt(
        f"入口页：村民只看到本户的积分和申报，干部只看到链接和本人辖区的待办数（见 {PAGES}）"
    ),
    "points:my_claims": Exempt(f"只列出本人所在户的申报，他户的申报返回 404（见 {PAGES}）"),
    "points:claim_new": Exempt(
        f"只能为本人所在户申报，只列出本村施行中方案的积分项，他村的项被拒绝且不写入（见 {PAGES}）"
    ),
    "points:claim_record": Listing(
        "grid_worker",
        make_household,
        filters=CLAIM_FILTERS,
        post=Post(
            data=lambda k: {"household": k["_household"], "item": k["_item"], "occurred_on": _today()},
            ok=claim_recorded,
        ),
    ),
    "points:bulk": Listing(
        "grid_worker",
        make_household,
        post=Post(
            data=lambda k: {
                "region": k["_grid"],
                "occurred_on": _today(),
                f"item_{k['_household']}": k["_item"],
            },
            ok=claim_recorded,
        ),
    ),
    "points:claim_list": [
        Listing("village_secretary", make_claim, filters=CLAIM_FILTERS),
        Listing("town_leader", make_claim, filters=CLAIM_FILTERS),
        Listing("grid_worker", make_claim, filters=CLAIM_FILTERS),
    ],
    "points:review_queue": Listing("points_reviewer", make_claim, filters=CLAIM_FILTERS),
    "points:claim_detail": [
        Detail("village_secretary", make_claim),
        Detail("grid_worker", make_claim),
    ],
    "points:claim_file": Detail("points_reviewer", make_claim_with_photo),
    "points:claim_review": Detail(
        "points_reviewer",
        make_claim,
        method="post",
        post=Post(
            data=lambda k: {"decision": "approve", "version": k["_version"]}, ok=_claim_state("notice")
        ),
    ),
    "points:claim_withdraw": Detail(
        "points_reviewer",
        make_claim,
        method="post",
        post=Post(data=lambda k: {"version": k["_version"]}, ok=_claim_state("withdrawn")),
    ),
    "points:objection_raise": Detail(
        "villager",
        make_notice,
        method="post",
        post=Post(data=lambda k: {f"o{k['pk']}-text": "他家并没有做"}, ok=objection_raised),
    ),
    "points:notice": [
        Listing("villager", make_notice, filters={"region": ("region",)}),
        Listing("town_leader", make_notice, filters={"region": ("region",)}),
    ],
    "points:objection_list": Listing("points_reviewer", make_objection, filters={"region": ("region",)}),
    "points:objection_answer": Detail(
        "points_reviewer",
        make_objection,
        post=Post(data={"upheld": "0", "answer": "经核实属实"}, ok=objection_answered),
    ),
    "points:scheme_list": [
        Listing("village_secretary", make_scheme),
        Listing("town_leader", make_scheme),
    ],
    "points:scheme_create": Exempt(
        f"村（或乡镇模板的乡镇）只能从本人可制定方案的辖区中选，越权的村被表单拒绝且不写入（见 {PAGES}）"
    ),
    "points:scheme_detail": Detail("village_secretary", make_scheme),
    "points:item_add": Detail(
        "village_secretary", make_draft_only, method="post", post=Post(data=ITEM_FORM, ok=item_added)
    ),
    "points:item_edit": Detail(
        "village_secretary", make_draft, post=Post(data={**ITEM_FORM, "code": "X"}, ok=item_changed)
    ),
    "points:item_delete": Detail("village_secretary", make_draft, method="post", post=Post(ok=item_deleted)),
    "points:scheme_activate": Detail(
        "village_secretary", make_draft_only, method="post", post=Post(ok=scheme_active)
    ),
    "points:scheme_copy": Detail(
        "village_secretary", make_scheme, method="post", post=Post(ok=scheme_copied)
    ),
    # API: reads registered as the pages; writes (JSON bodies) are tested in tests/points/test_api.py
    "api:points_scheme_list": Listing("village_secretary", make_scheme, api=True),
    "api:points_scheme_detail": Detail("village_secretary", _renamed(make_scheme, scheme_id="pk"), api=True),
    "api:points_claimable_items": Exempt(f"只返回本人所在户的村施行中的积分项（见 {API}）"),
    "api:points_claim_list": [
        Listing("village_secretary", make_claim, api=True, filters=CLAIM_FILTERS),
        Listing("grid_worker", make_claim, api=True, filters=CLAIM_FILTERS),
    ],
    "api:points_claim_detail": Detail("village_secretary", _renamed(make_claim, claim_id="pk"), api=True),
    "api:points_claim_submit": Exempt(
        f"与申报列表同一路径的 POST：只能为本人所在户申报，他村的积分项 422 且不写入（见 {API}）"
    ),
    "api:points_claim_record": Exempt(
        f"接口写操作（JSON）；辖区外的户返回 404 并记入审计、不写入（见 {API}）"
    ),
    "api:points_claim_bulk": Exempt(
        f"接口写操作（JSON）；任何一户在辖区外整批返回 404 并记入审计、不写入（见 {API}、{BULK}）"
    ),
    "api:points_claim_review": Exempt(
        f"接口写操作（JSON）；他村的申报返回 404 并记入审计、不写入（见 {API}）"
    ),
    "api:points_claim_withdraw": Exempt(
        f"接口写操作（JSON）；他村的申报返回 404 并记入审计、不写入（见 {API}）"
    ),
    "api:points_objection_raise": Exempt(
        f"接口写操作（JSON）；只能对本村公示中的申报提出，他村返回 404（见 {API}）"
    ),
    "api:points_objection_list": Listing(
        "points_reviewer", make_objection, api=True, filters={"region": ("region",)}
    ),
    "api:points_objection_answer": Exempt(
        f"接口写操作（JSON）；答复权限之外的异议返回 404、不写入（见 {API}）"
    ),
    "api:points_notice_list": [
        Listing("villager", make_notice, api=True, filters={"region": ("region",)}),
        Listing("town_leader", make_notice, api=True, filters={"region": ("region",)}),
    ],
}
