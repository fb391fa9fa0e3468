"""Check-in at the door: who may use it, marking and undoing arrivals, search, walk-ins,
recording who did not come, and a page that costs the same queries at any length."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from connect.models import Rsvp
from connect.selectors.checkin import checkin_counts, checkin_list
from connect.services import checkin as services
from hubsite.people.models import Consent, GroupMembership, Person, Role
from tests.conftest import make_user
from tests.people.factories import GroupFactory, GroupMembershipFactory, PersonFactory

from .factories import EventFactory, RsvpFactory

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def event(organiser_user):
    return EventFactory(host=organiser_user, group=GroupFactory(), title="Summer supper")


@pytest.fixture
def started(organiser_user):
    now = timezone.now()
    return EventFactory(
        host=organiser_user,
        starts_at=now - datetime.timedelta(minutes=30),
        ends_at=now + datetime.timedelta(hours=2),
    )


@pytest.fixture
def amina(event):
    person = PersonFactory(first_name="Amina", last_name="Yusuf", email="amina@example.test")
    return RsvpFactory(event=event, person=person)


def checkin_url(event):
    return reverse("connect:checkin", args=[event.pk])


def mark_url(rsvp):
    return reverse("connect:checkin_mark", args=[rsvp.event_id, rsvp.pk])


def walk_in_url(event):
    return reverse("connect:checkin_walk_in", args=[event.pk])


def no_shows_url(event):
    return reverse("connect:checkin_no_shows", args=[event.pk])


# Who may use it --------------------------------------------------------------------------


def test_staff_and_the_host_organiser_may_open_the_check_in(staff_client, organiser_client, event):
    assert staff_client.get(checkin_url(event)).status_code == 200
    assert organiser_client.get(checkin_url(event)).status_code == 200


def test_an_organiser_of_the_hosting_group_may_open_the_check_in(event):
    organiser = make_user(Role.ORGANISER, email="group-organiser@example.test")
    GroupMembershipFactory(
        person=organiser.person, group=event.group, role=GroupMembership.Role.ORGANISER
    )
    assert client_for(organiser).get(checkin_url(event)).status_code == 200


def test_another_organiser_gets_not_found_and_changes_nothing(event, amina):
    other = client_for(make_user(Role.ORGANISER, email="other@example.test"))
    assert other.get(checkin_url(event)).status_code == 404
    assert other.post(mark_url(amina), {"attended": "1"}).status_code == 404
    assert other.post(walk_in_url(event), {"first_name": "Sam"}).status_code == 404
    assert other.post(no_shows_url(event)).status_code == 404
    amina.refresh_from_db()
    assert amina.attendance == ""
    assert event.rsvps.count() == 1


def test_a_member_of_the_hosting_group_who_is_only_a_volunteer_is_refused(event, amina):
    volunteer = make_user(Role.VOLUNTEER)
    GroupMembershipFactory(
        person=volunteer.person, group=event.group, role=GroupMembership.Role.ORGANISER
    )
    client = client_for(volunteer)
    assert client.get(checkin_url(event)).status_code == 403
    assert client.post(mark_url(amina), {"attended": "1"}).status_code == 403


def test_members_are_refused(member_client, event, amina):
    assert member_client.get(checkin_url(event)).status_code == 403
    assert member_client.post(mark_url(amina), {"attended": "1"}).status_code == 403
    assert member_client.post(walk_in_url(event), {"first_name": "Sam"}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, event, amina):
    for response in (
        client.get(checkin_url(event)),
        client.post(mark_url(amina), {"attended": "1"}),
        client.post(walk_in_url(event), {"first_name": "Sam"}),
        client.post(no_shows_url(event)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# The list ------------------------------------------------------------------------------


def test_the_list_holds_those_with_a_place_and_walk_ins_by_name(organiser_client, event, amina):
    RsvpFactory(event=event, person=PersonFactory(first_name="Zoe", last_name="Adams"))
    RsvpFactory(
        event=event,
        person=PersonFactory(first_name="Walk", last_name="Inn"),
        walk_in=True,
        attendance=Rsvp.Attendance.ATTENDED,
    )
    RsvpFactory(
        event=event, person=PersonFactory(first_name="Cancelled"), status=Rsvp.Status.CANCELLED
    )
    RsvpFactory(event=event, person=PersonFactory(first_name="Waiting"), status=Rsvp.Status.WAITING)
    RsvpFactory(person=PersonFactory(first_name="Elsewhere"))  # another event

    names = [rsvp.person.full_name for rsvp in checkin_list(event)]
    assert names == ["Zoe Adams", "Walk Inn", "Amina Yusuf"]

    content = organiser_client.get(checkin_url(event)).content.decode()
    assert "Amina Yusuf" in content
    assert "Cancelled" not in content
    assert "Waiting" not in content
    assert "Elsewhere" not in content


def test_each_button_says_whose_arrival_it_records(organiser_client, event, amina):
    content = organiser_client.get(checkin_url(event)).content.decode()
    assert 'aria-label="Mark Amina Yusuf arrived"' in content
    services.attendance_mark(rsvp=amina, attended=True)
    content = organiser_client.get(checkin_url(event)).content.decode()
    assert 'aria-label="Undo Amina Yusuf’s arrival"' in content


def test_search_finds_people_by_name_or_email(organiser_client, event, amina):
    RsvpFactory(
        event=event,
        person=PersonFactory(first_name="Bob", last_name="Marley", email="bob@example.test"),
    )
    for search in ("amina", "YUSUF", "amina yus", "amina@example"):
        content = organiser_client.get(checkin_url(event), {"q": search}).content.decode()
        assert "Amina Yusuf" in content, search
        assert "Bob Marley" not in content, search
    content = organiser_client.get(checkin_url(event), {"q": "nobody"}).content.decode()
    assert "No one with a place matches" in content


def test_an_htmx_search_answers_with_the_results_only(organiser_client, event, amina):
    response = organiser_client.get(checkin_url(event), {"q": "amina"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'id="checkin-results"' in content
    assert "Amina Yusuf" in content
    assert "HX-Request" in response["Vary"]


def test_counts_are_one_query(event, amina, django_assert_num_queries):
    RsvpFactory(event=event, attendance=Rsvp.Attendance.ATTENDED)
    RsvpFactory(event=event, attendance=Rsvp.Attendance.NO_SHOW)
    RsvpFactory(event=event, walk_in=True, attendance=Rsvp.Attendance.ATTENDED)
    RsvpFactory(event=event, status=Rsvp.Status.CANCELLED, attendance=Rsvp.Attendance.ATTENDED)
    RsvpFactory(event=event, status=Rsvp.Status.WAITING)
    with django_assert_num_queries(1):
        counts = checkin_counts(event)
    assert counts == {"expected": 3, "arrived": 2, "no_show": 1, "walk_ins": 1, "unrecorded": 1}


def _fill(event, count, start):
    people = Person.objects.bulk_create(
        Person(first_name=f"Guest{n}", last_name="Bulk", email=f"guest{n}@example.test")
        for n in range(start, start + count)
    )
    Rsvp.objects.bulk_create(
        Rsvp(
            event=event,
            person=person,
            status=Rsvp.Status.CONFIRMED,
            walk_in=n % 7 == 0,
            attendance=Rsvp.Attendance.ATTENDED if n % 3 == 0 else "",
        )
        for n, person in enumerate(people)
    )


@pytest.mark.parametrize("viewer", ["staff", "group organiser"])
def test_the_check_in_page_costs_the_same_queries_with_5_and_100_rsvps(staff_client, event, viewer):
    client = staff_client
    if viewer == "group organiser":
        organiser = make_user(Role.ORGANISER, email="group-organiser@example.test")
        GroupMembershipFactory(
            person=organiser.person, group=event.group, role=GroupMembership.Role.ORGANISER
        )
        client = client_for(organiser)
    _fill(event, 5, 0)
    with CaptureQueriesContext(connection) as few:
        assert client.get(checkin_url(event)).status_code == 200
    _fill(event, 95, 5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(checkin_url(event))
    assert response.status_code == 200
    assert len(few) == len(many)
    assert response.content.decode().count('class="checkin-row') == 50  # the first page
    with CaptureQueriesContext(connection) as searching:
        client.get(checkin_url(event), {"q": "guest1 bulk"}, HTTP_HX_REQUEST="true")
    assert len(searching) <= len(many)


# Marking arrivals ----------------------------------------------------------------------


def test_marking_arrived_records_attendance_apart_from_the_place(organiser_client, event, amina):
    response = organiser_client.post(mark_url(amina), {"attended": "1", "q": "ami", "page": "2"})
    assert response.status_code == 302
    assert response["Location"] == checkin_url(event) + f"?q=ami&page=2#rsvp-{amina.pk}"
    amina.refresh_from_db()
    assert amina.attendance == Rsvp.Attendance.ATTENDED
    assert amina.checked_in_at is not None
    assert amina.status == Rsvp.Status.CONFIRMED
    assert "Amina Yusuf has arrived." in organiser_client.get(response["Location"]).content.decode()


def test_marking_twice_keeps_the_first_arrival_time(event, amina):
    first = services.attendance_mark(rsvp=amina, attended=True).checked_in_at
    again = services.attendance_mark(rsvp=amina, attended=True).checked_in_at
    assert again == first


def test_undo_clears_the_arrival(organiser_client, event, amina):
    services.attendance_mark(rsvp=amina, attended=True)
    response = organiser_client.post(mark_url(amina), {"attended": "0"})
    assert response.status_code == 302
    amina.refresh_from_db()
    assert amina.attendance == ""
    assert amina.checked_in_at is None
    assert amina.status == Rsvp.Status.CONFIRMED


def test_an_htmx_tap_swaps_the_row_and_the_counts(organiser_client, event, amina):
    response = organiser_client.post(mark_url(amina), {"attended": "1"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert f'id="rsvp-{amina.pk}"' in content
    assert ">Undo</button>" in content
    assert 'id="checkin-counts" hx-swap-oob="innerHTML"' in content
    assert "<strong>1</strong> arrived" in content
    # No message is left waiting to surprise the next page.
    assert "has arrived" not in organiser_client.get(checkin_url(event)).content.decode()


def test_a_cancelled_answer_cannot_be_marked(organiser_client, event, amina):
    amina.status = Rsvp.Status.CANCELLED
    amina.save()
    response = organiser_client.post(mark_url(amina), {"attended": "1"}, follow=True)
    assert "no longer has a place" in response.content.decode()
    amina.refresh_from_db()
    assert amina.attendance == ""
    response = organiser_client.post(mark_url(amina), {"attended": "1"}, HTTP_HX_REQUEST="true")
    assert response.headers["HX-Redirect"] == checkin_url(event)


def test_an_answer_to_another_event_or_a_bad_value_is_refused(organiser_client, event, amina):
    elsewhere = RsvpFactory()
    url = reverse("connect:checkin_mark", args=[event.pk, elsewhere.pk])
    assert organiser_client.post(url, {"attended": "1"}).status_code == 404
    assert organiser_client.post(mark_url(amina), {"attended": "maybe"}).status_code == 400
    assert organiser_client.get(mark_url(amina)).status_code == 405
    amina.refresh_from_db()
    assert amina.attendance == ""


# Walk-ins ------------------------------------------------------------------------------


def test_a_new_walk_in_is_added_and_marked_arrived(organiser_client, organiser_user, event):
    response = organiser_client.post(
        walk_in_url(event),
        {
            "first_name": " Sam ",
            "last_name": "Okafor",
            "email": "Sam@Example.test",
            "consent_contact": "on",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(email="sam@example.test")
    assert (person.first_name, person.first_contact) == ("Sam", Person.FirstContact.EVENT)
    rsvp = Rsvp.objects.get(event=event, person=person)
    assert rsvp.status == Rsvp.Status.CONFIRMED
    assert rsvp.walk_in
    assert rsvp.attendance == Rsvp.Attendance.ATTENDED
    assert rsvp.checked_in_at is not None
    assert response["Location"] == checkin_url(event) + f"#rsvp-{rsvp.pk}"
    consent = person.consents.get()
    assert (consent.purpose, consent.method, consent.recorded_by) == (
        Consent.Purpose.CONTACT_EMAIL,
        Consent.Method.VERBAL,
        organiser_user,
    )


def test_a_walk_in_without_email_needs_only_a_first_name(organiser_client, event):
    organiser_client.post(walk_in_url(event), {"first_name": "Jo"})
    rsvp = Rsvp.objects.get(event=event)
    assert (rsvp.person.first_name, rsvp.person.email, rsvp.walk_in) == ("Jo", "", True)


def test_a_walk_in_with_a_known_email_is_not_a_duplicate_person(organiser_client, event):
    known = PersonFactory(first_name="Amina", last_name="Yusuf", email="amina@example.test")
    organiser_client.post(walk_in_url(event), {"first_name": "Ami", "email": "AMINA@example.test"})
    assert Person.objects.filter(email__iexact="amina@example.test").count() == 1
    rsvp = Rsvp.objects.get(event=event)
    assert rsvp.person == known
    assert rsvp.walk_in
    assert rsvp.attendance == Rsvp.Attendance.ATTENDED


def test_a_walk_in_who_had_a_place_is_marked_arrived_on_their_answer(
    organiser_client, event, amina
):
    response = organiser_client.post(
        walk_in_url(event), {"first_name": "Amina", "email": "amina@example.test"}, follow=True
    )
    assert "had already answered" in response.content.decode()
    rsvp = Rsvp.objects.get(event=event)  # still one answer
    assert rsvp.pk == amina.pk
    assert rsvp.attendance == Rsvp.Attendance.ATTENDED
    assert not rsvp.walk_in


@pytest.mark.parametrize("status", [Rsvp.Status.WAITING, Rsvp.Status.CANCELLED])
def test_a_walk_in_from_the_waiting_list_or_who_cancelled_gets_their_place(event, amina, status):
    amina.status = status
    amina.cancelled_at = timezone.now() if status == Rsvp.Status.CANCELLED else None
    amina.save()
    rsvp, created = services.walk_in_add(
        event=event, first_name="Amina", email="amina@example.test"
    )
    assert not created
    assert rsvp.pk == amina.pk
    assert (rsvp.status, rsvp.walk_in, rsvp.cancelled_at) == (Rsvp.Status.CONFIRMED, True, None)
    assert rsvp.attendance == Rsvp.Attendance.ATTENDED


def test_a_full_event_still_takes_walk_ins(event):
    event.capacity = 1
    event.save()
    RsvpFactory(event=event)
    rsvp, created = services.walk_in_add(event=event, first_name="Extra")
    assert created
    assert event.rsvps.filter(status=Rsvp.Status.CONFIRMED).count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"first_name": "Sam", "email": "sam@@example"}, "Enter a valid email address"),
        ({"first_name": "   ", "email": "sam@example.test"}, "Enter their first name."),
        ({"first_name": "", "last_name": "Okafor"}, "Enter their first name."),
        ({"first_name": "Sam", "consent_contact": "on"}, "Give their email address"),
    ],
)
def test_bad_walk_in_details_get_a_clear_message_and_save_nothing(
    organiser_client, event, data, message
):
    people = Person.objects.count()
    response = organiser_client.post(walk_in_url(event), data)
    content = response.content.decode()
    assert response.status_code == 400
    assert message in content
    assert "The walk-in was not added" in content
    assert Person.objects.count() == people
    assert not Rsvp.objects.exists()
    assert not Consent.objects.exists()


def test_the_service_rechecks_the_walk_in_details(event):
    with pytest.raises(ValidationError) as error:
        services.walk_in_add(event=event, first_name=" ", email="not-an-email")
    assert set(error.value.message_dict) == {"first_name", "email"}
    assert not Rsvp.objects.exists()


def test_a_cancelled_event_takes_no_walk_ins(organiser_client, event):
    event.status = event.Status.CANCELLED
    event.save()
    response = organiser_client.post(walk_in_url(event), {"first_name": "Sam"})
    assert response.status_code == 400
    assert "This event has been cancelled." in response.content.decode()
    assert not Rsvp.objects.exists()
    assert not Person.objects.filter(first_name="Sam").exists()


def test_opening_the_walk_in_address_leads_to_the_form(organiser_client, event):
    response = organiser_client.get(walk_in_url(event))
    assert response["Location"] == checkin_url(event) + "#walk-in"


# Who did not come ----------------------------------------------------------------------


def test_no_shows_are_recorded_only_for_places_without_attendance(organiser_client, started):
    unrecorded = RsvpFactory(event=started)
    arrived = RsvpFactory(event=started, attendance=Rsvp.Attendance.ATTENDED)
    waiting = RsvpFactory(event=started, status=Rsvp.Status.WAITING)
    cancelled = RsvpFactory(event=started, status=Rsvp.Status.CANCELLED)
    other_event = RsvpFactory()

    response = organiser_client.post(no_shows_url(started), follow=True)
    assert "1 person recorded as not come." in response.content.decode()
    for rsvp in (unrecorded, arrived, waiting, cancelled, other_event):
        rsvp.refresh_from_db()
    assert unrecorded.attendance == Rsvp.Attendance.NO_SHOW
    assert unrecorded.status == Rsvp.Status.CONFIRMED  # the place is not touched
    assert arrived.attendance == Rsvp.Attendance.ATTENDED
    assert waiting.attendance == cancelled.attendance == other_event.attendance == ""


def test_recording_no_shows_again_changes_nothing(started):
    RsvpFactory(event=started)
    assert services.no_shows_record(event=started) == 1
    assert services.no_shows_record(event=started) == 0


def test_a_late_arrival_is_marked_arrived_over_not_come(started):
    late = RsvpFactory(event=started)
    services.no_shows_record(event=started)
    late = services.attendance_mark(rsvp=late, attended=True)
    assert late.attendance == Rsvp.Attendance.ATTENDED


def test_no_shows_cannot_be_recorded_before_the_event_starts(organiser_client, event, amina):
    content = organiser_client.get(checkin_url(event)).content.decode()
    assert "Record everyone else as not come" not in content
    response = organiser_client.post(no_shows_url(event), follow=True)
    assert "once the event has started" in response.content.decode()
    amina.refresh_from_db()
    assert amina.attendance == ""


def test_the_no_shows_button_shows_once_the_event_has_started(organiser_client, started):
    content = organiser_client.get(checkin_url(started)).content.decode()
    assert "Record everyone else as not come" in content
