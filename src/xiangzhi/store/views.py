"""积分超市 pages: thin adapters over the store selectors and services (the policy is asked there).

Three kinds of visitor: the villager on a phone (goods of the stores serving the village, 可用积分, redeem, the
receipts with their codes big and clear), the store keeper at the counter (type or scan a code, the pending list,
goods and stock), the cadres (stores, goods, the redemption register with its Excel export)."""

import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiangzhi import policy
from xiangzhi.core.errors import NotFound, PermissionDenied
from xiangzhi.core.views import file_response
from xiangzhi.regions.models import Region
from xiangzhi.store import excel, forms, selectors, services
from xiangzhi.store import policy as store_policy
from xiangzhi.store.models import Redemption
from xiangzhi.web.errors import FORM_ERRORS, add_domain_error
from xiangzhi.web.region import current_code

PAGE_SIZE = 20
WRITE_ERRORS = (*FORM_ERRORS, PermissionDenied)


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def _status(form) -> int:
    return 422 if form.is_bound and form.errors else 200


@login_required
@require_GET
def index(request):
    """The store's front door: each visitor to the page made for them."""
    user = request.user
    if store_policy.shopper_village_codes(user):
        return redirect("store:shop")
    if store_policy.kept_store_ids(user):
        return redirect("store:keeper")
    if policy.can(user, "store.view"):
        return redirect("store:stores")
    raise PermissionDenied("您没有权限使用积分超市。")


# -- the villager -----------------------------------------------------------------------------------------------


@login_required
@require_GET
def shop(request):
    policy.require(request.user, "store.redeem")
    q = request.GET.get("q", "").strip()[:30]
    goods = selectors.goods_for_shopper(user=request.user, q=q)
    page = _page(request, goods)
    balance = selectors.my_balance(user=request.user)
    pending = selectors.my_redemptions(user=request.user, state=Redemption.PENDING)[:5]
    return render(
        request,
        "store/shop.html",
        {
            "page": page,
            "query": _query_without_page(request),
            "q": q,
            "balance": balance,
            "pending": list(pending),
            "unit": "件商品",
        },
    )


@login_required
@require_GET
def goods_detail(request, pk: int):
    policy.require(request.user, "store.redeem")
    goods = selectors.goods_get_for_shopper(user=request.user, pk=pk)
    balance = selectors.my_balance(user=request.user)
    return render(
        request,
        "store/goods_detail.html",
        {
            "goods": goods,
            "balance": balance,
            "form": forms.RedeemForm(initial={"quantity": 1, "token": forms.new_token()}),
        },
    )


@login_required
@require_POST
def redeem(request, pk: int):
    policy.require(request.user, "store.redeem")
    goods = selectors.goods_get_for_shopper(user=request.user, pk=pk)
    form = forms.RedeemForm(request.POST)
    if form.is_valid():
        try:
            redemption, _created = services.redeem(
                user=request.user,
                goods=goods,
                quantity=form.cleaned_data["quantity"],
                idempotency_key=f"form:{form.cleaned_data['token']}" if form.cleaned_data["token"] else "",
            )
        except WRITE_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "兑换成功！请凭下面的兑换码到超市领取。")
            return redirect("store:receipt", pk=redemption.pk)
    balance = selectors.my_balance(user=request.user)
    return render(
        request, "store/goods_detail.html", {"goods": goods, "balance": balance, "form": form}, status=422
    )


@login_required
@require_GET
def receipts(request):
    policy.require(request.user, "store.redeem")
    state = request.GET.get("state", "")
    qs = selectors.my_redemptions(user=request.user, state=state or None)
    return render(
        request,
        "store/receipts.html",
        {
            "page": _page(request, qs),
            "query": _query_without_page(request),
            "state": state,
            "states": Redemption.STATE_CHOICES,
            "balance": selectors.my_balance(user=request.user),
            "unit": "笔",
        },
    )


def _qr_svg(request, redemption: Redemption) -> str:
    url = request.build_absolute_uri(
        reverse("store:keeper") + "?" + urlencode({"code": redemption.receipt_code})
    )
    return segno.make(url, error="m").svg_inline(scale=4, dark="#1f2328", light="#ffffff")


@login_required
@require_GET
def receipt(request, pk: int):
    r = selectors.my_redemption_get(user=request.user, pk=pk)
    return render(
        request,
        "store/receipt.html",
        {
            "r": r,
            "qr": _qr_svg(request, r) if r.state == Redemption.PENDING else "",
            "form": forms.CancelForm(),
        },
    )


