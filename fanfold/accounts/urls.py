from django.contrib.auth import views as django_auth_views
from django.urls import path

from fanfold.accounts import auth_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("signup/", auth_views.signup, name="signup"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", django_auth_views.LogoutView.as_view(next_page="works:home"), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        django_auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        django_auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("email/", auth_views.change_email, name="email"),
    path("delete/", auth_views.delete_account, name="delete"),
    path("preferences/", views.preferences, name="preferences"),
    path("reading-settings/", views.reading_settings, name="reading_settings"),
    path("pseuds/", views.pseuds, name="pseuds"),
    path("pseuds/new/", views.pseud_create, name="pseud_create"),
    path("pseuds/<int:pseud_id>/edit/", views.pseud_edit, name="pseud_edit"),
    path("pseuds/<int:pseud_id>/default/", views.pseud_make_default, name="pseud_default"),
    path("pseuds/<int:pseud_id>/delete/", views.pseud_delete, name="pseud_delete"),
    path("tokens/", views.api_tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke, name="token_revoke"),
]
