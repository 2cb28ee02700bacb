from django.urls import path

from fanfold.downloads import views

app_name = "downloads"
urlpatterns = [
    path("<int:work_id>/<str:filename>.<str:ext>", views.download, name="file"),
]
