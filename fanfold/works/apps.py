from django.apps import AppConfig


class WorksConfig(AppConfig):
    name = "fanfold.works"
    label = "works"
    default_auto_field = "django.db.models.BigAutoField"
