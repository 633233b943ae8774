"""Every route of the project, registered with how to make an object for it.

A route is one of (or a list of several, one per kind of viewer):
- Detail(role, make): shows or acts on one object. `make(grid)` creates an object inside `grid` and returns
  (url kwargs, marker text); kwargs whose name starts with "_" are not part of the URL but are handed to `post`
  (another object the form picks, say). A viewer with `role` gets 200 on its own object and an audited 404 on
  one out of reach. With `post` (required when method="post"; given for every page that also takes a form),
  the POST is checked too: `post.data(kwargs)` succeeds on the own object, as `post.ok(response, kwargs)`
  asserts by looking at what was written; on the other object it answers an audited 404 and writes nothing.
  A Detail without `post` must write nothing when posted to.
- Listing(role, make): lists objects. The own object's marker must appear and the other's must not, on every
  page of the list; then again with each query parameter in `filters` set to what would lead to the other
  object ("region": the other grid's code and each of its ancestors' codes, "town": its town's code,
  "marker": the other marker, for search boxes), which must answer 200 or a refusal, never the other object.
  A Listing whose page also takes a form (`post`) gets the form filled for the other region refused, with
  nothing written, and filled for its own, done.
- Exempt(reason): public or user-own routes (login, one's own inbox) with no region-scoped object.
An unregistered route fails the test: a new route must say how it is isolated.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.isolation import effects as fx


@dataclass
class Post:
    ok: Callable  # ok(response, kwargs): asserts the own object's POST did what it is for
    data: Callable | dict = field(default_factory=dict)  # the form, or data(kwargs) -> the form
    writes: bool = True  # False: success writes only an audit record (a reveal)

    def form(self, kwargs: dict) -> dict:
        return self.data(kwargs) if callable(self.data) else dict(self.data)


@dataclass
class Detail:
    role: str
    make: Callable
    level: str | None = None  # assign the viewer at this level instead of the role's own (install-wide roles)
    method: str = "get"
    post: Post | None = None
    api: bool = False

    def __post_init__(self):
        if self.method == "post" and self.post is None:
            raise ValueError("a POST route says what its success looks like: post=Post(ok=...)")


@dataclass
class Listing:
    role: str
    make: Callable
    level: str | None = None
    query: str = ""
    api: bool = False
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # query param -> kinds of value to try
    post: Post | None = (
        None  # a list page that also takes a form: the other region's form is refused unwritten
    )


@dataclass
class Exempt:
    reason: str


def specs_of(name: str) -> list:
    spec = ROUTES.get(name)
    return list(spec) if isinstance(spec, list | tuple) else [spec] if spec is not None else []


def _renamed(made, **names):
    """(kwargs, marker) with kwargs renamed new=old, for API paths that name their parameters differently."""
    kwargs, marker = made
    return {new: kwargs[old] for new, old in names.items()}, marker


def _extra(made, **extra):
    kwargs, marker = made
    return {**kwargs, **extra}, marker


def _audit_probe(grid):
    from xiangzhi.audit.services import record

    rec = record("tests.probe", None, region_code=grid.code, object_repr=f"探针{grid.code}")
    return {"pk": rec.pk}, f"探针{grid.code}"


def _audit_probe_action(grid):
    """A record whose action names the grid, so that the export's action filter (a prefix) can look for it."""
    from xiangzhi.audit.services import record

    record(f"tests.probe{grid.code}", None, region_code=grid.code)
    return {}, f"tests.probe{grid.code}"


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


