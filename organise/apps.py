"""The Organise area of the hub (layer 3, DESIGN.md): membership, segments and calls to
action, self-organised groups and accountability to members. What it contributes to the
core is registered here, in one place."""

from django.apps import AppConfig


class OrganiseConfig(AppConfig):
    name = "organise"
    verbose_name = "Organise"

    def ready(self):
        from hubsite.framework.registry import (
            register_coming_up,
            register_figures,
            register_tasks,
        )
        from hubsite.notify.registry import register_send_check
        from hubsite.people.registry import (
            register_bench_data,
            register_demo_data,
            register_personal_data,
            register_timeline,
        )

        from . import bench, demo
        from .selectors import groups as group_selectors
        from .selectors import meetings as meeting_selectors
        from .selectors import members as member_selectors
        from .selectors import people as selectors
        from .services import calls as call_services
        from .services import groups as group_services
        from .services import meetings as meeting_services
        from .services import members as member_services
        from .services import people as services

        register_timeline("organise", selectors.person_timeline)
        register_personal_data(
            "organise",
            label="Membership, calls to action, decisions and group proposals",
            export=selectors.person_data_export,
            erase=services.person_data_erase,
        )
        register_figures("organise", selectors.dashboard_figures)
        register_tasks("organise-proposals", group_selectors.dashboard_tasks)
        register_tasks("organise-decisions", meeting_selectors.dashboard_tasks)
        register_tasks("organise-membership", member_selectors.dashboard_tasks)
        register_coming_up("organise", meeting_selectors.coming_up)
        # The outbox's last look before sending: a reminder for a membership renewed since,
        # a lapse notice to someone who rejoined, a staff email about a proposal answered,
        # a review reminder for a decision done or moved, are no longer wanted.
        register_send_check("organise:call:", call_services.message_still_wanted)
        register_send_check("organise:renewal:", member_services.renewal_message_still_wanted)
        register_send_check("organise:lapsed:", member_services.lapse_message_still_wanted)
        register_send_check("organise:proposal:", group_services.message_still_wanted)
        register_send_check(
            "organise:decision-review:", meeting_services.review_message_still_wanted
        )
        register_bench_data("organise", bench.generate)
        # Seeded after the areas it builds on (installed earlier, so registered earlier).
        register_demo_data("organise", demo.seed)

        from hubsite.privacy.registry import register_retention

        from .services import retention

        register_retention(
            "organise.former_members",
            label="Former members' memberships",
            description=retention.DESCRIPTION,
            default_months=36,
            apply=retention.former_members_retain,
        )
        register_retention(
            "organise.call_answers",
            label="Who calls to action went to, and their answers",
            description=retention.CALL_ANSWERS_DESCRIPTION,
            default_months=24,
            apply=retention.call_answers_retain,
        )
        register_retention(
            "organise.declined_proposals",
            label="Group proposals declined",
            description=retention.DECLINED_PROPOSALS_DESCRIPTION,
            default_months=12,
            apply=retention.declined_proposals_retain,
        )
