"""Points pages (household civility points): schemes, the villager's claim and "my claims", the cadre's record form
and the bulk monthly inspection, the review queue, the claim with its timeline, the notice board (公示) with its
objections, and answering them. Thin adapters: the selectors scope every read, the services check the policy, the
state, the version and the rules; a refusal goes next to its field with what was typed kept (422, or 409 when
someone else moved the claim first), a success redirects (POST-redirect-GET)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.points import forms, selectors, services
from xiangzhi.points.models import CATEGORY_LABELS, Claim, Objection, PointItem, PointScheme
from xiangzhi.points.policy import own_household_id
from xiangzhi.web.errors import FORM_ERRORS
from xiangzhi.web.region import current_code

PAGE_SIZE = 20
DRAFT_KEY = "xz-points-claim-draft"
STATE_FILTERS = [("open", "未入账（待评议和公示中）"), *Claim.STATE_CHOICES]


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _query(request) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def _status(form) -> int:
    return 422 if form.is_bound and form.errors else 200


def _region_param(request, key: str = "region") -> str:
    value = request.GET.get(key, "").strip()
    return value if value.isdigit() and len(value) <= 18 else (current_code(request) or "")


def _next(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/points/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return default


def _own_household(user):
    from xiangzhi.people.models import Household

    household_id = own_household_id(user)
    if household_id is None:
        return None
    return Household.objects.select_related("region").filter(pk=household_id).first()


def _village_names(codes) -> dict[str, str]:
    from xiangzhi.regions.models import Region

    return dict(Region.objects.filter(code__in=list(codes)).values_list("code", "name"))


# -- the hub -----------------------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request):
    """积分: a villager's balance, latest claims and big buttons; staff get their links and what waits for them."""
    user = request.user
    staff = policy.can(user, "points.view")
    from xiangzhi.points.policy import own_party_member_id

    context = {"staff": staff, "party_member": own_party_member_id(user) is not None}
    if staff:
        context.update(
            pending=selectors.pending_counts(user),
            can_record=policy.can(user, "points.record"),
            can_review=policy.can(user, "points.review"),
            can_answer=policy.can(user, "points.answer"),
        )
    household = _own_household(user)
    if household is not None and policy.can(user, "points.view_own", household):
        from xiangzhi.points import ledger

        context.update(
            household=household,
            balance=ledger.balance_of(ledger.Holder.of(household)),
            recent=list(selectors.my_claims(user=user)[:5]),
            can_claim=policy.can(user, "points.claim", household),
        )
    return render(request, "points/home.html", context)


# -- schemes -----------------------------------------------------------------------------------------------------


def _can_edit(user, scheme: PointScheme) -> bool:
    return policy.can(user, "points.template" if scheme.is_template else "points.scheme", scheme)


@login_required
@require_GET
def scheme_list(request):
    policy.require(request.user, "points.view")
    status = request.GET.get("status", "")
    status = status if status in dict(PointScheme.STATUS_CHOICES) else ""
    region = _region_param(request)
    qs = selectors.scheme_list(user=request.user, region=region, status=status)
    return render(
        request,
        "points/scheme_list.html",
        {
            "page": _page(request, qs),
            "query": _query(request),
            "filters": {"status": status, "region": region},
            "statuses": PointScheme.STATUS_CHOICES,
            "can_create": policy.can(request.user, "points.scheme")
            or policy.can(request.user, "points.template"),
        },
    )


def _scheme_regions(user) -> list:
    return [*selectors.scheme_regions(user, template=True), *selectors.scheme_regions(user)]


@login_required
@require_http_methods(["GET", "POST"])
def scheme_create(request):
    if not (policy.can(request.user, "points.scheme") or policy.can(request.user, "points.template")):
        policy.require(request.user, "points.scheme")
    regions = _scheme_regions(request.user)
    form = forms.SchemeForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            scheme = services.scheme_create(
                user=request.user,
                region=d["region"],
                name=d["name"],
                period=d["period"],
                notice_days=d["notice_days"],
                red_list_size=d["red_list_size"],
                note=d["note"],
                is_template=d["region"].level == "town",
            )
        except FORM_ERRORS as exc:
            forms.show_error(form, exc)
        else:
            messages.success(request, "草稿已建立，请添加积分项，全部填好后点“施行”。")
            return redirect("points:scheme_detail", pk=scheme.pk)
    return render(request, "points/scheme_form.html", {"form": form}, status=_status(form))


