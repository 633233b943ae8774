"""Isolation for every route, not a sample: walks the URL patterns (pages and API) and checks each one."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.isolation import world as world_mod
from tests.isolation.registry import ROUTES, Detail, Exempt, Listing
from xiangzhi.audit.models import AuditRecord

# Routes served by third-party code or Django itself that hold no data of ours.
IGNORED_PREFIXES = ("static/",)


def walk(patterns=None, prefix="", namespace=""):
    if patterns is None:
        patterns = get_resolver().url_patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            full_ns = f"{namespace}:{ns}".strip(":") if ns else namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), full_ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}".strip(":") if p.name else None
            yield name or (prefix + str(p.pattern)), prefix + str(p.pattern)


ALL_ROUTES = sorted({name for name, route in walk() if not route.startswith(IGNORED_PREFIXES)})


def test_every_route_is_registered():
    missing = [name for name in ALL_ROUTES if name not in ROUTES]
    assert not missing, (
        f"routes without an isolation registration (add them to tests/isolation/registry.py): {missing}"
    )
    stale = [name for name in ROUTES if name not in ALL_ROUTES]
    assert not stale, f"registrations for routes that no longer exist: {stale}"


def _url(name, kwargs):
    from django.urls import reverse

    return reverse(name, kwargs=kwargs)


def _client_for(user):
    from tests.factories import signed_in_client

    return signed_in_client(user)


def response_text(resp) -> str:
    """The text a person or program reads: JSON decoded, an .xlsx unzipped, a stream joined."""
    import io
    import json
    import zipfile

    raw = b"".join(resp.streaming_content) if resp.streaming else resp.content
    ctype = resp.get("Content-Type", "")
    if ctype.startswith("application/json"):
        return json.dumps(json.loads(raw), ensure_ascii=False)
    if ctype.startswith("application/vnd.openxmlformats") or raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            return b"".join(z.read(n) for n in z.namelist()).decode("utf-8", "replace")
    return raw.decode("utf-8", "replace")


SCOPED = [n for n in ALL_ROUTES if isinstance(ROUTES.get(n), Detail | Listing)]


@pytest.mark.django_db
@pytest.mark.parametrize("name", SCOPED)
def test_route_is_isolated(name):
    spec = ROUTES[name]
    w = world_mod.build()
    from xiangzhi.accounts.roles import ROLES

    level = spec.level or ROLES[spec.role].level
    user = world_mod.viewer(w, spec.role, level=spec.level)
    client = _client_for(user)
    own_kwargs, own_marker = spec.make(w.home_grid)
    other_kwargs, other_marker = spec.make(w.other_grid[level])
    if isinstance(spec, Detail):
        ok = getattr(client, spec.method)(_url(name, own_kwargs), spec.data)
        assert ok.status_code in (200, 302), f"{name}: own object answered {ok.status_code}"
        before = AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()
        refused = getattr(client, spec.method)(_url(name, other_kwargs), spec.data)
        assert refused.status_code == 404, f"{name}: out-of-scope object answered {refused.status_code}"
        assert AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count() == before + 1, (
            f"{name}: refusal not audited"
        )
    else:
        resp = client.get(_url(name, {}) + spec.query)
        assert resp.status_code == 200, f"{name}: list answered {resp.status_code}"
        body = response_text(resp)
        assert own_marker in body, f"{name}: own row missing"
        assert other_marker not in body, f"{name}: out-of-scope row listed"


def test_exemptions_give_reasons():
    for name, spec in ROUTES.items():
        if isinstance(spec, Exempt):
            assert len(spec.reason) >= 4, name
