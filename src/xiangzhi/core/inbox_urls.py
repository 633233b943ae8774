from django.urls import path

from xiangzhi.core import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="list"),
    path("badge/", views.inbox_badge, name="badge"),
    path("read-all/", views.inbox_read_all, name="read_all"),
    path("<int:pk>/read/", views.inbox_read, name="read"),
]
