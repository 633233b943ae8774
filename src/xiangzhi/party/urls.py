from django.urls import path

from xiangzhi.party import views

app_name = "party"
urlpatterns = [
    path("orgs/", views.org_list, name="org_list"),
    path("orgs/<int:pk>/", views.org_detail, name="org_detail"),
    path("roster/export.xlsx", views.roster_export, name="roster_export"),
    path("orgs/<int:pk>/members/new/", views.member_add, name="member_add"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/full/", views.member_make_full, name="member_make_full"),
    path("members/<int:pk>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("members/<int:pk>/links/new/", views.member_link_add, name="member_link_add"),
    path("households/<int:pk>/links/new/", views.household_link_add, name="household_link_add"),
    path("links/<int:pk>/remove/", views.link_remove, name="link_remove"),
    path("coverage/<str:code>/", views.coverage, name="coverage"),
]
