"""Deliberation services: every state change checked against the rules (rules.py), in one transaction, audited.

`user=None` is the system acting (demo seeding, tests of the rules alone); otherwise the policy is asked first.
"""

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F

from xiangzhi import policy
from xiangzhi.audit.services import record, record_denied
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiangzhi.deliberation import rules
from xiangzhi.deliberation.models import (
    CHOICE_ABSTAIN,
    CHOICE_CHOICES,
    CHOICE_NO,
    CHOICE_YES,
    Authorisation,
    Ballot,
    Body,
    BodyMember,
    Item,
    Meeting,
    Objection,
    OpenVote,
    RollEntry,
    SecretTally,
    Teller,
    VoteMark,
)
from xiangzhi.party.models import PartyMember
from xiangzhi.people.models import Household, Resident
from xiangzhi.people.services import guarded
from xiangzhi.regions.models import Region

CHOICES = dict(CHOICE_CHOICES)


def _village(region: Region) -> Region:
    if region.level != "village":
        raise ValidationFailed("议事机构须设在村（社区）。", field="region")
    return region


def _in_village(code: str, village_code: str) -> bool:
    return code.startswith(village_code)


# -- bodies ------------------------------------------------------------------------------------------------------


@guarded("deliberation.manage", "village")
def body_create(
    *,
    user,
    village: Region,
    kind: str,
    name: str = "",
    party_org=None,
    quorum: tuple[int, int, bool] | None = None,
    passing: tuple[int, int, bool] | None = None,
) -> Body:
    """A body of `village`. `quorum` / `passing` (num, den, strict) only for 两委会 and 支委会."""
    _village(village)
    if kind not in rules.KIND_LABELS:
        raise ValidationFailed("请选择议事机构类型。", field="kind")
    if (quorum or passing) and kind not in rules.CONFIGURABLE_KINDS:
        raise ValidationFailed(
            f"{rules.KIND_LABELS[kind]}的法定人数和表决比例由法律规定，不能自行设置。", field="kind"
        )
    if kind == rules.PARTY_ASSEMBLY:
        if party_org is None:
            raise ValidationFailed("党员大会须指定党支部。", field="party_org")
        if not _in_village(party_org.region_code, village.code):
            raise ValidationFailed("党支部不在本村。", field="party_org")
    fields = {}
    for prefix, value in (("quorum", quorum), ("pass", passing)):
        if value is None:
            continue
        num, den, strict = value
        if not (0 < num <= den):
            raise ValidationFailed("比例须在 0 到 1 之间。", field=prefix)
        fields.update({f"{prefix}_num": num, f"{prefix}_den": den, f"{prefix}_strict": bool(strict)})
    body = Body.objects.create(
        region=village,
        region_code=village.code,
        kind=kind,
        name=(name or "").strip() or f"{village.name}{rules.KIND_LABELS[kind]}",
        party_org=party_org,
        **fields,
    )
    record("deliberation.body_created", body, actor=user, changes={"kind": kind, **fields})
    return body


@guarded("deliberation.manage", "body")
def body_member_add(*, user, body: Body, resident: Resident, role: str = "member") -> BodyMember:
    if body.kind in (rules.VILLAGERS_ASSEMBLY, rules.PARTY_ASSEMBLY):
        raise ValidationFailed(
            f"{rules.KIND_LABELS[body.kind]}的成员由{'居民登记' if body.kind == rules.VILLAGERS_ASSEMBLY else '党员名册'}"
            "产生，无需逐个添加。"
        )
    if role not in dict(rules.MEMBER_ROLE_CHOICES):
        raise ValidationFailed("请选择成员身份。", field="role")
    if not _in_village(resident.region_code, body.region_code) or resident.status != Resident.STATUS_NORMAL:
        raise ValidationFailed(f"{resident.name}不是本村在册居民。", field="resident")
    member, created = BodyMember.objects.get_or_create(
        body=body, resident=resident, defaults={"role": role, "region_code": body.region_code}
    )
    if not created:
        if member.is_active:
            raise Conflict(f"{resident.name}已是{body.name}成员。")
        member.is_active, member.role = True, role
        member.save(update_fields=["is_active", "role"])
    record("deliberation.member_added", body, actor=user, changes={"resident": resident.pk, "role": role})
    return member


