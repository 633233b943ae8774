"""The passbook, the village ledger and its export, 分户 and corrections (included by points/urls.py under the
`points` namespace, at /points/)."""

from django.urls import path

from xiangzhi.points import views_ledger as views

urlpatterns = [
    path("passbook/", views.passbook_own, name="passbook_own"),
    path("passbook/print/", views.passbook_own_pdf, name="passbook_own_pdf"),
    path("passbook/<int:pk>/", views.passbook_household, name="passbook_household"),
    path("passbook/<int:pk>/print/", views.passbook_household_pdf, name="passbook_household_pdf"),
    path("ledger/", views.ledger_list, name="ledger_list"),
    path("ledger/export.xlsx", views.ledger_export, name="ledger_export"),
    path("ledger/<int:pk>/correct/", views.correct_entry, name="correct_entry"),
    path("split/<int:pk>/", views.split_household, name="split_household"),
]
