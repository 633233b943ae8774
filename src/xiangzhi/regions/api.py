from ninja import Field, Query, Router, Schema

from xiangzhi.apischema import ERRORS, MAX_PAGE, paginate
from xiangzhi.regions import selectors

router = Router(tags=["辖区"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None = Field(None, alias="parent.code")
    is_active: bool


class RegionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[RegionOut]


class RegionFilter(Schema):
    level: str | None = Field(None, pattern="^(county|town|village|grid|micro_grid)$")
    within: str | None = Field(None, pattern=r"^\d{6,18}$")
    page: int = Field(1, ge=1, strict=False, le=MAX_PAGE)
    page_size: int = Field(50, ge=1, le=100)


@router.get("/", response={200: RegionPage, **ERRORS}, summary="辖区列表（按权限范围）")
def region_list(request, filters: Query[RegionFilter]):
    qs = selectors.region_list(user=request.auth, level=filters.level, within=filters.within).select_related(
        "parent"
    )
    return paginate(qs, filters.page, filters.page_size)


@router.get("/{code}", response={200: RegionOut, **ERRORS}, summary="辖区详情")
def region_detail(request, code: str):
    return selectors.region_get(user=request.auth, code=code)