@guarded("deliberation.manage", "body")
def body_member_remove(*, user, body: Body, resident: Resident) -> None:
    """Leaves the body. Rolls of meetings already called keep the member (they are frozen)."""
    n = BodyMember.objects.filter(body=body, resident=resident, is_active=True).update(is_active=False)
    if not n:
        raise ValidationFailed(f"{resident.name}不是{body.name}的成员。")
    record("deliberation.member_removed", body, actor=user, changes={"resident": resident.pk})


# -- meetings and their frozen roll ------------------------------------------------------------------------------


def _roll_rows(body: Body, meeting: Meeting) -> list[RollEntry]:
    common = {"meeting": meeting, "region_code": body.region_code}
    if body.kind == rules.VILLAGERS_ASSEMBLY:
        # 村民委员会组织法 Art. 13: 18 or older on the day of the meeting, 户籍 in the village, alive, not moved away.
        voters = [
            r
            for r in Resident.objects.filter(
                region_code__startswith=body.region_code, status=Resident.STATUS_NORMAL
            ).order_by("household_id", "id")
            if r.is_voter_on(meeting.held_on)
        ]
        if meeting.quorum_basis == rules.QUORUM_HOUSEHOLDS:
            ids = sorted({r.household_id for r in voters})
            households = Household.objects.filter(pk__in=ids, status=Household.STATUS_ACTIVE).order_by("id")
            return [RollEntry(household=h, name=str(h), role="household", **common) for h in households]
        return [RollEntry(resident=r, name=r.name, role="villager", **common) for r in voters]
    if body.kind == rules.PARTY_ASSEMBLY:
        members = PartyMember.objects.filter(org=body.party_org, is_active=True).order_by("id")
        return [
            RollEntry(
                party_member=m,
                resident_id=m.resident_id,
                name=m.name,
                role=m.status,
                can_vote=m.status == PartyMember.STATUS_FULL,
                **common,
            )
            for m in members
        ]
    members = body.members.filter(is_active=True).select_related("resident").order_by("id")
    return [
        RollEntry(resident=m.resident, name=m.resident.name, role=m.role, **common)
        for m in members
        if m.resident.status == Resident.STATUS_NORMAL
    ]


@guarded("deliberation.manage", "body")
def meeting_call(
    *, user, body: Body, title: str, held_on: dt.date, quorum_basis: str = rules.QUORUM_PERSONS
) -> Meeting:
    """Call a meeting: its roll is taken now from the body's members and frozen."""
    title = (title or "").strip()
    if not title:
        raise ValidationFailed("请填写会议名称。", field="title")
    if not body.is_active:
        raise ValidationFailed("该议事机构已停用。")
    today = clock.today()
    if held_on < today:
        raise ValidationFailed("召开日期不能早于今天。", field="held_on")
    notice = body.rules().notice_days
    if notice and (held_on - today).days < notice:
        # 村民委员会组织法 Art. 21: 召开村民会议，应当提前十天通知村民.
        raise ValidationFailed(
            f"{rules.KIND_LABELS[body.kind]}须提前{notice}天通知，最早可定在{today + dt.timedelta(days=notice)}。",
            field="held_on",
        )
    if quorum_basis not in dict(rules.QUORUM_BASIS_CHOICES):
        raise ValidationFailed("请选择法定人数依据。", field="quorum_basis")
    if quorum_basis == rules.QUORUM_HOUSEHOLDS and body.kind != rules.VILLAGERS_ASSEMBLY:
        raise ValidationFailed("只有村民会议可以按户的代表计算法定人数。", field="quorum_basis")
    meeting = Meeting.objects.create(
        body=body,
        region_code=body.region_code,
        title=title,
        held_on=held_on,
        called_at=clock.now(),
        quorum_basis=quorum_basis,
        called_by=user if getattr(user, "pk", None) else None,
    )
    roll = _roll_rows(body, meeting)
    if not roll:
        raise ValidationFailed(f"{body.name}没有成员，不能召集会议。")
    RollEntry.objects.bulk_create(roll)
    record(
        "deliberation.meeting_called",
        meeting,
        actor=user,
        changes={"body": body.pk, "held_on": held_on.isoformat(), "roll": len(roll), "basis": quorum_basis},
    )
    return meeting


