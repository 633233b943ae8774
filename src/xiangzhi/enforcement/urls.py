from django.urls import path

from xiangzhi.enforcement import views

app_name = "enforcement"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("export/", views.register_export, name="export"),
    path("new/", views.inspection_create, name="inspection_create"),
    path("overdue/", views.overdue, name="overdue"),
    path("figures/", views.figures, name="figures"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/decision/", views.decision_propose, name="decision_propose"),
    path("decisions/<int:pk>/review/", views.decision_review, name="decision_review"),
    path("decisions/<int:pk>/decide/", views.decision_make, name="decision_make"),
    path("decisions/<int:pk>/withdraw/", views.decision_withdraw, name="decision_withdraw"),
    path("decisions/<int:pk>/publish/", views.decision_publish, name="decision_publish"),
]
