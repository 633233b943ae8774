from django.urls import include, path

urlpatterns = [
    path("accounts/", include("xiangzhi.accounts.urls")),
    path("", include("xiangzhi.web.urls")),
]