def _open_meeting(meeting: Meeting) -> None:
    if meeting.status != Meeting.STATUS_CALLED:
        raise Conflict("会议已结束，不能再修改。")


def _entry(meeting: Meeting, entry: RollEntry) -> RollEntry:
    if entry.meeting_id != meeting.pk:
        raise ValidationFailed(f"{entry.name}不在本次会议的名单上。", field="entry")
    return entry


@guarded("deliberation.manage", "meeting")
def attendance_record(
    *, user, meeting: Meeting, entry: RollEntry, present: bool, representative: Resident | None = None
) -> RollEntry:
    """Mark a roll line present or absent. Under the household basis, name the household's representative."""
    _open_meeting(meeting)
    entry = _entry(meeting, RollEntry.objects.select_for_update().get(pk=entry.pk))
    if not present and (
        VoteMark.objects.filter(entry=entry).exists() or OpenVote.objects.filter(entry=entry).exists()
    ):
        raise Conflict(f"{entry.name}已参加表决，不能改为缺席。")
    if entry.household_id:
        if present:
            if representative is None or representative.household_id != entry.household_id:
                raise ValidationFailed("请选择该户出席的代表（须为本户成员）。", field="representative")
            if not representative.is_voter_on(meeting.held_on):
                raise ValidationFailed(
                    f"{representative.name}不是年满十八周岁的本村村民。", field="representative"
                )
        entry.representative = representative if present else None
    entry.present = present
    entry.save(update_fields=["present", "representative"])
    record("deliberation.attendance", meeting, actor=user, changes={"entry": entry.pk, "present": present})
    return entry


def attendance(meeting: Meeting) -> dict:
    """Who counts: the roll (those with a vote) and those of them present."""
    voting = meeting.roll.filter(can_vote=True)
    return {"roll": voting.count(), "present": voting.filter(present=True).count()}


def quorum_threshold(meeting: Meeting) -> rules.Threshold:
    if meeting.body.kind == rules.VILLAGERS_ASSEMBLY and meeting.quorum_basis == rules.QUORUM_HOUSEHOLDS:
        return rules.HOUSEHOLD_QUORUM
    return meeting.body.rules().quorum


def has_quorum(meeting: Meeting) -> bool:
    counts = attendance(meeting)
    return quorum_threshold(meeting).met(counts["present"], counts["roll"])


@guarded("deliberation.manage", "meeting")
def meeting_close(*, user, meeting: Meeting) -> Meeting:
    _open_meeting(meeting)
    if meeting.items.filter(vote_status=Item.VOTE_OPEN).exists():
        raise Conflict("还有正在表决的议题，请先作出决定。")
    meeting.status = Meeting.STATUS_CLOSED
    meeting.save(update_fields=["status"])
    record("deliberation.meeting_closed", meeting, actor=user)
    return meeting


@guarded("deliberation.manage", "meeting")
def meeting_minutes_record(*, user, meeting: Meeting, minutes: str) -> Meeting:
    """The minutes (会议记录), written while the meeting is open; closing the meeting makes them part of its
    record, no longer editable. The audit keeps their length, not the text (it is on the record page)."""
    _open_meeting(meeting)
    minutes = (minutes or "").strip()
    if not minutes:
        raise ValidationFailed("请填写会议记录。", field="minutes")
    limit = Meeting._meta.get_field("minutes").max_length
    if len(minutes) > limit:
        raise ValidationFailed(f"会议记录不能超过{limit}字。", field="minutes")
    meeting.minutes = minutes
    meeting.save(update_fields=["minutes"])
    record("deliberation.minutes_recorded", meeting, actor=user, changes={"chars": len(minutes)})
    return meeting


