"""The case figures over the API (the same selector and policy as the figures page)."""

import datetime as dt

from ninja import Field, Query, Router, Schema

from xiangzhi import policy
from xiangzhi.apischema import ERRORS
from xiangzhi.cases import figures
from xiangzhi.cases.models import CATEGORY_CODES
from xiangzhi.core import clock
from xiangzhi.core.errors import ValidationFailed

router = Router(tags=["事件统计"])


class FigureRow(Schema):
    received: int = Field(description="受理数（上报的事件）")
    resolved: int = Field(description="办结数（办理单位已报结果）")
    closed: int = Field(description="结案数")
    due: int = Field(description="应办结数：已办结或曾超期")
    on_time: int = Field(description="按期办结数")
    on_time_rate: float | None = Field(description="按期办结率 = on_time / due；无应办结时为空")
    mean_hours_to_close: float | None = Field(description="从上报到办结的平均小时数")
    reopened: int
    reopen_rate: float | None
    satisfied: int
    partly: int
    unsatisfied: int
    unrated: int = Field(description="未评价：单列，不计入满意")
    rated: int
    satisfaction_rate: float | None = Field(description="(满意 + 基本满意) / 已评价")
    to_village: int = Field(description="最高上报到村的事件数")
    to_town: int
    to_county: int


class CategoryRow(FigureRow):
    category: str
    label: str


class RegionRow(FigureRow):
    region_code: str
    name: str


class FiguresOut(Schema):
    start: dt.date
    end: dt.date
    as_of: dt.datetime | None = Field(description="汇总时间（每 5 分钟汇总一次）")
    total: FigureRow
    by_category: list[CategoryRow]
    by_region: list[RegionRow]


class FiguresQuery(Schema):
    start: dt.date | None = Field(None, description="起始月份（取该月第一天），默认今年 1 月")
    end: dt.date | None = Field(None, description="截止月份（含），默认本月")
    region: str | None = Field(None, pattern=r"^\d{6,18}$")
    category: str | None = Field(None, pattern="^(" + "|".join(CATEGORY_CODES) + ")$")


@router.get("/", response={200: FiguresOut, **ERRORS}, summary="事件统计")
def case_figures(request, q: Query[FiguresQuery]):
    policy.require(request.auth, "cases.figures")
    today = clock.today()
    start = (q.start or today.replace(month=1)).replace(day=1)
    end = (q.end or today).replace(day=1)
    if end < start:
        raise ValidationFailed("截止月份不能早于起始月份。", field="end")
    if (end.year - start.year) * 12 + end.month - start.month > 120:
        raise ValidationFailed("一次最多统计十年。", field="start")
    data = figures.figures(
        user=request.auth, region=q.region or "", start=start, end=end, category=q.category or ""
    )
    return {"start": start, "end": end, **data}
