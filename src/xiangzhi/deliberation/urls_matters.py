"""Matter pages (议题, 四议两公开), included at /deliberation/matters/ in the `deliberation` namespace."""

from django.urls import path

from xiangzhi.deliberation import views_matters as v

urlpatterns = [
    path("", v.matter_list, name="matter_list"),
    path("new/", v.matter_new, name="matter_new"),
    path("<int:pk>/", v.matter_detail, name="matter_detail"),
    path("<int:pk>/support/", v.matter_support, name="matter_support"),
    path("<int:pk>/call/", v.step_call, name="matter_step_call"),
    path("<int:pk>/attach/", v.step_attach, name="matter_step_attach"),
    path("<int:pk>/complete/", v.step_complete, name="matter_step_complete"),
    path("<int:pk>/resolution/", v.resolution, name="matter_resolution"),
    path("<int:pk>/result/", v.result, name="matter_result"),
    path("<int:pk>/consult/", v.consult, name="matter_consult"),
    path("<int:pk>/stop/", v.stop, name="matter_stop"),
    path("<int:pk>/resolution.pdf", v.resolution_pdf, name="matter_pdf"),
    path("steps/<int:pk>/objection/", v.step_objection, name="matter_step_objection"),
]
