from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "hubsite.framework"
    label = "framework"
    verbose_name = "The framework"

    def ready(self):
        from .registry import register_tasks
        from .selectors import prompts

        register_tasks("framework-prompts", prompts.dashboard_tasks)
