"""The 三资 demo builds through the services, once, and shows the problems a 合同清理 finds."""

import pytest

from tests import factories
from tests.deliberation import factories as df
from xiangzhi.assets import rules, selectors
from xiangzhi.assets.models import Contract
from xiangzhi.demo import assets as demo

pytestmark = pytest.mark.django_db


def test_demo_contracts_with_problems(township):
    secretary = factories.user_with_role("village_secretary", township.village_a)
    df.residents(township.grid_a1, 6)
    assert demo.build(township.village_a) == 10
    assert demo.build(township.village_a) == 0  # twice: once
    assert Contract.objects.count() == 10
    rep = selectors.report(user=secretary, region=township.village_a.code)
    found = {k for k, n in rep.total.problems.items() if n}
    assert found == {c.code for c in rules.CHECKS}
    assert rep.total.recovered > 0 and rep.total.arrears > 0
    assert selectors.alerts(user=secretary).expiring
