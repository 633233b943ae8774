"""How cases are shown: labels, the deadline in words, the timeline rows, the regions a user may report in.
Read-only helpers for the pages; nothing here decides who may do what (selectors and the policy do)."""

from dataclasses import dataclass, field

from xiangzhi.cases import selectors, states
from xiangzhi.cases.models import HANDLER_LABELS, LEVEL_LABELS, RATING_LABELS, URGENCY_CHOICES, Case

URGENCY_LABELS = dict(URGENCY_CHOICES)
REPORT_LEVELS = ("village", "grid")
TIMED_STATES = (Case.REPORTED, Case.ASSIGNED, Case.IN_PROGRESS, Case.SUSPENDED, Case.DELIBERATING)


def duration_words(seconds: int) -> str:
    """ "2 天 3 小时", "5 小时", "不到 1 小时"."""
    seconds = abs(int(seconds))
    days, rest = divmod(seconds, 86400)
    hours = rest // 3600
    if days:
        return f"{days} 天 {hours} 小时" if hours else f"{days} 天"
    return f"{hours} 小时" if hours else "不到 1 小时"


def deadline_words(case: Case) -> str:
    """The deadline as words, never as colour only: "剩余 2 天 3 小时", "已超期 1 天", "已暂停计时"."""
    if case.state not in TIMED_STATES or case.deadline is None:
        return ""  # a result reported (待核查, 待评价) or a case closed: no handling deadline runs
    if case.state in (Case.SUSPENDED, Case.DELIBERATING):
        return "已暂停计时"
    left = selectors.seconds_left(case)
    if left is None:
        return ""
    if left <= 0 or case.is_overdue:
        return f"已超期 {duration_words(left)}" if left <= 0 else "已超期"
    return f"剩余 {duration_words(left)}"


def handler_words(case: Case) -> str:
    if case.department_id:
        return case.department.name
    return HANDLER_LABELS.get(case.handler, "")


@dataclass
class Row:
    """One case in a list."""

    case: Case
    number: str
    state: str
    level: str
    handler: str
    deadline: str
    overdue: bool


def list_rows(cases) -> list[Row]:
    rows = []
    for c in cases:
        words = deadline_words(c)
        rows.append(
            Row(
                case=c,
                number=c.number,
                state=states.STATE_LABELS.get(c.state, c.state),
                level=LEVEL_LABELS.get(c.level, ""),
                handler=handler_words(c),
                deadline=words,
                overdue=words.startswith("已超期"),
            )
        )
    return rows


@dataclass
class Entry:
    """One timeline entry as the page shows it."""

    at: object
    actor: str
    action: str
    from_state: str
    to_state: str
    from_level: str
    to_level: str
    note: str
    attachments: list = field(default_factory=list)


def timeline_entries(case: Case) -> list[Entry]:
    out = []
    for ev in selectors.timeline(case):
        out.append(
            Entry(
                at=ev.at,
                actor=ev.actor_label,
                action=states.LABELS.get(ev.action, ev.action),
                from_state=states.STATE_LABELS.get(ev.from_state, "") if ev.from_state else "",
                to_state=states.STATE_LABELS.get(ev.to_state, "") if ev.to_state else "",
                from_level=LEVEL_LABELS.get(ev.from_level, "") if ev.from_level != ev.to_level else "",
                to_level=LEVEL_LABELS.get(ev.to_level, "") if ev.from_level != ev.to_level else "",
                note=ev.note,
                attachments=list(ev.attachments.all()),
            )
        )
    return out


def facts(user, case: Case) -> list[tuple[str, str]]:
    """The facts of a case, label and value, for the case page."""
    rows = [
        ("编号", case.number),
        ("状态", states.STATE_LABELS.get(case.state, case.state)),
        ("类别", case.category_label + (f" · {case.subcategory.name}" if case.subcategory_id else "")),
        ("三事类型", case.get_triage_display() if case.triage else "未分流"),
        ("紧急程度", URGENCY_LABELS.get(case.urgency, "")),
        ("地点", " · ".join(x for x in (case.region.name, case.place) if x)),
        ("上报人", selectors.reporter_display(user, case)),
        ("来源", case.get_source_display()),
        ("办理层级", LEVEL_LABELS.get(case.level, "")),
        ("办理主体", handler_words(case)),
    ]
    if case.latitude is not None:
        rows.append(("地图位置", f"北纬 {case.latitude}，东经 {case.longitude}"))
    if case.state in TIMED_STATES and case.deadline:
        from django.utils import timezone

        rows.append(
            ("办理时限", f"{timezone.localtime(case.deadline):%Y-%m-%d %H:%M}（{deadline_words(case)}）")
        )
    if case.result:
        rows.append(("办理结果", case.result))
    if case.rating:
        rows.append(("评价", RATING_LABELS.get(case.rating, case.rating)))
    if case.merged_into_id:
        rows.append(("已并入", case.merged_into.number))
    if case.hotline_number:
        rows.append(("热线工单号", case.hotline_number))
    return rows


def report_regions(user) -> list:
    """The villages and grids the user may report in (a villager: their own village and its grids), active, in
    code order, their parents fetched in the same query."""
    from xiangzhi.regions.selectors import region_list

    qs = region_list(user=user, action="cases.report", levels=REPORT_LEVELS).filter(is_active=True)
    return list(qs.select_related("parent").order_by("code")[:2000])


def home_grid(user) -> str:
    """A villager's own household's grid (the likely place of what they report), or ""."""
    if not getattr(user, "resident_id", None):
        return ""
    from xiangzhi.accounts.selectors import villager_household

    household, _ = villager_household(user=user)
    return household.region_code if household is not None else ""


def pending_extension(case: Case):
    if case.state not in (Case.ASSIGNED, Case.IN_PROGRESS):
        return None
    return case.extensions.filter(approved=None).select_related("requested_by").first()
