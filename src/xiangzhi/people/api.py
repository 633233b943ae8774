"""Households and residents over the API: scoped like the pages, masked unless the caller may reveal."""

from ninja import Field, Query, Router, Schema

from xiangzhi.apischema import ERRORS, MAX_PAGE, paginate
from xiangzhi.people import presenters, selectors
from xiangzhi.people.models import TAG_CHOICES

router = Router(tags=["户籍"])

TAG_PATTERN = "^(" + "|".join(TAG_CHOICES) + ")$"


class HouseholdOut(Schema):
    id: int
    region_code: str
    grid_name: str = Field(alias="region.name")
    number: str
    group_name: str
    address: str
    head_name: str
    member_count: int
    status: str
    tags: list[str] = Field(alias="tag_list")


class HouseholdPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[HouseholdOut]


class ResidentOut(Schema):
    id: int = Field(alias="pk")
    name: str
    sex: str
    age: int
    birth_date: str = Field(description="仅对有权查看者返回，否则为空")
    id_number: str = Field(description="未授权时只显示后四位")
    phone: str = Field(description="未授权时只显示后四位")
    relation: str
    residence: str
    status: str
    tags: list[str]


class ResidentPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ResidentOut]


class HouseholdDetailOut(HouseholdOut):
    members: list[ResidentOut]


class ListFilter(Schema):
    q: str | None = Field(
        None, max_length=50, description="姓名、拼音首字母、身份证后四位、完整身份证号或手机号"
    )
    tag: str | None = Field(None, pattern=TAG_PATTERN)
    region: str | None = Field(None, pattern=r"^\d{6,18}$", description="只看此辖区（村或网格）")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


@router.get("/households/", response={200: HouseholdPage, **ERRORS}, summary="户列表")
def household_list(request, filters: Query[ListFilter]):
    qs = selectors.household_list(user=request.auth, q=filters.q, tag=filters.tag, region_code=filters.region)
    return paginate(qs, filters.page, filters.page_size)


@router.get("/households/{int:household_id}", response={200: HouseholdDetailOut, **ERRORS}, summary="户详情")
def household_detail(request, household_id: int):
    household = selectors.household_get(user=request.auth, pk=household_id)
    members = [
        presenters.resident_view(request.auth, r) for r in selectors.household_members(household=household)
    ]
    data = HouseholdOut.from_orm(household).model_dump(by_alias=True)
    return {**data, "members": members}


@router.get("/residents/", response={200: ResidentPage, **ERRORS}, summary="居民列表")
def resident_list(request, filters: Query[ListFilter]):
    qs = selectors.resident_list(user=request.auth, q=filters.q, tag=filters.tag, region_code=filters.region)
    page = paginate(qs, filters.page, filters.page_size)
    page["items"] = [presenters.resident_view(request.auth, r) for r in page["items"]]
    return page


@router.get("/residents/{int:resident_id}", response={200: ResidentOut, **ERRORS}, summary="居民详情")
def resident_detail(request, resident_id: int):
    return presenters.resident_view(request.auth, selectors.resident_get(user=request.auth, pk=resident_id))
