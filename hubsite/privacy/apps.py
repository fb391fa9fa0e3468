from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "hubsite.privacy"
    label = "privacy"
    verbose_name = "Data protection"

    def ready(self):
        from hubsite.people.registry import register_personal_data

        from . import selectors, services

        register_personal_data(
            "privacy",
            label="Data-protection requests",
            export=selectors.data_requests_export,
            erase=services.data_requests_forget_person,
        )
