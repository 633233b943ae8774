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
    level: str | None = None  # assign the viewer at this level instead of the role's own (install-wide roles)
    method: str = "get"
    data: dict = field(default_factory=dict)
    api: bool = False


@dataclass
class Listing:
    role: str
    make: Callable
    level: str | None = None
    query: str = ""
    api: bool = False


@dataclass
class Exempt:
    reason: str


def _renamed(made, **names):
    """(kwargs, marker) with kwargs renamed new=old, for API paths that name their parameters differently."""
    kwargs, marker = made
    return {new: kwargs[old] for new, old in names.items()}, marker


def _audit_probe(grid):
    from xiangzhi.audit.services import record

    rec = record("tests.probe", None, region_code=grid.code, object_repr=f"探针{grid.code}")
    return {"pk": rec.pk}, f"探针{grid.code}"


def _people():
    from tests.people import factories

    return factories


def _party():
    from tests.party import factories

    return factories


def _accounts():
    from tests.accounts import factories

    return factories


def _core():
    from tests.core import factories

    return factories


def _regions():
    from tests.regions import factories

    return factories


def region_of_grid(grid):
    return {"code": grid.code}, grid.name


ROUTES: dict[str, object] = {
    # public or self-only
    "accounts:login": Exempt("登录页，匿名可访问，无辖区对象"),
    "accounts:logout": Exempt("退出登录，只作用于本人会话"),
    "accounts:otp": Exempt("本人的动态口令绑定与验证，无辖区对象"),
    "accounts:password_change": Exempt("只修改本人密码"),
    "accounts:tokens": Exempt("只列出、生成本人的令牌"),
    "accounts:token_revoke": Exempt("只能吊销本人的令牌，他人的令牌编号返回 404（见 tests/accounts）"),
    "accounts:activate": Exempt("村民凭手机号和激活码激活，匿名可访问，无辖区对象"),
    "accounts:elder_mode": Exempt("长辈模式开关，只写本浏览器的 Cookie，无数据"),
    # accounts administration: an account is in reach when its home region is inside the administrator's grant
    "accounts:user_list": Listing("security_admin", lambda g: _accounts().make_account(g), level="county"),
    "accounts:user_detail": Detail("security_admin", lambda g: _accounts().make_account(g), level="county"),
    "accounts:user_create": Exempt(
        "表单只列出本人辖区；越权辖区被拒绝并记入审计（见 tests/accounts/test_admin_pages.py）"
    ),
    "accounts:role_grant": Detail(
        "security_admin", lambda g: _accounts().make_account(g), level="county", method="post"
    ),
    "accounts:role_revoke": Detail(
        "security_admin", lambda g: _accounts().make_account_with_grant(g), level="county", method="post"
    ),
    "accounts:user_set_active": Detail(
        "system_admin",
        lambda g: _accounts().make_account(g),
        level="county",
        method="post",
        data={"active": "0"},
    ),
    "accounts:otp_reset": Detail(
        "system_admin", lambda g: _accounts().make_account_with_otp(g), level="county", method="post"
    ),
    # villagers' accounts, run by the village
    "accounts:village_list": Listing("village_secretary", lambda g: _accounts().make_village(g)),
    "accounts:village_residents": Detail("village_secretary", lambda g: _accounts().make_village_resident(g)),
    "accounts:villager_open": Detail(
        "village_secretary",
        lambda g: _accounts().make_resident_with_phone(g),
        method="post",
        data={"format": "html"},
    ),
    "accounts:activation_code_issue": Detail(
        "village_secretary", lambda g: _accounts().make_villager(g), method="post", data={"format": "html"}
    ),
    "web:home": Exempt("首页只显示本人角色"),
    "web:region_switch": Exempt("只在本人可选辖区中切换，越权代码返回 400（见 tests/web）"),
    "api:openapi-json": Exempt("接口文档，无数据"),
    "api:api-root": Exempt("接口根路径，无数据"),
    "api:me": Exempt("只返回调用者本人"),
    # people (makers in tests/people/factories.py)
    "people:household_list": Listing("village_secretary", lambda g: _people().make_listed(g)),
    "people:household_detail": Detail("village_secretary", lambda g: _people().make_household(g)),
    "people:resident_list": Listing("village_secretary", lambda g: _people().make_listed(g)),
    "people:resident_detail": Detail("village_secretary", lambda g: _people().make_resident(g)),
    "people:resident_reveal": Detail(
        "village_secretary", lambda g: _people().make_resident(g), method="post"
    ),
    "people:household_create": Exempt(
        "网格只能从本人可维护的网格中选，越权网格被表单拒绝且不写入（见 tests/people/test_forms.py）"
    ),
    "people:household_edit": Detail("village_secretary", lambda g: _people().make_household(g)),
    "people:resident_create": Detail("village_secretary", lambda g: _people().make_household(g)),
    "people:resident_edit": Detail("village_secretary", lambda g: _people().make_resident(g)),
    "people:resident_set_head": Detail("village_secretary", lambda g: _people().make_resident(g)),
    "people:resident_move_away": Detail("village_secretary", lambda g: _people().make_resident(g)),
    "people:resident_mark_deceased": Detail("village_secretary", lambda g: _people().make_resident(g)),
    "people:ledger_template": Exempt("空白台账模板，不含任何数据"),
    "people:ledger_import": Exempt(
        "表单只列出本人可导入的村，越权的村被拒绝（见 tests/people/test_excel.py）"
    ),
    "people:ledger_export": Listing("village_secretary", lambda g: _people().make_listed(g)),
    # API (the same makers, the API's path parameter names)
    "api:household_list": Listing("village_committee", lambda g: _people().make_listed(g), api=True),
    "api:household_detail": Detail(
        "village_committee", lambda g: _renamed(_people().make_household(g), household_id="pk"), api=True
    ),
    "api:resident_list": Listing("village_committee", lambda g: _people().make_listed(g), api=True),
    "api:resident_detail": Detail(
        "village_committee", lambda g: _renamed(_people().make_resident(g), resident_id="pk"), api=True
    ),
    "api:party_org_list": Listing("village_secretary", lambda g: _party().make_listed_org(g), api=True),
    "api:party_org_detail": Detail(
        "village_secretary", lambda g: _renamed(_party().make_org(g), org_id="pk"), api=True
    ),
    # party (makers in tests/party/factories.py)
    "party:org_list": Listing("village_secretary", lambda g: _party().make_listed_org(g)),
    "party:org_detail": Detail("village_secretary", lambda g: _party().make_org(g)),
    "party:coverage": Detail("village_secretary", lambda g: _party().make_coverage(g)),
    "party:member_detail": Detail("village_secretary", lambda g: _party().make_member(g)),
    "party:member_add": Detail("village_secretary", lambda g: _party().make_org(g)),
    "party:member_make_full": Detail("village_secretary", lambda g: _party().make_member(g)),
    "party:member_deactivate": Detail("village_secretary", lambda g: _party().make_member(g)),
    "party:member_link_add": Detail("village_secretary", lambda g: _party().make_member(g)),
    "party:household_link_add": Detail("village_secretary", lambda g: _people().make_household(g)),
    "party:link_remove": Detail("village_secretary", lambda g: _party().make_link(g)),
    # regions
    "api:region_list": Listing("village_secretary", region_of_grid, api=True),
    "api:region_detail": Detail("village_secretary", region_of_grid, api=True),
    "regions:list": Listing("village_secretary", region_of_grid),
    "regions:detail": Detail("village_secretary", region_of_grid),
    "regions:export": Listing("village_secretary", region_of_grid),
    "regions:import": Exempt(
        "只有 regions.change 可用；逐行检查辖区范围，越权行整表拒绝（见 tests/regions）"
    ),
    # (county_officer: a role without reveal_pii, so that tests/privacy can open these pages as registered;
    # town-level isolation of the same pages is in tests/regions and tests/core)
    "regions:edit": Detail("county_officer", region_of_grid),
    "regions:create": Detail("county_officer", region_of_grid),
    # 撤并: the town list is scoped; a village out of reach (as source or target) is an audited 404
    "regions:merge": Listing("county_officer", lambda g: _regions().town_of(g)),
    "regions:merge_confirm": Detail("county_officer", lambda g: _regions().make_merge_pair(g)),
    # core: private files and the inbox
    "core:file": Detail("grid_worker", lambda g: _core().make_private_file(g)),
    "inbox:list": Exempt("只列出本人的消息（见 tests/core/test_notify_inbox.py）"),
    "inbox:badge": Exempt("只统计本人的未读消息"),
    "inbox:read": Exempt("只能标记本人的消息，他人的消息编号返回 404（见 tests/core/test_notify_inbox.py）"),
    "inbox:read_all": Exempt("只标记本人的消息"),
    # core: town departments
    "departments:list": Listing("county_officer", lambda g: _core().make_department(g)),
    "departments:create": Listing("county_officer", lambda g: _core().town_of(g)),
    "departments:detail": Detail("county_officer", lambda g: _core().make_department(g)),
    # audit: a county's own audit administrator sees that county's chain only
    "audit:list": Listing("audit_admin", lambda g: _audit_probe(g), level="county"),
    "audit:detail": Detail("audit_admin", lambda g: _audit_probe(g), level="county"),
}