def _adopt_regions(user, scheme: PointScheme) -> list:
    """The villages the user may adopt this town template for."""
    if not scheme.is_template or scheme.status != PointScheme.ACTIVE:
        return []
    return [r for r in selectors.scheme_regions(user) if r.code.startswith(scheme.region_code)]


def _render_scheme(request, scheme: PointScheme, *, item_form=None, copy_form=None, errors=(), status=200):
    user = request.user
    editable = scheme.status == PointScheme.DRAFT and _can_edit(user, scheme)
    adopt_regions = _adopt_regions(user, scheme)
    context = {
        "scheme": scheme,
        "items": selectors.scheme_items(scheme),
        "categories": CATEGORY_LABELS,
        "editable": editable,
        "item_form": item_form or (forms.ItemForm() if editable else None),
        "can_new_version": (
            not scheme.is_template and scheme.status == PointScheme.ACTIVE and _can_edit(user, scheme)
        ),
        "adopt_form": copy_form or (forms.CopyForm(regions=adopt_regions) if adopt_regions else None),
        "errors": list(errors),
    }
    return render(request, "points/scheme_detail.html", context, status=status)


@login_required
@require_GET
def scheme_detail(request, pk: int):
    return _render_scheme(request, selectors.scheme_get(user=request.user, pk=pk))


def _item_kwargs(d) -> dict:
    return {
        "code": d["code"],
        "name": d["name"],
        "category": d["category"],
        "points": d["points"],
        "cap_per_period": d["cap_per_period"],
        "evidence_required": d["evidence_required"],
        "is_violation": d["is_violation"],
        "source_article": d["source_article"],
        "sort": d["sort"] or 0,
    }


@login_required
@require_POST
def item_add(request, pk: int):
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    form = forms.ItemForm(request.POST)
    if form.is_valid():
        if scheme.items.filter(code=form.cleaned_data["code"].strip().upper()).exists():
            form.add_error("code", "本方案已有这个编号的积分项：要修改请点它的“修改”。")
        else:
            try:
                item = services.item_save(user=request.user, scheme=scheme, **_item_kwargs(form.cleaned_data))
            except Conflict as exc:  # no longer a draft: the form is not offered any more
                return _render_scheme(request, scheme, errors=[exc.message], status=409)
            except FORM_ERRORS as exc:
                forms.show_error(form, exc)
            else:
                messages.success(request, f"已添加积分项 {item.code} {item.name}。")
                return redirect("points:scheme_detail", pk=scheme.pk)
    return _render_scheme(request, scheme, item_form=form, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int, item_pk: int):
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    item = selectors.item_get(scheme=scheme, pk=item_pk)
    initial = {f: getattr(item, f) for f in forms.ItemForm.base_fields}
    form = forms.ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = {**form.cleaned_data, "code": item.code}  # the code names the item; a new code is a new item
        try:
            services.item_save(user=request.user, scheme=scheme, **_item_kwargs(d))
        except FORM_ERRORS as exc:
            forms.show_error(form, exc)
        else:
            messages.success(request, f"已修改积分项 {item.code}。")
            return redirect("points:scheme_detail", pk=scheme.pk)
    return render(
        request,
        "points/item_form.html",
        {"form": form, "scheme": scheme, "item": item, "editable": scheme.status == PointScheme.DRAFT},
        status=_status(form),
    )


@login_required
@require_POST
def item_delete(request, pk: int, item_pk: int):
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    item = selectors.item_get(scheme=scheme, pk=item_pk)
    try:
        services.item_delete(user=request.user, item=item)
    except FORM_ERRORS as exc:
        return _render_scheme(request, scheme, errors=[exc.message], status=exc.status)
    messages.success(request, f"已删除积分项 {item.code}。")
    return redirect("points:scheme_detail", pk=scheme.pk)


@login_required
@require_POST
def scheme_activate(request, pk: int):
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    try:
        services.scheme_activate(user=request.user, scheme=scheme)
    except FORM_ERRORS as exc:
        return _render_scheme(request, scheme, errors=[exc.message], status=exc.status)
    messages.success(
        request,
        "模板已发布，各村可以采用。"
        if scheme.is_template
        else "方案已施行；此前的版本停用，已入账的积分不变。",
    )
    return redirect("points:scheme_detail", pk=scheme.pk)


