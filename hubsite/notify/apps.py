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

        from hubsite.privacy.registry import register_retention

        from . import retention

        register_retention(
            "notify.sent_messages",
            label="Emails sent",
            description=retention.DESCRIPTION,
            default_months=12,
            apply=retention.sent_messages_retain,
        )
