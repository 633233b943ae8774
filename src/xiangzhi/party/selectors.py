"""Reading the party organisation, scoped with `party.view`."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from xiangzhi import policy
from xiangzhi.party.models import HouseholdLink, PartyMember, PartyOrg
from xiangzhi.people.models import Household
from xiangzhi.regions import codes
from xiangzhi.regions import selectors as region_selectors
from xiangzhi.regions.models import Region


@dataclass
class OrgNode:
    org: PartyOrg
    depth: int
    member_count: int


def party_org_list(*, user) -> QuerySet:
    return (
        policy.scope(user, "party.view", PartyOrg.objects.all())
        .select_related("region")
        .annotate(member_count=Count("members", filter=Q(members__is_active=True)))
        .order_by("region_code", "id")
    )


def party_org_tree(*, user) -> list[OrgNode]:
    """The orgs the user may see, in tree order (parents before children); an org whose parent is out of the
    user's reach (a village secretary does not see the town committee) starts its own branch. Two queries."""
    orgs = list(party_org_list(user=user))
    by_parent: dict[int | None, list[PartyOrg]] = {}
    ids = {o.pk for o in orgs}
    for o in orgs:
        by_parent.setdefault(o.parent_id if o.parent_id in ids else None, []).append(o)
    out: list[OrgNode] = []

    def walk(parent_id, depth):
        for o in by_parent.get(parent_id, []):
            out.append(OrgNode(o, depth, o.member_count))
            walk(o.pk, depth + 1)

    walk(None, 0)
    return out


def party_org_get(*, user, pk) -> PartyOrg:
    return policy.get_scoped_or_404(
        user, "party.view", PartyOrg.objects.select_related("region", "parent"), pk=pk
    )


def party_member_list(*, user, org: PartyOrg | None = None, q: str | None = None) -> QuerySet:
    qs = (
        policy.scope(user, "party.view", PartyMember.objects.all())
        .select_related("org")
        .annotate(link_count=Count("links"))
    )
    if org is not None:
        qs = qs.filter(org=org)
    if q:
        qs = qs.filter(name__contains=q.strip())
    return qs.order_by("region_code", "id")


def party_member_get(*, user, pk) -> PartyMember:
    return policy.get_scoped_or_404(user, "party.view", PartyMember.objects.select_related("org"), pk=pk)


def household_link_list(*, user, member: PartyMember | None = None, household=None) -> QuerySet:
    qs = policy.scope(user, "party.view", HouseholdLink.objects.all()).select_related("member", "household")
    if member is not None:
        qs = qs.filter(member=member)
    if household is not None:
        qs = qs.filter(household=household)
    return qs.order_by("household__region_code", "household_id")


def household_link_get(*, user, pk) -> HouseholdLink:
    return policy.get_scoped_or_404(
        user, "party.view", HouseholdLink.objects.select_related("member", "household"), pk=pk
    )


@dataclass
class Coverage:
    village: Region
    limit: int
    households: int
    linked: int
    unlinked: QuerySet  # households of the village that no active member looks after
    members: list  # members of the village, each with `link_count`
    over_limit: list  # members above the limit (the limit was lowered after they were linked)

    @property
    def unlinked_count(self) -> int:
        return self.households - self.linked

    @property
    def rate(self) -> float:
        return self.linked / self.households if self.households else 0.0


def coverage(*, user, village: Region) -> Coverage:
    """联户 coverage of one village: households linked to no active member, and members over the limit.
    The caller fetched `village` through the regions selectors (so it is within the user's reach)."""
    in_village = codes.scope_q([village.code])
    active_link = HouseholdLink.objects.filter(household=OuterRef("pk"), member__is_active=True)
    households = policy.scope(
        user, "party.view", Household.objects.filter(in_village, status=Household.STATUS_ACTIVE)
    ).annotate(is_linked=Exists(active_link))
    total = households.count()
    linked = households.filter(is_linked=True).count()
    unlinked = households.filter(is_linked=False).select_related("region").order_by("region_code", "id")
    members = list(
        policy.scope(user, "party.view", PartyMember.objects.filter(in_village, is_active=True))
        .select_related("org")
        .annotate(link_count=Count("links"))
        .order_by("-link_count", "id")
    )
    limit = village.household_link_limit
    return Coverage(
        village=village,
        limit=limit,
        households=total,
        linked=linked,
        unlinked=unlinked,
        members=members,
        over_limit=[m for m in members if m.link_count > limit],
    )


