"""Party organisations and their members over the API, scoped to the caller's regions."""

from ninja import Field, Query, Router, Schema

from xiangzhi.apischema import ERRORS, MAX_PAGE, paginate
from xiangzhi.party import selectors

router = Router(tags=["党组织"])


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    parent_id: int | None
    region_code: str
    secretary_name: str
    member_count: int = 0


class OrgPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[OrgOut]


class MemberOut(Schema):
    id: int
    name: str
    status: str
    is_mobile: bool
    region_code: str


class OrgDetailOut(OrgOut):
    covered_region_codes: list[str]
    members: list[MemberOut]


class PageFilter(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(50, ge=1, le=100)


@router.get("/orgs/", response={200: OrgPage, **ERRORS}, summary="党组织列表")
def party_org_list(request, filters: Query[PageFilter]):
    return paginate(selectors.party_org_list(user=request.auth), filters.page, filters.page_size)


@router.get("/orgs/{int:org_id}", response={200: OrgDetailOut, **ERRORS}, summary="党组织详情")
def party_org_detail(request, org_id: int):
    org = selectors.party_org_get(user=request.auth, pk=org_id)
    members = selectors.party_member_list(user=request.auth, org=org)
    return {
        **OrgOut.from_orm(org).model_dump(by_alias=True),
        "member_count": len(members),
        "covered_region_codes": list(org.covered_regions.values_list("code", flat=True)),
        "members": list(members),
    }
