from django.urls import path

from xiangzhi.core import department_views as views

app_name = "departments"
urlpatterns = [
    path("", views.department_list, name="list"),
    path("new/", views.department_create, name="create"),
    path("<int:pk>/", views.department_detail, name="detail"),
]
