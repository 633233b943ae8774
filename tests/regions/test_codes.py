import pytest

from xiangzhi.core.errors import ValidationFailed
from xiangzhi.regions import codes
from xiangzhi.regions.models import Region
from xiangzhi.regions.services import region_create


def test_levels_follow_code_length():
    assert [codes.level_of(c) for c in ["141029", "141029201", "141029201201", "1" * 15, "1" * 18]] == list(
        codes.LEVELS
    )
    assert codes.level_of("1410292") is None
    assert codes.parent_code("141029201201") == "141029201"
    assert codes.parent_code("141029") is None


def test_minimal_prefixes_drop_covered_ones():
    assert codes.minimal_prefixes(["141029201", "141029201201", "141029202"]) == ["141029201", "141029202"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code,parent,message",
    [
        ("14102920", None, "长度"),
        ("14102A", None, "数字"),
        ("141030201", "141029", "上级代码 141030"),
        ("141029201", None, "上级"),
    ],
)
def test_region_create_refuses_bad_codes(code, parent, message):
    parent_region = region_create(code="141029", name="乡宁县") if parent else None
    with pytest.raises(ValidationFailed) as exc:
        region_create(code=code, name="某地", parent=parent_region)
    assert message in exc.value.message
    assert not Region.objects.filter(code=code).exists()


@pytest.mark.django_db
def test_region_codes_are_unique(township):
    with pytest.raises(ValidationFailed, match="已存在"):
        region_create(code="141029201201", name="重复", parent=township.town)


@pytest.mark.django_db
def test_scope_is_a_range_query_on_the_prefix(township):
    qs = Region.objects.filter(codes.scope_q(["141029201201"], field="code"))
    assert sorted(qs.values_list("code", flat=True)) == ["141029201201", "141029201201001", "141029201201002"]
    sql = str(qs.query)
    assert ">=" in sql and "<" in sql and "LIKE" not in sql.upper()


@pytest.mark.django_db
def test_database_refuses_a_code_whose_length_does_not_match_its_level():
    from django.db import IntegrityError, connection, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(
            code="1410291", name="错位", level="county"
        )  # bypasses region_create on purpose
    Region.objects.create(code="141029", name="乡宁县", level="county")
    if connection.vendor == "sqlite":
        # the constraint uses SQLite's own length(), so any SQLite client can write the file
        with connection.cursor() as cur:
            cur.execute("SELECT sql FROM sqlite_master WHERE name = 'regions_region'")
            assert "REGEXP" not in cur.fetchone()[0].upper()
