"""Reading accounts, always scoped: administrators see the accounts whose home region is inside their grant,
village cadres the residents and villager accounts of their villages. Nothing here decrypts a phone or ID number."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from xiangzhi import policy
from xiangzhi.accounts.models import ActivationCode, RoleAssignment, User
from xiangzhi.accounts.services import (
    ACTION_ROLES,
    ACTION_VIEW,
    ACTION_VILLAGERS,
    PHONE_RE,
    villager_username,
)
from xiangzhi.core import clock
from xiangzhi.regions import codes
from xiangzhi.regions.models import Region
from xiangzhi.regions.selectors import region_get, region_list

REGION_CHOICES_LIMIT = 500


def user_list(
    *,
    actor,
    q: str | None = None,
    role: str | None = None,
    region_code: str | None = None,
    kind: str | None = None,
    active: bool | None = None,
) -> QuerySet:
    """Accounts within the actor's reach, each with its active role assignments (two queries for a page).
    `q`: part of a username or name, or a phone number (matched through its keyed hash, never stored)."""
    qs = policy.scope(actor, ACTION_VIEW, User.objects.all(), within=region_code or None)
    if q:
        q = q.strip()
        if PHONE_RE.match(q):
            qs = qs.filter(username=villager_username(q))
        else:
            qs = qs.filter(Q(username__icontains=q) | Q(full_name__contains=q))
    if role:
        qs = qs.filter(Exists(RoleAssignment.objects.filter(user=OuterRef("pk"), role=role, is_active=True)))
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(is_active=active)
    active_grants = RoleAssignment.objects.filter(is_active=True).select_related("region").order_by("id")
    return qs.order_by("region_code", "username").prefetch_related(
        Prefetch("role_assignments", queryset=active_grants, to_attr="active_grants")
    )


def user_get(*, actor, pk) -> User:
    """One account within reach (404 and an audited refusal otherwise)."""
    return policy.get_scoped_or_404(actor, ACTION_VIEW, User.objects.all(), pk=pk)


def user_assignments(*, user) -> QuerySet:
    """Every grant of the account, active first, with who granted it."""
    return (
        RoleAssignment.objects.filter(user=user)
        .select_related("region", "granted_by")
        .order_by("-is_active", "role", "region_code", "id")
    )


def same_person_accounts(*, actor, user) -> QuerySet:
    """Other accounts of the same person (same person_key) within the actor's reach: 三员分立 is judged across
    them, so the administrator should see them."""
    if not user.person_key:
        return User.objects.none()
    return policy.scope(
        actor, ACTION_VIEW, User.objects.filter(person_key=user.person_key).exclude(pk=user.pk)
    )


def regions_in_reach(*, actor, action: str, levels=None, within: str | None = None) -> QuerySet:
    """The active regions the actor may `action`, in code order (the choices of the administration forms)."""
    qs = region_list(user=actor, action=action, levels=levels, within=within)
    return qs.filter(is_active=True).order_by("code")


def region_by_code(*, code: str, active_only: bool = False) -> Region | None:
    """A region named by its code, or None; not scoped. For naming a region the caller already reaches (an
    account's home region, the village on an activation slip) and for reading a code typed into a form, whose
    reach the service then checks."""
    qs = Region.objects.filter(is_active=True) if active_only else Region.objects.all()
    return qs.filter(code=code).first()


def grant_region_choices(*, actor, user) -> list[Region]:
    """Regions a grant to `user` may name: those under the user's home region and the home region's ancestors,
    as far as the administrator's own grant reaches (at most REGION_CHOICES_LIMIT; the form also takes a code)."""
    home = user.region_code or None
    below = list(regions_in_reach(actor=actor, action=ACTION_ROLES, within=home)[:REGION_CHOICES_LIMIT])
    above = []
    if home:
        above = list(
            regions_in_reach(actor=actor, action=ACTION_ROLES).filter(code__in=codes.ancestor_codes(home))
        )
    return sorted({r.code: r for r in [*above, *below]}.values(), key=lambda r: r.code)


def departments_in_reach(*, actor) -> QuerySet:
    from xiangzhi.core.models import Department

    return policy.scope(actor, ACTION_ROLES, Department.objects.select_related("town")).order_by(
        "region_code", "name"
    )


# --------------------------------------------------------------------------------------------------- villagers


def villages_in_reach(*, actor) -> QuerySet:
    return regions_in_reach(actor=actor, action=ACTION_VILLAGERS, levels=[codes.VILLAGE])


def village_get(*, actor, code: str) -> Region:
    """A village whose villagers' accounts the actor runs (404 and an audited refusal otherwise)."""
    return region_get(user=actor, code=code, action=ACTION_VILLAGERS, level=codes.VILLAGE)


def village_residents(
    *, actor, village: Region, q: str | None = None, account: str | None = None
) -> QuerySet:
    """Living residents of the village (not moved away), with `has_account`; the encrypted columns are not
    loaded. `account`: "yes" / "no" narrows to residents with / without a villager account."""
    from xiangzhi.people.models import Resident
    from xiangzhi.people.selectors import SENSITIVE_COLUMNS, resident_match

    has_account = Exists(User.objects.filter(resident=OuterRef("pk"), kind=User.KIND_VILLAGER))
    qs = (
        policy.scope(
            actor,
            ACTION_VILLAGERS,
            Resident.objects.filter(status=Resident.STATUS_NORMAL),
            within=village.code,
        )
        .select_related("household")
        .defer(*SENSITIVE_COLUMNS)
        .annotate(has_account=has_account)
    )
    if q and q.strip():
        qs = qs.filter(resident_match(q))
    if account == "yes":
        qs = qs.filter(has_account=True)
    elif account == "no":
        qs = qs.filter(has_account=False)
    return qs.order_by("region_code", "household_id", "id")


def villager_accounts_by_resident(resident_ids) -> dict[int, User]:
    """The villager accounts of these residents, each with `open_code_expires` (the expiry of its open
    activation code, or None) — never the code."""
    now = clock.now()
    users = {
        u.resident_id: u for u in User.objects.filter(resident_id__in=list(resident_ids), kind="villager")
    }
    _annotate_open_codes(users.values(), now)
    return users


def village_unlinked_accounts(*, actor, village: Region) -> list[User]:
    """Villager accounts of the village opened by name, without a resident record."""
    users = list(
        policy.scope(
            actor,
            ACTION_VILLAGERS,
            User.objects.filter(kind=User.KIND_VILLAGER, resident__isnull=True),
            within=village.code,
        ).order_by("full_name", "id")
    )
    _annotate_open_codes(users, clock.now())
    return users


def activation_code_latest(*, user: User) -> ActivationCode | None:
    """The account's most recent activation code (its hash and expiry; the code itself is never stored)."""
    return ActivationCode.objects.filter(user=user).order_by("-created_at", "-id").first()


def _annotate_open_codes(users, now) -> None:
    users = list(users)
    expiry = dict(
        ActivationCode.objects.filter(
            user__in=users, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        )
        .order_by("user_id", "created_at")
        .values_list("user_id", "expires_at")
    )
    for u in users:
        u.open_code_expires = expiry.get(u.pk)


def villager_account_get(*, actor, pk) -> User:
    return policy.get_scoped_or_404(
        actor,
        ACTION_VILLAGERS,
        User.objects.filter(kind=User.KIND_VILLAGER).select_related("resident"),
        pk=pk,
    )


def resident_for_account(*, actor, pk):
    """A resident the actor may open an account for (404 and an audited refusal outside reach). The encrypted
    phone is loaded: the service reads it to derive the sign-in name, and nothing shows it."""
    from xiangzhi.people.models import Resident

    return policy.get_scoped_or_404(
        actor, ACTION_VILLAGERS, Resident.objects.select_related("household"), pk=pk
    )


def villager_household(*, user):
    """The household of the villager's own resident record and its members living there: the only household a
    villager's pages show. (None, []) when the account is not linked to a resident."""
    from xiangzhi.people.models import Resident
    from xiangzhi.people.selectors import household_members

    if not user.resident_id:
        return None, []
    resident = (
        Resident.objects.select_related("household").defer("id_number", "phone").get(pk=user.resident_id)
    )
    household = resident.household
    members = household_members(household=household).filter(status=Resident.STATUS_NORMAL)
    return household, list(members)
