from django.urls import path

from xiangzhi.grid import views

app_name = "grid"
urlpatterns = [
    path("patrols/today/", views.patrol_today, name="patrol_today"),
    path("patrols/", views.patrol_list, name="patrol_list"),
    path("patrols/<int:pk>/", views.patrol_detail, name="patrol_detail"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("follow-ups/", views.follow_up_list, name="follow_up_list"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/export.xlsx", views.coverage_export, name="coverage_export"),
]
