"""Events and their RSVPs: answering with or without an account, the waiting list, the
cancel link, capacity under concurrency, and who sees and runs which event."""

import datetime
import itertools
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from connect.models import Event, EventSeries, Rsvp
from connect.services import events as event_services
from connect.services import rsvps as services
from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_deliver
from hubsite.people.models import Consent, GroupMembership, Person
from tests.conftest import make_user
from tests.connect.factories import EventFactory, RsvpFactory, soon
from tests.people.factories import GroupFactory, GroupMembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def answer(client, event, follow=False, **data):
    fields = {"first_name": "Amina", "last_name": "Yusuf", "email": "amina@example.test"}
    fields.update(data)
    return client.post(reverse("connect:rsvp", args=[event.pk]), fields, follow=follow)


def deliver_all():
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        message_deliver(message_id=pk)


def cancel_path(message):
    link = next(word for word in message.body.split() if "/rsvp/cancel/" in word)
    return link.split("localhost:8000", 1)[1]


# Answering -----------------------------------------------------------------------------


def test_anyone_answers_a_public_event_without_an_account(client):
    event = EventFactory()
    response = answer(client, event, consent_contact="on")
    assert response.status_code == 302
    rsvp = Rsvp.objects.get()
    assert (rsvp.status, rsvp.person.email, rsvp.person.first_name) == (
        "confirmed",
        "amina@example.test",
        "Amina",
    )
    assert rsvp.person.first_contact == Person.FirstContact.EVENT
    # Ticked without an account: consent waits for the link in the email (double opt-in).
    assert not rsvp.person.consents.exists()
    deliver_all()
    (message,) = mail.outbox
    assert message.to == ["amina@example.test"]
    assert "You have a place" in message.body
    assert "/rsvp/cancel/" in message.body
    assert "Yes, keep me posted: http://localhost:8000/connect/keep-posted/" in message.body


def test_without_consent_the_confirmation_still_comes_but_nothing_is_recorded(client):
    answer(client, EventFactory())
    assert not Consent.objects.exists()
    deliver_all()
    assert len(mail.outbox) == 1
    assert "keep-posted" not in mail.outbox[0].body


def test_a_known_email_is_the_known_person_never_a_duplicate(client):
    known = PersonFactory(email="amina@example.test", first_name="Amina")
    answer(client, EventFactory(), email="AMINA@example.test", first_name="Someone")
    assert Person.objects.filter(email__iexact="amina@example.test").count() == 1
    assert Rsvp.objects.get().person == known
    known.refresh_from_db()
    assert known.first_name == "Amina"


def test_a_signed_in_member_answers_in_one_click(member_client, member_user):
    event = EventFactory()
    page = member_client.get(event.get_absolute_url())
    assert b'name="email"' not in page.content  # nothing to type
    response = member_client.post(reverse("connect:rsvp", args=[event.pk]))
    assert response.status_code == 302
    assert Rsvp.objects.get().person == member_user.person


def test_answering_twice_changes_nothing_and_says_so(client):
    event = EventFactory()
    answer(client, event)
    response = answer(client, event, follow=True)
    assert "already answered" in response.content.decode()
    assert Rsvp.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"first_name": "  "}, "first_name"),
        ({"email": "a" * 250 + "@example.test"}, "email"),
    ],
)
def test_bad_answers_get_a_message_and_save_nothing(client, data, field):
    event = EventFactory()
    response = answer(client, event, **data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Rsvp.objects.exists()
    assert not Person.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_filled_trap_field_saves_nothing(client):
    event = EventFactory()
    response = answer(client, event, website="http://spam.example")
    assert response.status_code == 302
    assert not Rsvp.objects.exists()
    assert not Person.objects.exists()


def test_too_many_answers_from_one_address_are_slowed_down(client, settings):
    events = EventFactory.create_batch(2)
    for n in range(20):
        answer(client, events[n % 2], email=f"person{n}@example.test")
    response = answer(client, events[0], email="one-more@example.test")
    assert response.status_code == 400
    assert "Too many answers" in response.content.decode()
    assert not Person.objects.filter(email="one-more@example.test").exists()


@pytest.mark.parametrize("state", ["cancelled", "past"])
def test_a_cancelled_or_past_event_takes_no_answers(client, state):
    if state == "cancelled":
        event = EventFactory(status=Event.Status.CANCELLED)
    else:
        start = timezone.now() - datetime.timedelta(days=2)
        event = EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=1))
    response = answer(client, event)
    assert response.status_code == 400
    assert not Rsvp.objects.exists()
    assert not Person.objects.exists()


# The waiting list and the cancel link ---------------------------------------------------


