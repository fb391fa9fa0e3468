"""Reminders of a data-protection request's deadline: every active member of staff is emailed
a week before, the day before and once when it has passed, however often the daily task runs;
an extended deadline is reminded again; nothing for a closed request (the outbox's last check
cancels one closed meanwhile); a reminder never names the person or says what they wrote.
The nightly retention task runs its service."""

import datetime

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from hubsite import celery_app
from hubsite.notify import registry
from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_deliver
from hubsite.people.models import Role
from hubsite.privacy import services, tasks
from hubsite.privacy.models import DataRequest, RetentionRun
from tests.conftest import TaskWatch, make_user
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
PREFIX = services.REMINDER_KEY_PREFIX


def reminders():
    return OutboxMessage.objects.filter(key__startswith=PREFIX).order_by("id")


@pytest.fixture
def on_day(monkeypatch):
    """Make ``timezone.localdate()`` answer ``day``: the task's "today"."""

    def travel(day):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    return travel


@pytest.fixture
def send_check(monkeypatch):
    """The check registered for the prefix, as the app's ``ready()`` does."""
    monkeypatch.setitem(registry._send_checks, PREFIX, services.reminder_still_wanted)


@pytest.fixture
def staff():
    """Two active members of staff, and accounts that get no reminder."""
    ada = make_user(Role.STAFF, "ada@example.test", "Ada")
    bo = make_user(Role.STAFF, "bo@example.test", "Bo")
    gone = make_user(Role.STAFF, "gone@example.test")
    gone.is_active = False
    gone.save()
    make_user(Role.ORGANISER, "org@example.test")
    make_user(Role.MEMBER, "member@example.test")
    return [ada, bo]


def request_due_on(due_on, **kwargs):
    """A request logged today, whose deadline is then moved to ``due_on``."""
    data_request = services.data_request_create(
        kind=DataRequest.Kind.ERASURE, channel=DataRequest.Channel.LETTER, **kwargs
    )
    DataRequest.objects.filter(pk=data_request.pk).update(due_on=due_on)
    data_request.refresh_from_db()
    return data_request


def test_staff_are_reminded_a_week_before_the_day_before_and_once_overdue(staff):
    today = timezone.localdate()
    data_request = request_due_on(today + 30 * DAY)
    due = data_request.due_on
    stages = []
    for days_left in (8, 7, 6, 2, 1, 0, -1, -2, -30):
        written = services.data_requests_remind(today=due - days_left * DAY)
        stages.append((days_left, written))

    assert stages == [(8, 0), (7, 2), (6, 0), (2, 0), (1, 2), (0, 0), (-1, 2), (-2, 0), (-30, 0)]
    keys = list(reminders().values_list("key", "to_email"))
    assert [(k.split(":")[-2], email) for k, email in keys] == [
        ("week", "ada@example.test"),
        ("week", "bo@example.test"),
        ("day", "ada@example.test"),
        ("day", "bo@example.test"),
        ("overdue", "ada@example.test"),
        ("overdue", "bo@example.test"),
    ]
    assert set(reminders().values_list("category", flat=True)) == {"work"}


def test_the_task_run_twice_reminds_once(staff, on_day):
    data_request = request_due_on(timezone.localdate() + 7 * DAY)
    on_day(data_request.due_on - 7 * DAY)

    assert tasks.data_requests_remind() == 2
    assert tasks.data_requests_remind() == 0
    assert tasks.data_requests_remind.apply().get() == 0
    assert reminders().count() == 2


def test_a_request_first_seen_a_day_before_gets_only_the_days_reminder(staff):
    data_request = request_due_on(timezone.localdate() + DAY)
    services.data_requests_remind(today=data_request.due_on - DAY)
    assert {k.split(":")[-2] for k in reminders().values_list("key", flat=True)} == {"day"}