@login_required
@require_POST
def cancel(request, pk: int):
    """Cancel a pending redemption: the villager's own, or one of the keeper's store."""
    r = selectors.redemption_get_for_cancel(user=request.user, pk=pk)
    form = forms.CancelForm(request.POST)
    keeper = store_policy.keeps(request.user, r.store)
    back = reverse("store:keeper") if keeper else reverse("store:receipt", kwargs={"pk": r.pk})
    if form.is_valid():
        try:
            services.redemption_cancel(user=request.user, redemption=r, reason=form.cleaned_data["reason"])
        except WRITE_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"已取消：{r.points} 分已退回，{r.goods_name} × {r.quantity} 已放回货架。"
            )
    else:
        messages.error(request, "取消原因太长（最多 200 字）。")
    return redirect(back)


# -- the store keeper -------------------------------------------------------------------------------------------


def _keeper_store(request, stores):
    wanted = request.POST.get("store") or request.GET.get("store")
    for s in stores:
        if str(s.pk) == str(wanted):
            return s
    return stores[0] if stores else None


@login_required
@require_http_methods(["GET", "POST"])
def keeper(request):
    """The counter: type or scan a receipt code and hand the goods over; the pending list; goods and stock."""
    policy.require(request.user, "store.keep")
    stores = selectors.kept_stores(user=request.user)
    store = _keeper_store(request, stores)
    if store is None:
        raise PermissionDenied("您的店员授权没有指定积分超市：请联系安全管理员。")
    done = None
    if request.method == "POST":
        form = forms.ConfirmForm(request.POST)
        if form.is_valid():
            try:
                done = services.redemption_confirm(
                    user=request.user, store=store, code=form.cleaned_data["code"]
                )
            except (*WRITE_ERRORS, NotFound) as exc:
                add_domain_error(form, exc)
            else:
                form = forms.ConfirmForm(initial={"store": store.pk})
    else:
        form = forms.ConfirmForm(initial={"code": request.GET.get("code", "")[:200], "store": store.pk})
    looked_up = None
    if request.method == "GET" and request.GET.get("code"):
        looked_up = selectors.redemption_by_code_for_keeper(
            user=request.user, store=store, code=request.GET["code"]
        )
    pending = selectors.pending_for_keeper(user=request.user).filter(store=store)
    page = _page(request, pending)
    goods = selectors.goods_for_keeper(user=request.user).filter(store=store)
    return render(
        request,
        "store/keeper.html",
        {
            "store": store,
            "stores": stores,
            "form": form,
            "done": done,
            "looked_up": looked_up,
            "looked_up_missing": request.method == "GET"
            and bool(request.GET.get("code"))
            and looked_up is None,
            "page": page,
            "query": _query_without_page(request),
            "goods": goods,
            "restock_form": forms.RestockForm(),
            "unit": "笔待领取",
        },
        status=422 if request.method == "POST" and done is None else 200,
    )


@login_required
@require_POST
def restock(request, pk: int):
    goods = selectors.goods_get_for_stock(user=request.user, pk=pk)
    form = forms.RestockForm(request.POST)
    keeper = store_policy.keeps(request.user, goods.store)
    back = (
        reverse("store:keeper") + f"?store={goods.store_id}"
        if keeper
        else reverse("store:store_detail", kwargs={"pk": goods.store_id})
    )
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect(back)
    try:
        goods = services.restock(
            user=request.user,
            goods=goods,
            quantity=form.cleaned_data["quantity"],
            note=form.cleaned_data["note"],
        )
    except WRITE_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{goods.name} 库存现为 {goods.stock} {goods.unit}。")
    return redirect(back)


@login_required
@require_GET
def goods_photo(request, pk: int):
    goods = selectors.goods_get(user=request.user, pk=pk)
    if goods.photo_id is None:
        raise Http404("未找到")
    return file_response(goods.photo)


# -- cadres -----------------------------------------------------------------------------------------------------


def _store_form(request, data=None, files=None, **kw):
    return forms.StoreForm(
        data,
        files,
        regions=list(selectors.manageable_regions(user=request.user)),
        villages=list(selectors.servable_villages(user=request.user)),
        **kw,
    )


@login_required
@require_http_methods(["GET", "POST"])
def stores(request):
    policy.require(request.user, "store.view")
    can_manage = policy.can(request.user, "store.manage")
    form = None
    if can_manage:
        form = _store_form(request, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            region = Region.objects.get(code=d["region"])
            try:
                store = services.store_create(
                    user=request.user,
                    region=region,
                    name=d["name"],
                    villages=list(Region.objects.filter(code__in=d["villages"])),
                    address=d["address"],
                    opening_hours=d["opening_hours"],
                )
            except WRITE_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"已开设积分超市“{store.name}”，请添加商品。")
                return redirect("store:store_detail", pk=store.pk)
    elif request.method == "POST":
        raise PermissionDenied("您没有权限开设积分超市。")
    region_code = request.GET.get("region", "").strip()
    region_code = region_code if region_code.isdigit() else current_code(request)
    q = request.GET.get("q", "").strip()[:30]
    qs = selectors.store_list(user=request.user, region_code=region_code, q=q)
    return render(
        request,
        "store/stores.html",
        {
            "page": _page(request, qs),
            "query": _query_without_page(request),
            "form": form,
            "q": q,
            "region_code": region_code or "",
            "regions": selectors.manageable_regions(user=request.user)
            if can_manage
            else policy.scope(
                request.user,
                "store.view",
                Region.objects.filter(level__in=("town", "village"), is_active=True),
                field="code",
            ).order_by("code"),
            "unit": "家",
        },
        status=_status(form) if form is not None else 200,
    )