# -- items and votes ---------------------------------------------------------------------------------------------


@guarded("deliberation.manage", "meeting")
def item_add(
    *,
    user,
    meeting: Meeting,
    title: str,
    kind: str = rules.ITEM_ORDINARY,
    art24: bool = False,
    secret: bool = False,
) -> Item:
    _open_meeting(meeting)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed("请填写议题。", field="title")
    if kind not in dict(rules.ITEM_KIND_CHOICES):
        raise ValidationFailed("请选择事项类型。", field="kind")
    special = rules.ITEM_RULES.get(kind)
    if special and meeting.body.kind not in special.bodies:
        raise ValidationFailed(
            f"“{dict(rules.ITEM_KIND_CHOICES)[kind]}”须由村民会议或村民代表会议决定。", field="kind"
        )
    item = Item.objects.create(
        meeting=meeting,
        region_code=meeting.region_code,
        title=title,
        kind=kind,
        art24=bool(art24),
        secret=bool(secret),
        needs_township_approval=bool(special and special.township_approval),
    )
    if item.secret:
        SecretTally.objects.create(item=item)
    record(
        "deliberation.item_added", item, actor=user, changes={"kind": kind, "art24": art24, "secret": secret}
    )
    return item


def _teller_names(users) -> str:
    return "、".join(u.resident.name if u.resident_id else u.full_name for u in users)


def _check_tellers(item: Item, user, counters: list, scrutineers: list) -> None:
    """计票人 and 监票人 of a secret vote: at least one of each; each an active account of a person registered in
    the meeting's village who may vote there; nobody named twice; and not the person who opens the vote (the clerk
    recording the meeting), so that the count is never in the hands of the one who runs it."""
    if not item.secret:
        if counters or scrutineers:
            raise ValidationFailed("举手表决由记录员登记，无需计票人、监票人。", field="tellers")
        return
    if not counters or not scrutineers:
        raise ValidationFailed("无记名投票须至少指定一名计票人和一名监票人。", field="tellers")
    ids = [u.pk for u in [*counters, *scrutineers]]
    if len(set(ids)) != len(ids):
        raise ValidationFailed("同一人不能重复担任计票人或监票人。", field="tellers")

    for u in [*counters, *scrutineers]:
        resident = u.resident if u.resident_id else None
        if (
            not u.is_active
            or resident is None
            or resident.status != Resident.STATUS_NORMAL
            or not _in_village(resident.region_code, item.meeting.region_code)
            or not policy.can(u, "deliberation.vote", item)
        ):
            raise ValidationFailed(
                f"{u.full_name}不是本村村民的有效账号，不能担任计票人或监票人。", field="tellers"
            )
        if getattr(user, "pk", None) == u.pk:
            raise ValidationFailed("记录会议、主持表决的人不能同时担任计票人或监票人。", field="tellers")


@guarded("deliberation.manage", "item")
def vote_open(*, user, item: Item, counters=(), scrutineers=()) -> Item:
    """Open the vote. A secret vote names its 计票人 (`counters`) and 监票人 (`scrutineers`), user accounts: only
    they may enter the paper ballots. Their names are kept on the item (`Item.tellers`) for the record."""
    _open_meeting(item.meeting)
    if item.vote_status != Item.VOTE_PENDING:
        raise Conflict("该议题已开始或已完成表决。")
    counters, scrutineers = list(counters or []), list(scrutineers or [])
    _check_tellers(item, user, counters, scrutineers)
    item.vote_status = Item.VOTE_OPEN
    item.tellers = (
        f"计票人：{_teller_names(counters)}；监票人：{_teller_names(scrutineers)}" if item.secret else ""
    )[:200]
    item.save(update_fields=["vote_status", "tellers"])
    Teller.objects.bulk_create(
        [Teller(item=item, user=u, region_code=item.region_code, role=Teller.COUNTER) for u in counters]
        + [
            Teller(item=item, user=u, region_code=item.region_code, role=Teller.SCRUTINEER)
            for u in scrutineers
        ]
    )
    record(
        "deliberation.vote_opened",
        item,
        actor=user,
        changes={
            "secret": item.secret,
            "counters": [u.pk for u in counters],
            "scrutineers": [u.pk for u in scrutineers],
        },
    )
    return item


