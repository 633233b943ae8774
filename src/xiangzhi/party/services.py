"""Changing the party organisation tree, its members and their household links (党员联户).

`user` is the person acting (`party.change` is checked here) or None for the system (CLI, demo seeder).
"""

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from xiangzhi.audit.services import record
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.party.models import HouseholdLink, PartyMember, PartyOrg
from xiangzhi.party.selectors import reach_prefixes
from xiangzhi.people.models import Household, Resident
from xiangzhi.people.services import guarded
from xiangzhi.regions import codes
from xiangzhi.regions.models import Region

# Depth of each kind in the tree: a child is always deeper than its parent.
KIND_DEPTH = {
    "town_committee": 0,
    "general_branch": 1,
    "village_committee": 1,
    "branch": 2,
    "group": 3,
    "center_household": 4,
}
KIND_LABELS = dict(PartyOrg.KIND_CHOICES)
DEFAULT_LINK_LIMIT = 15


@guarded("party.change", "region")
def party_org_create(
    *,
    user,
    name: str,
    kind: str,
    region: Region,
    parent: PartyOrg | None = None,
    covered_regions: Iterable[Region] = (),
    secretary_name: str = "",
) -> PartyOrg:
    """An org whose home is `region`; it also covers `covered_regions` (a 联村党总支 its villages, a 党小组 its
    grids). Everything stays inside the town of the parent."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写党组织名称。", field="name")
    if kind not in KIND_DEPTH:
        raise ValidationFailed("党组织类型不正确。", field="kind")
    if kind == "town_committee":
        if parent is not None:
            raise ValidationFailed("乡镇党委是最上一级，不能有上级党组织。", field="parent")
        if region.level != "town":
            raise ValidationFailed("乡镇党委的所在辖区必须是乡镇。", field="region")
    else:
        if parent is None:
            raise ValidationFailed(f"{KIND_LABELS[kind]}须有上级党组织。", field="parent")
        if KIND_DEPTH[kind] <= KIND_DEPTH[parent.kind]:
            raise ValidationFailed(
                f"{KIND_LABELS[kind]}不能设在{KIND_LABELS[parent.kind]}之下。", field="parent"
            )
        if region.level in ("county", "town"):
            raise ValidationFailed(f"{KIND_LABELS[kind]}的所在辖区应为村或网格。", field="region")
    town = (parent.region_code if parent else region.code)[:9]
    covered = list(covered_regions)
    for r in [region, *covered]:
        if not codes.in_scope(r.code, town):
            raise ValidationFailed(f"“{r.name}”不在上级党组织所在乡镇内。", field="covered_regions")
    org = PartyOrg.objects.create(
        name=name,
        kind=kind,
        parent=parent,
        region=region,
        region_code=region.code,
        secretary_name=(secretary_name or "").strip(),
    )
    if covered:
        org.covered_regions.set(covered)
    record(
        "party.org_created",
        org,
        actor=user,
        changes={
            "name": name,
            "kind": kind,
            "parent": parent.pk if parent else None,
            "region": region.code,
            "covered": sorted(r.code for r in covered),
        },
    )
    return org


@guarded("party.change", "org")
def party_member_add(
    *,
    user,
    org: PartyOrg,
    name: str = "",
    resident: Resident | None = None,
    status: str = PartyMember.STATUS_FULL,
    is_mobile: bool = False,
    joined_on: dt.date | None = None,
) -> PartyMember:
    """A member of `org` (正式 / 预备; 流动党员 flagged). Linked to the resident record when there is one."""
    if status not in dict(PartyMember.STATUS_CHOICES):
        raise ValidationFailed("党员类别只能是正式党员或预备党员。", field="status")
    if resident is not None:
        if resident.status != Resident.STATUS_NORMAL:
            raise ValidationFailed("已迁出或已故的居民不能登记为党员。", field="resident")
        if PartyMember.objects.filter(resident=resident).exists():
            raise ValidationFailed(f"{resident.name}已登记为党员。", field="resident")
        name = resident.name
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写党员姓名。", field="name")
    if joined_on and joined_on > clock.today():
        raise ValidationFailed("入党日期不能晚于今天。", field="joined_on")
    member = PartyMember.objects.create(
        org=org,
        resident=resident,
        region_code=resident.region_code if resident else org.region_code,
        name=name,
        status=status,
        is_mobile=is_mobile,
        joined_on=joined_on,
    )
    record(
        "party.member_added",
        member,
        actor=user,
        changes={
            "org": org.pk,
            "name": name,
            "status": status,
            "is_mobile": is_mobile,
            "resident": getattr(resident, "pk", None),
        },
    )
    return member


@guarded("party.change", "member")
def party_member_make_full(*, user, member: PartyMember) -> PartyMember:
    """预备党员 → 正式党员 (转正), once the branch has voted it and the higher committee approved."""
    member = PartyMember.objects.select_for_update().get(pk=member.pk)
    if not member.is_active:
        raise ValidationFailed("该党员已不在册，不能转正。")
    if member.status != PartyMember.STATUS_PROBATIONARY:
        raise Conflict(f"{member.name}已是正式党员。")
    member.status = PartyMember.STATUS_FULL
    member.save(update_fields=["status"])
    record(
        "party.member_made_full",
        member,
        actor=user,
        changes={"status": [PartyMember.STATUS_PROBATIONARY, PartyMember.STATUS_FULL]},
    )
    return member


@guarded("party.change", "member")
def party_member_deactivate(*, user, member: PartyMember) -> PartyMember:
    """Take a member off the roll (组织关系转出, 去世 …). The links stay as history; they no longer count for
    coverage, and no new link can be made."""
    member = PartyMember.objects.select_for_update().get(pk=member.pk)
    if not member.is_active:
        raise Conflict(f"{member.name}已不在册。")
    member.is_active = False
    member.save(update_fields=["is_active"])
    record("party.member_deactivated", member, actor=user, changes={"is_active": [True, False]})
    return member


def link_limit_for(member: PartyMember) -> int:
    """The 联户 limit of the member's village (Region.household_link_limit), 15 when it cannot be found."""
    village = (
        Region.objects.filter(code=member.region_code[:12], level="village")
        .only("household_link_limit")
        .first()
    )
    return village.household_link_limit if village else DEFAULT_LINK_LIMIT


