from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "hubsite.framework"
    label = "framework"
    verbose_name = "The framework"

    def ready(self):
        from hubsite.people.registry import register_demo_data

        from . import demo
        from .registry import register_tasks
        from .selectors import prompts

        register_tasks("framework-prompts", prompts.dashboard_tasks)
        # Called before the areas' providers: it waits for their data (see demo.py).
        register_demo_data("framework", demo.seed)
