"""Properties of region codes: parent_code / level_of / scope_q agree, in Python and in the database."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiangzhi.regions import codes

FAST = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def region_codes(draw, min_level=codes.COUNTY):
    """A code of any level from `min_level` down: 6 digits, then 3 per level."""
    depth = draw(st.integers(codes.LEVELS.index(min_level), len(codes.LEVELS) - 1))
    code = draw(st.from_regex(r"[1-6][0-9]{5}", fullmatch=True))
    for _ in range(depth):
        code += draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    return code


def ancestors(code: str) -> list[str]:
    out, parent = [], codes.parent_code(code)
    while parent:
        out.append(parent)
        parent = codes.parent_code(parent)
    return out


@FAST
@given(code=region_codes())
def test_parent_is_one_level_up_and_a_prefix(code):
    level = codes.level_of(code)
    assert level is not None and len(code) == codes.LENGTHS[level]
    parent = codes.parent_code(code)
    if level == codes.COUNTY:
        assert parent is None
        return
    assert code.startswith(parent) and len(code) - len(parent) == 3
    assert codes.LEVELS.index(codes.level_of(parent)) == codes.LEVELS.index(level) - 1
    chain = ancestors(code)
    assert len(chain) == codes.LEVELS.index(level) and chain[-1] == codes.county_of(code)


@FAST
@given(text=st.text(max_size=20))
def test_anything_else_has_no_level_and_no_parent(text):
    if text.isdigit() and len(text) in codes.LEVEL_BY_LENGTH:
        return
    assert codes.level_of(text) is None and codes.parent_code(text) is None


def _in_q(code: str, q) -> bool:
    """Evaluate a scope_q in Python, the way the database reads it: an OR of [gte, lt) ranges."""
    if not q.children:
        return False
    ranges = {}
    stack = [q]
    while stack:
        node = stack.pop()
        for child in node.children:
            if isinstance(child, tuple):
                name, value = child
                key = id(node)
                ranges.setdefault(key, {})[name.rsplit("__", 1)[1]] = value
            else:
                stack.append(child)
    return any(r["gte"] <= code < r["lt"] for r in ranges.values() if {"gte", "lt"} <= set(r))


@FAST
@given(code=region_codes(min_level=codes.TOWN), data=st.data())
def test_a_code_is_in_its_ancestors_scope_and_not_in_a_siblings(code, data):
    for a in ancestors(code):
        assert codes.in_scope(code, a) and _in_q(code, codes.scope_q([a]))
    assert codes.in_scope(code, code) and _in_q(code, codes.scope_q([code]))
    parent = codes.parent_code(code)
    own = code[len(parent) :]
    other = data.draw(st.from_regex(r"[0-9]{3}", fullmatch=True).filter(lambda s: s != own))
    sibling = parent + other
    assert not codes.in_scope(code, sibling) and not _in_q(code, codes.scope_q([sibling]))
    assert not codes.in_scope(sibling, code) and not _in_q(sibling, codes.scope_q([code]))


@FAST
@given(prefixes=st.lists(region_codes(), max_size=6), code=region_codes())
def test_minimal_prefixes_cover_the_same_codes(prefixes, code):
    minimal = codes.minimal_prefixes(prefixes)
    assert any(code.startswith(p) for p in prefixes) == any(code.startswith(p) for p in minimal)
    assert not any(a != b and a.startswith(b) for a in minimal for b in minimal)
    assert _in_q(code, codes.scope_q(prefixes)) == any(code.startswith(p) for p in prefixes)


@pytest.mark.django_db
@settings(
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(code=region_codes(min_level=codes.VILLAGE), data=st.data())
def test_scope_q_in_the_database_matches_the_prefix_rule(code, data):
    """The same question asked of the database: a row is found under every ancestor, not under a sibling."""
    from xiangzhi.accounts.models import User
    from xiangzhi.core.models import Notification

    user = User.objects.get_or_create(username="scope-probe", defaults={"full_name": "探针"})[0]
    Notification.objects.filter(user=user).delete()
    n = Notification.objects.create(user=user, event="probe", title="probe", region_code=code)
    parent = codes.parent_code(code)
    sibling = parent + data.draw(st.from_regex(r"[0-9]{3}", fullmatch=True).filter(lambda s: s != code[-3:]))
    mine = Notification.objects.filter(user=user)
    for a in [*ancestors(code), code]:
        assert list(mine.filter(codes.scope_q([a])).values_list("pk", flat=True)) == [n.pk], a
    assert not mine.filter(codes.scope_q([sibling])).exists()
    assert not mine.filter(codes.scope_q([])).exists()
