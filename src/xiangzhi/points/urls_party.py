"""党员积分 pages, included by points/urls.py under /points/party/ (namespace "points")."""

from django.urls import path

from xiangzhi.points import views_party as views

urlpatterns = [
    path("ranking/", views.party_ranking, name="party_ranking"),
    path("ranking/export.xlsx", views.party_ranking_export, name="party_ranking_export"),
    path("mine/", views.party_mine, name="party_mine"),
    path("orgs/<int:pk>/grades/", views.party_grades, name="party_grades"),
    path("grades/<int:pk>/confirm/", views.party_grade_confirm, name="party_grade_confirm"),
]
