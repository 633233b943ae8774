from django.urls import path

from xiangzhi.accounts import views, views_admin, views_villagers

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("otp/", views.otp_view, name="otp"),
    path("password/", views.password_change_view, name="password_change"),
    path("tokens/", views.tokens_view, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("activate/", views.activate_view, name="activate"),
    path("elder-mode/", views_villagers.elder_mode_view, name="elder_mode"),
    # administration: accounts and roles
    path("users/", views_admin.user_list_view, name="user_list"),
    path("users/new/", views_admin.user_create_view, name="user_create"),
    path("users/<int:pk>/", views_admin.user_detail_view, name="user_detail"),
    path("users/<int:pk>/grant/", views_admin.role_grant_view, name="role_grant"),
    path(
        "users/<int:pk>/roles/<int:assignment_pk>/revoke/", views_admin.role_revoke_view, name="role_revoke"
    ),
    path("users/<int:pk>/active/", views_admin.user_set_active_view, name="user_set_active"),
    path("users/<int:pk>/otp-reset/", views_admin.otp_reset_view, name="otp_reset"),
    # villagers' accounts, run by the village
    path("villagers/", views_villagers.village_list_view, name="village_list"),
    path("villagers/<str:code>/", views_villagers.village_residents_view, name="village_residents"),
    path("villagers/residents/<int:pk>/open/", views_villagers.villager_open_view, name="villager_open"),
    path(
        "villagers/accounts/<int:pk>/code/",
        views_villagers.activation_code_issue_view,
        name="activation_code_issue",
    ),
]