def is_teller(user, item: Item) -> bool:
    return bool(getattr(user, "pk", None)) and item.teller_set.filter(user_id=user.pk).exists()


def _voter(item: Item, entry: RollEntry) -> RollEntry:
    """A line of this meeting's frozen roll, with a vote, present, and not yet voted on this item."""
    if item.vote_status != Item.VOTE_OPEN:
        raise Conflict("该议题当前不在表决中。")
    entry = RollEntry.objects.select_for_update().filter(pk=entry.pk, meeting_id=item.meeting_id).first()
    if entry is None:
        raise ValidationFailed("此人不在本次会议的名单上，不能投票。", field="entry")
    if not entry.can_vote:
        raise ValidationFailed(f"{entry.name}列席会议，没有表决权。", field="entry")
    if not entry.present:
        raise ValidationFailed(f"{entry.name}未登记到会，不能投票。", field="entry")
    if (
        VoteMark.objects.filter(item=item, entry=entry).exists()
        or OpenVote.objects.filter(item=item, entry=entry).exists()
    ):
        raise Conflict(f"{entry.name}已经投过票，每人只能投一票。")
    return entry


def _choice(choice: str) -> str:
    if choice not in CHOICES:
        raise ValidationFailed("请选择赞成、反对或弃权。", field="choice")
    return choice


@guarded("deliberation.manage", "item")
def open_vote_record(*, user, item: Item, entry: RollEntry, choice: str) -> OpenVote:
    """举手表决: the clerk records each voter's choice (linked to the voter: the vote is open)."""
    if item.secret:
        raise ValidationFailed("该议题为无记名投票，不能登记个人表决意见。")
    choice = _choice(choice)
    entry = _voter(item, entry)
    try:
        with transaction.atomic():
            vote = OpenVote.objects.create(item=item, entry=entry, choice=choice)
    except IntegrityError:
        raise Conflict(f"{entry.name}已经投过票，每人只能投一票。") from None
    record("deliberation.open_vote", item, actor=user, changes={"entry": entry.pk, "choice": choice})
    return vote


def _mark(item: Item, entry: RollEntry) -> None:
    try:
        with transaction.atomic():
            VoteMark.objects.create(item=item, entry=entry)
    except IntegrityError:
        raise Conflict(f"{entry.name}已经投过票，每人只能投一票。") from None


def _count(item: Item, choice: str, n: int = 1) -> None:
    SecretTally.objects.filter(item=item).update(**{choice: F(choice) + n})


@guarded("deliberation.vote", "item")
def secret_vote_cast(*, user, item: Item, entry: RollEntry, choice: str) -> None:
    """The voter casts their own secret ballot (on their phone). See SecretTally for why nothing links the two.
    The audit record says only that a vote was cast on the item, not by whom nor how."""
    if not item.secret:
        raise ValidationFailed("该议题为举手表决，由记录员登记。")
    choice = _choice(choice)
    entry = _voter(item, entry)
    if user is not None and (not user.resident_id or user.resident_id != entry.voter_resident_id):
        raise PermissionDenied("只能本人投票。")
    _mark(item, entry)
    _count(item, choice)
    record("deliberation.secret_vote_cast", item, actor=user, changes={"votes": "cast"})


@guarded("deliberation.manage", "item")
def paper_ballot_issue(*, user, item: Item, entry: RollEntry) -> None:
    """A paper ballot handed to a roll member: marks them as having voted (their choice goes in the box)."""
    if not item.secret:
        raise ValidationFailed("该议题为举手表决，不发选票。")
    entry = _voter(item, entry)
    _mark(item, entry)
    SecretTally.objects.filter(item=item).update(paper_issued=F("paper_issued") + 1)
    record("deliberation.paper_ballot_issued", item, actor=user, changes={"entry": entry.pk})


