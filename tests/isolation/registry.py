"""Every route of the project, registered with how to make an object for it.

A route is one of:
- Detail(role, make): shows or acts on one object. `make(grid)` creates an object inside `grid` and returns
  (url kwargs, marker text). A viewer with `role` must get 200 on its own object and 404 on one out of reach.
- Listing(role, make): lists objects. The own object's marker must appear and the other's must not.
- Exempt(reason): public or user-own routes (login, one's own inbox) with no region-scoped object.
An unregistered route fails the test: a new route must say how it is isolated.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Detail:
    role: str
    make: Callable
    method: str = "get"
    data: dict = field(default_factory=dict)
    api: bool = False


@dataclass
class Listing:
    role: str
    make: Callable
    query: str = ""
    api: bool = False


@dataclass
class Exempt:
    reason: str


def region_of_grid(grid):
    return {"code": grid.code}, grid.name


ROUTES: dict[str, object] = {
    # public or self-only
    "accounts:login": Exempt("登录页，匿名可访问，无辖区对象"),
    "accounts:logout": Exempt("退出登录，只作用于本人会话"),
    "web:home": Exempt("首页只显示本人角色"),
    "api:openapi-json": Exempt("接口文档，无数据"),
    "api:api-root": Exempt("接口根路径，无数据"),
    "api:me": Exempt("只返回调用者本人"),
    # regions
    "api:region_list": Listing("village_secretary", region_of_grid, api=True),
    "api:region_detail": Detail("village_secretary", region_of_grid, api=True),
}
