"""党员积分: services and selectors of party-member points (DESIGN.md, "Points").

A village's party scheme (`PointScheme.kind="party"`, period: quarter) gives every active member a base score for
the year (基础分, a ledger entry of kind BASE, posted once per member and year) and items that add or deduct
points: attendance at 三会一课 and 主题党日, volunteering, 联户 visits done, … Claims for them take the same path
as a household's (claim → review by the 评议小组 → public notice → ledger: `xiangzhi.points.services`).

- `attendance_post` records the attendance claims of one meeting (called by the deliberation module once it
  records meetings, and by the API);
- `ranking` ranks the members of each branch by the points of a quarter;
- `grade_propose` proposes the annual grade from the year's score (`GRADE_RULE`), `grade_confirm` lets the
  branch confirm it (a 不合格, or any grade other than the proposal, needs a written reason).

Actions: `points.party` (act: base score, grades), `points.party_view` (read the ranking and the grades),
`points.record` (attendance: the same as recording any claim), `points.view_own` / `points.claim` (a member's own
points and claims). All registered in `xiangzhi.points.policy`.
"""

import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet, Sum

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.core import clock, text
from xiangzhi.core.errors import Conflict, NotFound, ValidationFailed
from xiangzhi.party.models import PartyMember, PartyOrg
from xiangzhi.points import ledger, periods, services
from xiangzhi.points.models import (
    HOLDER_PARTY,
    PERIOD_QUARTER,
    Claim,
    LedgerEntry,
    PartyGrade,
    PointItem,
    PointScheme,
)
from xiangzhi.points.policy import own_party_member_id

# -- the default party scheme -----------------------------------------------------------------------------------

# Meeting kinds whose attendance earns (or, absent without leave, loses) points: kind -> (label, present item code,
# absent item code). A village's party scheme must have these codes for `attendance_post` to use it; the default
# scheme below has them.
MEETING_KINDS = {
    "three_meetings": ("三会一课", "DY01", "DY91"),
    "theme_day": ("主题党日", "DY02", "DY92"),
}
MEETING_KIND_CHOICES = [(k, v[0]) for k, v in MEETING_KINDS.items()]

# (code, name, points, category, cap a quarter)
DEFAULT_ITEMS = [
    ("DY01", "参加三会一课", 1, "party_life", 12),
    ("DY02", "参加主题党日活动", 2, "party_life", 6),
    ("DY11", "参加志愿服务", 2, "volunteering", 10),
    ("DY21", "完成党员联户走访", 2, "party_duty", 12),
    ("DY22", "党员先锋岗、承诺践诺", 5, "party_duty", 10),
    ("DY91", "无故缺席三会一课", -3, "party_life", None),
    ("DY92", "无故缺席主题党日活动", -3, "party_life", None),
    ("DY93", "未按时交纳党费", -5, "other", None),
]
DEFAULT_BASE_SCORE = 80


def default_scheme(*, user, village, base_score: int = DEFAULT_BASE_SCORE) -> PointScheme:
    """A village's party scheme with the usual items (`DEFAULT_ITEMS`), made active: a starting point the village
    can copy into a new version and adapt."""
    with transaction.atomic():
        scheme = services.scheme_create(
            user=user,
            region=village,
            name=f"{village.name}党员积分管理办法",
            kind=HOLDER_PARTY,
            period=PERIOD_QUARTER,
            base_score=base_score,
            note="基础分每年发放一次；三会一课、主题党日按会议出席记分，无故缺席扣分。",
        )
        for sort, (code, name, points, category, cap) in enumerate(DEFAULT_ITEMS):
            services.item_save(
                user=user,
                scheme=scheme,
                code=code,
                name=name,
                points=points,
                category=category,
                cap_per_period=cap,
                sort=sort,
            )
        return services.scheme_activate(user=user, scheme=scheme)


def _schemes_of(members) -> dict[str, PointScheme]:
    """The active party scheme of each member's village."""
    villages = {m.region_code[:12] for m in members}
    return {
        s.region_code: s
        for s in PointScheme.objects.filter(
            region_code__in=villages, kind=HOLDER_PARTY, status=PointScheme.ACTIVE, is_template=False
        )
    }


