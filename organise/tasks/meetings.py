"""Celery tasks of Organise: meetings. Thin wrappers over the services, safe to run twice (the
outbox key of each review reminder names the decision, its review date and its owner, so a
second run queues nothing)."""

from celery import shared_task

from ..services import meetings as services


@shared_task
def decisions_remind_review():
    """The daily tick: a reminder to the owner of each open decision whose review date has
    come, once per review date and owner. Returns how many were written by this run."""
    return services.decisions_review_remind()
