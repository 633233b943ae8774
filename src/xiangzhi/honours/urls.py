from django.urls import path

from xiangzhi.honours import views

app_name = "honours"
urlpatterns = [
    path("", views.list_page, name="list"),
    path("generate/", views.generate, name="generate"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/regenerate/", views.regenerate, name="regenerate"),
    path("<int:pk>/notify/", views.notify, name="notify"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/ranking.xlsx", views.export, name="export"),
    path("<int:pk>/print.pdf", views.pdf, name="pdf"),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/appeal/", views.appeal, name="appeal"),
    # the public board (公开栏): no login, published lists only
    path("board/<str:code>/", views.board, name="board"),
    path("board/<str:code>/<int:pk>/", views.board_detail, name="board_detail"),
    path("board/<str:code>/<int:pk>/print.pdf", views.board_pdf, name="board_pdf"),
]
