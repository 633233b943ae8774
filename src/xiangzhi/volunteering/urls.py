from django.urls import path

from xiangzhi.volunteering import views

app_name = "volunteering"
urlpatterns = [
    path("", views.team_list, name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/activities/new/", views.activity_create, name="activity_create"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/confirm/", views.activity_confirm, name="activity_confirm"),
    path("participants/<int:pk>/remove/", views.participant_remove, name="participant_remove"),
]
