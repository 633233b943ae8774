"""Isolation for every route, not a sample: walks the URL patterns (pages and API) and checks each one."""

import math
import re

import pytest
from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

from tests.isolation import world as world_mod
from tests.isolation.registry import ROUTES, Detail, Exempt, Listing, specs_of
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
    """The route's URL; kwargs starting with "_" are the maker's extras, not URL parameters."""
    from django.urls import reverse

    return reverse(name, kwargs={k: v for k, v in kwargs.items() if not k.startswith("_")})


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


def _with_param(url: str, name: str, value) -> str:
    return f"{url}{'&' if '?' in url else '?'}{name}={value}"


def list_text(client, url) -> tuple[int, str]:
    """(status, text of every page): a row on page 2 is as visible as one on page 1. Pages come from the shared
    pagination include ("第 1 / N 页") or the API's count and page_size."""
    resp = client.get(url)
    text = response_text(resp)
    if resp.status_code != 200:
        return resp.status_code, text
    texts = [text]
    pages = 1
    if resp.get("Content-Type", "").startswith("application/json"):
        data = resp.json()
        if isinstance(data, dict) and {"count", "page_size", "items"} <= data.keys():
            pages = max(1, math.ceil(data["count"] / data["page_size"]))
    elif m := re.search(r"第 1 / (\d+) 页", text):
        pages = int(m.group(1))
    for n in range(2, pages + 1):
        more = client.get(_with_param(url, "page", n))
        assert more.status_code == 200, f"{url} page {n}: {more.status_code}"
        texts.append(response_text(more))
    return 200, "\n".join(texts)


def filter_values(kind: str, grid, marker: str) -> list[str]:
    """What a person would type in a filter to reach the other grid's rows."""
    if kind == "region":
        return [grid.code[:n] for n in (15, 12, 9, 6) if len(grid.code) >= n]
    if kind == "town":
        return [grid.code[:9]]
    if kind == "marker":
        # all of the marker but its last character: it still finds the other row (every search box matches a
        # part of a name), and a page that echoes what was typed is not taken for one that lists the row
        return [marker[:-1]]
    raise ValueError(kind)


# Tables a refused request writes to: the refusal's own audit record and its county's chain head, and the
# session's activity stamp. Every other table must be left exactly as it was.
WRITTEN_BY_A_REFUSAL = {"audit.auditrecord", "audit.chainhead", "sessions.session"}


def db_state() -> dict[str, list]:
    """Every row of every other table, as the database holds it (encrypted columns as stored)."""
    state = {}
    with connection.cursor() as cur:
        for model in apps.get_models(include_auto_created=True):
            label = model._meta.label_lower
            if label in WRITTEN_BY_A_REFUSAL:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            cur.execute(f"SELECT * FROM {table} ORDER BY 1")
            state[label] = cur.fetchall()
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))


def _denials() -> int:
    return AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()


CASES = [
    pytest.param(name, i, id=name if len(specs_of(name)) == 1 else f"{name}@{spec.role}")
    for name in ALL_ROUTES
    for i, spec in enumerate(specs_of(name))
    if isinstance(spec, Detail | Listing)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "index"), CASES)
def test_route_is_isolated(name, index):
    spec = specs_of(name)[index]
    w = world_mod.build()
    from xiangzhi.accounts.roles import ROLES

    level = spec.level or ROLES[spec.role].level
    user = world_mod.viewer(w, spec.role, level=spec.level)
    client = _client_for(user)
    other_grid = w.other_grid[level]
    own_kwargs, own_marker = spec.make(w.home_grid)
    other_kwargs, other_marker = spec.make(other_grid)
    assert own_marker != other_marker, f"{name}: the two markers must differ"
    if isinstance(spec, Detail):
        _check_detail(name, spec, client, own_kwargs, other_kwargs)
    else:
        _check_listing(
            name, spec, client, (own_marker, w.home_grid), (other_marker, other_grid), w.sibling_grid
        )
        if spec.post is not None:
            _check_listing_form(name, spec, client, own_kwargs, other_kwargs)


