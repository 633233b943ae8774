"""Reading points: schemes, claims, the notice board (公示) and objections, always scoped by the policy.

Reach, as the policy says it:
- schemes: a village's schemes to whoever may view its points (`points.view`); a town's published templates also to
  the villages under it (they copy them);
- claims: within reach of `points.view` (cadres, the review group, grid workers of the grid), and a villager's own
  household's (`points.view_own`). These pages and the API show household claims; party-member claims are the
  party pages';
- the notice board: a village's claims on notice to everyone of the village (`points.view` or `points.object`
  granted anywhere in it: a grid worker of one grid sees the whole village's board);
- objections: through their claim, to those who answer them (`points.answer`).
Anything out of reach is a 404, and the refusal is audited.
"""

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from xiangzhi import policy
from xiangzhi.audit.services import record_denied
from xiangzhi.points.models import HOLDER_HOUSEHOLD, Claim, Objection, PointItem, PointScheme
from xiangzhi.points.policy import own_household_id
from xiangzhi.regions.codes import scope_q

# -- schemes -----------------------------------------------------------------------------------------------------


def scheme_scope(user) -> QuerySet:
    """Schemes in reach, with the active templates of the towns above the user's villages."""
    prefixes = policy.region_prefixes(user, "points.view")
    towns = sorted({p[:9] for p in prefixes if len(p) >= 9})
    own = scope_q(prefixes, "region_code")
    templates = (
        Q(is_template=True, status=PointScheme.ACTIVE, region_code__in=towns) if towns else Q(pk__in=[])
    )
    return PointScheme.objects.filter(own | templates)


def scheme_list(*, user, region: str = "", status: str = "", kind: str = HOLDER_HOUSEHOLD) -> QuerySet:
    qs = scheme_scope(user).filter(kind=kind).select_related("region", "based_on")
    if region:
        qs = qs.filter(Q(region_code__startswith=region) | Q(is_template=True, region_code=region[:9]))
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(item_count=Count("items")).order_by("-is_template", "region_code", "-version")


def _denied(action: str, obj) -> Http404:
    record_denied(action, obj=obj, region_code=getattr(obj, "region_code", ""), detail="out_of_scope")
    return Http404("未找到")


def scheme_get(*, user, pk: int) -> PointScheme:
    scheme = scheme_scope(user).select_related("region", "based_on").filter(pk=pk).first()
    if scheme is None:
        other = PointScheme.objects.filter(pk=pk).first()
        if other is None:
            raise Http404("未找到")
        raise _denied("points.view", other)
    return scheme


def scheme_items(scheme: PointScheme) -> list[PointItem]:
    return list(scheme.items.order_by("sort", "code"))


def active_items(
    village_code: str, kind: str = HOLDER_HOUSEHOLD, *, merits_only: bool = False
) -> list[PointItem]:
    """The items of the village's active scheme of `kind` (what may be claimed now), in the scheme's order;
    `merits_only`: without the deductions (what a household may claim for itself)."""
    qs = PointItem.objects.filter(points__gt=0) if merits_only else PointItem.objects.all()
    return list(
        qs.filter(
            scheme__region_code=village_code,
            scheme__kind=kind,
            scheme__status=PointScheme.ACTIVE,
            scheme__is_template=False,
        )
        .select_related("scheme")
        .order_by("sort", "code")
    )


def active_items_by_village(village_codes) -> dict[str, list[PointItem]]:
    found: dict[str, list[PointItem]] = {}
    for item in (
        PointItem.objects.filter(
            scheme__region_code__in=list(village_codes),
            scheme__kind=HOLDER_HOUSEHOLD,
            scheme__status=PointScheme.ACTIVE,
            scheme__is_template=False,
        )
        .select_related("scheme")
        .order_by("scheme__region_code", "sort", "code")
    ):
        found.setdefault(item.scheme.region_code, []).append(item)
    return found


def item_get(*, scheme: PointScheme, pk: int) -> PointItem:
    item = scheme.items.filter(pk=pk).first()
    if item is None:
        raise Http404("未找到")
    return item


def scheme_regions(user, *, template: bool = False):
    """The villages (or, for a template, towns) where the user may draw up a scheme."""
    from xiangzhi.regions.selectors import region_list

    if template:
        return region_list(user=user, action="points.template", level="town").filter(is_active=True)
    return region_list(user=user, action="points.scheme", level="village").filter(is_active=True)


# -- claims ------------------------------------------------------------------------------------------------------


def _claims() -> QuerySet:
    return Claim.objects.filter(household__isnull=False).select_related("item", "household", "scheme")


def claim_scope(user) -> QuerySet:
    """Household claims the user may see: in reach of `points.view`, or the own household's."""
    seen = policy.scope(user, "points.view", _claims())
    household_id = own_household_id(user)
    if household_id is not None and policy.granting(user, "points.view_own"):
        seen = seen | policy.scope(user, "points.view_own", _claims().filter(household_id=household_id))
    return seen


