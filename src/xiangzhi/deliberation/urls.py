from django.urls import include, path

from xiangzhi.deliberation import views

app_name = "deliberation"
urlpatterns = [
    path("matters/", include("xiangzhi.deliberation.urls_matters")),
    path("bodies/", include("xiangzhi.deliberation.urls_bodies")),
    path("", views.meeting_list, name="list"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/items/new/", views.item_new, name="item_new"),
    path("<int:pk>/objection/", views.objection, name="objection"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/record/", views.meeting_record, name="record"),
    path("items/<int:pk>/open-vote/", views.open_vote, name="open_vote"),
    path("items/<int:pk>/ballot/", views.ballot, name="ballot"),
    path("items/<int:pk>/paper/", views.paper, name="paper"),
    path("items/<int:pk>/decide/", views.decide, name="decide"),
]
