from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from xiangzhi import policy
from xiangzhi.web import region as region_switcher
from xiangzhi.web import selectors

# Home-page shortcuts by action: what each role can do first.
SHORTCUTS = [
    ("cases.view", "事件", "/cases/", "待受理、办理中、超期的事件与办理经过"),
    ("cases.report", "上报事件", "/cases/report/", "巡查中发现的问题，拍照上报"),
    ("grid.record", "今日巡查", "/grid/patrols/today/", "记录今天的巡查，顺手上报发现的问题"),
    ("grid.record", "登记走访", "/grid/visits/new/", "入户走访，记下群众的需求"),
    ("cases.figures", "事件统计", "/cases/figures/", "按期办结率、满意率、上报层级"),
    ("people.view", "户籍台账", "/people/households/", "按网格查看户和人员"),
    ("people.import", "导入台账", "/people/register/import/", "从 Excel 导入户籍台账"),
    ("party.view", "党组织", "/party/orgs/", "支部、党员与党员联户"),
    (
        "deliberation.matter_manage",
        "四议两公开",
        "/deliberation/matters/",
        "议题的提议、商议、审议、决议与公开",
    ),
    ("disclosure.view", "三务公开", "/board/staff/", "党务、村务、财务公开的起草、审核与公开"),
    ("assets.view", "三资合同", "/assets/", "集体合同、收款、欠款与到期提醒、合同清理"),
    ("enforcement.view", "行政执法", "/enforcement/", "执法检查、处罚决定、法制审核与执法公示"),
    ("regions.view", "辖区", "/regions/", "县、乡镇、村、网格"),
    ("audit.view", "审计日志", "/audit/", "登录、变更、越权与查看敏感信息的记录"),
]


@login_required
def home(request):
    if request.user.is_villager:
        from xiangzhi.accounts.views_villagers import villager_home

        return villager_home(request)
    assignments = policy.assignments(request.user)
    shortcuts = [s for s in SHORTCUTS if policy.can(request.user, s[0])]
    region = region_switcher.current(request)
    figures = selectors.overview(user=request.user, region_code=region.code if region else None)
    return render(
        request,
        "web/home.html",
        {"assignments": assignments, "shortcuts": shortcuts, "figures": figures, "region": region},
    )


@login_required
@require_POST
def region_switch(request):
    code = request.POST.get("region", "")
    if code:
        if code not in {r.code for r in region_switcher.choices(request.user)}:
            return HttpResponseBadRequest("所选辖区不在您的权限范围内。")
        request.session[region_switcher.SESSION_KEY] = code
    else:
        request.session.pop(region_switcher.SESSION_KEY, None)
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    return redirect(nxt)
