"""Celery tasks of Organise: meetings. Thin wrappers over the services, safe to run twice (the
outbox key of each review reminder names the decision and its review date, so a second run
queues nothing)."""

from celery import shared_task
from django.utils import timezone

from ..selectors import meetings as selectors
from ..services import meetings as services


@shared_task
def decisions_remind_review():
    """The daily tick: a reminder to the owner of each open decision whose review date has
    come, once per review date."""
    today = timezone.localdate()
    ids = list(selectors.decisions_due_review(today).values_list("pk", flat=True))
    sent = [services.decision_review_remind(decision_id=pk, today=today) for pk in ids]
    return sum(1 for message in sent if message)
