from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "hubsite.people"
    label = "people"
    verbose_name = "People and groups"

    def ready(self):
        from hubsite.framework.registry import register_figures

        from . import selectors, services, signals  # noqa: F401 - connects the receivers
        from .registry import register_personal_data, register_timeline

        register_timeline("people", selectors.person_timeline)
        register_personal_data(
            "people",
            label="Profile, consents and groups",
            export=selectors.person_data_export,
            erase=services.person_data_erase,
        )
        register_figures("people", selectors.dashboard_figures)

        from hubsite.privacy.registry import register_retention

        from . import retention

        register_retention(
            "people.unlinked",
            label="People nothing in the hub refers to",
            description=retention.DESCRIPTION,
            default_months=36,
            apply=retention.unlinked_people_retain,
        )
