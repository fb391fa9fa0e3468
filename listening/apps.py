"""The Listening area of the hub (layer 1, DESIGN.md): rounds, conversations, themes and
follow-ups. What it contributes to the core is registered here, in one place."""

from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "listening"
    verbose_name = "Listening"

    def ready(self):
        from hubsite.framework.registry import (
            register_figures,
            register_subjects,
            register_taggable,
            register_tasks,
        )
        from hubsite.notify.registry import register_send_check
        from hubsite.people.registry import (
            register_bench_data,
            register_demo_data,
            register_offers,
            register_personal_data,
            register_timeline,
        )

        from . import bench, demo, selectors, services

        register_timeline("listening", selectors.person_timeline)
        register_personal_data(
            "listening",
            label="Listening conversations",
            export=selectors.person_data_export,
            erase=services.person_data_erase,
        )
        register_figures("listening", selectors.dashboard_figures)
        register_tasks("listening", selectors.dashboard_tasks)
        register_demo_data("listening", demo.seed)
        register_bench_data("listening", bench.generate)
        register_offers("listening", selectors.talents_offered)
        register_send_check("listening:follow-up:", services.follow_up_still_wanted)
        register_taggable("listening.conversation", selectors.conversation_described)
        register_subjects("listening.round", selectors.round_subjects)

        from hubsite.privacy.registry import register_retention

        from . import retention

        register_retention(
            "listening.conversations",
            label="Listening conversations",
            description=retention.DESCRIPTION,
            default_months=24,
            apply=retention.conversations_retain,
        )
