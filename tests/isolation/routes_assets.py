"""Isolation of the 三资 routes (makers in tests/assets/factories.py). Merged into registry.ROUTES.

Contracts belong to a village: cadres reach their villages' contracts, the town and county theirs. Region filters
are tried with the town's code (a grid's code picks its village, so a sibling grid does not narrow)."""

from tests.isolation.registry import Detail, Exempt, Listing, Post, _renamed


def _af():
    from tests.assets import factories

    return factories


def _redirected(response):
    assert response.status_code == 302, f"expected a redirect after success, got {response.status_code}"


def _contract(pk):
    from xiangzhi.assets.models import Contract

    return Contract.objects.get(pk=pk)


def paid(response, k):
    _redirected(response)
    assert _contract(k["pk"]).payments.filter(amount=12300).exists()


def edited(response, k):
    _redirected(response)
    assert _contract(k["pk"]).subject == "改过的地块"


def setting_saved(response, k):
    from xiangzhi.assets.models import AssetSetting

    _redirected(response)
    assert AssetSetting.objects.filter(region__code=k["code"], land_period_ends_on="2057-12-31").exists()


def _edit_form(k):
    return {
        "code": f"E{k['pk']}",
        "category": "assets",
        "matter": "lease",
        "subject": "改过的地块",
        "area": "1.00",
        "amount": "100",
        "amount_basis": "per_year",
        "counterparty_name": "改过的承租方",
        "counterparty_type": "individual",
        "counterparty_is_member": "1",
        "starts_on": "2020-01-01",
        "ends_on": "2025-12-31",
        "has_written_contract": "1",
    }


TOWN = {"region": ("town",)}
SEARCH = {"q": ("marker",)}
OWN = "tests/assets/test_pages.py"

ROUTES = {
    "assets:index": Exempt("入口：转到合同台账，本身不显示数据"),
    "assets:contract_list": [
        Listing("village_secretary", lambda g: _af().make_contract(g), filters={**TOWN, **SEARCH}),
        Listing("town_leader", lambda g: _af().make_contract(g), filters={**TOWN, **SEARCH}),
        Listing("supervisor", lambda g: _af().make_contract(g), filters=SEARCH),
    ],
    "assets:contract_export": Listing("village_secretary", lambda g: _af().make_contract(g), filters=TOWN),
    "assets:contract_create": Exempt(
        f"表单只列出本人辖区内的村；选他村被表单拒绝、不写入（见 {OWN}："
        "test_create_for_another_village_is_refused_and_writes_nothing）"
    ),
    "assets:contract_import": Exempt(
        f"只能导入到本人辖区内的村；选他村被表单拒绝、不写入（见 {OWN}：test_import_into_another_village_is_refused）"
    ),
    "assets:import_template": Exempt("空白模板，无数据"),
    "assets:contract_detail": [
        Detail("village_secretary", lambda g: _af().make_contract(g)),
        Detail("supervisor", lambda g: _af().make_contract(g)),
        Detail("town_leader", lambda g: _af().make_contract(g)),
    ],
    "assets:contract_edit": Detail(
        "village_secretary", lambda g: _af().make_contract(g), post=Post(data=_edit_form, ok=edited)
    ),
    "assets:payment_add": Detail(
        "village_secretary",
        lambda g: _af().make_contract(g),
        method="post",
        post=Post(data={"amount": "123", "paid_on": "2024-05-01"}, ok=paid),
    ),
    "assets:contract_pdf": Detail("village_secretary", lambda g: _af().make_contract(g)),
    "assets:setting_edit": Detail(
        "village_secretary",
        lambda g: _af().make_setting_target(g),
        post=Post(data={"land_period_ends_on": "2057-12-31"}, ok=setting_saved),
    ),
    "assets:report": [
        Listing("village_secretary", lambda g: _af().make_village(g), filters=TOWN),
        Listing("town_leader", lambda g: _af().make_village(g), filters=TOWN),
        Listing("county_officer", lambda g: _af().make_village(g), filters=TOWN),
    ],
    "assets:report_export": Listing("town_leader", lambda g: _af().make_village(g), filters=TOWN),
    # API
    "api:assets_contract_list": [
        Listing("village_secretary", lambda g: _af().make_contract(g), api=True, filters={**TOWN, **SEARCH}),
        Listing("town_leader", lambda g: _af().make_contract(g), api=True, filters=TOWN),
    ],
    "api:assets_contract_create": Exempt(
        "与合同列表同一路径的 JSON POST：他村返回 403 并记入审计、不写入（见 tests/assets/test_api.py："
        "test_create_refusals_say_why_and_write_nothing）"
    ),
    "api:assets_contract_detail": Detail(
        "village_secretary", lambda g: _renamed(_af().make_contract(g), contract_id="pk"), api=True
    ),
    "api:assets_payment_add": Exempt(
        "登记收款（JSON POST）：他村的合同返回 404 并记入审计、不写入（见 tests/assets/test_api.py："
        "test_payment_on_another_villages_contract_is_a_404）"
    ),
    "api:assets_report": Listing("town_leader", lambda g: _af().make_village(g), api=True, filters=TOWN),
    "api:assets_contract_import": Exempt(
        "multipart 上传：只能导入到本人辖区内的村，他村返回 422、不写入（见 tests/assets/test_api.py："
        "test_import_over_the_api_is_all_or_nothing）"
    ),
}
