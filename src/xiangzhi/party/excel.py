"""党员名册 (party roster) as an Excel workbook: the members the user may see (`party.export`) and their 党员联户.

No ID number, phone or birth date reaches the file, and none is even read for it: only a resident's sex and birth
date are loaded (the sheet shows the age), never the encrypted columns. The export is audited with its counts and
filters, never with names.
"""

import io
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.core import clock
from xiangzhi.core.xlsx import text_row
from xiangzhi.party.models import HouseholdLink, PartyMember, PartyOrg

ROSTER_SHEET = "党员名册"
LINK_SHEET = "党员联户"
ROSTER_COLUMNS = [
    ("党组织", 24),
    ("姓名", 10),
    ("性别", 6),
    ("年龄", 6),
    ("类别", 10),
    ("流动党员", 10),
    ("入党日期", 12),
    ("联系户数", 10),
]
LINK_COLUMNS = [("党员", 10), ("所在党组织", 24), ("户主", 10), ("住址", 30), ("网格", 18), ("联系起始", 12)]


@dataclass
class RosterExport:
    content: bytes
    members: int
    links: int


def org_subtree_ids(*, user, org: PartyOrg) -> list[int]:
    """`org` and the orgs below it that the user may see, in one query (the tree is walked here: an org's
    children need not lie in its region's subtree, a 联村党总支's branches sit in the villages it covers)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in policy.scope(user, "party.export", PartyOrg.objects.all()).values_list(
        "pk", "parent_id"
    ):
        children[parent_id].append(pk)
    found, todo = [], [org.pk]
    while todo:
        pk = todo.pop()
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


def roster_members(
    *,
    user,
    org: PartyOrg | None = None,
    status: str | None = None,
    mobile: bool | None = None,
    region_code: str | None = None,
) -> QuerySet:
    """The members on the roll (在册) the user may see, narrowed by the filters; no column of the resident beyond
    sex and birth date is loaded."""
    qs = policy.scope(user, "party.export", PartyMember.objects.filter(is_active=True), within=region_code)
    if org is not None:
        qs = qs.filter(org_id__in=org_subtree_ids(user=user, org=org))
    if status:
        qs = qs.filter(status=status)
    if mobile is not None:
        qs = qs.filter(is_mobile=mobile)
    return qs


def build_roster(members: QuerySet, *, user) -> RosterExport:
    """Two sheets: the members of `members` (a `roster_members` queryset), and the households they look after
    that the user may see. Two queries, whatever the number of members."""
    wb = Workbook(write_only=True)
    ws = _sheet(wb, ROSTER_SHEET, ROSTER_COLUMNS)
    today = clock.today()
    rows = (
        members.select_related("org", "resident")
        .only(
            "name",
            "status",
            "is_mobile",
            "joined_on",
            "region_code",
            "org",
            "org__name",
            "resident",
            "resident__sex",
            "resident__birth_date",
        )
        .annotate(link_count=Count("links"))
        .order_by("org__region_code", "org_id", "region_code", "id")
    )
    n_members = 0
    for m in rows.iterator(chunk_size=2000):
        n_members += 1
        r = m.resident
        ws.append(
            text_row(
                ws,
                [
                    m.org.name,
                    m.name,
                    r.get_sex_display() if r else "",
                    r.age_on(today) if r else "",
                    m.get_status_display(),
                    "是" if m.is_mobile else "否",
                    m.joined_on,
                    m.link_count,
                ],
            )
        )

    ls = _sheet(wb, LINK_SHEET, LINK_COLUMNS)
    links = (
        policy.scope(user, "party.export", HouseholdLink.objects.filter(member__in=members.values("pk")))
        .select_related("member__org", "household__region")
        .only(
            "since",
            "member",
            "member__name",
            "member__org",
            "member__org__name",
            "household",
            "household__head_name",
            "household__address",
            "household__region",
            "household__region__name",
        )
        .order_by("member__org__region_code", "member__org_id", "member_id", "household__region_code", "id")
    )
    n_links = 0
    for link in links.iterator(chunk_size=2000):
        n_links += 1
        h = link.household
        ls.append(
            text_row(
                ls,
                [link.member.name, link.member.org.name, h.head_name, h.address, h.region.name, link.since],
            )
        )
    buf = io.BytesIO()
    wb.save(buf)
    return RosterExport(buf.getvalue(), n_members, n_links)


def roster_export(
    *,
    user,
    org: PartyOrg | None = None,
    status: str | None = None,
    mobile: bool | None = None,
    region_code: str | None = None,
) -> RosterExport:
    """The 党员名册 the user may export (`party.export`), audited with its counts and filters. `org` (fetched through
    `selectors.party_org_get`) narrows to that org and the orgs below it; `region_code` to a subtree."""
    policy.require(user, "party.export")
    export = build_roster(
        roster_members(user=user, org=org, status=status, mobile=mobile, region_code=region_code), user=user
    )
    # The record goes to the chain of what was exported: the org, else the region filtered on (within reach).
    where = org.region_code if org is not None else policy.audit_region(user, "party.export", region_code)
    record(
        "party.roster_exported",
        org,
        changes={
            "members": export.members,
            "links": export.links,
            "filter_org": org.pk if org is not None else None,
            "filter_status": status or "",
            "filter_mobile": mobile,
            "filter_region": region_code or "",
        },
        region_code=where,
        actor=user,
        object_repr=f"党员名册（{org.name}）" if org is not None else "党员名册",
    )
    return export


# -- sheet helpers ---------------------------------------------------------------------------------------------


def _sheet(wb: Workbook, title: str, columns):
    ws = wb.create_sheet(title)
    for i, (_header, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text, _width in columns:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    return ws