def test_a_full_event_puts_people_on_the_waiting_list_in_order(client):
    event = EventFactory(capacity=1)
    answer(client, event, email="first@example.test")
    answer(client, event, email="second@example.test")
    answer(client, event, email="third@example.test")
    statuses = list(Rsvp.objects.order_by("id").values_list("person__email", "status"))
    assert statuses == [
        ("first@example.test", "confirmed"),
        ("second@example.test", "waiting"),
        ("third@example.test", "waiting"),
    ]
    third = Rsvp.objects.get(person__email="third@example.test")
    from connect.selectors.events import waiting_position

    assert waiting_position(third) == 2


def test_cancelling_from_the_email_link_promotes_the_first_in_line(client):
    event = EventFactory(capacity=1)
    answer(client, event, email="first@example.test")
    answer(client, event, email="second@example.test")
    answer(client, event, email="third@example.test")
    deliver_all()
    first_mail = next(m for m in mail.outbox if m.to == ["first@example.test"])
    path = cancel_path(first_mail)
    page = client.get(path)
    assert page.status_code == 200
    assert Rsvp.objects.get(person__email="first@example.test").status == "confirmed"  # GET
    assert client.post(path).status_code == 200
    statuses = dict(Rsvp.objects.values_list("person__email", "status"))
    assert statuses == {
        "first@example.test": "cancelled",
        "second@example.test": "confirmed",
        "third@example.test": "waiting",
    }
    mail.outbox.clear()
    deliver_all()
    (promoted,) = mail.outbox
    assert promoted.to == ["second@example.test"]
    assert "a place has come up" in promoted.subject.lower()
    client.post(path)  # a second click changes nothing
    assert Rsvp.objects.filter(status="confirmed").count() == 1


def test_a_broken_or_old_cancel_link_is_refused(client):
    event = EventFactory()
    answer(client, event)
    rsvp = Rsvp.objects.get()
    old_token = services.cancel_token(rsvp)
    services.rsvp_cancel(rsvp=rsvp)
    answer(client, event)  # answered again: the old link must not cancel the new answer
    assert client.post(reverse("connect:rsvp_cancel", args=[old_token])).status_code == 400
    assert Rsvp.objects.get().status == "confirmed"
    bad = reverse("connect:rsvp_cancel", args=["not-a-token"])
    assert client.get(bad).status_code == 400


def test_a_reminder_queued_before_a_cancellation_is_not_sent(client):
    event = EventFactory(starts_at=soon(days=0, hour=23), reminder_hours=24)
    rsvp = RsvpFactory(event=event)
    Consent.objects.create(person=rsvp.person, purpose="contact_email", given=True, method="online")
    message = services.rsvp_remind(rsvp_id=rsvp.pk)
    services.rsvp_cancel(rsvp=rsvp)
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.CANCELLED


# Who sees what ---------------------------------------------------------------------------


def test_members_only_and_group_events_are_hidden_from_who_may_not_see_them(
    client, member_client, member_user
):
    members = EventFactory(visibility=Event.Visibility.MEMBERS)
    group = GroupFactory()
    for_group = EventFactory(visibility=Event.Visibility.GROUP, group=group)
    assert client.get(members.get_absolute_url()).status_code == 404
    assert member_client.get(members.get_absolute_url()).status_code == 200
    assert member_client.get(for_group.get_absolute_url()).status_code == 404
    GroupMembershipFactory(group=group, person=member_user.person)
    assert member_client.get(for_group.get_absolute_url()).status_code == 200
    assert answer(client, members).status_code == 404
    assert not Rsvp.objects.exists()


def test_the_meeting_link_is_only_for_people_with_a_place(client, member_client, member_user):
    event = EventFactory(format=Event.Format.ONLINE, online_link="https://meet.example/xyz")
    assert b"meet.example/xyz" not in client.get(event.get_absolute_url()).content
    assert b"meet.example/xyz" not in member_client.get(event.get_absolute_url()).content
    RsvpFactory(event=event, person=member_user.person)
    assert b"meet.example/xyz" in member_client.get(event.get_absolute_url()).content
    waiting_event = EventFactory(format="online", online_link="https://meet.example/abc")
    RsvpFactory(event=waiting_event, person=member_user.person, status="waiting")
    assert b"meet.example/abc" not in member_client.get(waiting_event.get_absolute_url()).content


def test_an_old_slug_leads_to_the_right_address(client):
    event = EventFactory(title="Summer fair")
    response = client.get(reverse("connect:event_detail", args=[event.pk, "old-name"]))
    assert response.status_code == 301
    assert response["Location"] == event.get_absolute_url()


# Running events ------------------------------------------------------------------------


