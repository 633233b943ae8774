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
    path("", include("xiangzhi.web.urls")),
]