def paper_ballots_enter(*, user, item: Item, yes: int = 0, no: int = 0, abstain: int = 0) -> None:
    """The tellers (计票人、监票人) named when the vote opened enter the paper ballots from the box, nobody else
    (a cadre who runs the meeting neither, unless named); never more than were handed out. The refusal is
    checked and audited before the transaction opens, so that its audit record is not rolled back with it."""
    if user is not None:
        policy.require(user, "deliberation.view", item)
        if not is_teller(user, item):
            record_denied(
                "deliberation.paper_ballots_enter",
                obj=item,
                region_code=item.region_code,
                detail="not_teller",
            )
            raise PermissionDenied("只有本议题指定的计票人、监票人可以录入纸质选票。")
    _paper_ballots_enter(user=user, item=item, yes=yes, no=no, abstain=abstain)


@transaction.atomic
def _paper_ballots_enter(*, user, item: Item, yes: int, no: int, abstain: int) -> None:
    if not item.secret or item.vote_status != Item.VOTE_OPEN:
        raise Conflict("该议题当前不在无记名投票中。")
    counts = {CHOICE_YES: yes, CHOICE_NO: no, CHOICE_ABSTAIN: abstain}
    if any(not isinstance(v, int) or v < 0 for v in counts.values()):
        raise ValidationFailed("票数须为不小于零的整数。")
    total = sum(counts.values())
    tally = SecretTally.objects.select_for_update().get(item=item)
    if tally.paper_entered + total > tally.paper_issued:
        raise ValidationFailed(
            f"录入的纸质选票（共{tally.paper_entered + total}张）多于发出的选票（{tally.paper_issued}张）。"
        )
    SecretTally.objects.filter(item=item).update(
        paper_entered=F("paper_entered") + total, **{c: F(c) + n for c, n in counts.items() if n}
    )
    record("deliberation.paper_ballots_entered", item, actor=user, changes={"count": total})


def _write_ballots(item: Item) -> None:
    """Close a secret vote: the counters become ballots, written at once in shuffled order, then zeroed."""
    tally = SecretTally.objects.select_for_update().get(item=item)
    if tally.paper_entered != tally.paper_issued:
        raise ValidationFailed(
            f"发出纸质选票{tally.paper_issued}张，已录入{tally.paper_entered}张，请计票人录入全部选票后再作出决定。"
        )
    ballots = [
        Ballot(item=item, choice=c)
        for c in (CHOICE_YES, CHOICE_NO, CHOICE_ABSTAIN)
        for _ in range(getattr(tally, c))
    ]
    secrets.SystemRandom().shuffle(ballots)
    Ballot.objects.bulk_create(ballots)
    SecretTally.objects.filter(item=item).update(yes=0, no=0, abstain=0)


def _tally(item: Item) -> dict[str, int]:
    rows = item.ballots if item.secret else item.open_votes
    counts = {c: 0 for c in CHOICES}
    for choice in rows.values_list("choice", flat=True):
        counts[choice] += 1
    return counts


def _authorised(meeting: Meeting) -> bool:
    day = meeting.held_on
    return (
        Authorisation.objects.filter(region_id=meeting.body.region_id, revoked=False, valid_from__lte=day)
        .exclude(valid_until__lt=day)
        .exists()
    )


