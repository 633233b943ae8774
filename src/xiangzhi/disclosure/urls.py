from django.urls import path

from xiangzhi.disclosure import views

app_name = "disclosure"
urlpatterns = [
    # the town's page: villages behind schedule (login)
    path("town/<str:code>/", views.town, name="town"),
    # the public board (三务公开): no login, published notices only
    path("<str:code>/", views.board, name="board"),
    path("<str:code>/print/", views.board_print, name="board_print"),
    path("<str:code>/<int:pk>/", views.notice, name="notice"),
    path("<str:code>/<int:pk>/ask/", views.ask, name="ask"),
    path("<str:code>/<int:pk>/attachment/", views.attachment, name="attachment"),
]
