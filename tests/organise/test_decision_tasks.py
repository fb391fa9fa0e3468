"""Decision review reminders: when a decision's review date comes, its owner gets one email
for that date however often the daily task runs (on a real Celery worker too), and another
only when the review is moved to a later date; none for a decision done or dropped, nor to
an owner without an address. The outbox's last check cancels a reminder no longer wanted.
The owner's reviews due within a week are on their dashboard."""

import datetime

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from hubsite import celery_app
from hubsite.framework.registry import Task
from hubsite.notify import registry
from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_deliver, message_queue
from hubsite.people.models import Role
from organise import tasks
from organise.models import Decision, Membership
from organise.selectors.meetings import dashboard_tasks
from organise.services import meetings as services
from tests.conftest import TaskWatch, make_user
from tests.organise.factories import DecisionFactory, MeetingFactory, MembershipFactory
from tests.people.factories import PersonFactory

DAY = datetime.timedelta(days=1)
PREFIX = "organise:decision-review:"


def remind():
    return tasks.meetings.decisions_remind_review()


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
    """The check registered for the prefix, as organise's ``ready()`` does."""
    monkeypatch.setitem(registry._send_checks, PREFIX, services.review_message_still_wanted)


@pytest.fixture
def owner(db):
    user = make_user(Role.MEMBER, "maya@example.test", first_name="Maya")
    MembershipFactory(person=user.person, status=Membership.Status.ACTIVE)
    return user


@pytest.mark.django_db
def test_the_owner_is_reminded_once_however_often_the_task_runs(owner):
    today = timezone.localdate()
    decision = DecisionFactory(
        meeting=MeetingFactory(held_on=today - 30 * DAY),
        owner=owner.person,
        summary="Ask the council to\nrepair the lifts",
        review_on=today,
    )

    assert remind() == 1
    remind()
    remind()

    message = reminders().get()
    assert message.key == f"{PREFIX}{decision.pk}:{today.isoformat()}"
    assert (message.to_email, message.person, message.category) == (
        "maya@example.test",
        owner.person,
        OutboxMessage.Category.WORK,
    )
    assert (
        message.subject
        == f"[{settings.HUB_NAME}] Time to review: Ask the council to repair the lifts"
    )
    assert "comes back for review today" in message.body_text
    assert decision.get_absolute_url() in message.body_text


@pytest.mark.django_db
def test_a_review_moved_to_a_later_date_is_reminded_again_on_that_date(owner, on_day):
    today = timezone.localdate()
    decision = DecisionFactory(
        meeting=MeetingFactory(held_on=today - 30 * DAY), owner=owner.person, review_on=today
    )
    remind()
    later = today + 14 * DAY
    services.decision_review(
        decision=decision, reviewed_by=owner, status="open", review_on=later, today=today
    )

    on_day(today + DAY)
    assert remind() == 0  # nothing due until the new date
    on_day(later)
    remind()
    remind()

    assert list(reminders().values_list("key", flat=True)) == [
        f"{PREFIX}{decision.pk}:{today.isoformat()}",
        f"{PREFIX}{decision.pk}:{later.isoformat()}",
    ]


@pytest.mark.django_db
def test_an_overdue_review_not_yet_reminded_is_reminded_once(owner):
    today = timezone.localdate()
    decision = DecisionFactory(
        meeting=MeetingFactory(held_on=today - 60 * DAY),
        owner=owner.person,
        review_on=today - 5 * DAY,
    )
    remind()
    remind()
    message = reminders().get()
    assert message.key.endswith(decision.review_on.isoformat())
    assert "was due for review on" in message.body_text


@pytest.mark.django_db
def test_no_reminder_before_the_date_nor_for_a_decision_done_or_dropped(owner):
    today = timezone.localdate()
    meeting = MeetingFactory(held_on=today - 30 * DAY)
    DecisionFactory(meeting=meeting, owner=owner.person, review_on=today + DAY)
    DecisionFactory(meeting=meeting, owner=owner.person, review_on=today, status="done")
    DecisionFactory(meeting=meeting, owner=owner.person, review_on=today, status="dropped")

    assert remind() == 0
    assert not reminders().exists()


