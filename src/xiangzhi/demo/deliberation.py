"""Demo matters (议题): one major matter walked through all six steps of 四议两公开 (the 决议 by the 村民代表会议
under the 村民会议's authorisation, the resolution and its result on the public board), one in progress (two steps
done, the 党员大会 called), and one consultation half way. Everything goes through the real services; the bodies
the steps need are set up first where the village has none. Meetings are held on the demo's today (a meeting is
never called for a past day)."""

from django.db.models import Q

from xiangzhi.accounts.models import RoleAssignment, User
from xiangzhi.core import clock
from xiangzhi.deliberation import matter_rules, matters, rules, services
from xiangzhi.deliberation.models import Authorisation, Body
from xiangzhi.party.models import PartyOrg
from xiangzhi.people.models import Resident
from xiangzhi.regions.models import Region


def _one(role: str, code: str) -> User | None:
    grant = (
        RoleAssignment.objects.filter(role=role, is_active=True)
        .filter(Q(region_code=code) | Q(region_code=code[:9]))
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return grant.user if grant else None


def _adults(village: Region, n: int, *, skip: int = 0) -> list[Resident]:
    today = clock.today()
    out = []
    for r in Resident.objects.filter(
        region_code__startswith=village.code, status=Resident.STATUS_NORMAL
    ).order_by("id"):
        if r.is_voter_on(today):
            out.append(r)
        if len(out) >= n + skip:
            break
    return out[skip:]


def _body(village: Region, kind: str, members: list[Resident], *, party_org=None) -> Body:
    existing = Body.objects.filter(region=village, kind=kind, is_active=True).order_by("id").first()
    if existing is not None:
        return existing
    body = services.body_create(user=None, village=village, kind=kind, party_org=party_org)
    if kind not in (rules.PARTY_ASSEMBLY, rules.VILLAGERS_ASSEMBLY):
        for i, r in enumerate(members):
            role = "member"
            if kind == rules.REPRESENTATIVES:
                role = "committee_member" if i < 5 else "representative"
            services.body_member_add(user=None, body=body, resident=r, role=role)
    return body


def bodies(village: Region) -> dict[str, Body]:
    """The four bodies a major matter's meetings need (and the Art. 24 authorisation): the bodies demo's
    (demo/bodies.py, which returns those already there), any kind it did not make made here."""
    from xiangzhi.demo import bodies as demo_bodies

    out = dict(demo_bodies.build(village))
    people = _adults(village, 30)
    org = (
        PartyOrg.objects.filter(region_code__startswith=village.code, kind__in=["branch", "general_branch"])
        .order_by("kind", "id")
        .first()
    )
    for kind, members in (
        (rules.BRANCH_COMMITTEE, people[:3]),
        (rules.COMMITTEES, people[:5]),
        (rules.REPRESENTATIVES, people[:25]),
    ):
        if kind not in out:
            out[kind] = _body(village, kind, members)
        elif (
            not out[kind].members.filter(is_active=True).exists()
        ):  # e.g. no party member linked to a resident
            for r in members:
                services.body_member_add(user=None, body=out[kind], resident=r, role="member")
    if rules.PARTY_ASSEMBLY not in out and org is not None and org.members.filter(is_active=True).exists():
        out[rules.PARTY_ASSEMBLY] = _body(village, rules.PARTY_ASSEMBLY, [], party_org=org)
    if not Authorisation.objects.filter(region=village, revoked=False).exists():
        services.authorisation_grant(
            user=None,
            village=village,
            scope="村民委员会组织法第二十四条所列事项（2026年村民会议授权）",
            valid_from=clock.today(),
        )
    return out


def _pass(matter, body: Body, title: str):
    """Call the step's meeting, everyone with a vote present, all in favour but one abstention, decide, complete."""
    meeting = matters.step_meeting_call(
        user=None, matter=matter, body=body, title=title, held_on=clock.today()
    )
    item = meeting.items.get()
    lines = list(meeting.roll.filter(can_vote=True).order_by("id"))
    for e in lines:
        services.attendance_record(user=None, meeting=meeting, entry=e, present=True)
    for i, e in enumerate(lines):
        choice = "abstain" if i == len(lines) - 1 and len(lines) > 3 else "yes"
        services.open_vote_record(user=None, item=item, entry=e, choice=choice)
    services.item_decide(user=None, item=item)
    return matters.step_complete(user=None, matter=matter, item=item)


def build(village: Region) -> dict:
    """Returns counts of what was made. Needs the village's secretary or 两委 account to publish on the board."""
    publisher = _one("village_secretary", village.code) or _one("village_committee", village.code)
    b = bodies(village)
    if rules.PARTY_ASSEMBLY not in b or publisher is None:
        return {"matters": 0}
    steps = [
        (b[rules.BRANCH_COMMITTEE], "支委会"),
        (b[rules.COMMITTEES], "两委会"),
        (b[rules.PARTY_ASSEMBLY], "党员大会"),
        (b[rules.REPRESENTATIVES], "村民代表会议"),
    ]

    done = matters.matter_create(
        user=None,
        village=village,
        title="村集体光伏电站2026年收益分配方案",
        description="村集体光伏电站今年收益十二万元，拟八万元用于修缮村内主干道，四万元用于补助困难户和高龄老人。",
        kind="collective_income",
        source=matter_rules.SOURCE_BRANCH,
    )
    for body, label in steps:
        _pass(done, body, f"{label}：光伏收益分配方案")
    matters.resolution_publish(
        user=publisher,
        matter=done,
        title="关于村集体光伏电站2026年收益分配方案的决议",
        body="经村党组织提议、村“两委”会议商议、党员大会审议，村民代表会议表决通过：光伏电站收益十二万元，"
        "八万元用于修缮村内主干道，四万元用于补助困难户和高龄老人。特此公告。",
    )
    matters.result_publish(
        user=publisher,
        matter=done,
        result="村内主干道1.2公里已修缮完工，经村务监督委员会验收，支出七万九千六百元；困难户和高龄老人补助共四万元已发放到户。",
    )

    ongoing = matters.matter_create(
        user=None,
        village=village,
        title="村民活动广场建设筹资筹劳方案",
        description="在村委会东侧建设村民活动广场，约需资金二十万元，拟申请上级奖补，村民自愿投工投劳。",
        kind="public_works",
        source=matter_rules.SOURCE_BRANCH,
    )
    for body, label in steps[:2]:
        _pass(ongoing, body, f"{label}：活动广场筹资筹劳")
    matters.step_meeting_call(
        user=None,
        matter=ongoing,
        body=b[rules.PARTY_ASSEMBLY],
        title="党员大会：活动广场筹资筹劳",
        held_on=clock.today(),
    )

    consult = matters.matter_create(
        user=None,
        village=village,
        title="村口停车秩序",
        description="赶集日村口车辆乱停，影响通行。",
        kind="civil",
        source=matter_rules.SOURCE_BRANCH,
    )
    matters.consult_step_record(
        user=publisher, matter=consult, text="入户和微信群收集意见23条，多数赞成划定停车位。"
    )
    matters.consult_step_record(user=publisher, matter=consult, text="确定议题：村口停车位划定与管理。")
    return {"matters": 3}
