"""Connect's part of the demo hub, added by ``manage.py seed_demo`` (connect/demo.py)."""

import random
from collections import defaultdict
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from connect import demo
from connect.models import (
    Availability,
    Event,
    EventSeries,
    JoinRequest,
    Opportunity,
    Rsvp,
    Shift,
    ShiftSignup,
    Skill,
    VolunteerOffer,
)
from hubsite.people.models import Group, GroupMembership, Person, User
from hubsite.people.rules import is_group_organiser

CONFIRMED, WAITING = Rsvp.Status.CONFIRMED, Rsvp.Status.WAITING


def seed():
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)  # pytest-django runs with DEBUG off
    return out.getvalue()


def counts():
    models = (
        Event,
        EventSeries,
        Rsvp,
        Skill,
        VolunteerOffer,
        Opportunity,
        Shift,
        ShiftSignup,
        JoinRequest,
        GroupMembership,
    )
    return {model.__name__: model.objects.count() for model in models} | {
        "offer skills": VolunteerOffer.skills.through.objects.count(),
        "opportunity skills": Opportunity.skills.through.objects.count(),
        "public groups": Group.objects.filter(public=True).count(),
    }


@pytest.fixture
def demo_hub(db):
    return seed()


def test_seed_demo_puts_on_events_two_months_either_side_of_today(demo_hub):
    now = timezone.now()
    events = Event.objects.all()

    assert 22 <= events.count() <= 30
    assert events.filter(ends_at__lte=now).count() >= 8
    assert events.filter(starts_at__gt=now).count() >= 8
    assert not events.exclude(starts_at__gte=now - timedelta(days=66)).exists()
    assert not events.exclude(starts_at__lte=now + timedelta(days=66)).exists()
    for event in events:
        local = timezone.localtime(event.starts_at)
        assert timezone.is_aware(event.starts_at)
        assert local.minute in (0, 30) and 9 <= local.hour <= 20, f"{event} at {local:%H:%M}"
        assert (local.month, local.day) not in {(12, 25), (12, 26), (1, 1)}
        assert event.slug
    assert set(events.values_list("kind", flat=True)) >= {
        Event.Kind.GATHERING,
        Event.Kind.MEETING,
        Event.Kind.WORKSHOP,
        Event.Kind.LISTENING,
        Event.Kind.ACTIVITY,
    }
    assert "Connect:" in demo_hub


def test_seed_demo_mixes_formats_and_visibilities(demo_hub):
    events = Event.objects.all()
    online = events.get(format=Event.Format.ONLINE)
    hybrid = events.get(format=Event.Format.HYBRID)

    assert online.online_link.startswith("https://meet.example.org/") and not online.venue
    assert hybrid.online_link.startswith("https://meet.example.org/") and hybrid.venue
    for event in events.exclude(format=Event.Format.ONLINE):
        assert event.venue and event.accessibility and event.locality_id, event
    public = events.filter(visibility=Event.Visibility.PUBLIC).count()
    assert public > events.count() * 2 / 3, "mostly public"
    assert events.filter(visibility=Event.Visibility.MEMBERS).exists()
    (for_a_group,) = events.filter(visibility=Event.Visibility.GROUP)
    assert for_a_group.group_id is not None
    assert events.filter(capacity__isnull=True).exists()
    assert events.filter(capacity__isnull=False).count() > events.count() / 2


def test_seed_demo_runs_a_weekly_gathering_and_cancels_one_event(demo_hub):
    (series,) = EventSeries.objects.all()
    occurrences = list(series.events.order_by("starts_at"))
    now = timezone.now()

    assert series.frequency == EventSeries.Frequency.WEEKLY
    assert len(occurrences) == series.occurrences == 8
    assert {event.title for event in occurrences} == {demo.SERIES_TITLE}
    local = [timezone.localtime(event.starts_at) for event in occurrences]
    assert len({(moment.weekday(), moment.time()) for moment in local}) == 1
    for earlier, later in zip(local, local[1:], strict=False):
        assert (later.date() - earlier.date()).days in (7, 14), "weekly, with Christmas off"
    assert occurrences[0].ends_at < now < occurrences[-1].starts_at
    (cancelled,) = Event.objects.filter(status=Event.Status.CANCELLED)
    assert cancelled.starts_at > now


def test_seed_demo_organiser_hosts_events_of_the_groups_they_organise(demo_hub):
    organiser = User.objects.get(email="organiser@example.org")
    hosted = Event.objects.filter(host=organiser).select_related("group")

    assert hosted.count() >= 3
    for event in hosted:
        assert is_group_organiser(organiser, event.group), event
    assert not Event.objects.filter(host__isnull=True).exists()


def test_seed_demo_never_books_a_venue_twice_at_once(demo_hub):
    by_venue = defaultdict(list)
    for event in Event.objects.exclude(venue="").order_by("starts_at"):
        by_venue[event.venue].append(event)

    for events in by_venue.values():
        for earlier, later in zip(events, events[1:], strict=False):
            assert earlier.ends_at <= later.starts_at, f"{earlier} overlaps {later}"