def claim_list(
    *,
    user,
    state: str = "",
    item: str = "",
    region: str = "",
    q: str = "",
    batch: str = "",
    action: str = "points.view",
) -> QuerySet:
    """Claims for a list: `action` "points.review" gives the review group's queue (its villages only)."""
    qs = policy.scope(user, action, _claims(), within=region or None) if action else claim_scope(user)
    if state == "open":
        qs = qs.filter(state__in=Claim.OPEN_STATES)
    elif state:
        qs = qs.filter(state=state)
    if item:
        qs = qs.filter(item__code=item.upper())
    if batch:
        qs = qs.filter(batch=batch)
    if q:
        qs = qs.filter(household__head_name__contains=q)
    return (
        qs.select_related("claimant").annotate(photo_count=Count("evidence")).order_by("-created_at", "-id")
    )


def my_claims(*, user, state: str = "") -> QuerySet:
    """The user's own household's claims (the villager's "我的申报")."""
    household_id = own_household_id(user)
    if household_id is None:
        return Claim.objects.none()
    qs = policy.scope(user, "points.view_own", _claims().filter(household_id=household_id))
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-id")


def claim_get(*, user, pk: int) -> Claim:
    claim = _claims().select_related("claimant", "reviewed_by", "entry").filter(pk=pk).first()
    if claim is None:
        raise Http404("未找到")
    if policy.can(user, "points.view", claim) or policy.can(user, "points.view_own", claim):
        return claim
    raise _denied("points.view", claim)


def claim_evidence(claim: Claim) -> list:
    return list(claim.evidence.order_by("id"))


def claim_objections(claim: Claim) -> list[Objection]:
    return list(claim.objections.select_related("raised_by", "answered_by").order_by("raised_at", "id"))


def item_choices(user, village_codes) -> list[tuple[str, str]]:
    """(code, name) of the items of the active schemes of the villages the user sees, for the queue's filter."""
    seen: dict[str, str] = {}
    for item in PointItem.objects.filter(
        scheme__region_code__in=list(village_codes),
        scheme__status=PointScheme.ACTIVE,
        scheme__is_template=False,
    ).order_by("code"):
        seen.setdefault(item.code, item.name)
    return sorted(seen.items())


# -- the notice board ---------------------------------------------------------------------------------------------


def board_villages(user) -> list[str]:
    """Village-level prefixes of everyone who may see a village's board: staff in reach and the people of the
    village (a grant below village level, a grid, reaches its whole village's board)."""
    prefixes = [*policy.region_prefixes(user, "points.view"), *policy.region_prefixes(user, "points.object")]
    return sorted({p[:12] if len(p) > 12 else p for p in prefixes})


def notice_list(*, user, region: str = "", now: dt.datetime | None = None) -> QuerySet:
    """Claims on notice in the villages the user belongs to or oversees, ending soonest first, each with its
    objections (answered ones are public; open ones are only counted on the board)."""
    villages = board_villages(user)
    qs = _claims().filter(scope_q(villages, "village_code"), state=Claim.NOTICE)
    if region:
        # narrowing only: a region outside the board's reach matches nothing
        qs = qs.filter(scope_q([region], "region_code"))
    return qs.prefetch_related(
        Prefetch("objections", queryset=Objection.objects.order_by("raised_at", "id"))
    ).order_by("notice_until", "id")


def notice_claim_get(*, user, pk: int) -> Claim:
    """A claim on the user's board (to object to it)."""
    claim = _claims().filter(pk=pk).first()
    if claim is None:
        raise Http404("未找到")
    villages = board_villages(user)
    if not any(claim.village_code.startswith(v) for v in villages):
        raise _denied("points.object", claim)
    return claim


# -- objections ---------------------------------------------------------------------------------------------------


def objection_list(*, user, state: str = Objection.OPEN, region: str = "") -> QuerySet:
    qs = policy.scope(
        user,
        "points.answer",
        Objection.objects.filter(claim__household__isnull=False),
        field="claim__region_code",
        within=region or None,
    )
    if state:
        qs = qs.filter(state=state)
    return qs.select_related("claim", "claim__item", "claim__household").order_by("raised_at", "id")


def objection_get(*, user, pk: int) -> Objection:
    objection = (
        Objection.objects.select_related(
            "claim", "claim__item", "claim__household", "raised_by", "answered_by"
        )
        .filter(pk=pk, claim__household__isnull=False)
        .first()
    )
    if objection is None:
        raise Http404("未找到")
    if not policy.can(user, "points.answer", objection.claim):
        raise _denied("points.answer", objection.claim)
    return objection


# -- households for recording ------------------------------------------------------------------------------------


def recordable_households(*, user, region: str = "", q: str = "") -> QuerySet:
    """Active households the user may record points for (a grid worker: his grids; a cadre: the village)."""
    from xiangzhi.people.selectors import household_list

    return household_list(
        user=user, q=q or None, region_code=region or None, status="active", action="points.record"
    )


def record_regions(user):
    """The villages and grids the user may record for (the bulk screen's choice)."""
    from xiangzhi.regions.selectors import region_list

    return (
        region_list(user=user, action="points.record", levels=("village", "grid"))
        .filter(is_active=True)
        .select_related("parent")
        .order_by("code")
    )


def pending_counts(user) -> dict[str, int]:
    """What waits for the user: claims to review, objections to answer (each scoped by its own action)."""
    counts = {"review": 0, "objections": 0}
    if policy.granting(user, "points.review"):
        counts["review"] = policy.scope(
            user, "points.review", _claims().filter(state=Claim.SUBMITTED)
        ).count()
    if policy.granting(user, "points.answer"):
        counts["objections"] = objection_list(user=user).count()
    return counts
