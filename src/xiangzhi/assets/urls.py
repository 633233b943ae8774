from django.urls import path

from xiangzhi.assets import views

app_name = "assets"
urlpatterns = [
    path("", views.index, name="index"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/export.xlsx", views.contract_export, name="contract_export"),
    path("contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/import/", views.contract_import, name="contract_import"),
    path("contracts/import/template.xlsx", views.import_template, name="import_template"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/payments/", views.payment_add, name="payment_add"),
    path("contracts/<int:pk>/summary.pdf", views.contract_pdf, name="contract_pdf"),
    path("villages/<str:code>/settings/", views.setting_edit, name="setting_edit"),
    path("review/", views.report, name="report"),
    path("review/export.xlsx", views.report_export, name="report_export"),
]