def test_no_reminder_for_a_closed_request(staff):
    data_request = request_due_on(timezone.localdate() + 7 * DAY)
    services.data_request_close(request=data_request, closed_by=None, status="withdrawn")
    for days_left in (7, 1, -1):
        assert services.data_requests_remind(today=data_request.due_on - days_left * DAY) == 0
    assert not reminders().exists()


def test_an_extended_deadline_is_reminded_again(staff):
    data_request = request_due_on(timezone.localdate() + 7 * DAY)
    services.data_requests_remind(today=data_request.due_on - 7 * DAY)
    assert reminders().count() == 2

    data_request = services.data_request_extend(
        request=data_request, updated_by=staff[0], reason="Many records"
    )
    assert services.data_requests_remind(today=data_request.due_on - 7 * DAY) == 2
    assert reminders().count() == 4
    assert services.data_requests_remind(today=data_request.due_on - 7 * DAY) == 0


def test_a_reminder_says_the_kind_and_due_date_with_a_link_never_the_person(staff):
    resident = PersonFactory(first_name="Quillon", last_name="Zarathustra", email="q@z.test")
    data_request = request_due_on(
        timezone.localdate() + 7 * DAY, person=resident, details="Delete my doorstep notes"
    )
    services.data_requests_remind(today=data_request.due_on - 7 * DAY)

    message = reminders().first()
    text = message.subject + message.body_text
    assert "Erasure" in text
    assert f"{data_request.due_on:%Y}" in text
    assert reverse("privacy:request_detail", args=[data_request.pk]) in message.body_text
    for secret in ("Quillon", "Zarathustra", "q@z.test", "doorstep"):
        assert secret not in text
    assert message.person == staff[0].person


def test_a_reminder_for_a_request_closed_meanwhile_is_cancelled(staff, send_check):
    data_request = request_due_on(timezone.localdate() + 7 * DAY)
    services.data_requests_remind(today=data_request.due_on - 7 * DAY)
    services.data_request_close(request=data_request, closed_by=None, status="withdrawn")
    mail.outbox.clear()

    for message in reminders():
        message_deliver(message_id=message.pk)

    assert mail.outbox == []
    assert OutboxMessage.Status.SENT not in set(reminders().values_list("status", flat=True))


def test_a_reminder_still_wanted_is_sent(staff, send_check):
    data_request = request_due_on(timezone.localdate() + 7 * DAY)
    services.data_requests_remind(today=data_request.due_on - 7 * DAY)
    mail.outbox.clear()

    for message in reminders():
        message_deliver(message_id=message.pk)

    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.test", "bo@example.test"]


def test_the_check_lets_through_keys_it_does_not_know():
    assert services.reminder_still_wanted(OutboxMessage(key=f"{PREFIX}odd"))
    assert services.reminder_still_wanted(OutboxMessage(key=f"{PREFIX}x:y:z:w"))


def test_the_nightly_retention_task_reports_a_run():
    results = tasks.retention_apply()
    run = RetentionRun.objects.get()
    assert run.started_by is None
    assert run.results == results


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_on_a_real_worker_each_member_of_staff_gets_one_email_per_stage():
    make_user(Role.STAFF, "ada@example.test", "Ada")
    data_request = request_due_on(timezone.localdate() + 7 * DAY)
    assert (data_request.due_on - timezone.localdate()).days == 7

    with (
        TaskWatch() as watch,
        start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30),
    ):
        for _ in range(2):
            tasks.data_requests_remind.delay()
            watch.wait()

    assert [m.to[0] for m in mail.outbox] == ["ada@example.test"]
    assert set(reminders().values_list("status", flat=True)) == {OutboxMessage.Status.SENT}


def test_expired_sessions_are_cleared_nightly_and_live_ones_stay():
    from datetime import timedelta

    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    from hubsite.privacy.tasks import sessions_clear_expired

    live = SessionStore()
    live["seen"] = 1
    live.create()
    old = SessionStore()
    old["seen"] = 1
    old.create()
    Session.objects.filter(session_key=old.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )

    sessions_clear_expired()
    sessions_clear_expired()  # safe to run twice

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
