"""Celery tasks of Listening: thin wrappers over the services, safe to run twice (the outbox
key of each reminder makes a second run queue nothing)."""

from celery import shared_task
from django.utils import timezone

from . import selectors, services


@shared_task
def follow_ups_remind_due():
    """The beat tick: a reminder for every open follow-up due today."""
    today = timezone.localdate()
    ids = list(selectors.follow_ups_due(today).values_list("pk", flat=True))
    sent = [services.follow_up_remind(follow_up_id=pk, today=today) for pk in ids]
    return sum(1 for message in sent if message)


@shared_task
def follow_ups_digest_overdue():
    """The morning tick: one digest per owner of their overdue follow-ups."""
    today = timezone.localdate()
    owners = list(selectors.follow_up_owners_overdue(today))
    sent = [services.follow_up_digest(owner_id=pk, today=today) for pk in owners]
    return sum(1 for message in sent if message)
