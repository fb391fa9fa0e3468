"""Event reminders and follow-ups on a real Celery worker: the beat ticks, run twice, send
exactly one reminder per confirmed RSVP whose reminder time has come, and one "what happened
next" after the event, never to a waiting or cancelled answer or a person without consent."""

import datetime

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from connect import tasks
from connect.models import Rsvp
from hubsite import celery_app
from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Consent
from hubsite.people.services import consent_record
from tests.conftest import TaskWatch
from tests.connect.factories import EventFactory, RsvpFactory
from tests.people.factories import PersonFactory

HOUR = datetime.timedelta(hours=1)


def person(email, *, consent=True):
    someone = PersonFactory(email=email, first_name=email.split("@")[0].title())
    if consent:
        consent_record(
            person=someone,
            purpose=Consent.Purpose.CONTACT_EMAIL,
            given=True,
            method=Consent.Method.ONLINE,
        )
    return someone


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_beat_ticks_send_one_reminder_per_place_and_one_follow_up_after():
    now = timezone.now()
    tonight = EventFactory(
        title="Tonight", starts_at=now + 5 * HOUR, reminder_hours=24, ends_at=now + 7 * HOUR
    )
    next_month = EventFactory(
        title="Next month", starts_at=now + 30 * 24 * HOUR, ends_at=now + 30 * 24 * HOUR + HOUR
    )
    yesterday = EventFactory(title="Yesterday", starts_at=now - 26 * HOUR, ends_at=now - 24 * HOUR)
    for email in ("ann@example.test", "bo@example.test"):
        RsvpFactory(event=tonight, person=person(email))
    RsvpFactory(event=tonight, person=person("wait@example.test"), status=Rsvp.Status.WAITING)
    RsvpFactory(event=tonight, person=person("gone@example.test"), status=Rsvp.Status.CANCELLED)
    RsvpFactory(event=tonight, person=person("quiet@example.test", consent=False))
    RsvpFactory(event=next_month, person=person("later@example.test"))
    RsvpFactory(
        event=yesterday, person=person("came@example.test"), attendance=Rsvp.Attendance.ATTENDED
    )
    RsvpFactory(
        event=yesterday, person=person("missed@example.test"), attendance=Rsvp.Attendance.NO_SHOW
    )

    with (
        TaskWatch() as watch,
        start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30),
    ):
        for _ in range(2):  # a second run of each tick sends nothing more
            tasks.events_remind_due.delay()
            tasks.events_follow_up_due.delay()
            watch.wait()

    sent = sorted((message.to[0], message.subject.split("] ")[1]) for message in mail.outbox)
    assert sent == [
        ("ann@example.test", "Reminder: Tonight"),
        ("bo@example.test", "Reminder: Tonight"),
        ("came@example.test", "What happened next: Yesterday"),
    ]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert OutboxMessage.objects.count() == 3
