"""Volunteering services: teams, members, activities, participants' hours, and the confirmation that turns hours
into points claims.

Hours → points: an activity may name a positive item of the village's active household scheme (e.g. 志愿服务).
On confirmation each participant earns the item's points for every hour started (`points_for`: 1–60 minutes one
hour, 61–120 two, …); the participants of one household are summed into one claim for that household, recorded
through `xiangzhi.points.services.claim_record` (review, notice and the item's cap as for any claim). All in one
transaction: if any household's claim is refused (the cap, a closed household), the message names the household
and nothing is recorded for anyone; the activity stays open.
"""

import datetime as dt
import math

from django.db import transaction

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.core import clock, text
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.people.models import Resident
from xiangzhi.points import services as points_services
from xiangzhi.points.models import HOLDER_HOUSEHOLD, PointItem, PointScheme
from xiangzhi.regions.models import Region
from xiangzhi.volunteering.models import (
    KIND_LABELS,
    MAX_MINUTES,
    Activity,
    Participation,
    Volunteer,
    VolunteerTeam,
)


def _audit(action: str, obj, user, changes: dict) -> None:
    record(f"volunteering.{action}", obj, changes=changes, actor=user)


def points_for(item: PointItem, minutes: int) -> int:
    """The item's points for every hour started."""
    return item.points * math.ceil(minutes / 60)


# -- teams ------------------------------------------------------------------------------------------------------


def team_create(
    *, user, village: Region, name: str, kind: str = "daily", description: str = ""
) -> VolunteerTeam:
    if village.level != "village":
        raise ValidationFailed("志愿服务队按村组建：请选择一个村。", field="village")
    policy.require(user, "volunteering.manage", village)
    name = text.clean_text(name, field="name", label="队伍名称", limit=100)
    description = text.clean_text(description, field="description", label="简介", limit=1000, required=False)
    if kind not in KIND_LABELS:
        raise ValidationFailed("队伍类型不正确。", field="kind")
    with transaction.atomic():
        if VolunteerTeam.objects.filter(region_code=village.code, name=name).exists():
            raise ValidationFailed(f"本村已有“{name}”。", field="name")
        team = VolunteerTeam.objects.create(
            region=village,
            region_code=village.code,
            name=name,
            kind=kind,
            description=description,
            created_by=user,
            created_at=clock.now(),
        )
        _audit("team_create", team, user, {"name": name, "kind": kind})
    return team


def team_member_add(*, user, team: VolunteerTeam, resident: Resident, is_leader: bool = False) -> Volunteer:
    """A resident of the team's village joins (or rejoins) the team."""
    policy.require(user, "volunteering.manage", team)
    if not resident.region_code.startswith(team.region_code):
        raise ValidationFailed(f"{resident.name}不是本村居民，不能加入本村的志愿服务队。", field="resident")
    if resident.status != Resident.STATUS_NORMAL:
        raise ValidationFailed(f"{resident.name}已迁出或已故，不能加入。", field="resident")
    with transaction.atomic():
        member = Volunteer.objects.select_for_update().filter(team=team, resident=resident).first()
        if member is not None and member.is_active:
            raise Conflict(f"{resident.name}已是本队队员。")
        if member is None:
            member = Volunteer.objects.create(
                team=team,
                resident=resident,
                region_code=resident.region_code,
                is_leader=bool(is_leader),
                joined_on=clock.today(),
            )
        else:
            member.is_active, member.left_on, member.is_leader = True, None, bool(is_leader)
            member.joined_on, member.region_code = clock.today(), resident.region_code
            member.save(update_fields=["is_active", "left_on", "is_leader", "joined_on", "region_code"])
        _audit("member_add", team, user, {"resident": resident.pk, "leader": bool(is_leader)})
    return member


def team_member_remove(*, user, member: Volunteer) -> Volunteer:
    """退队: the membership stays (its past hours keep it), marked inactive."""
    policy.require(user, "volunteering.manage", member.team)
    with transaction.atomic():
        member = (
            Volunteer.objects.select_for_update(of=("self",))
            .select_related("team", "resident")
            .get(pk=member.pk)
        )
        if not member.is_active:
            raise Conflict(f"{member.resident.name}已不在队。")
        member.is_active, member.left_on = False, clock.today()
        member.save(update_fields=["is_active", "left_on"])
        _audit("member_remove", member.team, user, {"resident": member.resident_id})
    return member


# -- activities -------------------------------------------------------------------------------------------------


def item_choices(village_code: str):
    """The merit items of the village's active household scheme, 志愿服务 first."""
    return (
        PointItem.objects.filter(
            scheme__region_code=village_code,
            scheme__kind=HOLDER_HOUSEHOLD,
            scheme__status=PointScheme.ACTIVE,
            scheme__is_template=False,
            points__gt=0,
        )
        .select_related("scheme")
        .order_by("-category", "sort", "code")
    )


def _check_item(team: VolunteerTeam, item: PointItem | None) -> PointItem | None:
    if item is None:
        return None
    if not item_choices(team.region_code).filter(pk=item.pk).exists():
        raise ValidationFailed("只能选择本村施行中户积分方案的加分项。", field="item")
    return item


