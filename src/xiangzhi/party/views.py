"""Party pages: thin adapters over the party selectors and services (no permission logic here: the policy is
asked, the services check again)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.party import excel, forms, selectors, services
from xiangzhi.party.models import PartyMember
from xiangzhi.people import presenters
from xiangzhi.people import selectors as people_selectors
from xiangzhi.web.errors import FORM_ERRORS, add_domain_error

CANDIDATE_LIMIT = selectors.CANDIDATE_LIMIT
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def org_list(request):
    policy.require(request.user, "party.view")
    return render(
        request,
        "party/org_list.html",
        {
            "nodes": selectors.party_org_tree(user=request.user),
            "villages": selectors.village_list(user=request.user),
            "statuses": PartyMember.STATUS_CHOICES,
            "can_export": policy.can(request.user, "party.export"),
        },
    )


@login_required
def org_detail(request, pk: int):
    org = selectors.party_org_get(user=request.user, pk=pk)
    members = selectors.party_member_list(user=request.user, org=org)
    return render(
        request,
        "party/org_detail.html",
        {
            "org": org,
            "members": members,
            "covered": org.covered_regions.order_by("code"),
            "can_change": policy.can(request.user, "party.change", org),
            "can_export": policy.can(request.user, "party.export", org),
        },
    )


@login_required
@require_GET
def roster_export(request):
    """党员名册 as .xlsx: ?org= (that org and the orgs below it), ?status=full|probationary, ?mobile=1|0,
    ?region= (a subtree). An org out of reach is an audited 404."""
    g = request.GET
    org_pk = g.get("org", "").strip()
    org = selectors.party_org_get(user=request.user, pk=int(org_pk)) if org_pk.isdigit() else None
    region = g.get("region", "").strip()
    export = excel.roster_export(
        user=request.user,
        org=org,
        status=g.get("status") if g.get("status") in dict(PartyMember.STATUS_CHOICES) else None,
        mobile={"1": True, "0": False}.get(g.get("mobile", "")),
        region_code=region if region.isdigit() else None,
    )
    name = f"党员名册_{org.name}" if org is not None else "党员名册"
    return _attachment(export.content, f"{name}_{clock.today():%Y%m%d}.xlsx")


def _attachment(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=XLSX)
    safe = "".join("_" if c in '\\/:*?"<>|' or ord(c) < 32 else c for c in filename)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(safe)}"
    response["Cache-Control"] = "no-store"
    return response


@login_required
def coverage(request, code: str):
    village = selectors.village_get(user=request.user, code=code)
    return render(
        request, "party/coverage.html", {"c": selectors.coverage(user=request.user, village=village)}
    )


@login_required
def member_detail(request, pk: int):
    member = selectors.party_member_get(user=request.user, pk=pk)
    links = list(selectors.household_link_list(user=request.user, member=member))
    return render(
        request,
        "party/member_detail.html",
        {
            "member": member,
            "links": links,
            "link_count": member.links.count(),
            "limit": services.link_limit_for(member),
            "can_change": policy.can(request.user, "party.change", member),
            "can_view_resident": member.resident_id is not None
            and policy.can(request.user, "people.view", member),
            "is_probationary": member.status == PartyMember.STATUS_PROBATIONARY,
        },
    )


# -- write pages ------------------------------------------------------------------------------------------------


def _searching(request) -> bool:
    """The form's "查找" button: post the form back to list matches, without validating or saving."""
    return request.method == "POST" and "search" in request.POST


def _search_or_save_form(request, form_class, candidates):
    """The form bound for saving, or — when the "查找" button was pressed — unbound but keeping what was typed."""
    if _searching(request):
        return form_class(initial=request.POST.dict(), candidates=candidates)
    return form_class(request.POST if request.method == "POST" else None, candidates=candidates)


def _resident_rows(residents) -> list[dict]:
    """Residents as a search result shows them: masked, with age (nothing is decrypted)."""
    today = clock.today()
    return [
        {
            "pk": r.pk,
            "name": r.name,
            "sex": r.get_sex_display(),
            "age": r.age_on(today),
            "id_masked": presenters.masked_id(r),
            "head_name": r.household.head_name,
            "address": r.household.address,
        }
        for r in residents
    ]


def _chosen_first(results: list, chosen) -> list:
    """The search results with the chosen one on top, so that a choice survives a failed save or a new search."""
    if chosen is None:
        return results
    return [chosen, *[r for r in results if r.pk != chosen.pk]]


