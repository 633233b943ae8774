import re

import pytest

from tests.factories import signed_in_client
from tests.people import factories as pf
from xiangzhi.web import selectors


def figures(body: str) -> dict[str, int]:
    found = re.findall(r'<span class="value">(\d+)</span><span class="label">([^<]+)</span>', body)
    return {label: int(value) for value, label in found}


@pytest.mark.django_db
def test_the_overview_counts_only_what_the_user_may_see(township, make_user):
    pf.household(township.grid_a1, head_name="王一")
    two = pf.household(township.grid_a2, head_name="王二")
    pf.resident(two, name="王二子")
    pf.household(township.grid_b1, head_name="钱三")
    secretary = make_user("village_committee", township.village_a)
    body = signed_in_client(secretary).get("/").content.decode()
    assert figures(body) == {"在册户数": 2, "在册人口": 3, "尚无党员联系的户": 2, "在册党员": 0}
    worker = make_user("grid_worker", township.grid_a1)
    assert figures(signed_in_client(worker).get("/").content.decode())["在册户数"] == 1
    # the region switcher narrows the overview too
    leader = make_user("town_leader", township.town)
    assert [f.value for f in selectors.overview(user=leader)][:2] == [3, 4]
    assert [f.value for f in selectors.overview(user=leader, region_code=township.village_b.code)][:2] == [
        1,
        1,
    ]


@pytest.mark.django_db
def test_no_figures_for_roles_that_see_no_people(township, make_user):
    admin = make_user("audit_admin")
    assert selectors.overview(user=admin) == []