@login_required
@require_POST
def scheme_copy(request, pk: int):
    """新版本 (of the village's own active scheme) or 采用模板 (a town template, for a village the user picks)."""
    source = selectors.scheme_get(user=request.user, pk=pk)
    regions = _adopt_regions(request.user, source) if source.is_template else [source.region]
    form = forms.CopyForm(request.POST, regions=regions)
    if form.is_valid():
        if source.is_template:
            region = form.regions.get(form.cleaned_data["region"])
            if region is None:
                form.add_error("region", "请选择采用模板的村。")
        else:
            region = source.region
        if not form.errors:
            try:
                draft = services.scheme_copy(
                    user=request.user, source=source, region=region, name=form.cleaned_data["name"]
                )
            except FORM_ERRORS as exc:
                forms.show_error(form, exc)
            else:
                messages.success(request, f"已建立草稿“{draft}”，修改后点“施行”。")
                return redirect("points:scheme_detail", pk=draft.pk)
    errors = [e for errs in form.errors.values() for e in errs]
    return _render_scheme(
        request, source, copy_form=form if source.is_template else None, errors=errors, status=422
    )


# -- claims: the villager --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def claim_new(request):
    """申报 from a phone: the own household's village's active scheme; a token against a double submit."""
    user = request.user
    policy.require(user, "points.claim")
    household = _own_household(user)
    items = (
        selectors.active_items(household.region_code[:12], merits_only=True) if household is not None else []
    )
    form = forms.ClaimForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        items=items,
        initial={"token": forms.new_token(), "occurred_on": clock.today()},
    )
    # any item number is taken here: an item of another village, or of a version retired since the page was drawn,
    # gets the service's own words ("本村施行中的积分方案没有这一项")
    form.fields["item"].valid_value = lambda value: str(value).isdigit() and len(str(value)) < 12
    if request.method == "POST" and household is None:
        form.add_error(None, "您的账号还没有关联到本村的户，不能申报。请联系村委会。")
    elif request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        item = PointItem.objects.filter(pk=d["item"]).first()
        try:
            if item is None:
                raise ValidationFailed("本村施行中的积分方案没有这一项。", field="item")
            claim = services.claim_submit(
                user=user,
                item=item,
                household=household,
                occurred_on=d["occurred_on"],
                description=d["description"],
                photos=d["photos"],
                idempotency_key=f"form:{d['token']}",
            )
        except FORM_ERRORS as exc:
            forms.show_error(form, exc)
        else:
            messages.success(
                request,
                "已申报过，这是您那次的申报。"
                if getattr(claim, "repeated", False)
                else "已申报，等待村评议小组评议。通过后会在公示栏公示。",
            )
            return redirect(reverse("points:claim_detail", kwargs={"pk": claim.pk}) + "?claimed=1")
    return render(
        request,
        "points/claim_form.html",
        {"form": form, "household": household, "items": items, "draft_key": DRAFT_KEY},
        status=_status(form),
    )


@login_required
@require_GET
def my_claims(request):
    state = request.GET.get("state", "")
    state = state if state in dict(Claim.STATE_CHOICES) else ""
    qs = selectors.my_claims(user=request.user, state=state)
    household = _own_household(request.user)
    return render(
        request,
        "points/my_claims.html",
        {
            "page": _page(request, qs),
            "query": _query(request),
            "state": state,
            "states": Claim.STATE_CHOICES,
            "household": household,
            "can_claim": household is not None and policy.can(request.user, "points.claim", household),
        },
    )