# -- branches and their members ---------------------------------------------------------------------------------


def org_subtree_ids(org: PartyOrg) -> list[int]:
    """The org and every org below it (a 党支部 and its 党小组, …): one query a level, five levels at most."""
    ids, frontier = [org.pk], [org.pk]
    while frontier:
        frontier = list(PartyOrg.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def org_get(*, user, pk, action: str = "points.party_view") -> PartyOrg:
    return policy.get_scoped_or_404(user, action, PartyOrg.objects.select_related("region"), pk=pk)


def org_choices(*, user, action: str = "points.party_view") -> QuerySet:
    """The orgs within reach that hold members (for the ranking's and the grades' pickers)."""
    return (
        policy.scope(user, action, PartyOrg.objects.exclude(kind="center_household"))
        .only("pk", "name", "region_code", "kind")
        .order_by("region_code", "id")
    )


def members_of(*, user, org: PartyOrg | None, action: str = "points.party_view") -> QuerySet:
    """The active members within the user's reach, of `org` and the orgs below it (all when `org` is None)."""
    qs = policy.scope(user, action, PartyMember.objects.filter(is_active=True)).select_related("org")
    if org is not None:
        qs = qs.filter(org_id__in=org_subtree_ids(org))
    return qs.order_by("pk")


# -- scores -----------------------------------------------------------------------------------------------------


def _not_base() -> Q:
    """Entries other than a base score and its corrections: what a member earned by what he or she did."""
    return ~Q(kind=LedgerEntry.BASE) & ~Q(kind=LedgerEntry.CORRECTION, corrects__kind=LedgerEntry.BASE)


def _sums(member_ids, start: dt.date, end: dt.date, *, without_base: bool = False) -> dict[int, int]:
    qs = LedgerEntry.objects.filter(party_member_id__in=list(member_ids), occurred_on__range=(start, end))
    if without_base:
        qs = qs.filter(_not_base())
    return dict(qs.values_list("party_member_id").annotate(s=Sum("earned_delta")).order_by())


def year_scores(member_ids, year: int) -> dict[int, int]:
    """年度积分: the base score and everything posted for the year (corrections included), by member."""
    return _sums(member_ids, dt.date(year, 1, 1), dt.date(year, 12, 31))


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    if not 1 <= int(quarter) <= 4:
        raise ValidationFailed("季度只能是 1 到 4。", field="quarter")
    return periods.bounds(dt.date(year, 3 * int(quarter) - 2, 1), PERIOD_QUARTER)


def _check_year(year, *, field_: str = "year") -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationFailed("年度须为四位数字。", field=field_) from None
    if not 2000 <= year <= clock.today().year:
        raise ValidationFailed(f"年度须在 2000 到 {clock.today().year} 年之间。", field=field_)
    return year


# -- ranking ----------------------------------------------------------------------------------------------------


@dataclass
class RankRow:
    member: PartyMember
    group: PartyOrg  # the branch the member is ranked in
    rank: int
    quarter_points: int  # points of the quarter, without the base score
    year_points: int  # the year's score up to the quarter's end, base score included


@dataclass
class Ranking:
    year: int
    quarter: int
    start: dt.date
    end: dt.date
    org: PartyOrg | None
    rows: list[RankRow] = field(default_factory=list)

    @property
    def label(self) -> str:
        return periods.label(self.start, PERIOD_QUARTER)


def ranking(
    *, user, year: int, quarter: int, org: PartyOrg | None = None, action="points.party_view"
) -> Ranking:
    """季度排名: each member ranked within the branch by the points of the quarter (the base score left out: it
    is the same for everyone), ties sharing a rank (1, 2, 2, 4); the year's score so far breaks nothing, it is
    shown beside. With `org`, one ranking over that org and the orgs below it; without, one per org. Three
    queries."""
    year = _check_year(year)
    start, end = quarter_bounds(year, quarter)
    members = list(members_of(user=user, org=org, action=action))
    ids = [m.pk for m in members]
    quarter_pts = _sums(ids, start, end, without_base=True)
    ytd = _sums(ids, dt.date(year, 1, 1), end)
    groups: dict[int, list[PartyMember]] = {}
    for m in members:
        groups.setdefault(org.pk if org else m.org_id, []).append(m)
    rows: list[RankRow] = []
    for members_ in groups.values():
        group = org or members_[0].org
        members_.sort(key=lambda m: (-quarter_pts.get(m.pk, 0), -ytd.get(m.pk, 0), m.name, m.pk))
        previous, rank = None, 0
        for i, m in enumerate(members_, start=1):
            pts = quarter_pts.get(m.pk, 0)
            if pts != previous:
                rank, previous = i, pts
            rows.append(RankRow(m, group, rank, pts, ytd.get(m.pk, 0)))
    rows.sort(key=lambda r: (r.group.region_code, r.group.pk, r.rank, r.member.name, r.member.pk))
    return Ranking(year=year, quarter=int(quarter), start=start, end=end, org=org, rows=rows)


RANKING_COLUMNS = [
    ("党组织", 24),
    ("名次", 8),
    ("姓名", 12),
    ("类别", 12),
    ("本季度得分", 12),
    ("年度累计", 12),
]


def ranking_export(*, user, year: int, quarter: int, org: PartyOrg | None = None) -> bytes:
    """The ranking as an Excel workbook (names only: no ID number or phone is loaded), audited with its counts."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from xiangzhi.core.xlsx import text_row

    policy.require(user, "points.party_view")
    r = ranking(user=user, year=year, quarter=quarter, org=org)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"{r.label}党员积分排名"[:31])
    for i, (_h, width) in enumerate(RANKING_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.append([h for h, _w in RANKING_COLUMNS])
    for row in r.rows:
        ws.append(
            text_row(
                ws,
                [
                    row.group.name,
                    row.rank,
                    row.member.name,
                    row.member.get_status_display(),
                    row.quarter_points,
                    row.year_points,
                ],
            )
        )
    out = io.BytesIO()
    wb.save(out)
    record(
        "points.party_ranking_export",
        org,
        changes={"year": r.year, "quarter": r.quarter, "org": getattr(org, "pk", None), "rows": len(r.rows)},
        actor=user,
        region_code=org.region_code if org else policy.audit_region(user, "points.party_view"),
    )
    return out.getvalue()


# -- base score -------------------------------------------------------------------------------------------------


@dataclass
class BaseResult:
    year: int
    posted: list[PartyMember] = field(default_factory=list)
    already: list[PartyMember] = field(default_factory=list)
    skipped: list[tuple[PartyMember, str]] = field(default_factory=list)  # (member, why)


def _base_ref(year: int) -> str:
    return f"base:{year}"


def base_post(*, user, org: PartyOrg, year) -> BaseResult:
    """发放基础分: one BASE entry of the scheme's base score for each active member of `org` (and the orgs below
    it) who has none for `year` yet, dated 1 January. Idempotent per member and year: the member's balance row is
    locked before the check, so two presses at once post once. A member whose village has no active party scheme
    (or one without a base score) is skipped and named."""
    policy.require(user, "points.party", org)
    year = _check_year(year)
    if year < clock.today().year - 1:
        raise ValidationFailed("只能发放今年或去年的基础分。", field="year")
    result = BaseResult(year=year)
    with transaction.atomic():
        members = list(members_of(user=user, org=org, action="points.party"))
        schemes = _schemes_of(members)
        due = []
        for m in members:
            scheme = schemes.get(m.region_code[:12])
            if scheme is None:
                result.skipped.append((m, "所在村没有施行中的党员积分方案"))
            elif scheme.base_score <= 0:
                result.skipped.append((m, "所在村的党员积分方案没有设基础分"))
            else:
                due.append((m, scheme))
        # every balance first (member id order), then the entries: the ledger's lock order (balance, then head)
        locked = {m.pk: ledger.lock_balance(ledger.Holder.of(m)) for m, _s in due}
        done = set(
            LedgerEntry.objects.filter(
                party_member_id__in=list(locked), kind=LedgerEntry.BASE, source_ref=_base_ref(year)
            ).values_list("party_member_id", flat=True)
        )
        for m, scheme in due:
            if m.pk in done:
                result.already.append(m)
                continue
            ledger.post(
                holder=ledger.Holder.of(m),
                kind=LedgerEntry.BASE,
                earned=scheme.base_score,
                occurred_on=dt.date(year, 1, 1),
                actor=user,
                note=f"{year}年党员积分基础分",
                source_ref=_base_ref(year),
                balance=locked[m.pk],
            )
            result.posted.append(m)
        record(
            "points.party_base",
            org,
            changes={
                "year": year,
                "posted": len(result.posted),
                "already": len(result.already),
                "skipped": len(result.skipped),
            },
            actor=user,
        )
    return result


def base_missing(member_ids, year: int) -> set[int]:
    """Members (of those given) without a base entry for `year`."""
    have = set(
        LedgerEntry.objects.filter(
            party_member_id__in=list(member_ids), kind=LedgerEntry.BASE, source_ref=_base_ref(year)
        ).values_list("party_member_id", flat=True)
    )
    return set(member_ids) - have


# -- attendance -------------------------------------------------------------------------------------------------


@dataclass
class AttendanceResult:
    claims: list[Claim] = field(default_factory=list)
    already: list[PartyMember] = field(default_factory=list)  # claimed before for this meeting: left alone


def _ids(values, field_: str) -> set[int]:
    out = set()
    for v in values or ():
        if isinstance(v, bool) or not str(v).isdigit():
            raise ValidationFailed("党员编号须为正整数。", field=field_)
        out.add(int(v))
    return out


def attendance_post(
    *,
    user,
    org: PartyOrg,
    meeting_date: dt.date,
    kind: str,
    present_member_ids,
    absent_without_leave_ids=(),
    meeting_ref: str = "",
) -> AttendanceResult:
    """Record the attendance claims of one meeting of `org`: the scheme's attendance item (`MEETING_KINDS`) for
    each member present, its absence item for each member absent without leave (members on leave: neither). The
    claims go through review and notice like any recorded claim. One transaction: a refusal for one member (not a
    member of the org, a cap reached, the village's scheme without the item) records nothing for anyone.

    `meeting_ref` names the meeting (the deliberation module passes "meeting:<id>"); without it the meeting is
    known by org, kind and date. Posting the same meeting again records nobody twice: members already claimed for
    it are returned in `already`."""
    if kind not in MEETING_KINDS:
        raise ValidationFailed("会议类型只能是三会一课或主题党日。", field="kind")
    label, present_code, absent_code = MEETING_KINDS[kind]
    present = _ids(present_member_ids, "present_member_ids")
    absent = _ids(absent_without_leave_ids, "absent_without_leave_ids")
    if not present and not absent:
        raise ValidationFailed("请至少选择一名出席或无故缺席的党员。", field="present_member_ids")
    both = present & absent
    if both:
        raise ValidationFailed("同一名党员不能既出席又无故缺席。", field="absent_without_leave_ids")
    if not isinstance(meeting_date, dt.date):
        raise ValidationFailed("请填写会议日期。", field="meeting_date")
    meeting_ref = text.clean_text(
        meeting_ref, field="meeting_ref", label="会议编号", limit=30, required=False
    )
    policy.require(user, "points.record", org)
    batch = meeting_ref or f"att:{org.pk}:{kind}:{meeting_date:%Y%m%d}"
    batch = batch[:40]
    result = AttendanceResult()
    with transaction.atomic():
        members = {
            m.pk: m
            for m in PartyMember.objects.filter(
                pk__in=present | absent, is_active=True, org_id__in=org_subtree_ids(org)
            ).order_by("pk")
        }
        unknown = (present | absent) - set(members)
        if unknown:
            raise ValidationFailed(
                f"有 {len(unknown)} 人不是“{org.name}”的在册党员，请核对名单。", field="present_member_ids"
            )
        schemes = _schemes_of(members.values())
        items: dict[tuple[int, str], PointItem] = {
            (i.scheme_id, i.code): i
            for i in PointItem.objects.filter(
                scheme__in=list(schemes.values()), code__in=[present_code, absent_code]
            )
        }
        claimed = set(
            Claim.objects.filter(party_member_id__in=list(members), batch=batch)
            .exclude(state__in=[Claim.REJECTED, Claim.WITHDRAWN])
            .values_list("party_member_id", flat=True)
        )
        for pk, m in sorted(members.items()):  # member id order: the claims lock balances in that order
            if pk in claimed:
                result.already.append(m)
                continue
            code = present_code if pk in present else absent_code
            scheme = schemes.get(m.region_code[:12])
            item = items.get((scheme.pk, code)) if scheme else None
            if item is None:
                raise ValidationFailed(
                    f"{m.name}所在村的党员积分方案没有“{code}”一项（{label}"
                    f"{'出席' if pk in present else '无故缺席'}），无法记分；本次没有为任何人记分。",
                    field="kind",
                )
            try:
                claim = services.claim_record(
                    user=user,
                    item=item,
                    party_member=m,
                    occurred_on=meeting_date,
                    description=f"{meeting_date:%Y-%m-%d} {label}：{'出席' if pk in present else '无故缺席'}",
                    batch=batch,
                )
            except ValidationFailed as exc:
                raise ValidationFailed(
                    f"{m.name}：{exc.message}本次没有为任何人记分。", field=exc.field
                ) from None
            result.claims.append(claim)
        record(
            "points.party_attendance",
            org,
            changes={
                "kind": kind,
                "date": meeting_date.isoformat(),
                "present": len(present),
                "absent": len(absent),
                "claims": len(result.claims),
                "batch": batch,
            },
            actor=user,
        )
    return result


# -- annual grades ----------------------------------------------------------------------------------------------

EXCELLENT, QUALIFIED, BASIC, UNQUALIFIED = "excellent", "qualified", "basic", "unqualified"
GRADE_LABELS = dict(PartyGrade.GRADE_CHOICES)
EXCELLENT_MIN, QUALIFIED_MIN, BASIC_MIN = 90, 75, 60
EXCELLENT_SHARE_PERCENT = 30

GRADE_RULE = (
    f"年度积分（基础分加全年得分、扣分）≥ {EXCELLENT_MIN} 分建议“优秀”，但“优秀”不超过本支部参评党员的 "
    f"{EXCELLENT_SHARE_PERCENT}%（人数乘以 30% 后向下取整，如 10 人最多 3 名、9 人最多 2 名、3 人没有名额），"
    f"按积分从高到低确定；名额线上同分的党员同进同出，名额不够时都建议“合格”。"
    f"{QUALIFIED_MIN}–{EXCELLENT_MIN - 1} 分建议“合格”，{BASIC_MIN}–{QUALIFIED_MIN - 1} 分建议“基本合格”，"
    f"{BASIC_MIN} 分以下建议“不合格”。支部确定等次时，定为“不合格”或与建议等次不同的，须写明理由。"
)


def grade_by_score(score: int) -> str:
    """The grade the score alone points to (before the 优秀 cap)."""
    if score >= EXCELLENT_MIN:
        return EXCELLENT
    if score >= QUALIFIED_MIN:
        return QUALIFIED
    if score >= BASIC_MIN:
        return BASIC
    return UNQUALIFIED


def excellent_cap(members: int) -> int:
    """At most 30% of the branch's graded members, rounded down."""
    return members * EXCELLENT_SHARE_PERCENT // 100


def propose(scores: dict[int, int]) -> dict[int, str]:
    """Proposed grade of each member (id -> score), by `GRADE_RULE`."""
    out = {pk: grade_by_score(s) for pk, s in scores.items()}
    cap = excellent_cap(len(scores))
    candidates = sorted((s for pk, s in scores.items() if out[pk] == EXCELLENT), reverse=True)
    # the lowest score that still fits: every member with that score or more must fit under the cap
    taken, cutoff = 0, None
    for s in sorted(set(candidates), reverse=True):
        n = candidates.count(s)
        if taken + n > cap:
            break
        taken, cutoff = taken + n, s
    for pk, s in scores.items():
        if out[pk] == EXCELLENT and (cutoff is None or s < cutoff):
            out[pk] = QUALIFIED
    return out


@dataclass
class ProposeResult:
    year: int
    proposed: int = 0
    kept: int = 0  # already confirmed: left as confirmed
    cap: int = 0


def grade_propose(*, user, org: PartyOrg, year) -> ProposeResult:
    """建议等次 for every active member of `org` (and the orgs below it) from the year's score. Proposals not yet
    confirmed are replaced (scores change until the year is closed); confirmed grades are left alone. Refused
    while a member whose village gives a base score has not had this year's."""
    policy.require(user, "points.party", org)
    year = _check_year(year)
    with transaction.atomic():
        members = list(members_of(user=user, org=org, action="points.party"))
        if not members:
            raise ValidationFailed(f"“{org.name}”没有在册党员。", field="org")
        schemes = _schemes_of(members)
        with_base = [m.pk for m in members if getattr(schemes.get(m.region_code[:12]), "base_score", 0) > 0]
        missing = base_missing(with_base, year)
        if missing:
            raise ValidationFailed(
                f"还有 {len(missing)} 名党员没有记 {year} 年基础分，请先发放基础分。", field="year"
            )
        scores = year_scores([m.pk for m in members], year)
        scores = {m.pk: scores.get(m.pk, 0) for m in members}
        proposals = propose(scores)
        existing = {
            g.party_member_id: g
            for g in PartyGrade.objects.select_for_update().filter(party_member__in=members, year=year)
        }
        result = ProposeResult(year=year, cap=excellent_cap(len(members)))
        for m in members:
            g = existing.get(m.pk)
            if g is not None and g.confirmed:
                result.kept += 1
                continue
            if g is None:
                PartyGrade.objects.create(
                    party_member=m,
                    org=org,
                    region_code=m.region_code,
                    year=year,
                    score=scores[m.pk],
                    proposed=proposals[m.pk],
                )
            else:
                g.org, g.region_code, g.score, g.proposed = org, m.region_code, scores[m.pk], proposals[m.pk]
                g.save(update_fields=["org", "region_code", "score", "proposed"])
            result.proposed += 1
        record(
            "points.party_grade_propose",
            org,
            changes={"year": year, "proposed": result.proposed, "kept": result.kept, "cap": result.cap},
            actor=user,
        )
    return result


def grade_list(*, user, org: PartyOrg, year: int, action: str = "points.party_view") -> QuerySet:
    return (
        policy.scope(user, action, PartyGrade.objects.filter(org=org, year=year))
        .select_related("party_member", "confirmed_by")
        .order_by("-score", "party_member__name", "pk")
    )


def grade_get(*, user, pk, action: str = "points.party_view") -> PartyGrade:
    return policy.get_scoped_or_404(
        user, action, PartyGrade.objects.select_related("party_member", "org"), pk=pk
    )


def _confirm_one(user, grade: PartyGrade, confirmed: str, note: str, now) -> None:
    grade.confirmed, grade.confirmed_by, grade.confirmed_at, grade.note = confirmed, user, now, note
    grade.save(update_fields=["confirmed", "confirmed_by", "confirmed_at", "note"])
    record(
        "points.party_grade_confirm",
        grade,
        changes={
            "year": grade.year,
            "proposed": grade.proposed,
            "confirmed": confirmed,
            "score": grade.score,
        },
        actor=user,
    )


def _excellent_room(grade: PartyGrade) -> int:
    """How many more 优秀 the branch may confirm for the year (row locks held by the caller)."""
    rows = list(
        PartyGrade.objects.select_for_update()
        .filter(org_id=grade.org_id, year=grade.year)
        .values_list("confirmed", flat=True)
    )
    return excellent_cap(len(rows)) - sum(1 for c in rows if c == EXCELLENT)


def grade_confirm(*, user, grade: PartyGrade, confirmed: str, note: str = "") -> PartyGrade:
    """确定等次 by the branch. 不合格, or a grade other than the proposal, needs a written reason; 优秀 stays
    within the cap of the branch; a confirmed grade is final (a mistake is fixed by the higher committee)."""
    if confirmed not in GRADE_LABELS:
        raise ValidationFailed("请选择确定的等次。", field="confirmed")
    needs_reason = confirmed == UNQUALIFIED or confirmed != grade.proposed
    note = text.clean_text(note, field="note", label="理由", limit=300, required=needs_reason)
    policy.require(user, "points.party", grade)
    with transaction.atomic():
        grade = (
            PartyGrade.objects.select_for_update(of=("self",)).select_related("party_member").get(pk=grade.pk)
        )
        if grade.confirmed:
            raise Conflict(
                f"{grade.party_member.name}的 {grade.year} 年等次已确定为“{grade.get_confirmed_display()}”。"
            )
        if confirmed == EXCELLENT and _excellent_room(grade) <= 0:
            raise ValidationFailed(
                f"“优秀”名额已满：不超过本支部参评党员的 {EXCELLENT_SHARE_PERCENT}%。", field="confirmed"
            )
        _confirm_one(user, grade, confirmed, note, clock.now())
    return grade


def grade_confirm_all(*, user, org: PartyOrg, year) -> int:
    """Confirm every unconfirmed proposal of the branch as proposed, except 不合格 (each needs its reason, one by
    one). Returns how many were confirmed."""
    policy.require(user, "points.party", org)
    year = _check_year(year)
    with transaction.atomic():
        grades = list(
            policy.scope(
                user,
                "points.party",
                PartyGrade.objects.select_for_update().filter(org=org, year=year, confirmed=""),
            )
            .exclude(proposed=UNQUALIFIED)
            .order_by("pk")
        )
        now = clock.now()
        for g in grades:
            _confirm_one(user, g, g.proposed, "", now)
    return len(grades)


# -- a member's own points --------------------------------------------------------------------------------------


@dataclass
class MyPoints:
    member: PartyMember
    year: int
    earned: int  # 累计积分 over all years
    year_score: int
    quarter_points: int
    quarter_label: str
    entries: QuerySet  # this member's ledger, newest first (paginate it)
    open_claims: list
    grades: list
    items: list  # the items of the member's village party scheme, for claiming


def my_member(user) -> PartyMember | None:
    pk = own_party_member_id(user)
    return PartyMember.objects.select_related("org").filter(pk=pk).first() if pk else None


def my_points(*, user) -> MyPoints:
    """党员本人的积分: this year's score, the quarter's points, the ledger, claims under way and past grades."""
    member = my_member(user)
    if member is None:
        raise NotFound("您的账号没有关联在册党员，请联系村党支部。")
    policy.require(user, "points.view_own", member)
    today = clock.today()
    start, end = periods.bounds(today, PERIOD_QUARTER)
    earned, _available = ledger.balance_of(ledger.Holder.of(member))
    scheme = services.active_scheme(member.region_code[:12], HOLDER_PARTY)
    return MyPoints(
        member=member,
        year=today.year,
        earned=earned,
        year_score=year_scores([member.pk], today.year).get(member.pk, 0),
        quarter_points=_sums([member.pk], start, end, without_base=True).get(member.pk, 0),
        quarter_label=periods.label(start, PERIOD_QUARTER),
        entries=LedgerEntry.objects.filter(party_member=member).order_by("-at", "-id"),
        open_claims=list(
            Claim.objects.filter(party_member=member, state__in=Claim.OPEN_STATES)
            .select_related("item")
            .order_by("-created_at")[:20]
        ),
        grades=list(PartyGrade.objects.filter(party_member=member).order_by("-year")),
        items=list(scheme.items.filter(points__gt=0).order_by("sort", "code")) if scheme else [],
    )


def my_claim(*, user, item_id, occurred_on=None, description: str = "") -> Claim:
    """A member claims an item of the village's party scheme for himself or herself (e.g. 联户走访 done)."""
    member = my_member(user)
    if member is None:
        raise NotFound("您的账号没有关联在册党员，请联系村党支部。")
    item = (
        PointItem.objects.filter(pk=item_id).select_related("scheme").first()
        if str(item_id).isdigit()
        else None
    )
    if item is None:
        raise ValidationFailed("请选择申报的积分项。", field="item")
    return services.claim_submit(
        user=user, item=item, party_member=member, occurred_on=occurred_on, description=description
    )