def activity_create(
    *,
    user,
    team: VolunteerTeam,
    title: str,
    date: dt.date,
    place: str = "",
    description: str = "",
    item: PointItem | None = None,
) -> Activity:
    policy.require(user, "volunteering.manage", team)
    if not team.is_active:
        raise Conflict("该队伍已停用。")
    title = text.clean_text(title, field="title", label="活动名称", limit=100)
    place = text.clean_text(place, field="place", label="地点", limit=100, required=False)
    description = text.clean_text(description, field="description", label="内容", limit=2000, required=False)
    if not isinstance(date, dt.date):
        raise ValidationFailed("请填写活动日期。", field="date")
    if date < clock.today() - dt.timedelta(days=points_services.MAX_BACKDATE_DAYS):
        raise ValidationFailed(f"只能登记最近 {points_services.MAX_BACKDATE_DAYS} 天内的活动。", field="date")
    item = _check_item(team, item)
    with transaction.atomic():
        activity = Activity.objects.create(
            team=team,
            region_code=team.region_code,
            title=title,
            date=date,
            place=place,
            description=description,
            item=item,
            created_by=user,
            created_at=clock.now(),
        )
        _audit(
            "activity_create",
            activity,
            user,
            {"title": title, "date": date.isoformat(), "item": getattr(item, "code", "")},
        )
    return activity


def _open(activity: Activity) -> Activity:
    locked = (
        Activity.objects.select_for_update(of=("self",)).select_related("team", "item").get(pk=activity.pk)
    )
    if locked.state != Activity.OPEN:
        raise Conflict("活动的服务时长已确认，不能再修改。")
    return locked


def _minutes(value) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed("服务时长须为整数分钟。", field="minutes") from None
    if not 1 <= minutes <= MAX_MINUTES:
        raise ValidationFailed(f"服务时长须在 1 到 {MAX_MINUTES} 分钟（24 小时）之间。", field="minutes")
    return minutes


def participant_set(*, user, activity: Activity, volunteer: Volunteer, minutes) -> Participation:
    """Record (or change) a team member's hours in an open activity."""
    policy.require(user, "volunteering.manage", activity)
    minutes = _minutes(minutes)
    with transaction.atomic():
        activity = _open(activity)
        if volunteer.team_id != activity.team_id or not volunteer.is_active:
            raise ValidationFailed("只能登记本队在队队员的服务时长。", field="volunteer")
        part, created = Participation.objects.update_or_create(
            activity=activity,
            volunteer=volunteer,
            defaults={"minutes": minutes, "region_code": activity.region_code},
        )
        _audit(
            "participant_set",
            activity,
            user,
            {"volunteer": volunteer.pk, "minutes": minutes, "created": created},
        )
    return part


def participant_remove(*, user, participation: Participation) -> None:
    policy.require(user, "volunteering.manage", participation.activity)
    with transaction.atomic():
        activity = _open(participation.activity)
        Participation.objects.filter(pk=participation.pk, activity=activity).delete()
        _audit("participant_remove", activity, user, {"volunteer": participation.volunteer_id})


def activity_confirm(*, user, activity: Activity) -> list:
    """确认服务时长: the hours become final and, when the activity names an item, one claim is recorded per
    participating household (points per started hour, summed over its participants). Returns the claims."""
    policy.require(user, "volunteering.confirm", activity)
    with transaction.atomic():
        activity = _open(activity)
        if activity.date > clock.today():
            raise ValidationFailed("活动还没有开展，不能确认服务时长。", field="date")
        parts = list(activity.participants.select_related("volunteer__resident__household").order_by("pk"))
        if not parts:
            raise ValidationFailed("还没有登记参加人员和服务时长。", field="participants")
        claims = []
        item = activity.item
        if item is not None:
            by_household: dict[int, list[Participation]] = {}
            for p in parts:
                p.points = points_for(item, p.minutes)
                by_household.setdefault(p.volunteer.resident.household_id, []).append(p)
            for _hid, group in sorted(by_household.items()):
                household = group[0].volunteer.resident.household
                names = "、".join(f"{p.volunteer.resident.name} {p.hours_text}" for p in group)
                try:
                    claim = points_services.claim_record(
                        user=user,
                        item=item,
                        household=household,
                        occurred_on=activity.date,
                        description=f"志愿服务：{activity.title}（{names}）"[:1000],
                        points=sum(p.points for p in group),
                        batch=f"volunteer:{activity.pk}",
                    )
                except ValidationFailed as exc:
                    raise ValidationFailed(
                        f"{household}（{household.address}）：{exc.message}本次没有为任何人记分，"
                        f"活动仍为“登记中”，请调整服务时长后再确认。",
                        field="participants",
                    ) from None
                claims.append(claim)
                for p in group:
                    p.claim = claim
            Participation.objects.bulk_update(parts, ["points", "claim"])
        activity.state, activity.confirmed_by, activity.confirmed_at = Activity.CONFIRMED, user, clock.now()
        activity.save(update_fields=["state", "confirmed_by", "confirmed_at"])
        _audit(
            "activity_confirm",
            activity,
            user,
            {"participants": len(parts), "minutes": sum(p.minutes for p in parts), "claims": len(claims)},
        )
    return claims
