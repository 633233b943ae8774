from django.urls import path

from xiangzhi.core import views

app_name = "core"
urlpatterns = [path("<int:pk>/", views.private_file, name="file")]
