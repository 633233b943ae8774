from django.urls import include, path

from xiangzhi.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("accounts/", include("xiangzhi.accounts.urls")),
    path("regions/", include("xiangzhi.regions.urls")),
    path("people/", include("xiangzhi.people.urls")),
    path("party/", include("xiangzhi.party.urls")),
    path("audit/", include("xiangzhi.audit.urls")),
    path("files/", include("xiangzhi.core.urls")),
    path("inbox/", include("xiangzhi.core.inbox_urls")),
    path("departments/", include("xiangzhi.core.department_urls")),
    path("cases/", include("xiangzhi.cases.urls")),
    path("mediation/", include("xiangzhi.mediation.urls")),
    path("grid/", include("xiangzhi.grid.urls")),
    path("open311/v2/", include("xiangzhi.open311.urls")),
    path("points/", include("xiangzhi.points.urls")),
    path("store/", include("xiangzhi.store.urls")),
    path("honours/", include("xiangzhi.honours.urls")),
    path("volunteers/", include("xiangzhi.volunteering.urls")),
    path("deliberation/", include("xiangzhi.deliberation.urls")),
    path("board/", include("xiangzhi.disclosure.urls")),
    path("assets/", include("xiangzhi.assets.urls")),
    path("enforcement/", include("xiangzhi.enforcement.urls")),
    path("", include("xiangzhi.web.urls")),
]
