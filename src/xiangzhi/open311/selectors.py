"""Public reads for Open311: the services on offer, the villages a request can name, the public requests.

A case is public when its top category is public and its sub-category (if any) is public too
(`CaseCategory.is_public`); everything else (disputes, petitions, security reports …) never leaves through here,
and a request for it is answered as if it did not exist.
"""

import datetime as dt

from django.db.models import Q, QuerySet

from xiangzhi.cases.models import CATEGORY_CODES, Case, CaseCategory
from xiangzhi.core import clock
from xiangzhi.core.errors import NotFound, ValidationFailed
from xiangzhi.regions.codes import scope_q
from xiangzhi.regions.models import Region

# The spec's default window is 90 days or 1000 requests, whichever is smaller; we answer at most PAGE_CAP a
# response (newest first) and take a `page` parameter for the rest.
WINDOW = dt.timedelta(days=90)
PAGE_CAP = 200
CLOSED_STATES = (Case.CLOSED, Case.MERGED)


def public_categories() -> list[CaseCategory]:
    """The services: public top categories, each followed by its public sub-categories."""
    rows = list(CaseCategory.objects.filter(is_public=True))
    tops = sorted(
        (c for c in rows if not c.parent and c.code in CATEGORY_CODES), key=lambda c: (c.sort, c.code)
    )
    result = []
    for top in tops:
        result.append(top)
        result.extend(sorted((c for c in rows if c.parent == top.code), key=lambda c: (c.sort, c.code)))
    return result


def category_names() -> dict[str, str]:
    return dict(CaseCategory.objects.values_list("code", "name"))


def service_get(code: str) -> CaseCategory:
    """A public service by its code (NotFound otherwise: a private category is not said to exist)."""
    code = (code or "").strip()
    if not code:
        raise ValidationFailed("缺少 service_code。", field="service_code")
    for c in public_categories():
        if c.code == code:
            return c
    raise NotFound(f"service_code “{code[:40]}” 不存在。")


def public_case_q() -> Q:
    tops = list(
        CaseCategory.objects.filter(is_public=True, parent="", code__in=CATEGORY_CODES).values_list(
            "code", flat=True
        )
    )
    return Q(category__in=tops) & (Q(subcategory__isnull=True) | Q(subcategory__is_public=True))


def public_cases() -> QuerySet:
    return (
        Case.objects.filter(public_case_q())
        .select_related("subcategory", "department")
        .order_by("-reported_at", "-id")
    )


def request_get(request_id: str) -> Case:
    if not str(request_id).isdigit() or len(str(request_id)) > 18:
        raise NotFound(f"service_request_id “{str(request_id)[:20]}” 不存在。")
    case = public_cases().filter(pk=int(request_id)).first()
    if case is None:
        raise NotFound(f"service_request_id “{request_id}” 不存在。")
    return case


def jurisdiction_get(code: str) -> Region | None:
    """The jurisdiction a call names (a county or a town), or the only county of the install when it names
    none; None when it names none and the install serves several counties."""
    code = (code or "").strip()
    if code:
        region = Region.objects.filter(code=code, is_active=True, level__in=("county", "town")).first()
        if region is None:
            raise NotFound(f"jurisdiction_id “{code[:20]}” 不存在：请填写县或乡镇的区划代码。")
        return region
    counties = list(Region.objects.filter(level="county", is_active=True)[:2])
    return counties[0] if len(counties) == 1 else None


def villages(jurisdiction: Region) -> list[Region]:
    return list(
        Region.objects.filter(scope_q([jurisdiction.code], field="code"), level="village", is_active=True)
        .select_related("parent")
        .order_by("code")
    )


def village_names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in={c[:12] for c in codes}).values_list("code", "name"))


def _codes_q(codes: list[str]) -> Q:
    offered = {c.code: c for c in public_categories()}
    q = Q(pk__in=[])
    for code in codes:
        c = offered.get(code)
        if c is None:
            raise ValidationFailed(f"未知的 service_code：“{code[:40]}”。", field="service_code")
        q |= Q(subcategory=c) if c.parent else Q(category=c.code, subcategory__isnull=True)
    return q


def request_list(
    *,
    ids: list[str] | None = None,
    service_codes: list[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    statuses: list[str] | None = None,
    jurisdiction: Region | None = None,
    page: int = 1,
) -> list[Case]:
    """GET requests. `ids` overrides every other argument (as the spec says). Without dates the window is the
    last 90 days; a window may not span more than 90 days."""
    qs = public_cases()
    if ids:
        for i in ids:
            if not i.isdigit() or len(i) > 18:
                raise ValidationFailed(
                    f"service_request_id 应为数字，收到“{i[:20]}”。", field="service_request_id"
                )
        if len(ids) > PAGE_CAP:
            raise ValidationFailed(
                f"一次最多查询 {PAGE_CAP} 个 service_request_id。", field="service_request_id"
            )
        return list(qs.filter(pk__in=[int(i) for i in ids]))
    if end is None:
        end = min(start + WINDOW, clock.now()) if start is not None else clock.now()
    if start is None:
        start = end - WINDOW
    if end < start:
        raise ValidationFailed("end_date 不能早于 start_date。", field="end_date")
    if end - start > WINDOW:
        raise ValidationFailed("start_date 与 end_date 之间不能超过 90 天。", field="start_date")
    qs = qs.filter(reported_at__gte=start, reported_at__lte=end)
    if service_codes:
        qs = qs.filter(_codes_q(service_codes))
    if statuses:
        unknown = [s for s in statuses if s not in ("open", "closed")]
        if unknown:
            raise ValidationFailed(f"status 只能是 open 或 closed，收到“{unknown[0][:20]}”。", field="status")
        if set(statuses) == {"open"}:
            qs = qs.filter(state__in=Case.OPEN_STATES)
        elif set(statuses) == {"closed"}:
            qs = qs.filter(state__in=CLOSED_STATES)
    if jurisdiction is not None:
        qs = qs.filter(scope_q([jurisdiction.code]))
    offset = (page - 1) * PAGE_CAP
    return list(qs[offset : offset + PAGE_CAP])
