from django.urls import path

from xiangzhi.disclosure import views, views_staff

app_name = "disclosure"
urlpatterns = [
    # the cadres' pages (login; before the board's <code>/ patterns)
    path("staff/", views_staff.notice_list, name="staff_list"),
    path("staff/export/", views_staff.notice_export, name="staff_export"),
    path("staff/new/", views_staff.notice_new, name="staff_new"),
    path("staff/<int:pk>/", views_staff.notice_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", views_staff.notice_edit, name="staff_edit"),
    path("staff/<int:pk>/sign-off/", views_staff.notice_sign_off, name="staff_sign_off"),
    path("staff/<int:pk>/publish/", views_staff.notice_publish, name="staff_publish"),
    path("staff/<int:pk>/update/", views_staff.notice_update, name="staff_update"),
    path("staff/questions/", views_staff.question_queue, name="staff_questions"),
    path("staff/questions/<int:pk>/answer/", views_staff.question_answer, name="staff_answer"),
    path("staff/settings/<str:code>/", views_staff.village_setting, name="staff_setting"),
    # the town's page: villages behind schedule (login)
    path("town/<str:code>/", views.town, name="town"),
    # the public board (三务公开): no login, published notices only
    path("<str:code>/", views.board, name="board"),
    path("<str:code>/print/", views.board_print, name="board_print"),
    path("<str:code>/<int:pk>/", views.notice, name="notice"),
    path("<str:code>/<int:pk>/ask/", views.ask, name="ask"),
    path("<str:code>/<int:pk>/attachment/", views.attachment, name="attachment"),
]
