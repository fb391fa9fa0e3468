"""The Action area of the hub (layer 2, DESIGN.md): campaigns, sign-ups, asks, stories,
activities and updates to supporters. What it contributes to the core is registered here."""

from django.apps import AppConfig


class ActionConfig(AppConfig):
    name = "action"
    verbose_name = "Action"

    def ready(self):
        from hubsite.framework.registry import (
            register_figures,
            register_subjects,
            register_taggable,
        )
        from hubsite.notify.registry import register_send_check
        from hubsite.people.registry import (
            register_bench_data,
            register_demo_data,
            register_personal_data,
            register_timeline,
        )

        from . import bench, demo
        from .selectors import campaigns as campaign_selectors
        from .selectors import people as selectors
        from .services import asks, updates
        from .services import people as services

        register_send_check(updates.KEY_PREFIX, updates.message_still_wanted)
        register_send_check("action:solidarity:", asks.solidarity_invite_still_wanted)
        register_timeline("action", selectors.person_timeline)
        register_personal_data(
            "action",
            label="Campaigns signed, actions, stories and activities",
            export=selectors.person_data_export,
            erase=services.person_data_erase,
        )
        register_figures("action", selectors.dashboard_figures)
        register_demo_data("action", demo.seed)
        register_bench_data("action", bench.generate)
        register_taggable("action.campaign", campaign_selectors.campaign_described)
        register_subjects("action.campaign", campaign_selectors.campaign_subjects)

        from hubsite.privacy.registry import register_retention

        from .services import retention

        register_retention(
            "action.campaign_signups",
            label="Campaign sign-ups and actions taken",
            description=retention.DESCRIPTION,
            default_months=24,
            apply=retention.campaign_signups_retain,
        )
        register_retention(
            "action.unconfirmed_signups",
            label="Campaign sign-ups never confirmed",
            description=retention.UNCONFIRMED_DESCRIPTION,
            default_months=1,
            apply=retention.unconfirmed_signups_retain,
        )
        register_retention(
            "action.stories_not_published",
            label="Stories not published",
            description=retention.STORIES_DESCRIPTION,
            default_months=12,
            apply=retention.stories_not_published_retain,
        )
