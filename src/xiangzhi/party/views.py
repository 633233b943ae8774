"""Party pages: thin adapters over the party selectors."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from xiangzhi import policy
from xiangzhi.party import selectors
from xiangzhi.people.views import domain_errors


@login_required
@domain_errors
def org_list(request):
    policy.require(request.user, "party.view")
    return render(
        request,
        "party/org_list.html",
        {
            "nodes": selectors.party_org_tree(user=request.user),
            "villages": selectors.village_list(user=request.user),
        },
    )


@login_required
@domain_errors
def org_detail(request, pk: int):
    org = selectors.party_org_get(user=request.user, pk=pk)
    members = selectors.party_member_list(user=request.user, org=org)
    return render(
        request,
        "party/org_detail.html",
        {"org": org, "members": members, "covered": org.covered_regions.order_by("code")},
    )


@login_required
@domain_errors
def coverage(request, code: str):
    village = selectors.village_get(user=request.user, code=code)
    return render(
        request, "party/coverage.html", {"c": selectors.coverage(user=request.user, village=village)}
    )
