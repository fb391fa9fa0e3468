"""Deployment checks of the outbox (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def site_url_is_set(app_configs, **kwargs):
    """Emails sent on a schedule (reminders) have no request to take the hub's address from."""
    if settings.SITE_URL:
        return []
    return [
        Warning(
            "SITE_URL is not set: links in emails that Celery sends on a schedule point at "
            "http://localhost:8000.",
            hint="Set SITE_URL to the hub's public address, e.g. https://hub.example.org.",
            id="notify.W001",
        )
    ]
