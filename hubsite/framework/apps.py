from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "hubsite.framework"
    label = "framework"
    verbose_name = "The framework"

    def ready(self):
        from hubsite.people.registry import (
            register_bench_data,
            register_demo_data,
            register_personal_data,
        )

        from . import bench, demo
        from .registry import register_tasks
        from .selectors import people as people_selectors
        from .selectors import prompts
        from .services import people as people_services

        register_tasks("framework-prompts", prompts.dashboard_tasks)
        register_personal_data(
            "framework",
            label="Reflections, self-assessment answers and learnings written",
            export=people_selectors.person_data_export,
            erase=people_services.person_data_erase,
        )
        # Called before the areas' providers: it waits for their data (see demo.py).
        register_demo_data("framework", demo.seed)
        register_bench_data("framework", bench.generate)