# -- claims: cadres and grid workers -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def claim_record(request):
    """录入 for one household (a visit, a meeting): the household from the user's reach, the item of its village."""
    user = request.user
    policy.require(user, "points.record")
    q = request.GET.get("q", "").strip()[:50]
    region = _region_param(request)
    households = list(selectors.recordable_households(user=user, region=region, q=q)[:300])
    villages = {h.region_code[:12] for h in households}
    by_village = selectors.active_items_by_village(villages)
    items = [i for v in sorted(by_village) for i in by_village[v]]
    form = forms.RecordForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        households=households,
        items=items,
        villages=_village_names(villages),
        initial={"occurred_on": clock.today(), "household": request.GET.get("household", "")},
    )
    form.fields["item"].valid_value = lambda value: str(value).isdigit() and len(str(value)) < 12
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        household = next(h for h in households if h.pk == d["household"])
        item = PointItem.objects.filter(pk=d["item"]).first()
        try:
            if item is None:
                raise ValidationFailed("本村施行中的积分方案没有这一项。", field="item")
            claim = services.claim_record(
                user=user,
                item=item,
                household=household,
                occurred_on=d["occurred_on"],
                description=d["description"],
                points=d["points"],
                photos=d["photos"],
            )
        except FORM_ERRORS as exc:
            forms.show_error(form, exc)
        else:
            messages.success(request, f"已为{household.head_name}户录入，等待评议小组评议。")
            return redirect("points:claim_detail", pk=claim.pk)
    return render(
        request,
        "points/record_form.html",
        {"form": form, "q": q, "region": region, "count": len(households)},
        status=_status(form),
    )


def _bulk_rows(request, households, items_by_pk):
    """Read the rows of the bulk screen: (rows for the service, what was typed per household, parse errors)."""
    rows, typed, errors = [], {}, {}
    for n, h in enumerate(households, start=1):
        raw_item = request.POST.get(f"item_{h.pk}", "").strip()
        raw_points = request.POST.get(f"points_{h.pk}", "").strip()
        typed[h.pk] = (raw_item, raw_points)
        if not raw_item:
            if raw_points:
                errors[n] = "填了分值但没有选择积分项。"
            continue
        item = items_by_pk.get(int(raw_item)) if raw_item.isdigit() and len(raw_item) < 12 else None
        if item is None:
            errors[n] = "本村施行中的积分方案没有这一项。"
            continue
        points = None
        if raw_points:
            try:
                points = int(raw_points)
            except ValueError:
                errors[n] = "分值须为整数。"
                continue
        rows.append(services.BulkRow(number=n, household=h, item=item, points=points))
    return rows, typed, errors


@login_required
@require_http_methods(["GET", "POST"])
def bulk(request):
    """Bulk monthly inspection: every active household of a grid (or village) one row; one POST records every row
    that names an item, all or nothing."""
    user = request.user
    policy.require(user, "points.record")
    regions = list(selectors.record_regions(user))
    codes = {r.code: r for r in regions}
    code = (request.POST.get("region") if request.method == "POST" else request.GET.get("region", "")) or ""
    if not code and len(regions) == 1:
        code = regions[0].code
    if not code and current_code(request) in codes:
        code = current_code(request)
    region = codes.get(code.strip())
    context = {"regions": regions, "region": region, "max_rows": services.MAX_BULK_ROWS}
    if region is None:
        status = 200
        if request.method == "POST":
            context["refused"] = "请选择您负责的网格或村。"
            status = 422
        return render(request, "points/bulk.html", context, status=status)
    households = list(
        selectors.recordable_households(user=user, region=region.code)
        .select_related(None)
        .select_related("region")[: services.MAX_BULK_ROWS + 1]
    )
    too_many = len(households) > services.MAX_BULK_ROWS
    households = households[: services.MAX_BULK_ROWS]
    by_village = selectors.active_items_by_village({h.region_code[:12] for h in households})
    form = forms.BulkForm(
        request.POST if request.method == "POST" else None,
        initial={"region": region.code, "occurred_on": clock.today(), "token": forms.new_token()},
    )
    typed, row_errors, status = {}, {}, 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        posted = {
            int(v) for k, v in request.POST.items() if k.startswith("item_") and v.isdigit() and len(v) < 12
        }
        items_by_pk = {i.pk: i for i in PointItem.objects.filter(pk__in=posted)}
        rows, typed, row_errors = _bulk_rows(request, households, items_by_pk)
        if not row_errors:
            try:
                claims, created = services.claims_record_bulk(
                    user=user,
                    rows=rows,
                    occurred_on=d["occurred_on"],
                    description=d["description"],
                    batch=f"B{d['token']}"[:40],
                    region_code=region.code,
                )
            except services.RowErrors as exc:
                row_errors = {n: msg for n, _who, msg in exc.rows}
            except FORM_ERRORS as exc:
                forms.show_error(form, exc)
            else:
                batch = claims[0].batch if claims else ""
                messages.success(
                    request,
                    f"已录入 {len(claims)} 户，等待评议小组评议。批次 {batch}。"
                    if created
                    else f"这一批已经录入过（{len(claims)} 户），没有重复录入。",
                )
                return redirect(reverse("points:claim_list") + "?" + urlencode({"batch": batch, "state": ""}))
        if row_errors:
            first = sorted(row_errors)[:5]
            names = {n: h for n, h in enumerate(households, start=1)}
            form.add_error(
                None,
                f"有 {len(row_errors)} 行需要修改，全部未保存："
                + "；".join(f"第 {n} 行（{names[n].head_name or '无户主'}户）{row_errors[n]}" for n in first)
                + ("……" if len(row_errors) > 5 else ""),
            )
    if form.is_bound and form.errors:
        status = 422
    village_names = _village_names(by_village)
    rows = [
        {
            "n": n,
            "household": h,
            "items": by_village.get(h.region_code[:12], []),
            "item": typed.get(h.pk, ("", ""))[0],
            "points": typed.get(h.pk, ("", ""))[1],
            "error": row_errors.get(n, ""),
        }
        for n, h in enumerate(households, start=1)
    ]
    all_items = {i.pk: i for v in by_village.values() for i in v}
    context.update(
        form=form,
        rows=rows,
        too_many=too_many,
        quick_items=[
            (
                i.pk,
                forms.item_label(
                    i, village=village_names.get(i.scheme.region_code, "") if len(by_village) > 1 else ""
                ),
            )
            for i in all_items.values()
        ],
    )
    return render(request, "points/bulk.html", context, status=status)


