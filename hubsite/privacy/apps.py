from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "hubsite.privacy"
    label = "privacy"
    verbose_name = "Data protection"

    def ready(self):
        from hubsite.notify.registry import register_send_check
        from hubsite.people.registry import register_personal_data

        from . import selectors, services

        register_personal_data(
            "privacy",
            label="Data-protection requests",
            export=selectors.data_requests_export,
            erase=services.data_requests_forget_person,
        )
        # A reminder about a request closed meanwhile is not sent.
        register_send_check(services.REMINDER_KEY_PREFIX, services.reminder_still_wanted)

        from . import retention
        from .registry import register_retention

        register_retention(
            "privacy.closed_requests",
            label="Data-protection requests closed",
            description=retention.DESCRIPTION,
            default_months=72,
            apply=retention.closed_requests_retain,
        )
