"""Redis down: a public sign-up, a public RSVP, a volunteer's conversation and a join still
save at once, with no error page and no long wait, though neither the broker nor the cache
answers; their emails wait in the outbox and go out exactly once when Redis is back and a
real worker runs the beat ticks. Redis is the hub's own broker and cache, as configured for
production, on a server of the test's own that it stops (or freezes) and starts again."""

import threading
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from action.models import Signup
from connect.models import Rsvp
from hubsite import celery_app
from hubsite.notify import tasks as notify_tasks
from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Role
from listening import tasks as listening_tasks
from listening.models import Conversation, FollowUp
from organise.models import JoinApplication
from tests.action.factories import CampaignFactory
from tests.conftest import TaskWatch, make_user
from tests.connect.factories import EventFactory
from tests.organise.factories import MembershipTypeFactory
from tests.people.factories import LocalityFactory

# However long Redis is gone, a request answers within this (a generous bound, so that a
# slow machine does not fail the test; the time each took is printed).
PATIENCE = 20

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="Redis is not configured (REDIS_URL): there is none to lose"
)


def worker():
    threads = {"pool": "threads", "concurrency": 4} if connection.vendor == "postgresql" else {}
    return start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30, **threads)


def browser():
    """A client that gets the error page, as a browser would, rather than the exception."""
    return Client(raise_request_exception=False)


def timed(request):
    """Run one request in a thread, so that a request stuck on Redis fails the test instead
    of hanging it. Returns the response (None if it did not answer in time) and seconds."""
    outcome = {}

    def run():
        try:
            outcome["response"] = request()
        finally:
            connection.close()  # the thread's own database connection

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(PATIENCE)
    return outcome.get("response"), time.monotonic() - started


def sign_up(campaign):
    return browser().post(
        reverse("action:signup", args=[campaign.slug]),
        {"first_name": "Amina", "email": "signer@example.test", "consent_contact": "on"},
    )


def rsvp(event):
    return browser().post(
        reverse("connect:rsvp", args=[event.pk]),
        {"first_name": "Bola", "email": "guest@example.test", "consent_contact": "on"},
    )


def log_conversation(volunteer, place):
    client = browser()
    client.force_login(volunteer)
    return client.post(
        reverse("listening:conversation_log"),
        {
            "who": "new",
            "first_name": "Chidi",
            "held_on": timezone.localdate().isoformat(),
            "locality": place.pk,
            "method": "door_knock",
            "concerns": "Damp in the flats on Canal Street.",
            "willingness": "2",
            "keep_record": "on",
            "follow_up_action": "Send Chidi the repairs number",
            "follow_up_due_on": timezone.localdate().isoformat(),
            "follow_up_owner": volunteer.pk,
        },
    )


def join(kind):
    return browser().post(
        reverse("organise:join"),
        {"first_name": "Dara", "email": "joiner@example.test", "type": kind.pk},
    )


def time_passes(minutes=5):
    """The beat tick leaves alone messages written in the last minute (their own task
    normally has them); a few minutes on, it takes them."""
    OutboxMessage.objects.update(created_at=timezone.now() - timedelta(minutes=minutes))


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_with_redis_down_everything_saves_and_each_email_goes_once_when_it_is_back(
    redis_of_the_hub, outage
):
    redis = redis_of_the_hub
    campaign, event = CampaignFactory(), EventFactory()
    kind, place = MembershipTypeFactory(), LocalityFactory()
    volunteer = make_user(Role.VOLUNTEER, email="volunteer@example.test")
    # The hub was working before the outage: it holds a connection to the broker.
    notify_tasks.outbox_deliver_pending.delay()

    if outage == "stopped":
        redis.stop()
    else:
        redis.freeze()
    answers = {
        "sign-up": timed(lambda: sign_up(campaign)),
        "rsvp": timed(lambda: rsvp(event)),
        "conversation": timed(lambda: log_conversation(volunteer, place)),
        "join": timed(lambda: join(kind)),
    }
    if outage == "stopped":
        redis.start()
    else:
        redis.thaw()

    print({name: f"{seconds:.2f}s" for name, (_, seconds) in answers.items()})
    for name, (response, _) in answers.items():
        assert response is not None, f"{name} did not answer in {PATIENCE}s with Redis {outage}"
        assert response.status_code == 302, f"{name} answered {response.status_code}"
    assert Signup.objects.get().email == "signer@example.test"
    assert Rsvp.objects.get().person.email == "guest@example.test"
    assert FollowUp.objects.get().conversation == Conversation.objects.get()
    assert JoinApplication.objects.get().email == "joiner@example.test"
    waiting = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
    assert sorted(waiting.values_list("to_email", flat=True)) == [
        "guest@example.test",
        "joiner@example.test",
        "signer@example.test",
    ]

    time_passes()
    with TaskWatch() as watch, worker():
        listening_tasks.follow_ups_remind_due.delay()  # the follow-up is due today
        notify_tasks.outbox_deliver_pending.delay()
        watch.wait(timeout=30)
        time_passes()
        notify_tasks.outbox_deliver_pending.delay()  # a later tick sends nothing again
        listening_tasks.follow_ups_remind_due.delay()
        watch.wait(timeout=30)

    assert sorted(message.to[0] for message in mail.outbox) == [
        "guest@example.test",
        "joiner@example.test",
        "signer@example.test",
        "volunteer@example.test",
    ]
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()