# -- the claims list and the review queue --------------------------------------------------------------------------


def _claim_filters(request, *, default_state: str = "") -> dict:
    g = request.GET
    state = g.get("state", default_state)
    batch = g.get("batch", "").strip()[:40]
    return {
        "state": state if state in dict(STATE_FILTERS) else "",
        "item": g.get("item", "").strip()[:20],
        "region": _region_param(request),
        "q": g.get("q", "").strip()[:50],
        "batch": batch,
    }


def _claims_page(request, *, action: str, template_title: str, queue: bool):
    user = request.user
    f = _claim_filters(request, default_state=Claim.SUBMITTED if queue else "")
    qs = selectors.claim_list(user=user, action=action, **f)
    page = _page(request, qs)
    from xiangzhi.regions.selectors import region_list

    regions = list(
        region_list(user=user, action=action, levels=("village", "grid"))
        .filter(is_active=True)
        .order_by("code")[:500]
    )
    return render(
        request,
        "points/claim_list.html",
        {
            "page": page,
            "query": _query(request),
            "filters": f,
            "states": STATE_FILTERS,
            "regions": regions,
            "items": selectors.item_choices(user, {r.code[:12] for r in regions}),
            "queue": queue,
            "title": template_title,
            "can_review": policy.can(user, "points.review"),
            "can_record": policy.can(user, "points.record"),
        },
    )


@login_required
@require_GET
def claim_list(request):
    policy.require(request.user, "points.view")
    return _claims_page(request, action="points.view", template_title="积分申报", queue=False)


@login_required
@require_GET
def review_queue(request):
    policy.require(request.user, "points.review")
    return _claims_page(request, action="points.review", template_title="评议积分申报", queue=True)


# -- one claim -----------------------------------------------------------------------------------------------------