def event_data(**overrides):
    start = soon(days=10, hour=18)
    data = {
        "title": "Tenants' meeting",
        "description": "Talk about repairs.",
        "purpose": "Get repairs done",
        "kind": "meeting",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "format": "in_person",
        "venue": "Community centre",
        "capacity": "20",
        "visibility": "public",
        "reminder_hours": "24",
        "frequency": "",
        "occurrences": "1",
    }
    data.update(overrides)
    return data


def test_an_organiser_runs_events_for_their_own_groups_only(organiser_client, organiser_user):
    mine = GroupFactory()
    GroupMembershipFactory(
        group=mine, person=organiser_user.person, role=GroupMembership.Role.ORGANISER
    )
    other = GroupFactory()
    url = reverse("connect:event_create")
    response = organiser_client.post(url, event_data(group=other.pk))
    assert "group" in response.context["form"].errors
    response = organiser_client.post(url, event_data())
    assert "group" in response.context["form"].errors
    assert not Event.objects.exists()
    response = organiser_client.post(url, event_data(group=mine.pk))
    event = Event.objects.get()
    assert response.status_code == 302
    assert (event.group, event.host) == (mine, organiser_user)
    assert organiser_client.get(reverse("connect:event_edit", args=[event.pk])).status_code == 200
    theirs = EventFactory(group=other)
    assert organiser_client.get(reverse("connect:event_edit", args=[theirs.pk])).status_code == 404