def _check_detail(name, spec, client, own_kwargs, other_kwargs):
    own_url, other_url = _url(name, own_kwargs), _url(name, other_kwargs)
    if spec.method == "get":
        ok = client.get(own_url)
        assert ok.status_code == 200, f"{name}: own object answered {ok.status_code}"
        before = _denials()
        refused = client.get(other_url)
        assert refused.status_code == 404, f"{name}: out-of-scope object answered {refused.status_code}"
        assert _denials() == before + 1, f"{name}: refusal not audited"
    if spec.post is None:
        # a page that takes no form must not write when posted to (own object or not)
        state = db_state()
        for url in (own_url, other_url):
            client.post(url, {})
        assert changed_tables(state, db_state()) == [], f"{name}: a POST to a read-only page wrote"
        return
    # the out-of-scope POST first, so that nothing the own POST did can hide what it would write
    state, before = db_state(), _denials()
    refused = client.post(other_url, spec.post.form(other_kwargs))
    assert refused.status_code == 404, (
        f"{name}: POST on an out-of-scope object answered {refused.status_code}"
    )
    assert _denials() == before + 1, f"{name}: refused POST not audited"
    assert changed_tables(state, db_state()) == [], f"{name}: a refused POST wrote"
    state = db_state()
    done = client.post(own_url, spec.post.form(own_kwargs))
    spec.post.ok(done, own_kwargs)
    if spec.post.writes:
        # positive control: the comparison above sees a write of this kind
        assert changed_tables(state, db_state()), f"{name}: db_state() missed the successful POST's write"


# A filter that narrows to something else must drop the own row: proof that the parameter is read at all.
NARROWING = {"region": lambda sibling: sibling.code, "marker": lambda sibling: "无此人名"}


def _check_listing(name, spec, client, own, other, sibling):
    (own_marker, own_grid), (other_marker, other_grid) = own, other
    url = _url(name, {}) + spec.query
    status, body = list_text(client, url)
    assert status == 200, f"{name}: list answered {status}"
    assert own_marker in body, f"{name}: own row missing"
    assert other_marker not in body, f"{name}: out-of-scope row listed"
    for param, kinds in spec.filters.items():
        for kind in kinds:
            # controls: the same filter typed for the own object finds it, so it would find the other one
            # too if the scope let it through; and narrowed elsewhere it drops it, so the parameter is read
            for value in filter_values(kind, own_grid, own_marker):
                status, body = list_text(client, _with_param(url, param, value))
                assert status == 200 and own_marker in body, f"{name}?{param}={value}: own row not found"
            if kind in NARROWING:
                value = NARROWING[kind](sibling)
                status, body = list_text(client, _with_param(url, param, value))
                assert status == 200 and own_marker not in body, f"{name}?{param}={value}: filter ignored"
            for value in filter_values(kind, other_grid, other_marker):
                filtered = _with_param(url, param, value)
                status, body = list_text(client, filtered)
                assert status in (200, 400, 403, 404, 422), f"{filtered}: answered {status}"
                assert other_marker not in body, f"{filtered}: out-of-scope row listed"


def _check_listing_form(name, spec, client, own_kwargs, other_kwargs):
    url = _url(name, {}) + spec.query
    state = db_state()
    refused = client.post(url, spec.post.form(other_kwargs))
    assert refused.status_code in (400, 403, 404, 422), (
        f"{name}: other region's form answered {refused.status_code}"
    )
    assert changed_tables(state, db_state()) == [], f"{name}: the other region's form wrote"
    done = client.post(url, spec.post.form(own_kwargs))
    spec.post.ok(done, own_kwargs)
    assert changed_tables(state, db_state()), f"{name}: db_state() missed the successful POST's write"


def test_post_registrations_say_what_success_is():
    for name in ROUTES:
        for spec in specs_of(name):
            if isinstance(spec, Detail) and spec.method == "post":
                assert spec.post is not None and callable(spec.post.ok), name


def test_exemptions_give_reasons():
    for name, spec in ROUTES.items():
        if isinstance(spec, Exempt):
            assert len(spec.reason) >= 4, name


def test_exemptions_cite_test_files_that_exist():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for name, spec in ROUTES.items():
        if isinstance(spec, Exempt):
            for cited in re.findall(r"tests/[\w/]+\.py", spec.reason):
                assert (root / cited).is_file(), f"{name} cites {cited}, which does not exist"


@pytest.mark.django_db
def test_list_text_reads_every_page():
    """The list check reads past page 1: a row on the last page of a page list and of an API list is seen."""
    from tests.people import factories as pf

    w = world_mod.build()
    client = _client_for(world_mod.viewer(w, "village_secretary"))
    for i in range(21):  # one more than a page (20) of the household list and the API's default page size
        pf.household(w.home_grid, head_name=f"翻页{i:02d}")
    for url in ("/people/households/", "/api/v1/households/"):
        first = response_text(client.get(url))
        assert "翻页00" in first and "翻页20" not in first, url  # the last one is on page 2 only
        status, everything = list_text(client, url)
        assert status == 200 and all(f"翻页{i:02d}" in everything for i in range(21)), url