def _posted_pk(request, name: str) -> int | None:
    value = request.POST.get(name, "") if request.method == "POST" else ""
    return int(value) if value.isdigit() else None


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request, pk: int):
    org = selectors.party_org_get(user=request.user, pk=pk)
    policy.require(request.user, "party.change", org)
    candidates = selectors.member_candidates(user=request.user, org=org)
    form = _search_or_save_form(request, forms.MemberAddForm, candidates)
    if request.method == "POST" and not _searching(request) and form.is_valid():
        d = form.cleaned_data
        try:
            member = services.party_member_add(
                user=request.user,
                org=org,
                resident=d["resident"],
                name=d["name"],
                status=d["status"],
                is_mobile=d["is_mobile"],
                joined_on=d["joined_on"],
            )
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已将{member.name}登记为{org.name}的党员。")
            return redirect("party:member_detail", pk=member.pk)
    q = request.POST.get("q", "").strip()[:50] if request.method == "POST" else ""
    results = (
        list(selectors.member_candidates(user=request.user, org=org, q=q)[:CANDIDATE_LIMIT]) if q else []
    )
    chosen_pk = _posted_pk(request, "resident")
    chosen = candidates.filter(pk=chosen_pk).first() if chosen_pk else None
    return render(
        request,
        "party/member_add.html",
        {
            "org": org,
            "form": form,
            "q": q,
            "searched": bool(q),
            "rows": _resident_rows(_chosen_first(results, chosen)),
            "chosen_pk": chosen.pk if chosen else None,
            "limit": CANDIDATE_LIMIT,
        },
    )


def _member_action(request, pk: int, *, service, template: str, done: str, allowed) -> object:
    """A confirmation page for a one-step change of a member, then the change."""
    member = selectors.party_member_get(user=request.user, pk=pk)
    policy.require(request.user, "party.change", member)
    error = ""
    if request.method == "POST":
        try:
            service(user=request.user, member=member)
        except FORM_ERRORS as exc:
            error = exc.message
        else:
            messages.success(request, done.format(name=member.name))
            return redirect("party:member_detail", pk=member.pk)
    return render(request, template, {"member": member, "error": error, "allowed": allowed(member)})


@login_required
@require_http_methods(["GET", "POST"])
def member_make_full(request, pk: int):
    return _member_action(
        request,
        pk,
        service=services.party_member_make_full,
        template="party/member_make_full.html",
        done="{name}已转为正式党员。",
        allowed=lambda m: m.is_active and m.status == PartyMember.STATUS_PROBATIONARY,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_deactivate(request, pk: int):
    return _member_action(
        request,
        pk,
        service=services.party_member_deactivate,
        template="party/member_deactivate.html",
        done="{name}已标记为不在册。",
        allowed=lambda m: m.is_active,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_link_add(request, pk: int):
    """党员联户 from the member's page: search a household, pick it, save. The limit is the service's."""
    member = selectors.party_member_get(user=request.user, pk=pk)
    policy.require(request.user, "party.change", member)
    candidates = selectors.link_household_candidates(user=request.user, member=member)
    form = _search_or_save_form(request, forms.LinkHouseholdForm, candidates)
    if request.method == "POST" and not _searching(request) and form.is_valid():
        household = form.cleaned_data["household"]
        try:
            services.household_link_add(user=request.user, member=member, household=household)
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{member.name}已联系{household}。")
            return redirect("party:member_detail", pk=member.pk)
    q = request.POST.get("q", "").strip()[:50] if request.method == "POST" else ""
    if q:
        shown = selectors.link_household_candidates(user=request.user, member=member, q=q)
    else:
        shown = selectors.link_household_candidates(user=request.user, member=member, unlinked_only=True)
    results = list(shown[:CANDIDATE_LIMIT])
    chosen_pk = _posted_pk(request, "household")
    chosen = candidates.filter(pk=chosen_pk).first() if chosen_pk else None
    return render(
        request,
        "party/member_link_add.html",
        {
            "member": member,
            "form": form,
            "q": q,
            "households": _chosen_first(results, chosen),
            "chosen_pk": chosen.pk if chosen else None,
            "link_count": member.links.count(),
            "limit": services.link_limit_for(member),
            "page_limit": CANDIDATE_LIMIT,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_link_add(request, pk: int):
    """党员联户 from the household's page: pick the member who will look after it."""
    household = people_selectors.household_get(user=request.user, pk=pk)
    policy.require(request.user, "party.change", household)
    members = list(selectors.link_member_candidates(user=request.user, household=household))
    limits = selectors.link_limits(members)
    labels = {
        m.pk: f"{m.name}（{m.org.name}，已联系 {m.link_count}/{limits[m.region_code[:12]]} 户）"
        for m in members
    }
    form = forms.LinkMemberForm(
        request.POST if request.method == "POST" else None, members=members, labels=labels
    )
    if request.method == "POST" and form.is_valid():
        member = form.cleaned_data["member"]
        try:
            services.household_link_add(user=request.user, member=member, household=household)
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{member.name}已联系{household}。")
            return redirect("people:household_detail", pk=household.pk)
    return render(
        request,
        "party/household_link_add.html",
        {"household": household, "form": form, "members": members},
    )


@login_required
@require_http_methods(["GET", "POST"])
def link_remove(request, pk: int):
    link = selectors.household_link_get(user=request.user, pk=pk)
    policy.require(request.user, "party.change", link)
    back = "household" if request.GET.get("back") == "household" else "member"
    back_url = (
        ("people:household_detail", link.household_id)
        if back == "household"
        else ("party:member_detail", link.member_id)
    )
    if request.method == "POST":
        services.household_link_remove(user=request.user, link=link)
        messages.success(request, f"已解除{link.member.name}与{link.household}的联系。")
        return redirect(*back_url)
    return render(request, "party/link_remove.html", {"link": link, "back": back, "back_url": back_url})
