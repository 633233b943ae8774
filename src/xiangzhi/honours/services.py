"""红黑榜 services: generating the lists (on demand by a cadre, or by the periodic job at period end), telling the
named households, appeals, publication. Every change of state is audited in its own transaction.

List states (see models.HonourList): draft → notified → published.
- draft: generated from the ledger; the cadres may generate it again (late postings of the period then count);
- notified: each named household's villager accounts are told; the household may appeal until `appeal_until`
  (settings.HONOURS_APPEAL_DAYS days, default 5, or the days the cadre chose); the 两委 decide each appeal (an
  upheld appeal removes the entry, the ranks of the others stay as they were);
- published: only after the appeal window has closed and with no appeal left undecided; on the public board.
A draft that names nobody may be published at once (there is nobody to tell).

Nothing here touches a household's lawful property rights (collective income, dividends): the lists can bar a
household from honours (评先评优) and from nothing else (村民委员会组织法 Art. 27). See selectors.honours_flag.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.core import clock, text
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.core.notify import notify_many
from xiangzhi.honours import ranking
from xiangzhi.honours.models import BLACK, RED, Appeal, HonourEntry, HonourList
from xiangzhi.points import periods
from xiangzhi.points.models import HOLDER_HOUSEHOLD, PointScheme
from xiangzhi.regions.models import Region

logger = logging.getLogger(__name__)

DEFAULT_APPEAL_DAYS = 5
MAX_APPEAL_DAYS = 30


def appeal_days_default() -> int:
    return int(getattr(settings, "HONOURS_APPEAL_DAYS", DEFAULT_APPEAL_DAYS))


def _audit(action: str, obj, user, changes: dict, *, region_code: str | None = None) -> None:
    record(f"honours.{action}", obj, changes=changes, actor=user, region_code=region_code)


def active_scheme(village_code: str) -> PointScheme | None:
    return PointScheme.objects.filter(
        region_code=village_code, kind=HOLDER_HOUSEHOLD, status=PointScheme.ACTIVE, is_template=False
    ).first()


# -- generation ------------------------------------------------------------------------------------------------


def _ranked(by_household: dict, size: int) -> list[tuple[str, list]]:
    return [(RED, ranking.red_list(by_household, size)), (BLACK, ranking.black_list(by_household))]


def _heads(ranked_lists) -> dict[int, tuple[str, str]]:
    """{household id: (its region code, head's name)} for the households named on these lists (one query)."""
    from xiangzhi.people.models import Household

    wanted = {r.score.household_id for ranked in ranked_lists for _kind, rs in ranked for r in rs}
    if not wanted:
        return {}
    rows = Household.objects.filter(pk__in=wanted).values_list("pk", "region_code", "head_name")
    return {pk: (code, name) for pk, code, name in rows}


def _entries(honour_list: HonourList, ranked, heads: dict) -> list[HonourEntry]:
    out = []
    for kind, rs in ranked:
        for r in rs:
            region_code, head_name = heads[r.score.household_id]
            out.append(
                HonourEntry(
                    honour_list=honour_list,
                    household_id=r.score.household_id,
                    region_code=region_code,
                    head_name=head_name or "（无户主）",
                    kind=kind,
                    rank=r.rank,
                    points=r.score.earned if kind == RED else r.score.violation_points,
                    violations=r.score.violations if kind == BLACK else 0,
                    violation_summary=r.score.summary if kind == BLACK else "",
                )
            )
    return out


def _new_list(village: Region, scheme: PointScheme, start, end, user, by_household, now) -> HonourList:
    return HonourList(
        region=village,
        region_code=village.code,
        scheme=scheme,
        period=scheme.period,
        period_start=start,
        period_end=end,
        red_list_size=scheme.red_list_size,
        generated_at=now,
        generated_by=user if getattr(user, "pk", None) else None,
        households_ranked=len(by_household),
    )


def list_generate(*, user, village: Region, day: dt.date) -> HonourList:
    """On demand: the list of the village's period (of its active household scheme) that holds `day`. A draft of
    that period is generated again; a notified or published list stays as it is. The period must be over."""
    if village.level != "village":
        raise ValidationFailed("红黑榜按村生成：请选择一个村。", field="village")
    policy.require(user, "honours.generate", village)
    scheme = active_scheme(village.code)
    if scheme is None:
        raise ValidationFailed("该村还没有施行中的户积分方案，无法生成红黑榜。", field="village")
    start, end = periods.bounds(day, scheme.period)
    return _generate_one(user, village, scheme, scheme.period, start, end, scheme.red_list_size)


def list_regenerate(*, user, honour_list: HonourList, version=None) -> HonourList:
    """A draft generated again from the ledger as it is now (postings of the period made since count), for the
    same period and red-list size."""
    policy.require(user, "honours.generate", honour_list)
    if version is not None and int(version) != honour_list.version:
        raise Conflict("这份榜单刚被他人处理过，请刷新后再操作。", code="stale")
    return _generate_one(
        user,
        honour_list.region,
        honour_list.scheme,
        honour_list.period,
        honour_list.period_start,
        honour_list.period_end,
        honour_list.red_list_size,
    )


def _generate_one(user, village, scheme, period, start, end, size) -> HonourList:
    if end >= clock.today():
        raise ValidationFailed(
            f"{periods.label(start, period)}还没有结束（截至 {end:%Y年%m月%d日}），结束后才能生成。",
            field="month",
        )
    by_household = ranking.scores([village.code], start, end)[village.code]
    ranked = _ranked(by_household, size)
    heads = _heads([ranked])
    now = clock.now()
    with transaction.atomic():
        existing = (
            HonourList.objects.select_for_update()
            .filter(region_code=village.code, period=period, period_start=start)
            .first()
        )
        if existing is not None and existing.state != HonourList.DRAFT:
            raise Conflict(f"该期红黑榜{existing.get_state_display()}，不能重新生成。")
        if existing is None:
            honour_list = HonourList(
                region=village,
                region_code=village.code,
                scheme=scheme,
                period=period,
                period_start=start,
                period_end=end,
                red_list_size=size,
                generated_at=now,
                generated_by=user,
                households_ranked=len(by_household),
            )
            honour_list.save()
            action = "generate"
        else:
            honour_list = existing
            honour_list.entries.all().delete()  # a draft's entries: nobody was told, no appeal can exist
            honour_list.generated_at, honour_list.generated_by = now, user
            honour_list.households_ranked = len(by_household)
            honour_list.version += 1
            honour_list.save(update_fields=["generated_at", "generated_by", "households_ranked", "version"])
            action = "regenerate"
        entries = HonourEntry.objects.bulk_create(_entries(honour_list, ranked, heads))
        _audit(action, honour_list, user, _counts(honour_list, entries))
    return honour_list


def _counts(honour_list: HonourList, entries) -> dict:
    return {
        "period": honour_list.period_label,
        "red": sum(1 for e in entries if e.kind == RED),
        "black": sum(1 for e in entries if e.kind == BLACK),
        "households_ranked": honour_list.households_ranked,
    }


def generate_due(*, today: dt.date | None = None) -> int:
    """The periodic job: for every village with an active household scheme, the list of the period that ended
    last (month or quarter, the scheme's), unless it exists already. Idempotent: running it again, or twice at
    once, makes nothing twice (one list per village and period is a database constraint). One grouped ledger
    query per county and period; one transaction per county. Returns the number of lists made."""
    today = today or clock.today()
    schemes = list(
        PointScheme.objects.filter(kind=HOLDER_HOUSEHOLD, status=PointScheme.ACTIVE, is_template=False)
        .select_related("region")
        .order_by("region_code")
    )
    due: dict[tuple[str, str, dt.date, dt.date], list[PointScheme]] = {}
    for s in schemes:
        if s.region.level != "village":
            continue
        start, end = periods.previous(today, s.period)
        due.setdefault((s.region_code[:6], s.period, start, end), []).append(s)
    made = 0
    for (_county, period, start, end), group in due.items():
        existing = set(
            HonourList.objects.filter(
                region_code__in=[s.region_code for s in group], period=period, period_start=start
            ).values_list("region_code", flat=True)
        )
        group = [s for s in group if s.region_code not in existing]
        if group:
            made += _generate_batch(group, start, end)
    return made


def _generate_batch(schemes: list[PointScheme], start: dt.date, end: dt.date) -> int:
    by_village = ranking.scores([s.region_code for s in schemes], start, end)
    ranked = {s.region_code: _ranked(by_village.get(s.region_code, {}), s.red_list_size) for s in schemes}
    heads = _heads(ranked.values())
    now = clock.now()
    lists = [
        _new_list(s.region, s, start, end, None, by_village.get(s.region_code, {}), now) for s in schemes
    ]
    try:
        with transaction.atomic():
            created = HonourList.objects.bulk_create(lists)
            entries = []
            for hl in created:
                entries += _entries(hl, ranked[hl.region_code], heads)
            HonourEntry.objects.bulk_create(entries, batch_size=2000)
            per_list: dict[int, list] = {}
            for e in entries:
                per_list.setdefault(e.honour_list_id, []).append(e)
            for hl in created:
                _audit("generate", hl, None, {**_counts(hl, per_list.get(hl.pk, [])), "by": "periodic"})
        return len(created)
    except IntegrityError:
        # another run made some of them meanwhile: one village at a time, skipping what exists
        logger.info("honours.generate_batch_conflict", extra={"villages": len(schemes)})
        made = 0
        for s, hl in zip(schemes, lists, strict=True):
            try:
                with transaction.atomic():
                    hl.pk = None
                    hl.save()
                    entries = HonourEntry.objects.bulk_create(_entries(hl, ranked[s.region_code], heads))
                    _audit("generate", hl, None, {**_counts(hl, entries), "by": "periodic"})
                made += 1
            except IntegrityError:
                continue
        return made


# -- telling, appeals, publication -----------------------------------------------------------------------------


def _lock(honour_list: HonourList, *, version=None) -> HonourList:
    locked = (
        HonourList.objects.select_for_update(of=("self",)).select_related("region").get(pk=honour_list.pk)
    )
    if version is not None and int(version) != locked.version:
        raise Conflict("这份榜单刚被他人处理过，请刷新后再操作。", code="stale")
    return locked


def _bump(honour_list: HonourList, fields: list[str]) -> None:
    honour_list.version += 1
    honour_list.save(update_fields=[*fields, "version"])


def household_accounts(household_ids):
    """The active villager accounts of these households' members."""
    from xiangzhi.accounts.models import User

    return User.objects.filter(
        kind=User.KIND_VILLAGER, is_active=True, resident__household_id__in=list(household_ids)
    )


def _cadres(village_code: str):
    from xiangzhi.accounts.models import RoleAssignment, User

    ids = RoleAssignment.objects.filter(
        is_active=True, role__in=("village_secretary", "village_committee"), region_code=village_code
    ).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True)


def list_notify(*, user, honour_list: HonourList, appeal_days: int | None = None, version=None) -> HonourList:
    """告知: every named household's villager accounts get a message; appeals are open for `appeal_days`."""
    days = appeal_days_default() if appeal_days in (None, "") else appeal_days
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ValidationFailed("申诉期须为整数天。", field="appeal_days") from None
    if not 1 <= days <= MAX_APPEAL_DAYS:
        raise ValidationFailed(f"申诉期须在 1 到 {MAX_APPEAL_DAYS} 天之间。", field="appeal_days")
    policy.require(user, "honours.notify", honour_list)
    with transaction.atomic():
        hl = _lock(honour_list, version=version)
        if hl.state != HonourList.DRAFT:
            raise Conflict(f"这份榜单{hl.get_state_display()}，不能再次告知。")
        now = clock.now()
        hl.state, hl.notified_at, hl.appeal_until = HonourList.NOTIFIED, now, now + dt.timedelta(days=days)
        _bump(hl, ["state", "notified_at", "appeal_until"])
        entries = list(hl.entries.filter(removed=False))
        _audit(
            "notify", hl, user, {"households": len({e.household_id for e in entries}), "appeal_days": days}
        )
        until = f"{timezone.localtime(hl.appeal_until):%m月%d日%H:%M}"
        for kind, label in ((RED, "红榜"), (BLACK, "黑榜")):
            named = {e.household_id for e in entries if e.kind == kind}
            if not named:
                continue
            notify_many(
                household_accounts(named),
                f"honours.named_{kind}",
                hl,
                title=f"您家拟上{hl.region.name}{hl.period_label}{label}",
                body=(
                    f"公布前如有异议，请在 {until} 前提出申诉。"
                    + ("上黑榜只影响评先评优，不影响分红等财产权利。" if kind == BLACK else "")
                ),
                url="/honours/mine/",
            )
    return hl


def appeal_raise(*, user, entry: HonourEntry, text_: str) -> Appeal:
    """申诉 by the named household (one of its villager accounts) while the list is notified and the window open."""
    body = text.clean_text(text_, field="text", label="申诉理由", limit=1000)
    policy.require(user, "honours.appeal", entry)
    with transaction.atomic():
        hl = _lock(entry.honour_list)
        entry = HonourEntry.objects.select_for_update().get(pk=entry.pk)
        now = clock.now()
        if hl.state != HonourList.NOTIFIED or hl.appeal_until is None or now >= hl.appeal_until:
            raise Conflict("申诉期已过或榜单不在告知期，不能再申诉。")
        if entry.removed:
            raise Conflict("这一条已经撤下，无需申诉。")
        if entry.appeals.filter(state=Appeal.OPEN).exists():
            raise Conflict("您已经提出过申诉，正在等待村两委处理。")
        appeal = Appeal.objects.create(
            entry=entry, region_code=entry.region_code, text=body, raised_by=user, raised_at=now
        )
        _audit("appeal", appeal, user, {"entry": entry.pk, "kind": entry.kind, "list": hl.pk})
        notify_many(
            _cadres(hl.region_code),
            "honours.appeal",
            hl,
            title=f"{hl.period_label}红黑榜收到申诉：{entry.head_name}户",
            url=f"/honours/{hl.pk}/",
        )
    return appeal


def appeal_decide(*, user, appeal: Appeal, upheld: bool, reason: str) -> Appeal:
    """处理申诉: upheld removes the entry from the list; dismissed keeps it. Before publication only."""
    reason = text.clean_text(reason, field="reason", label="处理意见", limit=1000)
    policy.require(user, "honours.decide", appeal.entry.honour_list)
    with transaction.atomic():
        hl = _lock(appeal.entry.honour_list)
        appeal = Appeal.objects.select_for_update(of=("self",)).select_related("entry").get(pk=appeal.pk)
        if hl.state == HonourList.PUBLISHED:
            raise Conflict("榜单已经公布，不能再处理申诉。")
        if appeal.state != Appeal.OPEN:
            raise Conflict("这条申诉已经处理过。")
        now = clock.now()
        appeal.state = Appeal.UPHELD if upheld else Appeal.DISMISSED
        appeal.reason, appeal.decided_by, appeal.decided_at = reason, user, now
        appeal.save(update_fields=["state", "reason", "decided_by", "decided_at"])
        if upheld:
            entry = appeal.entry
            entry.removed, entry.removed_reason = True, reason[:500]
            entry.save(update_fields=["removed", "removed_reason"])
        _bump(hl, [])
        _audit("decide", appeal, user, {"upheld": bool(upheld), "entry": appeal.entry_id, "list": hl.pk})
        if appeal.raised_by_id:
            notify_many(
                [appeal.raised_by],
                "honours.decided",
                hl,
                title=f"您的申诉{'成立，已从榜单撤下' if upheld else '不成立'}：{hl.period_label}红黑榜",
                body=reason,
                url="/honours/mine/",
            )
    return appeal


def list_publish(*, user, honour_list: HonourList, version=None) -> HonourList:
    """公布: after the appeal window, with every appeal decided (a draft naming nobody may be published at once)."""
    policy.require(user, "honours.publish", honour_list)
    with transaction.atomic():
        hl = _lock(honour_list, version=version)
        now = clock.now()
        if hl.state == HonourList.PUBLISHED:
            raise Conflict("这份榜单已经公布。")
        if hl.state == HonourList.DRAFT:
            if hl.entries.exists():
                raise Conflict("请先告知上榜农户，申诉期满后再公布。")
            hl.notified_at = hl.appeal_until = now  # nobody to tell: no window
        else:
            if now < hl.appeal_until:
                until = f"{timezone.localtime(hl.appeal_until):%Y年%m月%d日%H:%M}"
                raise Conflict(f"申诉期未满（至 {until}），期满后才能公布。")
            open_appeals = Appeal.objects.filter(entry__honour_list=hl, state=Appeal.OPEN).count()
            if open_appeals:
                raise Conflict(f"还有 {open_appeals} 条申诉没有处理，处理完才能公布。")
        hl.state, hl.published_at, hl.published_by = HonourList.PUBLISHED, now, user
        _bump(hl, ["state", "notified_at", "appeal_until", "published_at", "published_by"])
        entries = list(hl.entries.all())
        _audit(
            "publish",
            hl,
            user,
            {
                "red": sum(1 for e in entries if e.kind == RED and not e.removed),
                "black": sum(1 for e in entries if e.kind == BLACK and not e.removed),
                "removed": sum(1 for e in entries if e.removed),
            },
        )
        _board_publish(hl, entries, user)
    return hl


def _board_publish(hl: HonourList, entries, user) -> None:
    """The published 红黑榜 on the village's public board (三务公开, through disclosure's publishing hook),
    households shown as 张某户; source_ref names the period, so a list published again for it supersedes."""
    from xiangzhi.disclosure import services as board

    shown = sorted((e for e in entries if not e.removed), key=lambda e: (e.kind != RED, e.rank))
    red = [f"第{e.rank}名 {board.masked_name(e.head_name)}户 {e.points} 分" for e in shown if e.kind == RED]
    black = [
        f"{board.masked_name(e.head_name)}户：{e.violation_summary or '违反村规民约'}"
        for e in shown
        if e.kind == BLACK
    ]
    span = f"{hl.period_start:%Y年%m月%d日}至{hl.period_end:%Y年%m月%d日}"
    body = [f"评比期间：{span}。", "红榜：", *(red or ["（无）"]), "黑榜：", *(black or ["（无）"])]
    body.append("黑榜只影响评先评优，不影响集体收益分配等合法财产权益。")
    board.publish(
        region=hl.region,
        kind="honours",
        title=f"红黑榜（{span}）",
        body="\n".join(body),
        source_ref=f"honours.list:{hl.period_start:%Y-%m-%d}:{hl.period_end:%Y-%m-%d}",
        published_by=user,
    )
