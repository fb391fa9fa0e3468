"""The outbox: every message to a person is a row written in the causing transaction,
delivered once by Celery, and only to people who consented."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from hubsite import celery_app
from hubsite.notify import services, tasks
from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Consent, Person
from hubsite.people.services import consent_record


def person_who_consents(email="ada@example.test", given=True):
    person = Person.objects.create(first_name="Ada", email=email)
    consent_record(
        person=person, purpose=Consent.Purpose.CONTACT_EMAIL, given=given, method="online"
    )
    return person


def make_due(message):
    """Time passes: the message's next attempt is now."""
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def queue(person, key="test:1", category=OutboxMessage.Category.CONTACT):
    return services.message_queue(
        key=key,
        person=person,
        to_email=person.email,
        subject="Hello",
        body_text="A message from the hub.",
        category=category,
    )


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_message_queued_in_a_committed_transaction_is_delivered_by_a_real_worker():
    """A real Celery worker on the configured broker (Redis in CI) picks the task up after
    the transaction commits, sends the email and marks the row sent."""
    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30):
        with transaction.atomic():
            message = queue(person_who_consents())
            # Nothing is queued before the transaction commits.
            assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.PENDING
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            message.refresh_from_db()
            if message.status != OutboxMessage.Status.PENDING:
                break
            time.sleep(0.1)
    assert message.status == OutboxMessage.Status.SENT
    assert message.sent_at is not None
    assert [m.to for m in mail.outbox] == [["ada@example.test"]]


@pytest.mark.django_db
def test_a_second_message_for_the_same_purpose_is_not_written(django_capture_on_commit_callbacks):
    person = person_who_consents()
    with django_capture_on_commit_callbacks() as callbacks:
        first = queue(person)
        second = queue(person)
    assert first == second
    assert OutboxMessage.objects.count() == 1
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_no_message_is_written_to_a_person_without_consent():
    assert queue(person_who_consents(given=False)) is None
    assert queue(Person.objects.create(first_name="Bo", email="bo@example.test")) is None
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_account_messages_need_no_contact_consent():
    person = Person.objects.create(first_name="Bo", email="bo@example.test")
    assert queue(person, category=OutboxMessage.Category.ACCOUNT) is not None


@pytest.mark.django_db
def test_delivering_twice_sends_once():
    message = queue(person_who_consents())
    services.message_deliver(message_id=message.pk)
    services.message_deliver(message_id=message.pk)
    tasks.outbox_deliver(message.pk)
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 1


@pytest.mark.django_db
def test_consent_withdrawn_before_sending_cancels_the_message():
    person = person_who_consents()
    message = queue(person)
    consent_record(
        person=person, purpose=Consent.Purpose.CONTACT_EMAIL, given=False, method="email"
    )
    services.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.CANCELLED
    assert mail.outbox == []


class FailingBackend:
    """An email provider that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("provider unreachable")


@pytest.mark.django_db
def test_a_failed_send_stays_pending_then_fails_after_the_last_attempt(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingBackend"}}
    message = queue(person_who_consents())
    for _ in range(services.MAX_ATTEMPTS - 1):
        services.message_deliver(message_id=message.pk)
        message.refresh_from_db()
        assert message.status == OutboxMessage.Status.PENDING
        make_due(message)
    services.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert "provider unreachable" in message.last_error


@pytest.mark.django_db
def test_a_broker_outage_delays_mail_and_the_beat_tick_sends_it(
    monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("broker unreachable")

    monkeypatch.setattr(tasks.outbox_deliver, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(person_who_consents())
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.PENDING
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=message.created_at - services.timedelta(minutes=5)
    )
    assert tasks.outbox_deliver_pending() == 1
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failed_send_waits_longer_each_time_before_the_beat_tick_retries(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingBackend"}}
    message = queue(person_who_consents())
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=message.created_at - services.timedelta(minutes=5)
    )
    services.message_deliver(message_id=message.pk)
    # Not due yet: the beat tick leaves it for five minutes.
    assert services.pending_message_ids() == []
    assert [services.retry_wait(n).total_seconds() / 60 for n in (1, 2, 3)] == [5, 10, 20]
    assert services.retry_wait(20) == services.LONGEST_WAIT


@pytest.mark.django_db
def test_account_messages_keep_no_secret_once_sent():
    message = queue(
        Person.objects.create(first_name="Bo", email="bo@example.test"),
        category=OutboxMessage.Category.ACCOUNT,
    )
    services.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert (message.body_text, message.body_html) == ("", "")
    assert mail.outbox[0].body == "A message from the hub."


@pytest.mark.django_db
def test_an_account_message_given_up_on_keeps_no_secret(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingBackend"}}
    message = queue(
        Person.objects.create(first_name="Bo", email="bo@example.test"),
        category=OutboxMessage.Category.ACCOUNT,
    )
    for _ in range(services.MAX_ATTEMPTS):
        services.message_deliver(message_id=message.pk)
        make_due(message)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.body_text == ""


@pytest.mark.django_db
def test_a_message_being_sent_is_not_taken_by_a_second_worker():
    message = queue(person_who_consents())
    claimed = services._claim(message.pk)
    assert claimed.attempts == 1
    # While the first worker holds the lease, another delivery finds nothing to send.
    assert services.message_deliver(message_id=message.pk) is None
    assert mail.outbox == []


@pytest.mark.django_db
def test_every_try_of_one_message_carries_the_same_message_id_and_others_differ():
    message_id_header = services.message_id_header

    first = services.message_queue(
        key="test:message-id:1",
        to_email="a@example.test",
        subject="One",
        body_text="x",
        category=OutboxMessage.Category.ACCOUNT,
    )
    second = services.message_queue(
        key="test:message-id:2",
        to_email="a@example.test",
        subject="Two",
        body_text="x",
        category=OutboxMessage.Category.ACCOUNT,
    )

    assert message_id_header(first) == message_id_header(OutboxMessage.objects.get(pk=first.pk))
    assert message_id_header(first) != message_id_header(second)
    assert message_id_header(first).startswith("<") and message_id_header(first).endswith(">")
