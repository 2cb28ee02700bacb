from django.urls import path

from fanfold.works import views

app_name = "works"
urlpatterns = [
    path("", views.home, name="home"),
    path("works/", views.work_list, name="list"),
    path("works/<int:work_id>/", views.work_detail, name="detail"),
    path("works/<int:work_id>/chapters/<int:position>/", views.chapter_detail, name="chapter"),
    # Pseud names are unique per account only, so a creator's works are found by the pseud's id.
    path("creators/<int:pseud_id>/works/", views.pseud_works, name="pseud_works"),
    path("users/<str:username>/works/", views.user_works, name="user_works"),
]
