"""The outbox's retention period: emails finished (sent, failed or not sent) 12 months ago
keep only what was sent and when; emails waiting to go are never touched."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hubsite.notify.models import OutboxMessage
from hubsite.notify.retention import sent_messages_retain
from hubsite.notify.services import message_queue
from hubsite.privacy.services import months_before
from organise.selectors.calls import call_totals
from tests.organise.factories_calls import DeliveryFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
EMPTIED = ("to_email", "reply_to", "subject", "body_text", "body_html", "last_error")


def cutoff():
    return months_before(timezone.now(), 12)


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def message(status, days, **fields):
    person = PersonFactory()
    fields.setdefault("created_at", days_ago(days + 1))
    return OutboxMessage.objects.create(
        key=f"test:{OutboxMessage.objects.count()}:{status}",
        person=person,
        to_email=person.email,
        reply_to="organiser@example.test",
        subject=f"Hello {person.first_name}",
        body_text=f"Dear {person.first_name} {person.last_name}",
        body_html=f"<p>Dear {person.first_name}</p>",
        category="contact",
        status=status,
        sent_at=days_ago(days) if status == Status.SENT else None,
        last_error=f"{person.email} refused" if status == Status.FAILED else "",
        **fields,
    )


def test_finished_messages_past_the_period_are_emptied_and_kept():
    old = [message(status, 400) for status in (Status.SENT, Status.FAILED, Status.CANCELLED)]

    assert sent_messages_retain(cutoff()) == 3

    for row in OutboxMessage.objects.filter(pk__in=[m.pk for m in old]):
        assert row.person is None
        assert all(getattr(row, field) == "" for field in EMPTIED)
    assert sorted(OutboxMessage.objects.values_list("status", flat=True)) == sorted(
        [Status.SENT, Status.FAILED, Status.CANCELLED]
    )
    sent = OutboxMessage.objects.get(status=Status.SENT)
    assert sent.sent_at and sent.key == old[0].key


def test_recent_and_waiting_messages_stay_as_they_are():
    waiting = message(Status.PENDING, 400)
    recent = message(Status.SENT, 30)
    sent_long_after_writing = message(Status.SENT, 30, created_at=days_ago(500))

    assert sent_messages_retain(cutoff()) == 0

    for row in (waiting, recent, sent_long_after_writing):
        kept = OutboxMessage.objects.get(pk=row.pk)
        assert kept.person_id and kept.to_email and kept.body_text == row.body_text


def test_a_kept_key_still_refuses_a_second_message_for_the_same_purpose():
    old = message(Status.SENT, 400)
    sent_messages_retain(cutoff())

    again = message_queue(
        key=old.key,
        to_email="x@example.test",
        subject="Again",
        body_text="Again",
        category="account",
    )

    assert again.pk == old.pk and OutboxMessage.objects.count() == 1


def test_a_second_run_changes_nothing():
    message(Status.SENT, 400)
    message(Status.CANCELLED, 500)

    assert sent_messages_retain(cutoff()) == 2
    assert sent_messages_retain(cutoff()) == 0


def test_the_totals_of_a_call_to_action_stay_the_same():
    first = DeliveryFactory(message=message(Status.SENT, 400))
    DeliveryFactory(call=first.call, message=message(Status.CANCELLED, 400))
    DeliveryFactory(call=first.call, message=message(Status.SENT, 10))
    before = call_totals(first.call)

    assert sent_messages_retain(cutoff()) == 2

    assert (
        call_totals(first.call)
        == before
        == {
            "written": 3,
            "sent": 2,
            "waiting": 0,
            "not_sent": 1,
            "yes": 0,
            "no": 0,
        }
    )


def queries_to_retain(count):
    for _ in range(count):
        message(Status.SENT, 400)
    with CaptureQueriesContext(connection) as queries:
        assert sent_messages_retain(cutoff()) == count
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_rows():
    assert queries_to_retain(50) == queries_to_retain(3)
