"""Celery tasks of Connect: thin wrappers over the services, safe to run twice (each email's
outbox key names the answer and its purpose, so a second run queues nothing)."""

from celery import shared_task
from django.utils import timezone

from .selectors import events as selectors
from .services import rsvps as services


@shared_task
def events_remind_due():
    """The beat tick: a reminder to everyone with a place whose reminder time has come."""
    sent = [services.rsvp_remind(rsvp_id=pk) for pk in selectors.rsvps_due_reminder(timezone.now())]
    return sum(1 for message in sent if message)


@shared_task
def events_follow_up_due():
    """The beat tick: "what happened next" to those who came, after the event."""
    ids = selectors.rsvps_due_follow_up(timezone.now())
    sent = [services.rsvp_follow_up(rsvp_id=pk) for pk in ids]
    return sum(1 for message in sent if message)
