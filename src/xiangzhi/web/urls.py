from django.urls import path

from xiangzhi.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("region/", views.region_switch, name="region_switch"),
]
