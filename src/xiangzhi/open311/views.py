"""GeoReport v2 over HTTP: parse the arguments, call one selector or service, answer in the URL's format.

Every answer, errors included, is in the spec's shape (render.py). Domain errors map to the spec's statuses: 404
for what does not exist (a service, a request, a jurisdiction), 403 for a missing or wrong api_key and a village
outside the key's region, 400 for everything else. The views never read the session or `request.user`: reads are
public and writes are authorised by the api_key alone.
"""

import datetime as dt
import functools
import logging
import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from xiangzhi.apischema import MAX_PAGE
from xiangzhi.cases.models import CATEGORY_LABELS, HANDLER_LABELS, Case
from xiangzhi.cases.states import STATE_LABELS
from xiangzhi.core.errors import DomainError, NotFound, PermissionDenied
from xiangzhi.open311 import render, selectors, services
from xiangzhi.open311.render import w3

logger = logging.getLogger(__name__)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Sortable; bump it when what this module offers changes shape (new attributes, new fields).
CHANGESET = "2026-01-01 00:00"
GRID = Decimal("0.01")  # points are published rounded to ~1 km, never as reported
# A mobile or ID number typed into the free text by a reporter: masked before the text is published.
NUMBERS = re.compile(r"(?<![0-9])(?:1[3-9][0-9]{9}|[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])")


def open311(*methods):
    """Check the method and the format, and turn domain errors into the spec's error answers.

    CSRF exempt: these are machine endpoints. Clients authenticate with the api_key in the form body and send no
    cookies, and no view here looks at the session or `request.user`, so a forged cross-site POST carries no
    authority the forger does not already hold (it would need the key), which is what CSRF protection guards.
    A CSRF token would only make every standard Open311 client fail (and a wrong method get an HTML 403 instead
    of the spec's 405 answer)."""

    def wrap(view):
        @csrf_exempt
        @functools.wraps(view)
        def inner(request, *args, fmt, **kwargs):
            fmt = fmt.lower()
            if fmt not in render.FORMATS:
                return render.errors(404, f"不支持的格式“.{fmt[:10]}”：请用 .xml 或 .json。", "xml")
            if request.method not in methods:
                resp = render.errors(405, f"此地址只接受 {'、'.join(methods)} 请求。", fmt)
                resp["Allow"] = ", ".join(methods)
                return resp
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except NotFound as e:
                return render.errors(404, e.message, fmt)
            except PermissionDenied as e:
                return render.errors(403, e.message, fmt)
            except DomainError as e:
                return render.errors(400, e.message, fmt)

        return inner

    return wrap


def _arg(params, name: str) -> str:
    """An optional argument: empty counts as absent (the spec's "Optional Arguments")."""
    return (params.get(name) or "").strip()


def _list_arg(params, name: str) -> list[str]:
    """A comma-delimited argument that may also be declared several times."""
    return [p.strip() for v in params.getlist(name) for p in v.split(",") if p.strip()]


def _moment(value: str, name: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None and (day := parse_date(value)) is not None:
            moment = dt.datetime.combine(day, dt.time())
    except ValueError:
        moment = None
    if moment is None:
        raise DomainError(f"{name} 格式无效：请用 w3 格式，例如 2026-01-01T00:00:00+08:00。")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


# -- discovery and services ---------------------------------------------------------------------------------------


@open311("GET")
def discovery(request, *, fmt):
    base = request.build_absolute_uri(request.path[: -len(f"discovery.{fmt}")]).rstrip("/")
    data = {
        "changeset": CHANGESET,
        "contact": "使用中的问题请联系本县综治中心。",
        "key_service": "提交事件需要 api_key：请向县综治中心申请，由平台管理员签发。",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],  # MIME types; XML is the required one
            }
        ],
    }
    return render.respond(data, fmt, root="discovery")


def _service_out(c, names: dict[str, str]) -> dict:
    group = names.get(c.top) or CATEGORY_LABELS.get(c.top, "")
    return {
        "service_code": c.code,
        "service_name": c.name,
        "description": f"{group}：{c.name}" if c.parent else f"{c.name}（未细分）",
        "metadata": True,  # every service asks which village (the `village` attribute)
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys([c.name, group])),
        "group": group,
    }


@open311("GET")
def services_list(request, *, fmt):
    selectors.jurisdiction_get(_arg(request.GET, "jurisdiction_id"))  # 404 for an unknown one
    names = selectors.category_names()
    data = [_service_out(c, names) for c in selectors.public_categories()]
    return render.respond(data, fmt, root="services")


@open311("GET")
def service_definition(request, *, code, fmt):
    service = selectors.service_get(code)
    jurisdiction = selectors.jurisdiction_get(_arg(request.GET, "jurisdiction_id"))
    if jurisdiction is None:
        raise DomainError("本平台服务多个县：请提供 jurisdiction_id（县或乡镇的区划代码）。")
    values = [
        {"key": v.code, "name": f"{v.name}（{v.parent.name}）" if v.parent_id else v.name}
        for v in selectors.villages(jurisdiction)
    ]
    data = {
        "service_code": service.code,
        "attributes": [
            {
                "variable": True,
                "code": "village",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": "村（社区）的 12 位区划代码；也可填该村下属网格的 15 位代码。",
                "order": 1,
                "description": "事件发生在哪个村（社区）？",
                "values": values,
            }
        ],
    }
    return render.respond(data, fmt, root="service_definition")


