from django.urls import path

from fanfold.exchanges import views

app_name = "exchanges"
urlpatterns = [
    path("", views.exchange_list, name="list"),
    path("<slug:name>/", views.exchange_detail, name="detail"),
    path("<slug:name>/setup/", views.exchange_setup, name="setup"),
    path("<slug:name>/signup/", views.signup, name="signup"),
    path("<slug:name>/signups/<int:pk>/delete/", views.delete_signup, name="delete_signup"),
    path("<slug:name>/assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("<slug:name>/manage/", views.manage, name="manage"),
    path("<slug:name>/manage/action/", views.manage_action, name="action"),
    path("<slug:name>/manage/assignments/<int:pk>/pinch-hit/", views.pinch_hit, name="pinch_hit"),
    path(
        "<slug:name>/manage/assignments/<int:pk>/default/", views.moderator_default, name="moderator_default"
    ),
]
