from django.urls import path

from xiangzhi.store import views

app_name = "store"
urlpatterns = [
    path("", views.index, name="index"),
    # the villager
    path("shop/", views.shop, name="shop"),
    path("shop/goods/<int:pk>/", views.goods_detail, name="goods_detail"),
    path("shop/goods/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("receipts/", views.receipts, name="receipts"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
    path("redemptions/<int:pk>/cancel/", views.cancel, name="cancel"),
    # the store keeper
    path("keeper/", views.keeper, name="keeper"),
    path("goods/<int:pk>/restock/", views.restock, name="restock"),
    path("goods/<int:pk>/photo/", views.goods_photo, name="goods_photo"),
    # cadres
    path("stores/", views.stores, name="stores"),
    path("stores/<int:pk>/", views.store_detail, name="store_detail"),
    path("stores/<int:pk>/edit/", views.store_edit, name="store_edit"),
    path("stores/<int:pk>/goods/new/", views.goods_new, name="goods_new"),
    path("goods/<int:pk>/edit/", views.goods_edit, name="goods_edit"),
    path("redemptions/", views.redemptions, name="redemptions"),
    path("redemptions/export.xlsx", views.redemptions_export, name="redemptions_export"),
]