# -- requests -----------------------------------------------------------------------------------------------------


def _round(value) -> float | None:
    return None if value is None else float(Decimal(value).quantize(GRID, rounding=ROUND_HALF_UP))


def _agency(case: Case) -> str:
    if case.handler == "department" and case.department_id:
        return case.department.name
    return HANDLER_LABELS.get(case.handler, "")


def _notice(case: Case) -> str:
    if not case.is_open:
        return f"事件编号 {case.number}，已办结。"
    due = f"，办理时限 {timezone.localtime(case.deadline):%Y-%m-%d %H:%M}" if case.deadline else ""
    return f"事件编号 {case.number}，由{_agency(case)}办理{due}。"


def _request_out(case: Case, *, names: dict[str, str], villages: dict[str, str]) -> dict:
    """One request as the public may see it: no reporter, no photos, the point rounded, the village's name."""
    sub = case.subcategory
    return {
        "service_request_id": str(case.pk),
        "status": "open" if case.is_open else "closed",
        "status_notes": STATE_LABELS.get(case.state, ""),
        "service_name": sub.name
        if sub
        else names.get(case.category) or CATEGORY_LABELS.get(case.category, ""),
        "service_code": sub.code if sub else case.category,
        "description": NUMBERS.sub(lambda m: "*" * len(m.group()), case.description),
        "agency_responsible": _agency(case),
        "service_notice": _notice(case),
        "requested_datetime": w3(case.reported_at),
        "updated_datetime": w3(case.updated_at if case.is_open else (case.closed_at or case.updated_at)),
        "expected_datetime": w3(case.deadline),
        "address": villages.get(case.region_code[:12], ""),
        "address_id": case.region_code[:12],
        "lat": _round(case.latitude),
        "long": _round(case.longitude),
    }


def _requests_out(cases: list[Case]) -> list[dict]:
    names = selectors.category_names()
    villages = selectors.village_names(c.region_code for c in cases)
    return [_request_out(c, names=names, villages=villages) for c in cases]


@open311("GET", "POST")
def requests_view(request, *, fmt):
    if request.method == "POST":
        return _request_post(request, fmt)
    params = request.GET
    page_arg = _arg(params, "page") or "1"
    if not page_arg.isdigit() or not 1 <= int(page_arg) <= MAX_PAGE:
        raise DomainError("page 应为正整数。")
    cases = selectors.request_list(
        ids=_list_arg(params, "service_request_id"),
        service_codes=_list_arg(params, "service_code"),
        start=_moment(_arg(params, "start_date"), "start_date"),
        end=_moment(_arg(params, "end_date"), "end_date"),
        statuses=_list_arg(params, "status"),
        jurisdiction=selectors.jurisdiction_get(_arg(params, "jurisdiction_id")),
        page=int(page_arg),
    )
    return render.respond(_requests_out(cases), fmt, root="service_requests")


def _request_post(request, fmt):
    data = request.POST
    key = _arg(data, "api_key")
    if not key:
        raise PermissionDenied("缺少 api_key：提交事件须提供平台签发的 api_key。")
    client = services.client_authenticate(key)
    if client is None:
        raise PermissionDenied("api_key 无效或已停用，不能提交事件。")
    jurisdiction = None
    if _arg(data, "jurisdiction_id"):
        jurisdiction = selectors.jurisdiction_get(_arg(data, "jurisdiction_id"))
    service = selectors.service_get(_arg(data, "service_code"))
    # media_url is deliberately never read: the server does not fetch URLs it is handed (no requests to
    # addresses a client chooses), and photos reach a case only through the private file store.
    case = services.request_create(
        client=client,
        service=service,
        region_code=_arg(data, "attribute[village]"),
        jurisdiction=jurisdiction,
        description=data.get("description") or "",
        latitude=_arg(data, "lat"),
        longitude=_arg(data, "long"),
        address_string=_arg(data, "address_string"),
        address_id=_arg(data, "address_id"),
        first_name=_arg(data, "first_name"),
        last_name=_arg(data, "last_name"),
        phone=_arg(data, "phone"),
        actor_ip=getattr(request, "client_ip", None),
    )
    logger.info("open311.request_created", extra={"client": client.name, "case": case.pk})
    return render.respond(
        [{"service_request_id": str(case.pk), "service_notice": _notice(case)}], fmt, root="service_requests"
    )


@open311("GET")
def request_detail(request, *, request_id, fmt):
    case = selectors.request_get(request_id)
    return render.respond(_requests_out([case]), fmt, root="service_requests")


@open311("GET")
def token(request, *, token, fmt):
    # Every service is "realtime": a POST answers with the service_request_id itself and no token is ever issued,
    # so every token is unknown (the spec's 404).
    raise NotFound(f"token “{token[:40]}” 不存在：本平台提交后即返回 service_request_id，不发放 token。")


@csrf_exempt
def unknown(request, rest: str = ""):
    fmt = "json" if rest.lower().endswith(".json") else "xml"
    return render.errors(404, "没有这个 Open311 地址：请从 discovery.xml 或 services.xml 开始。", fmt)