@pytest.mark.django_db
def test_no_reminder_to_an_owner_without_an_address_or_whose_account_is_closed():
    today = timezone.localdate()
    meeting = MeetingFactory(held_on=today - 30 * DAY)
    DecisionFactory(meeting=meeting, owner=PersonFactory(email=""), review_on=today)
    closed = make_user(Role.MEMBER, "closed@example.test")
    closed.is_active = False
    closed.save()
    DecisionFactory(meeting=meeting, owner=closed.person, review_on=today)
    orphan = DecisionFactory(meeting=meeting, review_on=today)
    orphan.owner.delete()  # erased: the decision stays, without its owner

    assert remind() == 0
    assert not reminders().exists()


@pytest.mark.django_db
def test_an_owner_who_cannot_open_the_meeting_is_sent_to_the_review_page():
    today = timezone.localdate()
    volunteer = make_user(Role.VOLUNTEER, "vic@example.test", first_name="Vic")
    decision = DecisionFactory(
        meeting=MeetingFactory(held_on=today - 7 * DAY), owner=volunteer.person, review_on=today
    )
    no_account = DecisionFactory(
        meeting=MeetingFactory(held_on=today - 7 * DAY), owner=PersonFactory(), review_on=today
    )

    remind()

    bodies = {message.person_id: message.body_text for message in reminders()}
    assert reverse("organise:decision_review", args=[decision.pk]) in bodies[volunteer.person.pk]
    # Someone without an account signs in from the meeting's link, like anyone.
    assert no_account.get_absolute_url() in bodies[no_account.owner_id]


# The outbox's last check ---------------------------------------------------------------


def _queued(decision):
    return services.decision_review_remind(decision_id=decision.pk, today=decision.review_on)


@pytest.mark.django_db
def test_the_send_check_wants_a_reminder_only_while_the_review_is_as_reminded(owner):
    today = timezone.localdate()
    meeting = MeetingFactory(held_on=today - 30 * DAY)
    still = DecisionFactory(meeting=meeting, owner=owner.person, review_on=today)
    done = DecisionFactory(meeting=meeting, owner=owner.person, review_on=today)
    moved = DecisionFactory(meeting=meeting, owner=owner.person, review_on=today)
    handed_on = DecisionFactory(meeting=meeting, owner=owner.person, review_on=today)
    gone = DecisionFactory(meeting=meeting, owner=owner.person, review_on=today)
    messages = {name: _queued(d) for name, d in locals().items() if isinstance(d, Decision)}

    Decision.objects.filter(pk=done.pk).update(status=Decision.Status.DONE)
    Decision.objects.filter(pk=moved.pk).update(review_on=today + 7 * DAY)
    Decision.objects.filter(pk=handed_on.pk).update(owner=PersonFactory())
    gone.delete()

    wanted = {name: services.review_message_still_wanted(m) for name, m in messages.items()}
    assert wanted == {
        "still": True,
        "done": False,
        "moved": False,
        "handed_on": False,
        "gone": False,
    }
    odd = OutboxMessage(key=f"{PREFIX}not-a-number", person=owner.person)
    assert services.review_message_still_wanted(odd)
    odd.key = f"{PREFIX}{still.pk}:not-a-date"
    assert services.review_message_still_wanted(odd)


@pytest.mark.django_db
def test_a_reminder_for_a_decision_done_before_it_goes_is_cancelled_not_sent(owner, send_check):
    today = timezone.localdate()
    decision = DecisionFactory(
        meeting=MeetingFactory(held_on=today - 30 * DAY), owner=owner.person, review_on=today
    )
    message = _queued(decision)
    other = DecisionFactory(
        meeting=MeetingFactory(held_on=today - 30 * DAY), owner=owner.person, review_on=today
    )
    kept = _queued(other)
    services.decision_review(
        decision=decision, reviewed_by=owner, status="done", outcome="Fixed.", today=today
    )

    message_deliver(message_id=message.pk)
    message_deliver(message_id=kept.pk)

    message.refresh_from_db()
    kept.refresh_from_db()
    assert (message.status, kept.status) == (
        OutboxMessage.Status.CANCELLED,
        OutboxMessage.Status.SENT,
    )
    assert [m.subject for m in mail.outbox] == [kept.subject]