PEOPLE_FILTERS = {"region": ("region",), "q": ("marker",)}

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
    "accounts:user_list": Listing(
        "security_admin",
        lambda g: _accounts().make_account(g),
        level="county",
        filters={"region": ("region",), "q": ("marker",)},
    ),
    "accounts:user_detail": Detail("security_admin", lambda g: _accounts().make_account(g), level="county"),
    "accounts:user_create": Exempt(
        "表单只列出本人辖区；越权辖区被表单拒绝、服务拒绝并记入审计（见 tests/accounts/test_account_admin.py："
        "test_region_choices_are_the_administrators_county_only、"
        "test_service_refuses_a_region_out_of_reach_and_audits_it）"
    ),
    "accounts:role_grant": Detail(
        "security_admin",
        lambda g: _extra(_accounts().make_account(g), _grid=g.code),
        level="county",
        method="post",
        post=Post(data=lambda k: {"role": "grid_worker", "region_code": k["_grid"]}, ok=fx.role_granted),
    ),
    "accounts:role_revoke": Detail(
        "security_admin",
        lambda g: _accounts().make_account_with_grant(g),
        level="county",
        method="post",
        post=Post(ok=fx.role_revoked),
    ),
    "accounts:user_set_active": Detail(
        "system_admin",
        lambda g: _accounts().make_account(g),
        level="county",
        method="post",
        post=Post(data={"active": "0"}, ok=fx.account_disabled),
    ),
    "accounts:otp_reset": Detail(
        "system_admin",
        lambda g: _accounts().make_account_with_otp(g),
        level="county",
        method="post",
        post=Post(ok=fx.otp_reset),
    ),
    # villagers' accounts, run by the village
    "accounts:village_list": Listing("village_secretary", lambda g: _accounts().make_village(g)),
    "accounts:village_residents": Detail("village_secretary", lambda g: _accounts().make_village_resident(g)),
    "accounts:villager_open": Detail(
        "village_secretary",
        lambda g: _accounts().make_resident_with_phone(g),
        method="post",
        post=Post(data={"format": "html"}, ok=fx.villager_opened),
    ),
    "accounts:activation_code_issue": Detail(
        "village_secretary",
        lambda g: _accounts().make_villager(g),
        method="post",
        post=Post(data={"format": "html"}, ok=fx.activation_code_issued),
    ),
    "web:home": Exempt("首页只显示本人角色"),
    "web:region_switch": Exempt("只在本人可选辖区中切换，越权代码返回 400（见 tests/web）"),
    "api:openapi-json": Exempt("接口文档，无数据"),
    "api:api-root": Exempt("接口根路径，无数据"),
    "api:me": Exempt("只返回调用者本人"),
    # people (makers in tests/people/factories.py); the lists also for a town-level viewer
    "people:household_list": [
        Listing("village_secretary", lambda g: _people().make_listed(g), filters=PEOPLE_FILTERS),
        Listing("town_leader", lambda g: _people().make_listed(g), filters=PEOPLE_FILTERS),
    ],
    "people:household_detail": Detail("village_secretary", lambda g: _people().make_household(g)),
    "people:resident_list": [
        Listing("village_secretary", lambda g: _people().make_listed(g), filters=PEOPLE_FILTERS),
        Listing("town_leader", lambda g: _people().make_listed(g), filters=PEOPLE_FILTERS),
    ],
    "people:resident_detail": Detail("village_secretary", lambda g: _people().make_resident(g)),
    "people:resident_reveal": Detail(
        "village_secretary",
        lambda g: _people().make_resident(g),
        method="post",
        post=Post(ok=fx.revealed, writes=False),
    ),
    "people:household_create": Exempt(
        "网格只能从本人可维护的网格中选，越权网格被表单拒绝且不写入（见 tests/people/test_forms.py）"
    ),
    "people:household_edit": Detail(
        "village_secretary",
        lambda g: _people().make_household(g),
        post=Post(data=fx.HOUSEHOLD_EDIT, ok=fx.household_edited),
    ),
    "people:resident_create": Detail(
        "village_secretary",
        lambda g: _people().make_household(g),
        post=Post(data=fx.resident_create_form, ok=fx.resident_created),
    ),
    "people:resident_edit": Detail(
        "village_secretary",
        lambda g: _people().make_member(g),
        post=Post(data=fx.resident_edit_form, ok=fx.resident_edited),
    ),
    "people:resident_set_head": Detail(
        "village_secretary", lambda g: _people().make_member(g), post=Post(ok=fx.head_set)
    ),
    "people:resident_move_away": Detail(
        "village_secretary",
        lambda g: _people().make_member(g),
        post=Post(data=fx.leave_form, ok=fx.resident_status("moved_away")),
    ),
    "people:resident_mark_deceased": Detail(
        "village_secretary",
        lambda g: _people().make_member(g),
        post=Post(data=fx.leave_form, ok=fx.resident_status("deceased")),
    ),
    "people:register_template": Exempt("空白台账模板，不含任何数据"),
    "people:register_import": Exempt(
        "表单只列出本人可导入的村，越权的村被拒绝（见 tests/people/test_excel.py）"
    ),
    "people:register_export": [
        Listing("village_secretary", lambda g: _people().make_listed(g), filters=PEOPLE_FILTERS),
        Listing("town_leader", lambda g: _people().make_listed(g), filters=PEOPLE_FILTERS),
    ],
    # API (the same makers, the API's path parameter names)
    "api:household_list": [
        Listing("village_committee", lambda g: _people().make_listed(g), api=True, filters=PEOPLE_FILTERS),
        Listing("town_leader", lambda g: _people().make_listed(g), api=True, filters=PEOPLE_FILTERS),
    ],
    "api:household_detail": Detail(
        "village_committee", lambda g: _renamed(_people().make_household(g), household_id="pk"), api=True
    ),
    "api:resident_list": [
        Listing("village_committee", lambda g: _people().make_listed(g), api=True, filters=PEOPLE_FILTERS),
        Listing("town_leader", lambda g: _people().make_listed(g), api=True, filters=PEOPLE_FILTERS),
    ],
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
    # the 党员名册 export, also for a town-level viewer; ?org= (an org out of reach: audited 404) is in
    # tests/party/test_export.py
    "party:roster_export": [
        Listing(
            "village_secretary", lambda g: _party().make_listed_member(g), filters={"region": ("region",)}
        ),
        Listing("town_leader", lambda g: _party().make_listed_member(g), filters={"region": ("region",)}),
    ],
    "party:member_detail": Detail("village_secretary", lambda g: _party().make_member(g)),
    "party:member_add": Detail(
        "village_secretary",
        lambda g: _party().make_org(g),
        post=Post(data=fx.MEMBER_ADD, ok=fx.member_added),
    ),
    "party:member_make_full": Detail(
        "village_secretary", lambda g: _party().make_member(g), post=Post(ok=fx.member_full)
    ),
    "party:member_deactivate": Detail(
        "village_secretary", lambda g: _party().make_member(g), post=Post(ok=fx.member_inactive)
    ),
    "party:member_link_add": Detail(
        "village_secretary",
        lambda g: _party().make_member_with_household(g),
        post=Post(data=lambda k: {"household": k["_household"]}, ok=fx.member_linked),
    ),
    "party:household_link_add": Detail(
        "village_secretary",
        lambda g: _party().make_household_with_member(g),
        post=Post(data=lambda k: {"member": k["_member"]}, ok=fx.household_linked),
    ),
    "party:link_remove": Detail(
        "village_secretary", lambda g: _party().make_link(g), post=Post(ok=fx.link_removed)
    ),
    # regions
    "api:region_list": Listing(
        "village_secretary", region_of_grid, api=True, filters={"within": ("region",)}
    ),
    "api:region_detail": Detail("village_secretary", region_of_grid, api=True),
    "regions:list": Listing("village_secretary", region_of_grid, filters={"q": ("marker", "region")}),
    "regions:detail": Detail("village_secretary", region_of_grid),
    "regions:export": Listing("village_secretary", region_of_grid, filters={"within": ("region",)}),
    "regions:import": Exempt(
        "只有 regions.change 可用；逐行检查辖区范围，越权行整表拒绝（见 tests/regions）"
    ),
    # (county_officer: a role without reveal_pii, so that tests/privacy can open these pages as registered;
    # town-level isolation of the same pages is in tests/regions and tests/core)
    "regions:edit": Detail(
        "county_officer", region_of_grid, post=Post(data={"name": "改名网格"}, ok=fx.region_renamed)
    ),
    "regions:create": Detail(
        "county_officer",
        region_of_grid,
        post=Post(data=lambda k: {"code": k["code"] + "009", "name": "新微网格"}, ok=fx.region_child_created),
    ),
    # 撤并: the town list is scoped; a village out of reach (as source or target) is an audited 404
    "regions:merge": Listing("county_officer", lambda g: _regions().town_of(g), filters={"town": ("town",)}),
    "regions:merge_confirm": Detail(
        "county_officer",
        lambda g: _regions().make_merge_pair(g),
        post=Post(data=fx.merge_form, ok=fx.merged),
    ),
    # core: private files and the inbox
    "core:file": Detail("grid_worker", lambda g: _core().make_private_file(g)),
    "inbox:list": Exempt("只列出本人的消息（见 tests/core/test_notify_inbox.py）"),
    "inbox:badge": Exempt("只统计本人的未读消息"),
    "inbox:read": Exempt("只能标记本人的消息，他人的消息编号返回 404（见 tests/core/test_notify_inbox.py）"),
    "inbox:read_all": Exempt("只标记本人的消息"),
    # core: town departments
    "departments:list": Listing(
        "county_officer", lambda g: _core().make_department(g), filters={"town": ("town",)}
    ),
    "departments:create": Listing(
        "county_officer",
        lambda g: _extra(_core().town_of(g), _town=g.code[:9]),
        filters={"town": ("town",)},
        post=Post(data=fx.department_form, ok=fx.department_created),
    ),
    "departments:detail": Detail(
        "county_officer",
        lambda g: _core().make_department_with_candidate(g),
        post=Post(data=lambda k: {"action": "add", "user": k["_user"]}, ok=fx.department_staff_added),
    ),
    # audit: a county's own audit administrator sees that county's chain only
    "audit:list": Listing("audit_admin", lambda g: _audit_probe(g), level="county"),
    "audit:detail": Detail("audit_admin", lambda g: _audit_probe(g), level="county"),
    # the export of the log: the action filter (a prefix, as typed on the list page) tried with the other county's
    "audit:export": Listing(
        "audit_admin", lambda g: _audit_probe_action(g), level="county", filters={"action": ("marker",)}
    ),
}


def _merge_app_routes() -> None:
    """Apps added later keep their routes in tests/isolation/routes_<app>.py (a ROUTES dict each)."""
    import importlib
    import pkgutil

    import tests.isolation as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("routes_"):
            module = importlib.import_module(f"tests.isolation.{info.name}")
            clash = set(module.ROUTES) & set(ROUTES)
            if clash:
                raise ValueError(f"routes registered twice: {sorted(clash)}")
            ROUTES.update(module.ROUTES)


_merge_app_routes()