@login_required
@require_GET
def store_detail(request, pk: int):
    store = selectors.store_get(user=request.user, pk=pk)
    goods = selectors.goods_list(user=request.user, store=store)
    return render(
        request,
        "store/store_detail.html",
        {
            "store": store,
            "villages": list(store.villages.order_by("code")),
            "goods": goods,
            "can_manage": policy.can(request.user, "store.manage", store),
            "keeps": store_policy.keeps(request.user, store),
            "restock_form": forms.RestockForm(),
            "pending": Redemption.objects.filter(store=store, state=Redemption.PENDING).count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def store_edit(request, pk: int):
    store = selectors.store_get_managed(user=request.user, pk=pk)
    initial = {
        "name": store.name,
        "address": store.address,
        "opening_hours": store.opening_hours,
        "villages": list(store.villages.values_list("code", flat=True)),
        "is_active": store.is_active,
    }
    form = forms.StoreForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        villages=list(selectors.servable_villages(user=request.user, store=store)),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.store_update(
                user=request.user,
                store=store,
                name=d["name"],
                villages=list(Region.objects.filter(code__in=d["villages"])),
                address=d["address"],
                opening_hours=d["opening_hours"],
                is_active=d["is_active"],
            )
        except WRITE_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("store:store_detail", pk=store.pk)
    return render(request, "store/store_form.html", {"form": form, "store": store}, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def goods_new(request, pk: int):
    store = selectors.store_get(user=request.user, pk=pk)
    if not (store_policy.keeps(request.user, store) or policy.can(request.user, "store.manage", store)):
        policy.require(request.user, "store.manage", store)
    form = forms.GoodsForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial={"unit": "件", "is_active": True},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.goods_save(
                user=request.user,
                store=store,
                name=d["name"],
                price=d["price"],
                stock=d["stock"],
                unit=d["unit"],
                description=d["description"],
                is_active=d["is_active"],
                sort=d["sort"],
                photo=d["photo"],
            )
        except WRITE_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"“{d['name']}”已上架。")
            return redirect("store:store_detail", pk=store.pk)
    return render(request, "store/goods_form.html", {"form": form, "store": store}, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def goods_edit(request, pk: int):
    goods = selectors.goods_get_for_stock(user=request.user, pk=pk)
    initial = {
        "name": goods.name,
        "price": goods.price,
        "unit": goods.unit,
        "description": goods.description,
        "sort": goods.sort,
        "is_active": goods.is_active,
    }
    form = forms.GoodsForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.goods_save(
                user=request.user,
                store=goods.store,
                goods=goods,
                name=d["name"],
                price=d["price"],
                unit=d["unit"],
                description=d["description"],
                is_active=d["is_active"],
                sort=d["sort"],
                photo=d["photo"],
            )
        except WRITE_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("store:store_detail", pk=goods.store_id)
    return render(
        request,
        "store/goods_form.html",
        {"form": form, "store": goods.store, "goods": goods},
        status=_status(form),
    )


def _date(value: str | None):
    try:
        return dt.date.fromisoformat((value or "").strip()) if value else None
    except ValueError:
        return None


def _redemption_filters(request) -> dict:
    g = request.GET
    region = g.get("region", "").strip()
    store = g.get("store", "").strip()
    return {
        "region_code": region if region.isdigit() else current_code(request),
        "store_id": int(store) if store.isdigit() and len(store) < 12 else None,
        "state": g.get("state", "") if g.get("state", "") in dict(Redemption.STATE_CHOICES) else None,
        "date_from": _date(g.get("date_from")),
        "date_to": _date(g.get("date_to")),
        "q": g.get("q", "").strip()[:30] or None,
    }


@login_required
@require_GET
def redemptions(request):
    if not store_policy.kept_store_ids(request.user):
        policy.require(request.user, "store.view")
    f = _redemption_filters(request)
    qs = selectors.redemption_list(user=request.user, **f)
    return render(
        request,
        "store/redemptions.html",
        {
            "page": _page(request, qs),
            "query": _query_without_page(request),
            "filters": f,
            "states": Redemption.STATE_CHOICES,
            "stores": selectors.store_list(user=request.user),
            "can_export": policy.can(request.user, "store.export"),
            "unit": "笔",
        },
    )


@login_required
@require_GET
def redemptions_export(request):
    content = excel.redemptions_export(user=request.user, **_redemption_filters(request))
    response = HttpResponse(content, content_type=excel.XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E5%85%91%E6%8D%A2%E5%8F%B0%E8%B4%A6.xlsx"
    return response
