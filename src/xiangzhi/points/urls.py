from django.urls import include, path

from xiangzhi.points import views

app_name = "points"
# pages of claims, schemes, review and notice (views.py); the passbook, ledger and exports (urls_ledger.py);
# party-member points (urls_party.py)
urlpatterns: list = [
    path("", views.home, name="home"),
    path("mine/", views.my_claims, name="my_claims"),
    path("claim/", views.claim_new, name="claim_new"),
    path("record/", views.claim_record, name="claim_record"),
    path("bulk/", views.bulk, name="bulk"),
    path("claims/", views.claim_list, name="claim_list"),
    path("review/", views.review_queue, name="review_queue"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/files/<int:file_id>/", views.claim_file, name="claim_file"),
    path("claims/<int:pk>/review/", views.claim_review, name="claim_review"),
    path("claims/<int:pk>/withdraw/", views.claim_withdraw, name="claim_withdraw"),
    path("claims/<int:pk>/object/", views.objection_raise, name="objection_raise"),
    path("notice/", views.notice, name="notice"),
    path("objections/", views.objection_list, name="objection_list"),
    path("objections/<int:pk>/", views.objection_answer, name="objection_answer"),
    path("schemes/", views.scheme_list, name="scheme_list"),
    path("schemes/new/", views.scheme_create, name="scheme_create"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/items/", views.item_add, name="item_add"),
    path("schemes/<int:pk>/items/<int:item_pk>/", views.item_edit, name="item_edit"),
    path("schemes/<int:pk>/items/<int:item_pk>/delete/", views.item_delete, name="item_delete"),
    path("schemes/<int:pk>/activate/", views.scheme_activate, name="scheme_activate"),
    path("schemes/<int:pk>/copy/", views.scheme_copy, name="scheme_copy"),
    path("", include("xiangzhi.points.urls_ledger")),
    path("party/", include("xiangzhi.points.urls_party")),
]
