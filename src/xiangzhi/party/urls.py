from django.urls import path

from xiangzhi.party import views

app_name = "party"
urlpatterns = [
    path("orgs/", views.org_list, name="org_list"),
    path("orgs/<int:pk>/", views.org_detail, name="org_detail"),
    path("coverage/<str:code>/", views.coverage, name="coverage"),
]