def _timeline(claim: Claim, objections: list[Objection]) -> list[dict]:
    """What happened to the claim, oldest first, from its own fields and its objections."""
    who = claim.claimant.full_name if claim.claimant_id and claim.claimant else "—"
    events = [
        {
            "at": claim.created_at,
            "what": "本人申报" if claim.source == Claim.SOURCE_SELF else "干部录入",
            "who": who,
            "note": f"申报 {claim.claimed_points:+d} 分" + (f"（批次 {claim.batch}）" if claim.batch else ""),
        }
    ]
    for o in objections:
        events.append({"at": o.raised_at, "what": "收到异议", "who": "", "note": o.text})
        if o.answered_at:
            events.append(
                {
                    "at": o.answered_at,
                    "what": f"答复异议：{o.get_state_display()}",
                    "who": o.answered_by.full_name if o.answered_by else "",
                    "note": o.answer,
                }
            )
    if claim.reviewed_at:
        if claim.state == Claim.REJECTED:
            what = "评议：不通过"
        elif claim.points != claim.claimed_points:
            what = f"评议：调整为 {claim.points:+d} 分后通过"
        else:
            what = "评议：通过"
        events.append(
            {
                "at": claim.reviewed_at,
                "what": what,
                "who": claim.reviewed_by.full_name if claim.reviewed_by else "",
                "note": claim.review_note,
            }
        )
    events.sort(key=lambda e: e["at"])
    if claim.state == Claim.NOTICE and claim.notice_until:
        events.append(
            {"at": None, "what": f"公示中，至 {_local(claim.notice_until)} 止", "who": "", "note": ""}
        )
    if claim.state == Claim.POSTED and claim.entry_id:
        events.append(
            {"at": claim.entry.at, "what": f"已入账 {claim.entry.earned_delta:+d} 分", "who": "", "note": ""}
        )
    if claim.state == Claim.WITHDRAWN:
        events.append({"at": None, "what": "已撤回", "who": "", "note": ""})
    return events


def _local(value) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _render_claim(request, claim: Claim, *, review_form=None, withdraw_form=None, errors=(), status=200):
    user = request.user
    objections = selectors.claim_objections(claim)
    can_review = (
        claim.state == Claim.SUBMITTED
        and claim.claimant_id != user.pk
        and policy.can(user, "points.review", claim)
    )
    can_withdraw = claim.state in Claim.OPEN_STATES and (
        claim.claimant_id == user.pk or policy.can(user, "points.review", claim)
    )
    context = {
        "claim": claim,
        "photos": selectors.claim_evidence(claim),
        "objections": objections,
        "timeline": _timeline(claim, objections),
        "review_form": review_form
        or (forms.ReviewForm(initial={"version": claim.version}) if can_review else None),
        "withdraw_form": withdraw_form
        or (forms.WithdrawForm(initial={"version": claim.version}) if can_withdraw else None),
        "can_answer": policy.can(user, "points.answer", claim),
        "errors": list(errors),
        "just_claimed": request.GET.get("claimed") == "1",
        "draft_key": DRAFT_KEY,
        "category": CATEGORY_LABELS.get(claim.item.category, ""),
    }
    return render(request, "points/claim_detail.html", context, status=status)


@login_required
@require_GET
def claim_detail(request, pk: int):
    return _render_claim(request, selectors.claim_get(user=request.user, pk=pk))


@login_required
@require_GET
def claim_file(request, pk: int, file_id: int):
    """An evidence photo, to whoever may see the claim (its household too); a file not the claim's own is a 404."""
    from xiangzhi.core.views import file_response

    claim = selectors.claim_get(user=request.user, pk=pk)
    photo = claim.evidence.filter(pk=file_id).first()
    if photo is None:
        raise Http404("未找到")
    return file_response(photo)


@login_required
@require_POST
def claim_review(request, pk: int):
    claim = selectors.claim_get(user=request.user, pk=pk)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.claim_review(
                user=request.user,
                claim=claim,
                decision=d["decision"],
                points=d["points"] if d["decision"] == "adjust" else None,
                note=d["note"],
                version=d["version"],
            )
        except Conflict as exc:
            claim = selectors.claim_get(user=request.user, pk=pk)
            data = request.POST.copy()
            data["version"] = str(claim.version)
            form = forms.ReviewForm(data)
            form.is_valid()
            forms.show_error(form, exc)
            return _render_claim(request, claim, review_form=form, status=409)
        except FORM_ERRORS as exc:
            forms.show_error(form, exc)
        else:
            done = {
                "approve": "已通过，进入公示。",
                "adjust": "已调整分值并通过，进入公示。",
                "reject": "已评为不通过。",
            }
            messages.success(request, done[d["decision"]])
            return redirect(_next(request, reverse("points:claim_detail", kwargs={"pk": pk})))
    claim = selectors.claim_get(user=request.user, pk=pk)
    if claim.state != Claim.SUBMITTED:  # the form is no longer offered: its message goes above the page
        return _render_claim(
            request, claim, errors=[e for es in form.errors.values() for e in es], status=409
        )
    return _render_claim(request, claim, review_form=form, status=422)


