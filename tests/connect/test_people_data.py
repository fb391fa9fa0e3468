"""What Connect contributes to the core about a person and the hub: timeline, data export,
erasure, dashboard figures, what waits on the signed-in person, and offers of time."""

import datetime
import io
import json
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from connect.models import JoinRequest, Rsvp, Shift, ShiftSignup, VolunteerOffer
from connect.selectors import volunteering as selectors
from connect.selectors.volunteering import hours_this_month, volunteering_counts
from hubsite.people import services as people_services
from hubsite.people.models import Person
from tests.connect.factories import (
    EventFactory,
    JoinRequestFactory,
    RsvpFactory,
    ShiftFactory,
    ShiftSignupFactory,
    VolunteerOfferFactory,
)
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_person():
    """Someone who answered events, came to one, offered time, gave hours, asked to join."""
    person = PersonFactory(first_name="Busy", last_name="Bee")
    past = timezone.now() - datetime.timedelta(days=3)
    came = EventFactory(
        title="Spring clean", starts_at=past, ends_at=past + datetime.timedelta(hours=2)
    )
    RsvpFactory(event=came, person=person, attendance=Rsvp.Attendance.ATTENDED)
    RsvpFactory(event=EventFactory(title="Summer fair"), person=person)
    VolunteerOfferFactory(person=person, description="Gardening on Saturdays")
    shift = ShiftFactory(starts_at=past, ends_at=past + datetime.timedelta(hours=3))
    ShiftSignupFactory(shift=shift, person=person, hours=Decimal("2.5"))
    JoinRequestFactory(person=person, message="Count me in")
    return person


def test_the_persons_timeline_holds_their_events_volunteering_and_requests(
    staff_client, busy_person
):
    response = staff_client.get(busy_person.get_absolute_url())
    titles = [entry.title for entry in response.context["timeline"] if entry.area == "connect"]
    assert "Has a place at Summer fair" in titles
    assert "Has a place at Spring clean" in titles
    assert "Offered to volunteer" in titles
    assert any(title.startswith("Volunteering: ") for title in titles)
    assert any(title.startswith("Asked to join ") for title in titles)


def test_the_export_holds_everything_connect_knows(staff_client, busy_person):
    response = staff_client.get(reverse("people:person_export", args=[busy_person.pk]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))["holdings"]["connect"]["data"]
    assert {row["event"] for row in data["events"]} == {"Spring clean", "Summer fair"}
    assert data["events"][0]["attendance"] == "Came"
    assert data["volunteering_offers"][0]["what"] == "Gardening on Saturdays"
    assert data["shifts"][0]["hours"] == "2.50"
    assert data["requests_to_join_groups"][0]["message"] == "Count me in"


def test_erasure_removes_it_all_and_gives_their_place_to_the_next_in_line(busy_person):
    upcoming = Rsvp.objects.get(person=busy_person, event__title="Summer fair").event
    upcoming.capacity = 1
    upcoming.save()
    waiting = RsvpFactory(event=upcoming, status=Rsvp.Status.WAITING)
    person_id = busy_person.pk
    people_services.person_erase(person=busy_person)
    assert not Person.objects.filter(last_name="Bee").exists()
    for model in (Rsvp, ShiftSignup, VolunteerOffer, JoinRequest):
        assert not model.objects.filter(person_id=person_id).exists()
    waiting.refresh_from_db()
    assert waiting.status == Rsvp.Status.CONFIRMED
    # Their answer to the past event stays as a count, without them; the coming one went.
    assert list(Rsvp.objects.filter(person=None).values_list("event__title", "attendance")) == [
        ("Spring clean", Rsvp.Attendance.ATTENDED)
    ]


