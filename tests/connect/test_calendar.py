"""The calendar: the upcoming-events list and the month show each viewer what the event rules
let them see, filtered by group, place and type; the iCalendar feeds parse back with the
icalendar package and hold exactly the public events, never a meeting link; the list and the
month run the same number of queries for 5 events as for 100."""

import datetime

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from connect.models import Event, Rsvp
from hubsite.people.models import Person
from tests.conftest import make_user
from tests.connect.factories import EventFactory, RsvpFactory, soon
from tests.people.factories import GroupFactory, GroupMembershipFactory, LocalityFactory

pytestmark = pytest.mark.django_db

SECRET_LINK = "https://meet.example.test/secret-room-4242"


def next_month():
    return (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def at(day, hour=18):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def hub():
    """A choir that holds a public supper and a members-only practice, a tenants' group with
    its own private meeting, an event for everyone signed in, an online event, a cancelled
    one, and events that have already happened; all in next month except the past ones."""
    riverside, hilltop = LocalityFactory(name="Riverside"), LocalityFactory(name="Hilltop")
    choir = GroupFactory(name="Community choir", slug="choir", public=True)
    tenants = GroupFactory(name="Tenants' association", slug="tenants", public=True)
    day = next_month() + datetime.timedelta(days=9)
    events = {
        "supper": EventFactory(
            title="Open supper",
            group=choir,
            locality=riverside,
            starts_at=at(day),
            kind=Event.Kind.GATHERING,
        ),
        "practice": EventFactory(
            title="Choir practice",
            group=choir,
            visibility=Event.Visibility.GROUP,
            starts_at=at(day, 10),
            kind=Event.Kind.ACTIVITY,
        ),
        "committee": EventFactory(
            title="Tenants committee",
            group=tenants,
            visibility=Event.Visibility.GROUP,
            starts_at=at(day + datetime.timedelta(days=1)),
            kind=Event.Kind.MEETING,
        ),
        "tenants_fair": EventFactory(
            title="Tenants fair",
            group=tenants,
            locality=hilltop,
            starts_at=at(day + datetime.timedelta(days=2), 12),
            kind=Event.Kind.ACTIVITY,
        ),
        "members": EventFactory(
            title="Members assembly",
            visibility=Event.Visibility.MEMBERS,
            starts_at=at(day + datetime.timedelta(days=3)),
            kind=Event.Kind.MEETING,
        ),
        "online": EventFactory(
            title="Online training",
            format=Event.Format.ONLINE,
            venue="",
            online_link=SECRET_LINK,
            starts_at=at(day + datetime.timedelta(days=4)),
            kind=Event.Kind.WORKSHOP,
        ),
        "hybrid_members": EventFactory(
            title="Hybrid forum",
            format=Event.Format.HYBRID,
            online_link=SECRET_LINK,
            visibility=Event.Visibility.MEMBERS,
            starts_at=at(day + datetime.timedelta(days=5)),
        ),
        "cancelled": EventFactory(
            title="Street party",
            status=Event.Status.CANCELLED,
            starts_at=at(day + datetime.timedelta(days=6)),
        ),
        "recent": EventFactory(title="Last week's litter pick", starts_at=soon(days=-7)),
        "long_ago": EventFactory(title="Last year's fete", starts_at=soon(days=-200)),
    }
    return {"choir": choir, "tenants": tenants, "riverside": riverside, **events}


PUBLIC_UPCOMING = {"Open supper", "Tenants fair", "Online training", "Street party"}
SIGNED_IN_UPCOMING = PUBLIC_UPCOMING | {"Members assembly", "Hybrid forum"}


def titles(response):
    return {event.title for event in response.context["page"].object_list}


def month_titles(response):
    return {
        event.title for week in response.context["weeks"] for day in week for event in day.events
    }


def choir_member(hub):
    user = make_user("member", "singer@example.test")
    GroupMembershipFactory(person=user.person, group=hub["choir"])
    client = Client()
    client.force_login(user)
    return client


# Who sees what --------------------------------------------------------------------------


def test_anonymous_visitors_see_only_upcoming_public_events(client, hub):
    response = client.get(reverse("connect:event_list"))
    assert response.status_code == 200
    assert titles(response) == PUBLIC_UPCOMING
    assert "Choir practice" not in response.content.decode()


def test_a_member_also_sees_the_events_for_everyone_signed_in(member_client, hub):
    assert titles(member_client.get(reverse("connect:event_list"))) == SIGNED_IN_UPCOMING


def test_a_member_of_the_hosting_group_sees_its_group_only_event(hub):
    response = choir_member(hub).get(reverse("connect:event_list"))
    assert titles(response) == SIGNED_IN_UPCOMING | {"Choir practice"}


def test_staff_see_every_upcoming_event(staff_client, hub):
    response = staff_client.get(reverse("connect:event_list"))
    assert titles(response) == SIGNED_IN_UPCOMING | {"Choir practice", "Tenants committee"}


def test_the_month_follows_the_same_rules(client, member_client, staff_client, hub):
    url = reverse("connect:event_month") + f"?month={next_month():%Y-%m}"
    assert month_titles(client.get(url)) == PUBLIC_UPCOMING
    assert month_titles(member_client.get(url)) == SIGNED_IN_UPCOMING
    assert month_titles(choir_member(hub).get(url)) == SIGNED_IN_UPCOMING | {"Choir practice"}
    assert month_titles(staff_client.get(url)) == SIGNED_IN_UPCOMING | {
        "Choir practice",
        "Tenants committee",
    }


def test_the_group_filter_offers_only_groups_with_events_the_viewer_may_see(client, hub):
    hidden = GroupFactory(name="Secret society")
    EventFactory(title="Secret meeting", group=hidden, visibility=Event.Visibility.GROUP)
    html = client.get(reverse("connect:event_list")).content.decode()
    assert "Community choir" in html and "Tenants&#x27; association" in html
    assert "Secret society" not in html


# What the list shows ----------------------------------------------------------------------


def test_each_event_shows_when_where_its_group_and_the_places_left(client, hub):
    supper = hub["supper"]
    RsvpFactory.create_batch(3, event=supper)
    full = EventFactory(title="Tiny workshop", capacity=1, starts_at=soon(days=3))
    RsvpFactory(event=full)
    RsvpFactory(event=full, status=Rsvp.Status.WAITING)
    html = client.get(reverse("connect:event_list")).content.decode()
    assert f'href="{supper.get_absolute_url()}"' in html
    assert timezone.localtime(supper.starts_at).strftime("%-d %b %Y, 18:00") in html
    assert "The Old Library, 3 Market Street" in html and "Riverside" in html
    assert "Community choir" in html
    assert "27 places left" in html
    assert "Full — waiting list" in html
    assert "Online" in html  # the online training has no venue
    assert "<strong>Cancelled</strong>" in html
    assert SECRET_LINK not in html


def test_the_list_links_to_the_feeds_and_to_the_chosen_groups_feed(client, hub):
    html = client.get(reverse("connect:event_list")).content.decode()
    assert "webcal://testserver/connect/events.ics" in html
    assert "http://testserver/connect/events.ics" in html
    html = client.get(reverse("connect:event_list") + "?group=choir").content.decode()
    assert "webcal://testserver/connect/groups/choir/events.ics" in html
    assert '<option value="choir" selected>Community choir</option>' in html


def test_the_list_filters_by_group_locality_and_type(client, hub):
    url = reverse("connect:event_list")
    assert titles(client.get(url + "?group=tenants")) == {"Tenants fair"}
    assert titles(client.get(url + "?locality=" + hub["riverside"].slug)) == {"Open supper"}
    assert titles(client.get(url + "?kind=workshop")) == {"Online training"}
    assert titles(client.get(url + "?group=choir&kind=workshop")) == set()


def test_filters_not_understood_are_left_out_with_a_message(client, hub):
    response = client.get(reverse("connect:event_list") + "?group=nope&kind=party&page=x")
    assert response.status_code == 200
    assert titles(response) == PUBLIC_UPCOMING
    assert "Some filters were not understood" in response.content.decode()


def test_htmx_gets_only_the_results_and_the_feeds(client, hub):
    response = client.get(reverse("connect:event_list") + "?group=choir", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="results"' in html and "Open supper" in html
    assert 'id="feeds" aria-labelledby="feeds-heading" hx-swap-oob="true"' in html
    assert "HX-Request" in response["Vary"]


def test_the_list_is_paginated(client, settings):
    settings.PAGE_SIZE = 2
    for days in range(1, 6):
        EventFactory(title=f"Gathering on day {days}", starts_at=soon(days=days))
    first = client.get(reverse("connect:event_list"))
    assert titles(first) == {"Gathering on day 1", "Gathering on day 2"}
    last = client.get(reverse("connect:event_list") + "?page=3")
    assert titles(last) == {"Gathering on day 5"}


# The month ------------------------------------------------------------------------------


def test_the_month_is_a_table_of_days_with_their_events(client, hub):
    month = next_month()
    response = client.get(reverse("connect:event_month") + f"?month={month:%Y-%m}")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<caption>{month:%B %Y}</caption>" in html
    assert '<th scope="col">' in html
    assert '<div class="table-wrap">' in html
    days = {day.date: day for week in response.context["weeks"] for day in week}
    supper_day = timezone.localdate(hub["supper"].starts_at)
    assert [event.title for event in days[supper_day].events] == ["Open supper"]
    assert f'href="{hub["supper"].get_absolute_url()}"' in html
    assert all(len(week) == 7 and week[0].date.weekday() == 0 for week in response.context["weeks"])
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    assert f'href="?month={previous:%Y-%m}"' in html
    assert f'href="?month={following:%Y-%m}"' in html


def test_the_month_keeps_the_filters_in_its_links_and_applies_them(client, hub):
    url = reverse("connect:event_month") + f"?month={next_month():%Y-%m}&group=choir"
    response = client.get(url)
    assert month_titles(response) == {"Open supper"}
    assert "group=choir" in response.content.decode().split('rel="next"')[0].rsplit("<a", 1)[1]


def test_an_event_over_several_days_is_on_each_of_them(client):
    first = next_month() + datetime.timedelta(days=2)
    EventFactory(
        title="Weekend camp", starts_at=at(first, 10), ends_at=at(first + datetime.timedelta(2), 0)
    )
    response = client.get(reverse("connect:event_month") + f"?month={first:%Y-%m}")
    days = {day.date for week in response.context["weeks"] for day in week if day.events}
    assert days == {first, first + datetime.timedelta(days=1)}  # ends at midnight


@pytest.mark.parametrize(
    "month",
    ["2026-13", "2026-00", "abc", "2026-1", "1999-12", "2101-01", "0000-00", "9" * 500, "٢٠٢٦-٠١x"],
)
def test_a_month_not_understood_shows_this_month(client, month):
    response = client.get(reverse("connect:event_month"), {"month": month})
    assert response.status_code == 200
    assert response.context["month"] == timezone.localdate().replace(day=1)
    assert "That month was not understood" in response.content.decode()


def test_the_calendar_stops_at_its_first_and_last_months(client):
    html = client.get(reverse("connect:event_month") + "?month=2000-01").content.decode()
    assert 'rel="prev"' not in html and 'href="?month=2000-02"' in html
    html = client.get(reverse("connect:event_month") + "?month=2100-12").content.decode()
    assert 'rel="next"' not in html and 'href="?month=2100-11"' in html


def test_the_month_htmx_request_gets_the_grid_only(client, hub):
    url = reverse("connect:event_month") + f"?month={next_month():%Y-%m}&kind=workshop"
    response = client.get(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "<table" in html and "Online training" in html
    assert "Open supper" not in html


# iCalendar ------------------------------------------------------------------------------


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def summaries(calendar):
    return {str(entry["SUMMARY"]) for entry in calendar.walk("VEVENT")}


def test_the_feed_holds_exactly_the_public_events_recent_and_to_come(client, hub):
    calendar = parse(client.get(reverse("connect:events_ics")))
    assert summaries(calendar) == PUBLIC_UPCOMING | {"Last week's litter pick"}
    assert calendar["VERSION"] == "2.0"


def test_signing_in_does_not_add_private_events_to_the_feed(staff_client, hub):
    calendar = parse(staff_client.get(reverse("connect:events_ics")))
    assert summaries(calendar) == PUBLIC_UPCOMING | {"Last week's litter pick"}


def test_a_feed_event_has_its_times_place_link_and_a_stable_uid(client, hub, settings):
    settings.SITE_URL = "https://hub.example.org"
    supper = hub["supper"]
    calendar = parse(client.get(reverse("connect:events_ics")))
    entry = next(e for e in calendar.walk("VEVENT") if e["SUMMARY"] == "Open supper")
    assert entry["UID"] == f"event-{supper.pk}@hub.example.org"
    assert entry.decoded("DTSTART") == supper.starts_at
    assert entry.decoded("DTEND") == supper.ends_at
    assert entry.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert entry["LOCATION"] == "The Old Library, 3 Market Street, Riverside"
    assert entry["URL"] == "https://hub.example.org" + supper.get_absolute_url()
    assert "Food, music" in entry["DESCRIPTION"]
    assert entry["STATUS"] == "CONFIRMED"
    again = parse(client.get(reverse("connect:events_ics")))
    assert [e["UID"] for e in again.walk("VEVENT")] == [e["UID"] for e in calendar.walk("VEVENT")]


def test_a_cancelled_event_is_marked_cancelled_in_the_feed(client, hub):
    calendar = parse(client.get(reverse("connect:events_ics")))
    statuses = {str(e["SUMMARY"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
    assert statuses["Street party"] == "CANCELLED"
    assert statuses["Open supper"] == "CONFIRMED"


def test_a_groups_feed_holds_only_its_public_events(client, hub):
    calendar = parse(client.get(reverse("connect:group_events_ics", args=["choir"])))
    assert summaries(calendar) == {"Open supper"}
    calendar = parse(client.get(reverse("connect:group_events_ics", args=["tenants"])))
    assert summaries(calendar) == {"Tenants fair"}


def test_a_group_without_a_public_page_has_no_feed(client, hub):
    GroupFactory(name="Private circle", slug="private-circle")
    response = client.get(reverse("connect:group_events_ics", args=["private-circle"]))
    assert response.status_code == 404
    assert b"Private circle" not in response.content


def test_the_feed_of_an_unknown_group_is_not_found(client, hub):
    response = client.get(reverse("connect:group_events_ics", args=["no-such-group"]))
    assert response.status_code == 404


def test_one_event_downloads_as_an_ics_attachment(client, hub):
    supper = hub["supper"]
    response = client.get(reverse("connect:event_ics", args=[supper.pk]))
    calendar = parse(response)
    assert summaries(calendar) == {"Open supper"}
    assert response["Content-Disposition"] == 'attachment; filename="open-supper.ics"'


def test_an_event_downloads_only_for_those_who_may_see_it(client, member_client, hub):
    members = reverse("connect:event_ics", args=[hub["members"].pk])
    practice = reverse("connect:event_ics", args=[hub["practice"].pk])
    assert client.get(members).status_code == 404
    assert summaries(parse(member_client.get(members))) == {"Members assembly"}
    assert member_client.get(practice).status_code == 404
    assert summaries(parse(choir_member(hub).get(practice))) == {"Choir practice"}
    assert client.get(reverse("connect:event_ics", args=[999999])).status_code == 404


def test_no_feed_ever_holds_the_meeting_link(client, staff_client, hub):
    attendee = make_user("member", "attendee@example.test")
    RsvpFactory(event=hub["online"], person=attendee.person)
    signed_in = Client()
    signed_in.force_login(attendee)
    responses = [
        client.get(reverse("connect:events_ics")),
        staff_client.get(reverse("connect:events_ics")),
        signed_in.get(reverse("connect:event_ics", args=[hub["online"].pk])),
        staff_client.get(reverse("connect:event_ics", args=[hub["online"].pk])),
        staff_client.get(reverse("connect:event_ics", args=[hub["hybrid_members"].pk])),
    ]
    for response in responses:
        assert response.status_code == 200
        assert b"secret-room" not in response.content
    online = parse(responses[0])
    entry = next(e for e in online.walk("VEVENT") if e["SUMMARY"] == "Online training")
    assert entry["LOCATION"] == "Online"


# A fixed number of queries ------------------------------------------------------------------


def add_events(count, day, start=0):
    """``count`` events with a group, a place and an answer each, created in bulk."""
    group, locality = GroupFactory(), LocalityFactory()
    events = Event.objects.bulk_create(
        Event(
            title=f"Gathering {n}",
            slug=f"gathering-{n}",
            description="Tea and talk.",
            starts_at=at(day + datetime.timedelta(days=n % 20), 9 + n % 10),
            ends_at=at(day + datetime.timedelta(days=n % 20), 10 + n % 10),
            group=group,
            locality=locality,
            capacity=5,
            visibility=Event.Visibility.PUBLIC if n % 3 else Event.Visibility.MEMBERS,
        )
        for n in range(start, start + count)
    )
    people = Person.objects.bulk_create(
        Person(first_name=f"Guest {n}", email=f"guest{n}@example.test")
        for n in range(start, start + count)
    )
    Rsvp.objects.bulk_create(
        Rsvp(event=event, person=person, status=Rsvp.Status.CONFIRMED)
        for event, person in zip(events, people, strict=True)
    )


def queries(client, url):
    """How many queries a page runs, and how many events it shows."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    if "page" in response.context:
        return len(captured), len(response.context["page"].object_list)
    return len(captured), len(month_titles(response))


@pytest.mark.parametrize("name", ["event_list", "event_month"])
@pytest.mark.parametrize("viewer", ["anonymous", "member"])
def test_the_list_and_the_month_run_a_fixed_number_of_queries(client, member_client, name, viewer):
    browser = member_client if viewer == "member" else client
    day = next_month()
    url = reverse(f"connect:{name}") + f"?month={day:%Y-%m}"
    add_events(5, day)
    browser.get(url)  # warm up: the first request loads what is cached afterwards
    few, shown_few = queries(browser, url)
    add_events(95, day, start=5)
    many, shown_many = queries(browser, url)
    assert shown_many > shown_few
    assert few == many
