"""Celery tasks of the data-protection app: thin wrappers over its services."""

from celery import shared_task

from . import services


@shared_task
def retention_apply():
    """Nightly: anonymise or delete what has passed its retention period (idempotent)."""
    run = services.retention_run()
    return run.results
