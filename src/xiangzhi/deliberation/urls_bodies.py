"""Bodies, rosters, authorisations and the town's views, under /deliberation/bodies/ (namespace `deliberation`)."""

from django.urls import path

from xiangzhi.deliberation import views_bodies as v

urlpatterns = [
    path("", v.body_list, name="body_list"),
    path("new/", v.body_create, name="body_create"),
    path("<int:pk>/", v.body_detail, name="body_detail"),
    path("<int:pk>/export/", v.body_export, name="body_export"),
    path("<int:pk>/members/add/", v.member_add, name="body_member_add"),
    path("<int:pk>/members/remove/", v.member_remove, name="body_member_remove"),
    path("<int:pk>/meetings/new/", v.meeting_call, name="body_meeting_call"),
    path("meetings/new/", v.meeting_new, name="meeting_new"),
    path("authorisations/", v.authorisation_list, name="authorisation_list"),
    path("authorisations/<int:pk>/revoke/", v.authorisation_revoke, name="authorisation_revoke"),
    path("approvals/", v.approval_list, name="approval_list"),
    path("approvals/<int:pk>/approve/", v.approval_approve, name="approval_approve"),
    path("quarterly/", v.quarterly, name="quarterly"),
]
