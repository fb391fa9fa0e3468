"""Celery tasks of the data-protection app: thin wrappers over its services, safe to run
twice."""

from celery import shared_task

from . import services


@shared_task
def retention_apply():
    """Nightly: anonymise or delete what has passed its retention period (idempotent)."""
    run = services.retention_run()
    return run.results


@shared_task
def data_requests_remind():
    """Daily: remind staff of the requests whose deadline is a week or a day away, or past.
    Each reminder's outbox key names the request, its due date, the stage and the recipient,
    so a second run writes nothing. Returns how many emails this run wrote."""
    return services.data_requests_remind()


@shared_task
def sessions_clear_expired():
    """Nightly: expired sessions go (they hold who was signed in, and allauth's notes of
    the addresses used)."""
    from importlib import import_module

    from django.conf import settings

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