def test_seed_demo_rsvps_keep_within_capacity(demo_hub):
    now = timezone.now()
    events = Event.objects.annotate(
        confirmed=Count("rsvps", filter=Q(rsvps__status=CONFIRMED)),
        waiting=Count("rsvps", filter=Q(rsvps__status=WAITING)),
    )

    assert Rsvp.objects.count() > 300
    for event in events:
        assert event.confirmed > 0, event
        if event.capacity is not None:
            assert event.confirmed <= event.capacity, event
    full = [event for event in events if event.waiting]
    assert len(full) == 2
    for event in full:
        assert event.confirmed == event.capacity and event.starts_at > now
    cancelled = Rsvp.objects.filter(status=Rsvp.Status.CANCELLED)
    assert cancelled.exists()
    assert not cancelled.filter(cancelled_at__isnull=True).exists()
    assert not Rsvp.objects.filter(responded_at__gt=now).exists()
    assert not Rsvp.objects.filter(person__user=F("event__host")).exists(), "hosts host"
    member = Person.objects.get(email="member@example.org")
    places = Rsvp.objects.filter(person=member, status=CONFIRMED, event__starts_at__gt=now)
    assert places.filter(event__status=Event.Status.SCHEDULED).count() == 2


def test_seed_demo_records_attendance_only_after_events(demo_hub):
    now = timezone.now()
    recorded = Rsvp.objects.exclude(attendance=Rsvp.Attendance.UNKNOWN)

    assert recorded.filter(attendance=Rsvp.Attendance.ATTENDED).count() > 100
    assert recorded.filter(attendance=Rsvp.Attendance.NO_SHOW).exists()
    assert not recorded.filter(event__ends_at__gt=now).exists()
    assert not recorded.exclude(status=CONFIRMED).exists()
    assert not recorded.filter(
        attendance=Rsvp.Attendance.ATTENDED, checked_in_at__isnull=True
    ).exists()
    unrecorded = Rsvp.objects.filter(
        status=CONFIRMED, attendance=Rsvp.Attendance.UNKNOWN, event__ends_at__lte=now
    )
    assert not unrecorded.exists(), "every past event has had its check-in"
    walk_ins = Rsvp.objects.filter(walk_in=True)
    assert walk_ins.exists()
    assert not walk_ins.exclude(status=CONFIRMED, attendance=Rsvp.Attendance.ATTENDED).exists()


def test_seed_demo_offers_skills_and_time(demo_hub):
    offers = VolunteerOffer.objects.prefetch_related("skills")

    assert 10 <= Skill.objects.count() <= 15
    assert 35 <= offers.count() <= 45
    assert offers.values("person").distinct().count() == offers.count(), "one offer each"
    for offer in offers:
        assert offer.description and offer.skills.all(), offer
        assert offer.availability and set(offer.availability) <= set(Availability.values)
        assert offer.availability == [c for c in Availability.values if c in offer.availability]
    assert offers.filter(person__email="volunteer@example.org").exists()
    assert offers.values("description").distinct().count() > 25, "in people's own words"


def test_seed_demo_posts_opportunities_with_shifts_and_hours(demo_hub):
    now = timezone.now()
    shifts = Shift.objects.annotate(
        taken=Count("signups", filter=Q(signups__status=ShiftSignup.Status.SIGNED_UP))
    )

    assert Opportunity.objects.count() == 5
    assert not Opportunity.objects.annotate(n=Count("shifts")).filter(n=0).exists()
    assert not Opportunity.objects.annotate(n=Count("skills")).filter(n=0).exists()
    for shift in shifts:
        assert shift.taken <= shift.places, shift
    assert any(s.taken == s.places for s in shifts if s.starts_at > now), "a full shift"
    assert any(0 < s.taken < s.places for s in shifts if s.starts_at > now)
    logged = ShiftSignup.objects.filter(hours__isnull=False)
    assert logged.count() >= 10
    assert not logged.filter(shift__ends_at__gt=now).exists()
    assert not logged.filter(hours_logged_by__isnull=True).exists()
    for signup in logged.select_related("shift"):
        length = (signup.shift.ends_at - signup.shift.starts_at).total_seconds() / 3600
        assert 0 < signup.hours <= length + 1
    assert ShiftSignup.objects.filter(
        person__email="volunteer@example.org",
        status=ShiftSignup.Status.SIGNED_UP,
        shift__starts_at__gt=now,
    ).exists()


def test_seed_demo_opens_some_groups_to_requests_to_join(demo_hub):
    requests = JoinRequest.objects.select_related("group", "person")
    Status = JoinRequest.Status

    assert 3 <= Group.objects.filter(public=True).count() <= 4
    assert 5 <= requests.count() <= 8
    assert not requests.filter(group__public=False).exists()
    assert set(requests.values_list("status", flat=True)) == set(Status.values)
    for join_request in requests:
        member = GroupMembership.objects.filter(
            group=join_request.group, person=join_request.person
        ).exists()
        assert member == (join_request.status == Status.APPROVED), join_request
        decided = join_request.status != Status.PENDING
        assert (join_request.decided_at is not None) == decided
        assert (join_request.decided_by is not None) == decided
    organiser = User.objects.get(email="organiser@example.org")
    waiting = requests.filter(status=Status.PENDING)
    assert any(is_group_organiser(organiser, r.group) for r in waiting), "the organiser has some"


def test_seed_demo_twice_adds_no_more_connect(demo_hub):
    first = counts()

    out = seed()

    assert counts() == first
    assert "already there" in out


def test_demo_organiser_without_a_group_is_given_one_to_host_for(demo_hub):
    organiser = User.objects.get(email="organiser@example.org")
    GroupMembership.objects.filter(person__user=organiser).delete()
    for model in (Event, EventSeries, Opportunity, VolunteerOffer, JoinRequest):
        model.objects.all().delete()

    demo.seed(rng=random.Random(1), stdout=StringIO())

    assert GroupMembership.objects.filter(
        person__user=organiser, role=GroupMembership.Role.ORGANISER
    ).exists()
    assert Event.objects.filter(host=organiser).exists()
