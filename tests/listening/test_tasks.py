"""Follow-up reminders and digests on a real Celery worker: the beat ticks, run twice,
send exactly one email per follow-up due today and one digest per owner, and none for a
promise kept or a person who withdrew their consent."""

import datetime

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.utils import timezone

from hubsite import celery_app
from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Consent, Role
from hubsite.people.services import consent_record
from listening import tasks
from tests.conftest import TaskWatch, make_user
from tests.listening.factories import ConversationFactory, FollowUpFactory

DAY = datetime.timedelta(days=1)


def consent(person, purpose, *, given):
    consent_record(person=person, purpose=purpose, given=given, method=Consent.Method.VERBAL)


def conversation_by(user):
    conversation = ConversationFactory(logged_by=user)
    consent(conversation.person, Consent.Purpose.KEEP_RECORD, given=True)
    return conversation


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_beat_ticks_send_one_email_per_follow_up_due_and_one_digest_per_owner():
    today = timezone.localdate()
    ada = make_user(Role.VOLUNTEER, "ada@example.test", "Ada")
    bo = make_user(Role.VOLUNTEER, "bo@example.test", "Bo")
    ours, theirs = conversation_by(ada), conversation_by(bo)
    FollowUpFactory(conversation=ours, action="Call back about the food bank")
    FollowUpFactory(conversation=theirs, action="Invite to the housing meeting")
    FollowUpFactory(conversation=ours, action="Kept already", done_at=timezone.now())
    FollowUpFactory(conversation=ours, action="Chase the council", due_on=today - 2 * DAY)
    FollowUpFactory(conversation=ours, action="Next week", due_on=today + 7 * DAY)
    # Bo's other conversations are with people who have since withdrawn their consent.
    withdrew_record, withdrew_contact = conversation_by(bo), conversation_by(bo)
    consent(withdrew_record.person, Consent.Purpose.KEEP_RECORD, given=False)
    consent(withdrew_contact.person, Consent.Purpose.CONTACT_EMAIL, given=True)
    consent(withdrew_contact.person, Consent.Purpose.CONTACT_EMAIL, given=False)
    for conversation in (withdrew_record, withdrew_contact):
        FollowUpFactory(conversation=conversation, action="Not to be chased")
        FollowUpFactory(conversation=conversation, action="Not late", due_on=today - DAY)

    with (
        TaskWatch() as watch,
        start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30),
    ):
        for _ in range(2):  # a second run of each tick sends nothing more
            tasks.follow_ups_remind_due.delay()
            tasks.follow_ups_digest_overdue.delay()
            watch.wait()

    hub = f"[{settings.HUB_NAME}]"
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("ada@example.test", f"{hub} 1 overdue follow-up"),
        ("ada@example.test", f"{hub} Due today: Call back about the food bank"),
        ("bo@example.test", f"{hub} Due today: Invite to the housing meeting"),
    ]
    digest = next(m for m in mail.outbox if "overdue" in m.subject)
    assert "Chase the council" in digest.body
    assert "Next week" not in digest.body
    assert "Not to be chased" not in digest.body and "Not late" not in digest.body
    assert OutboxMessage.objects.count() == 3
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {
        OutboxMessage.Status.SENT
    }