def test_volunteers_and_members_do_not_run_events(client, member_client):
    volunteer = make_user("volunteer", "v@example.test")
    client.force_login(volunteer)
    for c in (client, member_client):
        assert c.post(reverse("connect:event_create"), event_data()).status_code == 403
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": soon(days=10, hour=17).strftime("%Y-%m-%dT%H:%M")}, "ends_at"),
        ({"capacity": "0"}, "capacity"),
        ({"format": "online"}, "online_link"),
        ({"venue": ""}, "venue"),
        ({"visibility": "group"}, "group"),
        ({"starts_at": "2020-01-01T10:00", "ends_at": "2020-01-01T12:00"}, "starts_at"),
        ({"occurrences": "3"}, "frequency"),
        ({"occurrences": "99", "frequency": "weekly"}, "occurrences"),
        ({"reminder_hours": "500"}, "reminder_hours"),
    ],
)
def test_an_event_with_bad_answers_is_refused(staff_client, overrides, field):
    response = staff_client.post(reverse("connect:event_create"), event_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Event.objects.exists()


def test_a_weekly_gathering_creates_its_occurrences_at_the_same_local_time(staff_client):
    response = staff_client.post(
        reverse("connect:event_create"), event_data(frequency="weekly", occurrences="6")
    )
    assert response.status_code == 302
    events = list(Event.objects.order_by("starts_at"))
    assert len(events) == 6
    assert EventSeries.objects.get().occurrences == 6
    local = [timezone.localtime(event.starts_at) for event in events]
    assert {moment.strftime("%H:%M") for moment in local} == {"18:00"}  # across clock changes
    assert [(b.date() - a.date()).days for a, b in itertools.pairwise(local)] == [7] * 5


def test_a_monthly_gathering_on_the_31st_falls_on_each_months_last_day():
    start = timezone.make_aware(datetime.datetime(2027, 1, 31, 19))
    user = make_user("staff", "s@example.test")
    event_services.event_create(
        created_by=user,
        frequency="monthly",
        occurrences=3,
        title="Monthly supper",
        description="Food",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        format="in_person",
        venue="Hall",
        online_link="",
        capacity=None,
        visibility="public",
        group=None,
    )
    days = [timezone.localtime(e.starts_at).date() for e in Event.objects.order_by("starts_at")]
    assert days == [
        datetime.date(2027, 1, 31),
        datetime.date(2027, 2, 28),
        datetime.date(2027, 3, 31),
    ]


def test_capacity_cannot_drop_below_the_places_given_and_more_places_promote(staff_client):
    event = EventFactory(capacity=2)
    RsvpFactory.create_batch(2, event=event)
    waiting = RsvpFactory(event=event, status="waiting")
    url = reverse("connect:event_edit", args=[event.pk])
    data = event_data(
        title=event.title,
        starts_at=timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        ends_at=timezone.localtime(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
    )
    response = staff_client.post(url, dict(data, capacity="1"))
    assert "allow at least 2" in str(response.context["form"].errors["capacity"])
    event.refresh_from_db()
    assert event.capacity == 2
    assert staff_client.post(url, dict(data, capacity="3")).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"


def test_cancelling_an_event_tells_everyone_who_answered_once(staff_client):
    event = EventFactory(capacity=1)
    RsvpFactory(event=event)
    RsvpFactory(event=event, status="waiting")
    RsvpFactory(event=event, status="cancelled")
    url = reverse("connect:event_cancel", args=[event.pk])
    staff_client.post(url)
    staff_client.post(url)
    deliver_all()
    assert len(mail.outbox) == 2
    assert all("Cancelled" in m.subject for m in mail.outbox)


# Capacity under concurrency --------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_twenty_people_racing_for_five_places_never_overfill_the_event():
    event = EventFactory(capacity=5)
    barrier = threading.Barrier(20)
    errors = []

    def race(n):
        try:
            barrier.wait(timeout=10)
            services.rsvp_create(
                event=event, first_name=f"Racer{n}", email=f"racer{n}@example.test"
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    counts = {status: Rsvp.objects.filter(status=status).count() for status in Rsvp.Status}
    assert counts == {"confirmed": 5, "waiting": 15, "cancelled": 0}
    first_waiting = Rsvp.objects.filter(status="waiting").order_by("responded_at", "id").first()
    services.rsvp_cancel(rsvp=Rsvp.objects.filter(status="confirmed").first())
    first_waiting.refresh_from_db()
    assert first_waiting.status == "confirmed"
    assert Rsvp.objects.filter(status="confirmed").count() == 5


def test_a_stranger_typing_a_known_address_changes_nothing_of_that_persons_consent(client):
    from hubsite.people.services import consent_record

    bo = PersonFactory(email="bo@example.test")
    consent_record(person=bo, purpose="contact_email", given=False, method="online")
    answer(client, EventFactory(), email="BO@example.test", consent_contact="on")
    assert bo.consents.first().given is False
    assert bo.consents.count() == 1


def test_a_second_answer_after_cancelling_gets_one_reminder_in_all(client):
    event = EventFactory(starts_at=soon(days=0, hour=23), reminder_hours=24)
    rsvp = RsvpFactory(event=event)
    Consent.objects.create(person=rsvp.person, purpose="contact_email", given=True, method="online")
    services.rsvp_remind(rsvp_id=rsvp.pk)
    services.rsvp_cancel(rsvp=rsvp)
    services.rsvp_create(event=event, email=rsvp.person.email, first_name="Again")
    services.rsvp_remind(rsvp_id=rsvp.pk)
    assert OutboxMessage.objects.filter(key__contains=":reminder:").count() == 1


def test_a_cancel_link_after_the_event_says_it_has_happened(client):
    start = timezone.now() - datetime.timedelta(days=1)
    rsvp = RsvpFactory(
        event=EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=1))
    )
    url = reverse("connect:rsvp_cancel", args=[services.cancel_token(rsvp)])
    response = client.post(url)
    assert response.status_code == 400
    assert b"This event has happened" in response.content
    rsvp.refresh_from_db()
    assert rsvp.status == "confirmed"


def test_events_are_planned_at_most_five_years_ahead(staff_client):
    far = "9999-12-01T18:00"
    response = staff_client.post(
        reverse("connect:event_create"),
        event_data(starts_at=far, ends_at="9999-12-01T20:00", frequency="monthly", occurrences="3"),
    )
    assert response.status_code == 200
    assert "starts_at" in response.context["form"].errors
    assert not Event.objects.exists()


def test_an_overfilled_event_can_still_be_edited_when_its_capacity_is_left_alone(staff_client):
    event = EventFactory(capacity=2)
    RsvpFactory.create_batch(3, event=event)  # a walk-in made it three
    data = event_data(
        title="Renamed",
        capacity="2",
        starts_at=timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        ends_at=timezone.localtime(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
    )
    response = staff_client.post(reverse("connect:event_edit", args=[event.pk]), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Renamed"


# What an answer costs --------------------------------------------------------------------


@pytest.mark.parametrize("capacity", [None, 100])
def test_an_answer_costs_the_same_queries_however_many_answers_and_people_there_are(
    client, capacity
):
    """The public answer of someone new: the event found and locked in one query, the
    person added, the answer and its email written, the message kept in a cookie (no session
    for a visitor);
    places counted only when they are limited."""
    event = EventFactory(capacity=capacity)
    queries = []
    for existing in (3, 30):
        for _ in range(existing - Rsvp.objects.count()):
            RsvpFactory(event=event)
        client.cookies.clear()  # each a new visitor, as the benchmark's
        with CaptureQueriesContext(connection) as captured:
            response = answer(client, event, email=f"new-{existing}@example.test")
        assert response.status_code == 302
        queries.append(len(captured))
    assert Rsvp.objects.filter(person__email__startswith="new-").count() == 2
    assert queries[0] == queries[1] == (14 if capacity is None else 15)