def _reachable(org: PartyOrg, household: Household) -> bool:
    return any(codes.in_scope(household.region_code, p) for p in reach_prefixes(org))


@guarded("party.change", "member")
def household_link_add(
    *, user, member: PartyMember, household: Household, since: dt.date | None = None
) -> HouseholdLink:
    """Link a member to a household he or she looks after. Refused above the village's limit (default 15)."""
    member = PartyMember.objects.select_for_update().get(pk=member.pk)  # serialises concurrent adds
    if not member.is_active:
        raise ValidationFailed("该党员已不在册，不能再联户。")
    if household.status != Household.STATUS_ACTIVE:
        raise ValidationFailed("该户已销户，不能联系。")
    if not _reachable(member.org, household):
        raise ValidationFailed("该户不在党员所在党组织的覆盖范围内。", field="household")
    if HouseholdLink.objects.filter(member=member, household=household).exists():
        raise Conflict(f"{member.name}已联系{household}。")
    limit = link_limit_for(member)
    count = member.links.count()
    if count >= limit:
        raise ValidationFailed(f"每名党员最多联系 {limit} 户，{member.name}已联系 {count} 户，不能再增加。")
    try:
        with transaction.atomic():
            link = HouseholdLink.objects.create(
                member=member,
                household=household,
                region_code=household.region_code,
                since=since or clock.today(),
            )
    except IntegrityError:
        raise Conflict(f"{member.name}已联系{household}。") from None
    record(
        "party.household_linked",
        link,
        actor=user,
        changes={"member": member.pk, "household": household.pk},
        object_repr=f"{member.name} → {household}",
    )
    return link


@guarded("party.change", "link")
def household_link_remove(*, user, link: HouseholdLink) -> None:
    record(
        "party.household_unlinked",
        link,
        actor=user,
        changes={"member": link.member_id, "household": link.household_id},
        object_repr=f"{link.member.name} → {link.household}",
    )
    link.delete()
