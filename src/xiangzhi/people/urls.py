from django.urls import path

from xiangzhi.people import views

app_name = "people"
urlpatterns = [
    path("households/", views.household_list, name="household_list"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("ledger/template.xlsx", views.ledger_template, name="ledger_template"),
    path("ledger/import/", views.ledger_import, name="ledger_import"),
    path("ledger/export.xlsx", views.ledger_export, name="ledger_export"),
]
