"""Public pages of an account: /users/<username>/ (the account's own works list lives in works.urls)."""

from django.urls import path

from fanfold.accounts import profile_views

app_name = "profiles"
urlpatterns = [
    path("<str:username>/", profile_views.profile, name="detail"),
]
