from django.apps import AppConfig


class ChangeConfig(AppConfig):
    name = "change"
    verbose_name = "Change"
