import uuid

from django.conf import settings
from ipware import get_client_ip

from xiangzhi.core import context


def client_ip(request) -> str | None:
    """The real client address. Behind N trusted proxies (XIANGZHI_PROXY_COUNT) read X-Forwarded-For, the same
    way django-axes does, so that lockouts and audit records name the same address."""
    if settings.AXES_IPWARE_PROXY_COUNT:
        ip, _routable = get_client_ip(request, proxy_count=settings.AXES_IPWARE_PROXY_COUNT)
        if ip:
            return str(ip)
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex[:16]
        request.client_ip = client_ip(request)
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        from xiangzhi.audit.services import flush_denials, start_denials_scope

        token = context.set_for_request(user, request.client_ip, request.request_id)
        denials = start_denials_scope()
        try:
            return self.get_response(request)
        finally:
            flush_denials(denials)
            context.reset(token)
