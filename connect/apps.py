"""The Connect area of the hub (layer 1, DESIGN.md): events and RSVPs, check-in,
volunteering and joining groups. What it contributes to the core is registered here."""

from django.apps import AppConfig


class ConnectConfig(AppConfig):
    name = "connect"
    verbose_name = "Connect"

    def ready(self):
        from hubsite.framework.registry import (
            register_coming_up,
            register_figures,
            register_occasions,
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

        from . import bench, demo
        from .selectors import events as events_selectors
        from .selectors import people as selectors
        from .services import people as services
        from .services import rsvps

        register_send_check("connect:rsvp:", rsvps.message_still_wanted)
        register_timeline("connect", selectors.person_timeline)
        register_personal_data(
            "connect",
            label="Events, volunteering and requests to join groups",
            export=selectors.person_data_export,
            erase=services.person_data_erase,
        )
        register_figures("connect", selectors.dashboard_figures)
        register_tasks("connect", selectors.dashboard_tasks)
        register_coming_up("connect", selectors.coming_up)
        register_occasions("connect-events", events_selectors.occasions_ended)
        register_offers("connect", selectors.volunteering_offered)
        register_demo_data("connect", demo.seed)
        register_bench_data("connect", bench.generate)
        register_taggable("connect.event", events_selectors.event_described)
        register_subjects("connect.event", events_selectors.event_subjects)

        from hubsite.privacy.registry import register_retention

        from .services import retention

        register_retention(
            "connect.event_answers",
            label="Answers to events and who came",
            description=retention.DESCRIPTION,
            default_months=24,
            apply=retention.event_answers_retain,
        )
        register_retention(
            "connect.volunteer_offers",
            label="Offers to volunteer",
            description=retention.OFFERS_DESCRIPTION,
            default_months=24,
            apply=retention.volunteer_offers_retain,
        )
        register_retention(
            "connect.join_requests",
            label="Requests to join a group",
            description=retention.JOIN_REQUESTS_DESCRIPTION,
            default_months=12,
            apply=retention.join_requests_retain,
        )
