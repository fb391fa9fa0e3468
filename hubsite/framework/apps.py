from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "hubsite.framework"
    label = "framework"
    verbose_name = "The framework"
