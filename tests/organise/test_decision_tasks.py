"""Decision review reminders: when a decision's review date comes, its owner gets one email
for that date however often the daily task runs (on a real Celery worker too), and another
only when the review is moved to a later date or the decision handed to someone else; none
for a decision done or dropped, nor to an owner without an address. An owner with an account
is reminded as part of their role, with a link; one without (a group's member) only with
their consent, and asked to reply to the meeting's organisers. The daily round writes out
only what it has not written before. The outbox's last check cancels a reminder no longer
wanted. The owner's reviews due within a week are on their dashboard."""

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
from tests.organise.factories_meetings import GroupMeetingFactory
from tests.people.factories import ConsentFactory, GroupMembershipFactory, PersonFactory

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
    assert message.key == f"{PREFIX}{decision.pk}:{today.isoformat()}:{owner.person.pk}"
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
        f"{PREFIX}{decision.pk}:{today.isoformat()}:{owner.person.pk}",
        f"{PREFIX}{decision.pk}:{later.isoformat()}:{owner.person.pk}",
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
    assert (
        message.key == f"{PREFIX}{decision.pk}:{decision.review_on.isoformat()}:{owner.person.pk}"
    )
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

    remind()

    message = reminders().get()
    assert message.person == volunteer.person
    assert reverse("organise:decision_review", args=[decision.pk]) in message.body_text


# Owners without an account: a group's members ------------------------------------------


def _group_decision(owner, *, created_by=None, review_on=None):
    today = timezone.localdate()
    meeting = GroupMeetingFactory(held_on=today - 7 * DAY, created_by=created_by)
    GroupMembershipFactory(group=meeting.group, person=owner)
    return DecisionFactory(meeting=meeting, owner=owner, review_on=review_on or today)


@pytest.mark.django_db
def test_an_owner_without_an_account_is_asked_to_reply_to_the_organisers_not_sent_a_link():
    organiser = make_user(Role.MEMBER, "lena@example.test", first_name="Lena")
    nell = PersonFactory(first_name="Nell", email="nell@example.test")
    ConsentFactory(person=nell)
    decision = _group_decision(nell, created_by=organiser)

    assert remind() == 1

    message = reminders().get()
    assert (message.to_email, message.reply_to) == ("nell@example.test", "lena@example.test")
    assert "Reply to this email to tell the organisers" in message.body_text
    assert decision.meeting.title in message.body_text
    assert "http" not in message.body_text, "no page they could not open"
    message_deliver(message_id=message.pk)
    assert mail.outbox[0].reply_to == ["lena@example.test"]


@pytest.mark.django_db
def test_without_the_organisers_address_the_owner_is_asked_to_speak_with_them():
    closed = make_user(Role.MEMBER, "gone@example.test")
    closed.is_active = False
    closed.save()
    for created_by in (None, closed):
        owner = PersonFactory()
        ConsentFactory(person=owner)
        _group_decision(owner, created_by=created_by)

    assert remind() == 2

    for message in reminders():
        assert message.reply_to == ""
        assert "Speak with the organisers of" in message.body_text
        assert "Reply to this email" not in message.body_text
        assert "http" not in message.body_text


@pytest.mark.django_db
def test_an_owner_without_an_account_is_reminded_only_with_their_consent_to_hear_by_email(
    send_check,
):
    never_asked = PersonFactory(email="never@example.test")
    _group_decision(never_asked)
    withdrew = PersonFactory(email="withdrew@example.test")
    ConsentFactory(person=withdrew, recorded_at=timezone.now() - DAY)
    ConsentFactory(person=withdrew, given=False)
    _group_decision(withdrew)
    agreed = PersonFactory(email="agreed@example.test")
    consent = ConsentFactory(person=agreed)
    _group_decision(agreed)

    assert remind() == 1

    message = reminders().get()
    assert (message.to_email, message.category) == (
        "agreed@example.test",
        OutboxMessage.Category.CONTACT,
    )
    # Consent withdrawn after the row was written: checked again before sending.
    ConsentFactory(person=agreed, given=False, recorded_at=consent.recorded_at + DAY)
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.CANCELLED
    assert not mail.outbox


@pytest.mark.django_db
def test_an_owner_with_an_account_is_reminded_as_part_of_their_role_without_asking_consent():
    member = make_user(Role.MEMBER, "gus@example.test")
    _group_decision(member.person)

    remind()

    message = reminders().get()
    assert (message.to_email, message.category) == ("gus@example.test", "work")
    assert message.reply_to == ""


# A decision handed on, and the daily round -----------------------------------------------


@pytest.mark.django_db
def test_a_decision_handed_to_someone_else_on_its_review_date_reminds_the_new_owner(
    owner, send_check
):
    today = timezone.localdate()
    staff = make_user(Role.STAFF, "sam@example.test")
    bo = make_user(Role.MEMBER, "bo@example.test", first_name="Bo")
    decision = DecisionFactory(
        meeting=MeetingFactory(held_on=today - 30 * DAY), owner=owner.person, review_on=today
    )
    assert remind() == 1
    services.decision_edit(
        decision=decision,
        edited_by=staff,
        summary=decision.summary,
        decided_by=decision.decided_by,
        owner=bo.person,
        review_on=today,
        status=Decision.Status.OPEN,
    )

    assert remind() == 1
    for message in reminders():
        message_deliver(message_id=message.pk)

    statuses = {m.to_email: m.status for m in reminders()}
    assert statuses == {
        "maya@example.test": OutboxMessage.Status.CANCELLED,
        "bo@example.test": OutboxMessage.Status.SENT,
    }
    assert [m.to for m in mail.outbox] == [["bo@example.test"]]


@pytest.mark.django_db
def test_the_daily_round_writes_out_only_reminders_not_yet_written_and_counts_those(
    owner, on_day, monkeypatch, django_assert_num_queries
):
    today = timezone.localdate()
    meeting = MeetingFactory(held_on=today - 60 * DAY)
    for days in (0, 3, 10):
        DecisionFactory(meeting=meeting, owner=owner.person, review_on=today - days * DAY)
    assert remind() == 3
    rendered = []
    real_render = services.render_to_string
    monkeypatch.setattr(
        services, "render_to_string", lambda *a, **k: rendered.append(a) or real_render(*a, **k)
    )

    on_day(today + DAY)
    # The decisions due, and the reminders already written: nothing more.
    with django_assert_num_queries(2):
        assert remind() == 0
    assert rendered == []

    late = DecisionFactory(meeting=meeting, owner=owner.person, review_on=today)
    assert remind() == 1
    assert len(rendered) == 1
    assert reminders().filter(key__contains=f"{PREFIX}{late.pk}:").count() == 1
    assert reminders().count() == 4


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
    odd.key = f"{PREFIX}{still.pk}:{today.isoformat()}:not-a-person"
    assert services.review_message_still_wanted(odd)


@pytest.mark.django_db
def test_the_send_check_follows_the_owner_the_key_names(owner):
    today = timezone.localdate()
    decision = DecisionFactory(
        meeting=MeetingFactory(held_on=today - 30 * DAY), owner=owner.person, review_on=today
    )
    message = _queued(decision)
    assert message.key.endswith(f":{owner.person.pk}")
    assert services.review_message_still_wanted(message)

    Decision.objects.filter(pk=decision.pk).update(owner=PersonFactory())
    assert not services.review_message_still_wanted(message)
    # A key written before keys named the owner: the person written to.
    Decision.objects.filter(pk=decision.pk).update(owner=owner.person)
    message.key = f"{PREFIX}{decision.pk}:{today.isoformat()}"
    assert services.review_message_still_wanted(message)


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