@guarded("deliberation.manage", "item")
def item_decide(*, user, item: Item) -> Item:
    """Close the vote and record the decision: passed or not, by the body's or the item's threshold.
    Refused (nothing changed) without quorum, or for an Art. 24 matter a 村民代表会议 is not authorised for."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    meeting = item.meeting
    _open_meeting(meeting)
    if item.vote_status != Item.VOTE_OPEN:
        raise Conflict("该议题当前不在表决中。")
    body = meeting.body
    counts = attendance(meeting)
    quorum = quorum_threshold(meeting)
    if not quorum.met(counts["present"], counts["roll"]):
        raise ValidationFailed(
            f"到会{counts['present']}人，未达到法定人数（应到{counts['roll']}，须{quorum.describe()}，"
            f"即至少{quorum.needed(counts['roll'])}人），不能作出决定。"
        )
    if item.art24 and body.kind == rules.REPRESENTATIVES and not _authorised(meeting):
        # 村民委员会组织法 Art. 24: these matters are for the 村民会议 unless it has authorised the 村民代表会议.
        raise ValidationFailed("村民会议未授权村民代表会议决定第二十四条事项，该议题须提交村民会议决定。")
    if item.secret:
        _write_ballots(item)
    tally = _tally(item)
    special = rules.ITEM_RULES.get(item.kind)
    threshold = special.decision if special else body.rules().decision
    base = counts["roll"] if threshold.base == rules.BASE_ROLL else counts["present"]
    item.passed = threshold.met(tally[CHOICE_YES], base)
    item.yes, item.no, item.abstain = tally[CHOICE_YES], tally[CHOICE_NO], tally[CHOICE_ABSTAIN]
    item.present_count, item.base_count = counts["present"], base
    item.threshold_text = f"须{threshold.describe()}赞成（{threshold.needed(base)}票）"
    item.vote_status = Item.VOTE_CLOSED
    item.decided_at = clock.now()
    item.save()
    record(
        "deliberation.item_decided",
        item,
        actor=user,
        changes={"passed": item.passed, **tally, "present": counts["present"], "base": base},
    )
    return item


@guarded("deliberation.approve", "item")
def item_township_approve(*, user, item: Item) -> Item:
    """乡（镇）人民政府批准 (农村土地承包法 Art. 52), after the village's 2/3 consent."""
    if not item.needs_township_approval or item.passed is not True:
        raise ValidationFailed("该议题无需或尚不能报乡镇审批。")
    if item.township_approved_at:
        raise Conflict("该议题已经乡镇批准。")
    item.township_approved_at = clock.now()
    item.save(update_fields=["township_approved_at"])
    record("deliberation.township_approved", item, actor=user)
    return item


@guarded("deliberation.manage", "village")
def authorisation_grant(
    *,
    user,
    village: Region,
    scope: str,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    granted_by: Item | None = None,
) -> Authorisation:
    """Record that the 村民会议 authorised the 村民代表会议 (Art. 24). `granted_by`, when given, must be a passed
    item of a 村民会议 of the same village."""
    _village(village)
    scope = (scope or "").strip()
    if not scope:
        raise ValidationFailed("请填写授权事项。", field="scope")
    if valid_until and valid_until < valid_from:
        raise ValidationFailed("截止日期不能早于生效日期。", field="valid_until")
    if granted_by is not None and (
        granted_by.meeting.body.kind != rules.VILLAGERS_ASSEMBLY
        or granted_by.passed is not True
        or granted_by.meeting.body.region_id != village.pk
    ):
        raise ValidationFailed("授权须出自本村村民会议已通过的决定。", field="granted_by")
    auth = Authorisation.objects.create(
        region=village,
        region_code=village.code,
        scope=scope,
        valid_from=valid_from,
        valid_until=valid_until,
        granted_by=granted_by,
    )
    record("deliberation.authorised", auth, actor=user, changes={"scope": scope})
    return auth


@guarded("deliberation.manage", "authorisation")
def authorisation_revoke(*, user, authorisation: Authorisation) -> Authorisation:
    """The 村民会议 withdraws its authorisation: from now on the 村民代表会议 cannot decide Art. 24 matters under it.
    Decisions already taken under it stand."""
    auth = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
    if auth.revoked:
        raise Conflict("该授权已撤销。")
    auth.revoked = True
    auth.save(update_fields=["revoked"])
    record("deliberation.authorisation_revoked", auth, actor=user, changes={"scope": auth.scope})
    return auth


@guarded("deliberation.object", "meeting")
def objection_record(*, user, meeting: Meeting, text: str, item: Item | None = None) -> Objection:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("请填写监督意见。", field="text")
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationFailed("议题不属于本次会议。", field="item")
    obj = Objection.objects.create(
        meeting=meeting,
        item=item,
        region_code=meeting.region_code,
        text=text,
        author=user if getattr(user, "pk", None) else None,
    )
    record("deliberation.objection", meeting, actor=user, changes={"objection": obj.pk})
    return obj