def test_erasure_keeps_the_hours_they_gave_and_frees_their_places_to_come(
    staff_client, busy_person
):
    given = ShiftSignup.objects.get(person=busy_person)
    month_of_shift = given.shift.starts_at
    coming = ShiftSignupFactory(person=busy_person, shift=ShiftFactory(places=1))
    past_no_hours = ShiftSignupFactory(
        person=busy_person,
        shift=ShiftFactory(
            opportunity=given.shift.opportunity,
            starts_at=given.shift.starts_at - datetime.timedelta(days=1),
            ends_at=given.shift.ends_at - datetime.timedelta(days=1),
        ),
    )
    before = {
        "this_month": hours_this_month(month_of_shift),
        "dashboard": volunteering_counts(month_of_shift)["hours_this_month"],
    }
    assert before == {"this_month": Decimal("2.5"), "dashboard": Decimal("2.5")}

    people_services.person_erase(person=busy_person)

    assert {
        "this_month": hours_this_month(month_of_shift),
        "dashboard": volunteering_counts(month_of_shift)["hours_this_month"],
    } == before
    given.refresh_from_db()
    assert (given.person, given.hours, given.status) == (None, Decimal("2.5"), "signed_up")
    assert str(given) == f"Someone on {given.shift}"
    assert not ShiftSignup.objects.filter(pk__in=[coming.pk, past_no_hours.pk]).exists()
    assert selectors.with_places(Shift.objects.filter(pk=coming.shift_id)).get().places_left == 1
    # The pages of those who run it cope with a place held by nobody the hub knows.
    detail = staff_client.get(given.shift.opportunity.get_absolute_url())
    assert detail.status_code == 200
    who_came = re.findall(r'data-label="Who came">(.*?)</td>', detail.content.decode())
    assert any("(2.50 h)" in cell for cell in who_came)
    assert not [cell for cell in who_came if "None" in cell or busy_person.first_name in cell]
    hours = staff_client.get(reverse("connect:hours_log", args=[given.shift.pk]))
    assert hours.status_code == 200 and "None" not in hours.content.decode()
    # Someone else may still take a place on that shift.
    ShiftSignupFactory(shift=given.shift)


def test_the_dashboard_shows_connect_figures_to_staff(staff_client, busy_person):
    response = staff_client.get(reverse("home"))
    figures = {f.label: f.value for f in response.context["figures"] if f.area == "connect"}
    assert figures["Upcoming events"] == 1
    assert figures["Places taken at upcoming events"] == 1
    assert figures["% attendance (last 90 days)"] == 100
    assert figures["Volunteer hours this month"] in (0, 2)  # 3 days ago may be last month


def test_a_member_sees_their_next_events_but_no_hub_figures(member_client, member_user):
    event = EventFactory(title="Coffee morning")
    RsvpFactory(event=event, person=member_user.person)
    response = member_client.get(reverse("home"))
    assert not [f for f in response.context["figures"] if f.area == "connect"]
    tasks = [task for task in response.context["tasks"] if task.area == "connect"]
    assert [task.url for task in tasks] == [event.get_absolute_url()]
    assert "Coffee morning" in response.content.decode()


def test_offers_of_time_join_the_hubs_list_of_offers(staff_client, busy_person):
    response = staff_client.get(reverse("people:offer_list"), {"q": "gardening"})
    assert [offer["person"] for offer in response.context["offers"]] == [busy_person]
    VolunteerOffer.objects.update(active=False)
    response = staff_client.get(reverse("people:offer_list"), {"q": "gardening"})
    assert response.context["offers"] == []


def test_the_dashboard_shows_whats_coming_up_to_those_who_run_the_hub(staff_client, member_client):
    soonest = EventFactory(
        title="Soonest supper", starts_at=timezone.now() + datetime.timedelta(days=1)
    )
    EventFactory(title="Later meeting", starts_at=timezone.now() + datetime.timedelta(days=9))
    EventFactory(
        title="Over already",
        starts_at=timezone.now() - datetime.timedelta(days=2),
        ends_at=timezone.now() - datetime.timedelta(days=2, hours=-1),
    )
    coming = staff_client.get(reverse("home")).context["coming_up"]
    assert [item.title for item in coming] == ["Soonest supper", "Later meeting"]
    assert coming[0].url == soonest.get_absolute_url()
    assert member_client.get(reverse("home")).context["coming_up"] == []