@pytest.mark.django_db
def test_the_check_leaves_other_organise_messages_alone(owner, send_check):
    message = message_queue(
        key="organise:something-else:1",
        to_email=owner.email,
        subject="Hello",
        body_text="Hi",
        person=owner.person,
        category=OutboxMessage.Category.WORK,
    )
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


# The dashboard -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_owners_reviews_due_within_a_week_are_on_their_dashboard(
    owner, django_assert_num_queries
):
    today = timezone.localdate()
    meeting = MeetingFactory(held_on=today - 30 * DAY)
    overdue = DecisionFactory(
        meeting=meeting, owner=owner.person, summary="Late", review_on=today - DAY
    )
    soon = DecisionFactory(
        meeting=meeting, owner=owner.person, summary="Soon", review_on=today + 7 * DAY
    )
    DecisionFactory(meeting=meeting, owner=owner.person, review_on=today + 8 * DAY)
    DecisionFactory(meeting=meeting, owner=owner.person, review_on=today, status="done")
    DecisionFactory(meeting=meeting, review_on=today)  # someone else's
    owner = type(owner).objects.select_related("person").get(pk=owner.pk)

    with django_assert_num_queries(2):  # the decisions, and whether the viewer is a member
        found = list(dashboard_tasks(owner))

    assert found == [
        Task(
            "organise", "Review the decision: Late", overdue.get_absolute_url(), overdue.review_on
        ),
        Task("organise", "Review the decision: Soon", soon.get_absolute_url(), soon.review_on),
    ]
    assert found[0].is_overdue


@pytest.mark.django_db
def test_a_dashboard_task_for_a_meeting_the_owner_cannot_open_goes_to_the_review_page():
    volunteer = make_user(Role.VOLUNTEER)
    decision = DecisionFactory(owner=volunteer.person, review_on=timezone.localdate())
    [task] = dashboard_tasks(volunteer)
    assert task.url == reverse("organise:decision_review", args=[decision.pk])


@pytest.mark.django_db
def test_someone_without_a_person_has_no_review_tasks():
    from tests.people.factories import UserFactory

    assert dashboard_tasks(UserFactory()) == []


# On a real worker ----------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_on_a_real_worker_each_owner_gets_one_email_per_review_date():
    today = timezone.localdate()
    ada = make_user(Role.STAFF, "ada@example.test", "Ada")
    bo = make_user(Role.ORGANISER, "bo@example.test", "Bo")
    meeting = MeetingFactory(held_on=today - 30 * DAY)
    DecisionFactory(meeting=meeting, owner=ada.person, summary="Fix the lifts", review_on=today)
    DecisionFactory(meeting=meeting, owner=bo.person, summary="Open the garden", review_on=today)
    DecisionFactory(
        meeting=meeting, owner=bo.person, summary="Done one", review_on=today, status="done"
    )
    DecisionFactory(
        meeting=meeting, owner=ada.person, summary="Next month", review_on=today + 30 * DAY
    )

    with (
        TaskWatch() as watch,
        start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30),
    ):
        for _ in range(2):  # the tick run twice sends nothing more
            tasks.meetings.decisions_remind_review.delay()
            watch.wait()

    hub = f"[{settings.HUB_NAME}]"
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("ada@example.test", f"{hub} Time to review: Fix the lifts"),
        ("bo@example.test", f"{hub} Time to review: Open the garden"),
    ]
    assert set(reminders().values_list("status", flat=True)) == {OutboxMessage.Status.SENT}
