from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "hubsite.notify"
    label = "notify"
    verbose_name = "Outbox"

    def ready(self):
        from hubsite.people.registry import register_personal_data

        from . import checks, selectors, services  # noqa: F401 - checks registers itself

        register_personal_data(
            "notify",
            label="Messages the hub sent",
            export=selectors.person_data_export,
            erase=services.person_data_erase,
        )
