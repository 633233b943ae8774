"""The project API at /api/v1/: one django-ninja instance, one Router per app, domain errors mapped once.

Phones use token auth (`Authorization: Bearer <key>`); the browser uses its session (with CSRF). Interactive docs
are off: they would load scripts from the internet. The OpenAPI document is at /api/v1/openapi.json.
"""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, SessionAuth

from xiangzhi.accounts.roles import PRIVILEGED_ROLES
from xiangzhi.core import context
from xiangzhi.core.errors import DomainError


def _second_factor_ok(request, user) -> bool:
    from xiangzhi import policy

    if not any(a.role in PRIVILEGED_ROLES for a in policy.assignments(user)):
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


class BrowserSession(SessionAuth):
    """The signed-in browser session, on the account gate's terms: privileged users must have passed their second
    factor, and a user who must change the password gets nothing until it is changed."""

    def authenticate(self, request, key):
        from xiangzhi.accounts import services

        user = super().authenticate(request, key)
        if user is not None and not _second_factor_ok(request, user):
            return None
        if user is not None and services.password_change_required(user):
            return None
        return user


class Token(HttpBearer):
    def authenticate(self, request, token):
        from xiangzhi.accounts import services

        user = services.token_authenticate(token)
        if user is None:
            return None
        request.user = user
        context.bind_user(user)
        return user


class ChineseJSON(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ChineseJSON(),
    title="乡治 API",
    version="1",
    description="党建引领乡村基层治理平台接口。所有数据按调用者的辖区范围过滤；越权访问一律返回 404。",
    urls_namespace="api",
    auth=[Token(), BrowserSession()],
    docs_url=None,
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    body = {"detail": exc.message, "code": exc.code}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "未找到", "code": "not_found"}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(
        request, {"detail": "请先登录或提供有效的令牌。", "code": "unauthenticated"}, status=401
    )


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc: NinjaValidationError):
    problems = []
    for err in exc.errors:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload"))
        problems.append(f"{where or '请求'}：{err.get('msg', '格式不正确')}")
    return api.create_response(
        request, {"detail": "请求格式不正确：" + "；".join(problems), "code": "validation_failed"}, status=422
    )


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": str(exc), "code": "error"}, status=exc.status_code)


def _routers():
    from xiangzhi.accounts.api import router as accounts_router
    from xiangzhi.assets.api import router as assets_router
    from xiangzhi.cases.api import router as cases_router
    from xiangzhi.cases.api_figures import router as case_figures_router
    from xiangzhi.deliberation.api import router as deliberation_router
    from xiangzhi.deliberation.api_bodies import router as deliberation_bodies_router
    from xiangzhi.deliberation.api_matters import router as deliberation_matters_router
    from xiangzhi.disclosure.api import router as disclosure_router
    from xiangzhi.enforcement.api import router as enforcement_router
    from xiangzhi.grid.api import router as grid_router
    from xiangzhi.honours.api import router as honours_router
    from xiangzhi.mediation.api import router as mediation_router
    from xiangzhi.party.api import router as party_router
    from xiangzhi.people.api import router as people_router
    from xiangzhi.points.api import router as points_router
    from xiangzhi.points.api_ledger import router as points_ledger_router
    from xiangzhi.points.api_party import router as points_party_router
    from xiangzhi.regions.api import router as regions_router
    from xiangzhi.store.api import router as store_router
    from xiangzhi.volunteering.api import router as volunteering_router

    api.add_router("/", accounts_router)
    api.add_router("/regions/", regions_router)
    api.add_router("/", people_router)
    api.add_router("/party/", party_router)
    api.add_router("/cases/figures/", case_figures_router)
    api.add_router("/cases/", cases_router)
    api.add_router("/mediation/", mediation_router)
    api.add_router("/grid/", grid_router)
    api.add_router("/points/party/", points_party_router)
    api.add_router("/points/", points_router)
    api.add_router("/points/", points_ledger_router)
    api.add_router("/store/", store_router)
    api.add_router("/honours/", honours_router)
    api.add_router("/volunteers/", volunteering_router)
    api.add_router("/deliberation/", deliberation_router)
    api.add_router("/deliberation/", deliberation_matters_router)
    api.add_router("/deliberation/", deliberation_bodies_router)
    api.add_router("/board/", disclosure_router)
    api.add_router("/assets/", assets_router)
    api.add_router("/enforcement/", enforcement_router)


_routers()