@login_required
@require_POST
def claim_withdraw(request, pk: int):
    claim = selectors.claim_get(user=request.user, pk=pk)
    form = forms.WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.claim_withdraw(user=request.user, claim=claim, version=form.cleaned_data["version"])
        except FORM_ERRORS as exc:
            claim = selectors.claim_get(user=request.user, pk=pk)
            return _render_claim(request, claim, errors=[exc.message], status=exc.status)
        messages.success(request, "已撤回。")
        return redirect("points:claim_detail", pk=pk)
    return _render_claim(request, claim, errors=[e for es in form.errors.values() for e in es], status=422)


# -- the notice board and objections --------------------------------------------------------------------------


def _render_notice(request, *, bound: dict | None = None, status: int = 200):
    user = request.user
    region = _region_param(request)
    qs = selectors.notice_list(user=user, region=region)
    page = _page(request, qs)
    rows = []
    for claim in page:
        objections = list(claim.objections.all())
        rows.append(
            {
                "claim": claim,
                "answered": [o for o in objections if o.state != Objection.OPEN],
                "open_count": sum(1 for o in objections if o.state == Objection.OPEN),
                "can_object": policy.can(user, "points.object", claim) and claim.notice_until > clock.now(),
                "form": (bound or {}).get(claim.pk) or forms.ObjectionForm(prefix=f"o{claim.pk}"),
            }
        )
    villages = selectors.board_villages(user)
    from xiangzhi.regions.codes import scope_q
    from xiangzhi.regions.models import Region

    choices = list(
        Region.objects.filter(scope_q(villages, "code"), level="village", is_active=True).order_by("code")[
            :200
        ]
    )
    return render(
        request,
        "points/notice.html",
        {"page": page, "rows": rows, "query": _query(request), "region": region, "villages": choices},
        status=status,
    )


@login_required
@require_GET
def notice(request):
    """公示: the village's claims on notice with their end dates; anyone of the village may object."""
    return _render_notice(request)


@login_required
@require_POST
def objection_raise(request, pk: int):
    claim = selectors.notice_claim_get(user=request.user, pk=pk)
    form = forms.ObjectionForm(request.POST, prefix=f"o{pk}")
    if form.is_valid():
        try:
            services.objection_raise(user=request.user, claim=claim, text_=form.cleaned_data["text"])
        except FORM_ERRORS as exc:
            form.add_error("text", exc.message)
            if claim.state != Claim.NOTICE or (claim.notice_until and claim.notice_until <= clock.now()):
                messages.error(request, exc.message)  # the claim is no longer on the board to show it beside
            return _render_notice(request, bound={pk: form}, status=exc.status)
        messages.success(request, "异议已提交，评议小组答复前这条积分不会入账。")
        return redirect(_next(request, reverse("points:notice")))
    return _render_notice(request, bound={pk: form}, status=422)


@login_required
@require_GET
def objection_list(request):
    policy.require(request.user, "points.answer")
    state = request.GET.get("state", Objection.OPEN)
    state = state if state in dict(Objection.STATE_CHOICES) else ""
    region = _region_param(request)
    qs = selectors.objection_list(user=request.user, state=state, region=region)
    return render(
        request,
        "points/objection_list.html",
        {
            "page": _page(request, qs),
            "query": _query(request),
            "state": state,
            "region": region,
            "states": Objection.STATE_CHOICES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def objection_answer(request, pk: int):
    objection = selectors.objection_get(user=request.user, pk=pk)
    form = forms.AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.objection_answer(
                user=request.user, objection=objection, upheld=d["upheld"], answer=d["answer"]
            )
        except FORM_ERRORS as exc:
            forms.show_error(form, exc)
        else:
            messages.success(
                request, "已答复：异议成立，申报退回重新评议。" if d["upheld"] else "已答复：异议不成立。"
            )
            return redirect("points:objection_list")
    return render(
        request,
        "points/objection_answer.html",
        {
            "objection": objection,
            "claim": objection.claim,
            "form": form if objection.state == Objection.OPEN or form.errors else None,
        },
        status=409 if form.errors.get("__all__") else _status(form),
    )
