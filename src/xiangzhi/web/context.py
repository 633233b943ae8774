"""Navigation and the region switcher for the base template."""

from xiangzhi import policy
from xiangzhi.web import region as region_switcher

NAV = [
    ("首页", "/", None),
    ("辖区", "/regions/", "regions.view"),
    ("户籍", "/people/households/", "people.view"),
    ("居民", "/people/residents/", "people.view"),
    ("党组织", "/party/orgs/", "party.view"),
    ("事件", "/cases/", "cases.view"),
    ("事件统计", "/cases/figures/", "cases.figures"),
    ("热线工单", "/cases/hotline/", "cases.hotline"),
    ("人民调解", "/mediation/", "mediation.view"),
    ("法律顾问", "/mediation/advisers/", "mediation.view"),
    ("巡查走访", "/grid/patrols/", "grid.view"),
    ("网格覆盖", "/grid/coverage/", "grid.view"),
    ("积分", "/points/", "points.view"),
    ("积分超市", "/store/stores/", "store.view"),
    ("兑换台账", "/store/redemptions/", "store.view"),
    ("兑换核销", "/store/keeper/", "store.keep"),
    ("红黑榜", "/honours/", "honours.view"),
    ("党员积分", "/points/party/ranking/", "points.party_view"),
    ("志愿服务", "/volunteers/", "volunteering.view"),
    ("议题", "/deliberation/matters/", "deliberation.matter_view"),
    ("会议表决", "/deliberation/", "deliberation.view"),
    ("议事机构", "/deliberation/bodies/", "deliberation.manage"),
    ("乡镇审批", "/deliberation/bodies/approvals/", "deliberation.approve"),
    ("三务公开", "/board/staff/", "disclosure.view"),
    ("三资合同", "/assets/", "assets.view"),
    ("合同清理", "/assets/review/", "assets.report"),
    ("行政执法", "/enforcement/", "enforcement.view"),
    ("部门", "/departments/", "departments.view"),
    ("审计日志", "/audit/", "audit.view"),
    ("账号与角色", "/accounts/users/", "accounts.view"),
    ("村民账号", "/accounts/villagers/", "accounts.villagers"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    if getattr(request, "xz_gate_pending", False):
        # On the second-factor and forced password pages nothing else is reachable yet: show no menu.
        return {"nav_items": [], "gate_pending": True}
    items = [(label, url) for label, url, action in NAV if action is None or policy.can(user, action)]
    regions = region_switcher.choices(user)
    return {
        "nav_items": items,
        "region_choices": regions if len(regions) > 1 else [],
        "current_region_code": request.session.get(region_switcher.SESSION_KEY, ""),
    }
