from django.urls import path

from xiangzhi.mediation import views

app_name = "mediation"
urlpatterns = [
    path("", views.mediation_list, name="list"),
    path("new/", views.mediation_open, name="open"),
    path("<int:pk>/", views.mediation_detail, name="detail"),
    path("<int:pk>/parties/new/", views.party_add, name="party_add"),
    path("<int:pk>/sessions/new/", views.session_add, name="session_add"),
    path("<int:pk>/mediators/", views.mediators_set, name="mediators_set"),
    path("<int:pk>/outcome/", views.outcome, name="outcome"),
    path("<int:pk>/agreement/", views.agreement_record, name="agreement_record"),
    path("<int:pk>/agreement/seal/", views.agreement_seal, name="agreement_seal"),
    path("<int:pk>/agreement.pdf", views.agreement_pdf, name="agreement_pdf"),
    path("parties/<int:pk>/refuse/", views.party_refuse, name="party_refuse"),
    path("parties/<int:pk>/sign/", views.agreement_sign, name="agreement_sign"),
    path("mediators/", views.mediator_list, name="mediator_list"),
    path("mediators/<int:pk>/deactivate/", views.mediator_deactivate, name="mediator_deactivate"),
    path("advisers/", views.adviser_list, name="adviser_list"),
    path("advisers/<int:pk>/", views.adviser_detail, name="adviser_detail"),
    path("advisers/<int:pk>/deactivate/", views.adviser_deactivate, name="adviser_deactivate"),
    path("service-log/", views.service_log, name="service_log"),
    path("service-log/export.xlsx", views.service_log_export, name="service_log_export"),
]
