import uuid

from ipware import IpWare

from xiangzhi.core import context

_ipware = None


def client_ip(request) -> str | None:
    """The real client address: behind N trusted proxies (XIANGZHI_PROXY_COUNT), read X-Forwarded-For."""
    global _ipware
    from django.conf import settings

    if _ipware is None:
        _ipware = IpWare(proxy_count=settings.AXES_IPWARE_PROXY_COUNT or 0)
    if settings.AXES_IPWARE_PROXY_COUNT:
        ip, _trusted = _ipware.get_client_ip(request.META)
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
        token = context.set_for_request(user, request.client_ip, request.request_id)
        try:
            return self.get_response(request)
        finally:
            context.reset(token)