def village_get(*, user, code: str) -> Region:
    """A village within the user's `party.view` reach (404 and an audited refusal otherwise)."""
    return region_selectors.region_get(user=user, code=code, action="party.view", level=codes.VILLAGE)


def village_list(*, user) -> QuerySet:
    return region_selectors.region_list(user=user, action="party.view", level=codes.VILLAGE).filter(
        is_active=True
    )


# -- choices for the write forms ------------------------------------------------------------------------------

CANDIDATE_LIMIT = 20


def reach_prefixes(org: PartyOrg) -> list[str]:
    """The villages (or, for a town committee, the town) an org works in: its home region and the regions it
    covers, each cut to the village (the same reach as services.household_link_add checks)."""
    codes_ = [org.region_code, *org.covered_regions.values_list("code", flat=True)]
    return codes.minimal_prefixes(c[:12] for c in codes_)


def member_candidates(*, user, org: PartyOrg, q: str | None = None) -> QuerySet:
    """Residents who may be added to `org` as members: living in its villages, within the user's `people.view`
    reach, not already a member. The encrypted columns are not loaded."""
    from xiangzhi.people import selectors as people_selectors
    from xiangzhi.people.models import Resident

    qs = people_selectors.resident_list(user=user, q=q, status=Resident.STATUS_NORMAL).filter(
        codes.scope_q(reach_prefixes(org)), party_member__isnull=True
    )
    return qs


def link_household_candidates(
    *, user, member: PartyMember, q: str | None = None, unlinked_only: bool = False
) -> QuerySet:
    """Households `member` may be linked to: in the member's org's reach, in the register, within the user's
    `party.change` reach, not yet linked to this member. `unlinked_only`: only those no active member looks
    after (what the form offers before anything is searched)."""
    from xiangzhi.people import selectors as people_selectors

    qs = (
        people_selectors.household_list(user=user, q=q, status=Household.STATUS_ACTIVE, action="party.change")
        .filter(codes.scope_q(reach_prefixes(member.org)))
        .exclude(pk__in=HouseholdLink.objects.filter(member=member).values("household_id"))
    )
    if unlinked_only:
        active_link = HouseholdLink.objects.filter(household=OuterRef("pk"), member__is_active=True)
        qs = qs.exclude(Exists(active_link))
    return qs


def link_member_candidates(*, user, household: Household) -> QuerySet:
    """Active members whose org reaches `household`, within the user's `party.change` reach, not yet linked to
    it; each with `link_count`."""
    village = household.region_code[:12]
    above = [*codes.ancestor_codes(village), village]
    reaching = PartyOrg.objects.filter(
        Q(region_code__in=above)
        | codes.scope_q([village])
        | Q(covered_regions__code__in=above)
        | codes.scope_q([village], field="covered_regions__code")
    ).values("pk")
    return (
        policy.scope(user, "party.change", PartyMember.objects.filter(is_active=True, org__in=reaching))
        .exclude(pk__in=HouseholdLink.objects.filter(household=household).values("member_id"))
        .select_related("org")
        .annotate(link_count=Count("links"))
        .order_by("region_code", "id")
    )


def link_limits(members) -> dict[str, int]:
    """The 联户 limit of each member's village, keyed by village code, in one query (15 where unknown)."""
    from xiangzhi.party.services import DEFAULT_LINK_LIMIT

    villages = {m.region_code[:12] for m in members}
    found = dict(
        Region.objects.filter(code__in=villages, level="village").values_list("code", "household_link_limit")
    )
    return {v: found.get(v, DEFAULT_LINK_LIMIT) for v in villages}
