from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "hubsite.privacy"
    label = "privacy"
    verbose_name = "Data protection"

    def ready(self):
        from hubsite.notify.registry import register_send_check
        from hubsite.people.registry import register_bench_data, register_personal_data

        from . import bench, selectors, services

        register_personal_data(
            "privacy",
            label="Data-protection requests",
            export=selectors.data_requests_export,
            erase=services.data_requests_forget_person,
        )
        # A reminder about a request closed meanwhile is not sent.
        register_send_check(services.REMINDER_KEY_PREFIX, services.reminder_still_wanted)
        register_bench_data("privacy", bench.generate)

        from django.db.models.signals import post_save

        from .models import AuditEntry

        # The audit log's cached total, counted again with the entry just written.
        post_save.connect(
            selectors.audit_total_forget, sender=AuditEntry, dispatch_uid="audit_total"
        )

        from . import retention
        from .registry import register_retention

        register_retention(
            "privacy.closed_requests",
            label="Data-protection requests closed",
            description=retention.DESCRIPTION,
            default_months=72,
            apply=retention.closed_requests_retain,
        )
