"""Connect's retention period: who answered an event and who came lose the person 24 months
after the event ended, and the emails about them go; the event and its counts stay."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connect.models import Event, Rsvp
from connect.selectors.people import dashboard_figures
from connect.services.retention import event_answers_retain
from hubsite.notify.models import OutboxMessage
from hubsite.privacy.services import months_before
from tests.connect.factories import EventFactory, RsvpFactory

pytestmark = pytest.mark.django_db


def cutoff():
    return months_before(timezone.now(), 24)


def event_ended(days_ago):
    starts = timezone.now() - timedelta(days=days_ago, hours=3)
    return EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=2))


def answered(event, **fields):
    rsvp = RsvpFactory(event=event, **fields)
    OutboxMessage.objects.create(
        key=f"connect:rsvp:{rsvp.pk}:confirmed:20240101T1200",
        person=rsvp.person,
        to_email=rsvp.person.email,
        subject=f"Your place at {event}",
        body_text=f"Dear {rsvp.person.first_name}",
        category="contact",
    )
    return rsvp


def test_answers_to_an_event_long_past_lose_the_person_and_their_emails_go():
    old = event_ended(800)
    came = answered(old, attendance=Rsvp.Attendance.ATTENDED, checked_in_at=old.starts_at)
    answered(old, status=Rsvp.Status.WAITING)
    answered(old, status=Rsvp.Status.CANCELLED)

    assert event_answers_retain(cutoff()) == 3

    answers = Rsvp.objects.filter(event=old)
    assert list(answers.values_list("person", flat=True)) == [None, None, None]
    assert answers.filter(attendance=Rsvp.Attendance.ATTENDED).count() == 1
    assert not OutboxMessage.objects.filter(key__startswith="connect:rsvp:").exists()
    assert Event.objects.filter(pk=old.pk).exists()
    came.person.refresh_from_db()  # the person's record is not Connect's to remove


def test_answers_to_recent_and_coming_events_stay():
    recent = answered(event_ended(200), attendance=Rsvp.Attendance.ATTENDED)
    coming = answered(EventFactory())

    assert event_answers_retain(cutoff()) == 0

    assert Rsvp.objects.filter(pk__in=[recent.pk, coming.pk]).count() == 2
    assert OutboxMessage.objects.count() == 2


def test_a_second_run_changes_nothing():
    answered(event_ended(800))

    assert event_answers_retain(cutoff()) == 1
    assert event_answers_retain(cutoff()) == 0


def test_the_dashboard_figures_stay_the_same(staff_user):
    answered(event_ended(10), attendance=Rsvp.Attendance.ATTENDED)
    answered(event_ended(10), attendance=Rsvp.Attendance.NO_SHOW)
    answered(EventFactory())
    for _ in range(3):
        answered(event_ended(900), attendance=Rsvp.Attendance.ATTENDED)
    before = dashboard_figures(staff_user)

    assert event_answers_retain(cutoff()) == 3

    assert dashboard_figures(staff_user) == before


def queries_to_retain(count):
    event = event_ended(800)
    for _ in range(count):
        answered(event, attendance=Rsvp.Attendance.ATTENDED)
    with CaptureQueriesContext(connection) as queries:
        assert event_answers_retain(cutoff()) == count
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_rows():
    assert queries_to_retain(50) == queries_to_retain(3)
