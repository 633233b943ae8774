from django.urls import path

from xiangzhi.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.region_list, name="list"),
    path("export.xlsx", views.region_export, name="export"),
    path("import/", views.region_import, name="import"),
    path("merge/", views.region_merge_choose, name="merge"),
    path("merge/<str:source>/into/<str:target>/", views.region_merge_confirm, name="merge_confirm"),
    path("<str:code>/", views.region_detail, name="detail"),
    path("<str:code>/edit/", views.region_edit, name="edit"),
    path("<str:code>/new/", views.region_create, name="create"),
]
