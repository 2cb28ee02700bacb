from django.urls import path

from fanfold.challenges import views

app_name = "challenges"
urlpatterns = [
    path("<slug:name>/", views.collection_detail, name="collection"),
    path("<slug:name>/works/", views.collection_works, name="collection_works"),
]
