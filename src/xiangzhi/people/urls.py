from django.urls import path

from xiangzhi.people import views

app_name = "people"
urlpatterns = [
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/residents/new/", views.resident_create, name="resident_create"),
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/set-head/", views.resident_set_head, name="resident_set_head"),
    path(
        "residents/<int:pk>/move-away/",
        views.resident_leave,
        {"kind": "moved_away"},
        name="resident_move_away",
    ),
    path(
        "residents/<int:pk>/deceased/",
        views.resident_leave,
        {"kind": "deceased"},
        name="resident_mark_deceased",
    ),
    path("residents/<int:pk>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("register/template.xlsx", views.register_template, name="register_template"),
    path("register/import/", views.register_import, name="register_import"),
    path("register/export.xlsx", views.register_export, name="register_export"),
]
