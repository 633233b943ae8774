"""The site's URLs plus one bench-only endpoint, `POST /api/v1/bench/insert/`, on the same django-ninja API (same
middleware, the same token auth, the same error handlers and JSON renderer). It reads the same JSON body as
`POST /api/v1/cases/` and inserts ONE row (a core.Notification to the caller): the cost of the stack and of one
write, which the case intake is measured against."""

import json

from ninja import Router

from xiangzhi.api import api
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.core.models import Notification

router = Router(tags=["bench"])


@router.post("/insert/", response={201: dict})
def bare_insert(request):
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("请求正文不是有效的 JSON。") from None
    if not isinstance(data, dict):
        raise ValidationFailed("请求正文应为一个 JSON 对象。")
    row = Notification.objects.create(
        user=request.auth,
        event="bench.insert",
        title=str(data.get("description", ""))[:200],
        region_code=str(data.get("region_code", ""))[:18],
    )
    return 201, {"id": row.pk}


api.add_router("/bench/", router)

from xiangzhi.urls import urlpatterns  # noqa: E402, F401  (after add_router: the API's URLs are built there)
