"""Calls to action on a real Celery worker: a call to a segment of a thousand people, sent in
batches, with its first batch task delivered twice and the whole task run again once it was
sent, emails each of them exactly once and no one outside the segment or without consent;
and a scheduled call goes out when the beat tick finds its time has come."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connection
from django.utils import timezone

from hubsite import celery_app
from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Consent, Person, Role
from organise.models import CallToAction, Delivery
from organise.services import calls as services
from organise.tasks import calls as tasks
from tests.conftest import TaskWatch, make_user
from tests.organise.factories import SegmentFactory
from tests.organise.factories_calls import people_in_bulk
from tests.people.factories import LocalityFactory

PEOPLE = 1000
BATCH = 250


def worker():
    """A real worker on the configured broker. On PostgreSQL, four threads, as a real worker
    runs several tasks at a time (and a task delivered twice then runs alongside itself);
    SQLite's shared in-memory test database takes one writer at a time, so one thread."""
    threads = {"pool": "threads", "concurrency": 4} if connection.vendor == "postgresql" else {}
    return start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30, **threads)


def emails_of(ids):
    return sorted(Person.objects.filter(pk__in=ids).values_list("email", flat=True))


def segment_of(place, owner):
    return SegmentFactory(created_by=owner, filters={"localities": [place.pk]})


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_call_to_a_thousand_people_emails_each_of_them_exactly_once():
    staff = make_user(Role.STAFF)
    place = LocalityFactory()
    ours = people_in_bulk(PEOPLE, locality=place)
    people_in_bulk(20, prefix="refused", locality=place, consent_given=False)
    people_in_bulk(20, prefix="neverasked", locality=place, consent_given=None)
    people_in_bulk(20, prefix="elsewhere", locality=LocalityFactory())
    withdrew = people_in_bulk(20, prefix="withdrew", locality=place)
    Consent.objects.bulk_create(
        Consent(
            person_id=pk,
            purpose=Consent.Purpose.CONTACT_EMAIL,
            given=False,
            method=Consent.Method.ONLINE,
            recorded_at=timezone.now() + timedelta(seconds=1),
        )
        for pk in withdrew
    )
    call = services.call_create(
        segment=segment_of(place, staff),
        created_by=staff,
        subject="Come to the lifts meeting",
        body="We meet on Thursday at 6pm.",
    )
    batches = []

    def count_batches(sender=None, **kwargs):
        if getattr(sender, "name", None) == tasks.call_deliver.name:
            batches.append(kwargs.get("task_id"))

    task_postrun.connect(count_batches, weak=False)
    try:
        with (
            TaskWatch() as watch,
            worker(),
        ):
            services.call_send(call=call, sender=staff, batch_size=BATCH)  # queued on commit
            tasks.call_deliver.delay(call.pk, 0, BATCH)  # the first batch delivered twice
            watch.wait(timeout=90)
            tasks.call_deliver.delay(call.pk, 0, BATCH)  # and the whole task once more
            watch.wait(timeout=60)
    finally:
        task_postrun.disconnect(count_batches)

    sent_to = sorted(message.to[0] for message in mail.outbox)
    assert len(sent_to) == PEOPLE
    assert sent_to == emails_of(ours)
    assert len(batches) >= PEOPLE // BATCH + 1 + 2  # 4 batches (+1 to find the end), repeats
    call.refresh_from_db()
    assert (call.status, call.recipients) == (CallToAction.Status.SENT, PEOPLE)
    assert call.cursor == max(ours) and call.last_batch_at is not None
    assert Delivery.objects.filter(call=call).count() == PEOPLE
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count() == PEOPLE
    assert all(message.reply_to == [staff.email] for message in mail.outbox[:5])


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_scheduled_call_goes_out_when_the_beat_tick_finds_it_due():
    staff = make_user(Role.STAFF)
    place = LocalityFactory()
    ours = people_in_bulk(5, locality=place)
    call = services.call_create(
        segment=segment_of(place, staff), created_by=staff, subject="Soon", body="Come."
    )
    services.call_send(call=call, sender=staff, send_at=timezone.now() + timedelta(hours=1))

    with (
        TaskWatch() as watch,
        worker(),
    ):
        tasks.calls_send_due.delay()  # not yet due: nothing goes
        watch.wait(timeout=60)
        assert mail.outbox == []
        CallToAction.objects.filter(pk=call.pk).update(send_at=timezone.now())
        tasks.calls_send_due.delay()
        tasks.calls_send_due.delay()  # a second tick starts nothing more
        watch.wait(timeout=60)

    assert sorted(message.to[0] for message in mail.outbox) == emails_of(ours)
    call.refresh_from_db()
    assert (call.status, call.recipients) == (CallToAction.Status.SENT, 5)
