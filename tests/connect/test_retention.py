"""Connect's retention period: who answered an event and who came lose the person 24 months
after the event ended, and the emails about them go; the event and its counts stay."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connect.models import Event, JoinRequest, Rsvp, VolunteerOffer
from connect.selectors.people import dashboard_figures
from connect.services.retention import (
    event_answers_retain,
    join_requests_retain,
    volunteer_offers_retain,
)
from hubsite.notify.models import OutboxMessage
from hubsite.privacy.services import months_before
from tests.connect.factories import (
    EventFactory,
    JoinRequestFactory,
    RsvpFactory,
    ShiftSignupFactory,
    SkillFactory,
    VolunteerOfferFactory,
)

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


def days_ago(days):
    return timezone.now() - timedelta(days=days)


# Offers to volunteer -------------------------------------------------------------------------


def offers_cutoff():
    return months_before(timezone.now(), 24)


def offered(days=800, **fields):
    return VolunteerOfferFactory(created_at=days_ago(days), skills=[SkillFactory()], **fields)


def test_offers_made_long_ago_go_and_the_hours_given_stay():
    old = offered()
    inactive = offered(active=False)
    hours = ShiftSignupFactory(person=old.person, created_at=days_ago(850), hours=Decimal("3.5"))

    assert volunteer_offers_retain(offers_cutoff()) == 2

    assert not VolunteerOffer.objects.filter(pk__in=[old.pk, inactive.pk]).exists()
    assert not VolunteerOffer.skills.through.objects.exists()
    hours.refresh_from_db()
    assert hours.person == old.person and hours.hours == Decimal("3.5")


def test_recent_offers_and_those_of_people_on_a_shift_lately_stay():
    recent = offered(days=100)
    busy = offered()
    ShiftSignupFactory(person=busy.person, created_at=days_ago(20))

    assert volunteer_offers_retain(offers_cutoff()) == 0

    assert VolunteerOffer.objects.filter(pk__in=[recent.pk, busy.pk]).count() == 2


def test_a_second_run_deletes_no_more_offers():
    offered()

    assert volunteer_offers_retain(offers_cutoff()) == 1
    assert volunteer_offers_retain(offers_cutoff()) == 0


def queries_to_retain_offers(count):
    for _ in range(count):
        offered()
    with CaptureQueriesContext(connection) as queries:
        assert volunteer_offers_retain(offers_cutoff()) == count
    return len(queries)


def test_the_number_of_queries_for_offers_does_not_grow_with_the_rows():
    assert queries_to_retain_offers(30) == queries_to_retain_offers(3)


# Requests to join a group --------------------------------------------------------------------


def join_cutoff():
    return months_before(timezone.now(), 12)


def asked(days=400, status=JoinRequest.Status.DECLINED, decided=None, **fields):
    """A request made ``days`` ago, answered ``decided`` days ago (by default then too)."""
    answered_at = None
    if status != JoinRequest.Status.PENDING:
        answered_at = days_ago(days if decided is None else decided)
    join_request = JoinRequestFactory(
        status=status, created_at=days_ago(days), decided_at=answered_at, **fields
    )
    OutboxMessage.objects.create(
        key=f"connect:join:{join_request.pk}:received:{join_request.person.pk}",
        person=join_request.person,
        to_email=join_request.person.email,
        subject=f"Your request to join {join_request.group}",
        body_text=f"Dear {join_request.person.first_name}",
        category="account",
    )
    return join_request


def test_requests_answered_or_left_waiting_long_ago_go_with_their_emails():
    welcomed = asked(status=JoinRequest.Status.APPROVED)
    declined = asked(status=JoinRequest.Status.DECLINED)
    waiting = asked(status=JoinRequest.Status.PENDING)

    assert join_requests_retain(join_cutoff()) == 3

    assert not JoinRequest.objects.filter(pk__in=[welcomed.pk, declined.pk, waiting.pk])
    assert not OutboxMessage.objects.filter(key__startswith="connect:join:").exists()
    welcomed.person.refresh_from_db()


def test_recent_requests_and_those_answered_lately_stay():
    recent = asked(days=100, status=JoinRequest.Status.PENDING)
    answered_lately = asked(days=500, decided=30)
    OutboxMessage.objects.create(
        key=f"connect:join:{recent.pk}1:received:1", to_email="x@example.test", category="work"
    )

    assert join_requests_retain(join_cutoff()) == 0

    assert JoinRequest.objects.filter(pk__in=[recent.pk, answered_lately.pk]).count() == 2
    assert OutboxMessage.objects.count() == 3


def test_a_second_run_deletes_no_more_requests():
    asked()

    assert join_requests_retain(join_cutoff()) == 1
    assert join_requests_retain(join_cutoff()) == 0


def queries_to_retain_requests(count):
    for _ in range(count):
        asked()
    with CaptureQueriesContext(connection) as queries:
        assert join_requests_retain(join_cutoff()) == count
    return len(queries)


def test_the_number_of_queries_for_requests_does_not_grow_with_the_rows():
    assert queries_to_retain_requests(30) == queries_to_retain_requests(3)
