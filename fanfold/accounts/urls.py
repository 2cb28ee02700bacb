from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from fanfold.accounts import views

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True,
            next_page="works:home",
            # LoginView puts the request's domain in site_name; the archive's name is wanted.
            extra_context={"site_name": settings.SITE_NAME},
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="works:home"), name="logout"),
    path("preferences/", views.preferences, name="preferences"),
    path("reading-settings/", views.reading_settings, name="reading_settings"),
]
