"""Segments: the filters match people (AND across kinds, OR within one), a segment never
reaches someone whose consent forbids the channel, an organiser segments only the people of
the groups they organise and sees only their own segments, and the builder and a segment's
page cost the same number of queries for ten people and for a thousand."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from connect.models import Rsvp
from hubsite.people.models import Consent, GroupMembership, Person, Role
from organise.models import CallToAction, Membership, Segment
from organise.selectors.segments import (
    ID_KINDS,
    filter_choices,
    segment_counts,
    segment_people,
    segment_reachable,
)
from organise.services.segments import segment_create, segment_delete, segment_edit
from tests.action.factories import CampaignFactory, SignupFactory
from tests.conftest import make_user
from tests.connect.factories import EventFactory, RsvpFactory
from tests.listening.factories import ConversationFactory, ListeningRoundFactory, ThemeFactory
from tests.organise.factories import CallToActionFactory, MembershipFactory, SegmentFactory
from tests.organise.factories_calls import consent, people_in_bulk, reachable
from tests.people.factories import (
    ConsentFactory,
    GroupFactory,
    GroupMembershipFactory,
    LocalityFactory,
    PersonFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

ORGANISER = GroupMembership.Role.ORGANISER
HUGE = "9" * 30


def matched(filters, viewer):
    people = segment_people(filters, viewer)
    found = list(people.values_list("pk", flat=True))
    assert len(found) == len(set(found)) == people.count()  # no one twice
    return set(found)


def ids(*people):
    return {person.pk for person in people}


def organise(user, group, role=ORGANISER):
    return GroupMembershipFactory(person=user.person, group=group, role=role)


def url(name, *args):
    return reverse(f"organise:{name}", args=args)


# Consent: who a channel may reach ---------------------------------------------------------------


def test_a_segment_never_reaches_someone_whose_consent_forbids_email(staff_user):
    place = LocalityFactory()
    agreed = reachable(locality=place)
    never_asked = PersonFactory(locality=place)
    withdrew = reachable(locality=place)
    consent(withdrew, given=False, when=timezone.now() + timedelta(seconds=1))
    said_no = PersonFactory(locality=place)
    consent(said_no, given=False)
    no_address = reachable(locality=place, email="")
    changed_mind = PersonFactory(locality=place)
    consent(changed_mind, given=False, when=timezone.now() - timedelta(days=2))
    consent(changed_mind, given=True)
    other_consent = PersonFactory(locality=place)
    ConsentFactory(person=other_consent, purpose=Consent.Purpose.CONTACT_SMS)
    moment = timezone.now() - timedelta(hours=1)
    same_moment_yes_last = PersonFactory(locality=place)  # the last recorded holds
    consent(same_moment_yes_last, given=False, when=moment)
    consent(same_moment_yes_last, given=True, when=moment)
    same_moment_no_last = PersonFactory(locality=place)
    consent(same_moment_no_last, given=True, when=moment)
    consent(same_moment_no_last, given=False, when=moment)

    people = segment_people({"localities": [place.pk]}, staff_user)
    reached = set(segment_reachable(people, Segment.Channel.EMAIL).values_list("pk", flat=True))

    assert reached == ids(agreed, changed_mind, same_moment_yes_last)
    # The figures count in one pass what the list reads: the same people.
    assert segment_counts(people) == {
        "matching": 9,
        "reachable": 3,
        "no_address": 1,
        "no_consent": 5,
    }
    assert never_asked.pk in ids(*people) and no_address.pk in ids(*people)


# Filters: AND across kinds, OR within one ------------------------------------------------------


def test_places_and_communities_or_within_a_kind_and_across_kinds(staff_user):
    north, south, east = LocalityFactory.create_batch(3)
    young, carers = TagFactory.create_batch(2)
    both = PersonFactory(locality=north, tags=[young, carers])
    south_carer = PersonFactory(locality=south, tags=[carers])
    east_young = PersonFactory(locality=east, tags=[young])
    north_only = PersonFactory(locality=north)

    assert matched({"localities": [north.pk, south.pk]}, staff_user) == ids(
        both, south_carer, north_only
    )
    assert matched({"tags": [young.pk, carers.pk]}, staff_user) == ids(
        both, south_carer, east_young
    )
    assert matched({"localities": [north.pk, south.pk], "tags": [young.pk]}, staff_user) == ids(
        both
    )


def test_groups_count_a_person_in_two_of_them_once(staff_user):
    garden, tenants, other = GroupFactory.create_batch(3)
    in_both = PersonFactory()
    GroupMembershipFactory(person=in_both, group=garden)
    GroupMembershipFactory(person=in_both, group=tenants, role=ORGANISER)
    gardener = GroupMembershipFactory(group=garden).person
    GroupMembershipFactory(group=other)

    assert matched({"groups": [garden.pk, tenants.pk]}, staff_user) == ids(in_both, gardener)
    assert matched({"groups": [tenants.pk]}, staff_user) == ids(in_both)


def test_membership_status_including_not_a_member(staff_user):
    active = MembershipFactory().person
    lapsed = MembershipFactory(status=Membership.Status.LAPSED).person
    left = MembershipFactory(status=Membership.Status.LEFT).person
    pending = MembershipFactory(status=Membership.Status.PENDING).person
    stranger = PersonFactory()
    staff_person = staff_user.person

    assert matched({"membership_status": ["active"]}, staff_user) == ids(active)
    assert matched({"membership_status": ["lapsed", "left"]}, staff_user) == ids(lapsed, left)
    assert matched({"membership_status": ["pending"]}, staff_user) == ids(pending)
    assert matched({"membership_status": ["none"]}, staff_user) == ids(stranger, staff_person)
    assert matched({"membership_status": ["active", "none"]}, staff_user) == ids(
        active, stranger, staff_person
    )


def test_themes_they_spoke_about(staff_user):
    damp, buses, parks = ThemeFactory.create_batch(3)
    spoke_twice = PersonFactory()
    ConversationFactory(person=spoke_twice, themes=[damp])
    ConversationFactory(person=spoke_twice, themes=[damp, buses])
    on_buses = ConversationFactory(themes=[buses]).person
    ConversationFactory(themes=[parks])
    ConversationFactory(person=None, themes=[damp])  # anonymous: no one to reach

    assert matched({"themes": [damp.pk]}, staff_user) == ids(spoke_twice)
    assert matched({"themes": [damp.pk, buses.pk]}, staff_user) == ids(spoke_twice, on_buses)


def test_campaigns_they_signed_count_only_confirmed_signatures(staff_user):
    lifts, rents = CampaignFactory.create_batch(2)
    signed = SignupFactory(campaign=lifts).person
    signed_rents = SignupFactory(campaign=rents).person
    SignupFactory(campaign=lifts, status="pending")

    assert matched({"campaigns": [lifts.pk]}, staff_user) == ids(signed)
    assert matched({"campaigns": [lifts.pk, rents.pk]}, staff_user) == ids(signed, signed_rents)


def test_events_they_came_to_count_attendance_or_check_in_not_a_booking(staff_user):
    past = timezone.now() - timedelta(days=3)
    supper = EventFactory(starts_at=past, ends_at=past + timedelta(hours=2))
    came = RsvpFactory(event=supper, attendance=Rsvp.Attendance.ATTENDED).person
    checked_in = RsvpFactory(event=supper, checked_in_at=past).person
    RsvpFactory(event=supper, attendance=Rsvp.Attendance.NO_SHOW)
    RsvpFactory(event=supper)  # booked, nothing recorded

    assert matched({"events": [supper.pk]}, staff_user) == ids(came, checked_in)


def test_every_kind_together_is_and(staff_user):
    place, tag, group, theme = LocalityFactory(), TagFactory(), GroupFactory(), ThemeFactory()
    campaign = CampaignFactory()
    past = timezone.now() - timedelta(days=3)
    event = EventFactory(starts_at=past, ends_at=past + timedelta(hours=1))

    def everything(**overrides):
        person = PersonFactory(locality=overrides.get("locality", place), tags=[tag])
        GroupMembershipFactory(person=person, group=group)
        MembershipFactory(person=person, status=overrides.get("status", "active"))
        ConversationFactory(person=person, themes=[theme])
        SignupFactory(person=person, campaign=campaign)
        RsvpFactory(person=person, event=event, attendance="attended")
        return person

    full = everything()
    everything(locality=LocalityFactory())
    everything(status="lapsed")
    filters = {
        "localities": [place.pk],
        "tags": [tag.pk],
        "groups": [group.pk],
        "membership_status": ["active"],
        "themes": [theme.pk],
        "campaigns": [campaign.pk],
        "events": [event.pk],
    }
    assert matched(filters, staff_user) == ids(full)
    assert len(matched({}, staff_user)) == Person.objects.count()  # no filter: everyone


# Organisers --------------------------------------------------------------------------------


def test_an_organiser_segments_only_the_people_of_the_groups_they_organise(organiser_user):
    theirs, led, only_member_of, others = GroupFactory.create_batch(4)
    organise(organiser_user, theirs)
    organise(organiser_user, led, role=GroupMembership.Role.LEADER)
    organise(organiser_user, only_member_of, role=GroupMembership.Role.MEMBER)
    in_theirs = GroupMembershipFactory(group=theirs).person
    in_led = GroupMembershipFactory(group=led).person
    GroupMembershipFactory(group=only_member_of)
    GroupMembershipFactory(group=others)
    PersonFactory()

    assert matched({}, organiser_user) == ids(in_theirs, in_led, organiser_user.person)
    # A filter on a group they do not organise reaches no one of it…
    assert matched({"groups": [others.pk]}, organiser_user) == set()
    # …and cannot be chosen or saved.
    assert set(filter_choices(organiser_user)["groups"]) == {theirs, led}
    with pytest.raises(ValidationError, match="groups you organise"):
        segment_create(created_by=organiser_user, name="Others", filters={"groups": [others.pk]})


def test_an_organiser_filters_by_their_own_campaigns_events_and_conversations(organiser_user):
    group = GroupFactory()
    organise(organiser_user, group)
    person = GroupMembershipFactory(group=group).person
    theirs, other_campaign = CampaignFactory(created_by=organiser_user), CampaignFactory()
    SignupFactory(person=person, campaign=theirs)
    SignupFactory(person=person, campaign=other_campaign)
    theme = ThemeFactory()
    ConversationFactory(person=person, themes=[theme])  # logged by a volunteer elsewhere

    assert matched({"campaigns": [theirs.pk]}, organiser_user) == ids(person)
    assert matched({"campaigns": [other_campaign.pk]}, organiser_user) == set()
    assert matched({"themes": [theme.pk]}, organiser_user) == set()
    ConversationFactory(
        person=person, themes=[theme], round=ListeningRoundFactory(organisers=[organiser_user])
    )
    assert matched({"themes": [theme.pk]}, organiser_user) == ids(person)
    with pytest.raises(ValidationError, match="campaigns you run"):
        segment_create(
            created_by=organiser_user, name="x", filters={"campaigns": [other_campaign.pk]}
        )


def test_someone_who_is_no_longer_an_organiser_reaches_no_one(organiser_user):
    group = GroupFactory()
    organise(organiser_user, group)
    GroupMembershipFactory(group=group)
    organiser_user.role = Role.MEMBER
    organiser_user.save()
    assert matched({}, organiser_user) == set()
    assert matched({}, None) == set()


def test_an_organiser_sees_only_their_own_segments(organiser_client, organiser_user, staff_user):
    mine = SegmentFactory(created_by=organiser_user, name="Mine")
    staffs = SegmentFactory(created_by=staff_user, name="Staff's")
    colleague = make_user(Role.ORGANISER, email="colleague@example.test")
    theirs = SegmentFactory(created_by=colleague, name="Colleague's")

    listing = organiser_client.get(url("segment_list")).content.decode()
    assert "Mine" in listing and "Staff&#x27;s" not in listing and "Colleague" not in listing
    assert organiser_client.get(url("segment_detail", mine.pk)).status_code == 200
    for segment in (staffs, theirs):
        for name in ("segment_detail", "segment_edit", "segment_delete", "call_create"):
            assert organiser_client.get(url(name, segment.pk)).status_code == 404, name
        assert organiser_client.post(url("segment_delete", segment.pk)).status_code == 404
    assert Segment.objects.count() == 3


def test_staff_open_an_organisers_segment_and_see_the_organisers_people(
    staff_client, organiser_user
):
    group = GroupFactory()
    organise(organiser_user, group)
    consent(organiser_user.person)
    in_group = reachable(first_name="Grace")
    GroupMembershipFactory(group=group, person=in_group)
    reachable(first_name="Outsider")
    segment = SegmentFactory(created_by=organiser_user)

    page = staff_client.get(url("segment_detail", segment.pk)).content.decode()
    assert "Grace" in page and "Outsider" not in page


# Roles --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VOLUNTEER])
def test_members_and_volunteers_cannot_use_segments(client, role, staff_user):
    client.force_login(make_user(role, email=f"{role}@example.test"))
    segment = SegmentFactory(created_by=staff_user)
    for name, args in [
        ("segment_list", ()),
        ("segment_create", ()),
        ("segment_detail", (segment.pk,)),
        ("segment_edit", (segment.pk,)),
        ("segment_delete", (segment.pk,)),
    ]:
        assert client.get(url(name, *args)).status_code == 403
        assert client.post(url(name, *args)).status_code == 403
    assert Segment.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(url("segment_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# Building, changing, deleting ------------------------------------------------------------------


def test_building_a_segment_saves_its_filters_as_ids(staff_client, staff_user):
    place, tag = LocalityFactory(name="Park Ward"), TagFactory()
    response = staff_client.post(
        url("segment_create"),
        {
            "name": "  Park   Ward  carers ",
            "localities": [place.pk],
            "tags": [tag.pk],
            "membership_status": ["active", "none"],
        },
    )
    segment = Segment.objects.get()
    assert response.status_code == 302 and response["Location"] == segment.get_absolute_url()
    assert segment.name == "Park Ward carers"
    assert segment.created_by == staff_user
    assert segment.filters == {
        "localities": [place.pk],
        "tags": [tag.pk],
        "membership_status": ["active", "none"],
    }
    page = staff_client.get(segment.get_absolute_url()).content.decode()
    assert "Park Ward" in page and "Not a member" in page


@pytest.mark.parametrize(
    "data",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 121},
        {"name": "Bad place", "localities": ["999999"]},
        {"name": "Bad place", "localities": ["not a number"]},
        {"name": "Bad status", "membership_status": ["royalty"]},
        # Beyond any integer the database compares (SQLite raised OverflowError: a 500).
        *({"name": "Huge", kind: [HUGE]} for kind in ID_KINDS),
        {"name": "Huge", "localities": ["-1"]},
    ],
)
def test_bad_input_saves_nothing(staff_client, data):
    response = staff_client.post(url("segment_create"), data)
    assert response.status_code == 400
    assert b"field-errors" in response.content or b"form-errors" in response.content
    assert not Segment.objects.exists()


def test_the_service_refuses_filters_it_cannot_read(staff_user):
    place = LocalityFactory()
    for filters, message in [
        ({"shoe_size": [42]}, "Unknown filters"),
        ({"localities": "north"}, "places"),
        ({"localities": [place.pk, 999999]}, "places"),
        ({"localities": [True]}, "places"),
        ({"localities": [10**30]}, "places"),
        ({"groups": [-1]}, "groups"),
        ({"membership_status": ["gold"]}, "membership status"),
        ("everyone", "could not be read"),
    ]:
        with pytest.raises(ValidationError, match=message):
            segment_create(created_by=staff_user, name="Bad", filters=filters)
    with pytest.raises(ValidationError, match="Only hub staff and organisers"):
        segment_create(created_by=make_user(Role.MEMBER), name="Mine")
    assert not Segment.objects.exists()


def test_changing_a_segment(staff_client, staff_user):
    north, south = LocalityFactory.create_batch(2)
    segment = segment_create(
        created_by=staff_user, name="North", filters={"localities": [north.pk]}
    )
    form = staff_client.get(url("segment_edit", segment.pk)).context["form"]
    assert form["localities"].value() == [north.pk] and form["name"].value() == "North"

    response = staff_client.post(
        url("segment_edit", segment.pk), {"name": "South", "localities": [south.pk]}
    )
    assert response.status_code == 302
    segment.refresh_from_db()
    assert (segment.name, segment.filters) == ("South", {"localities": [south.pk]})


def test_a_segment_whose_author_is_gone_becomes_the_editors(staff_user):
    segment = SegmentFactory(created_by=None)
    assert matched(segment.filters, segment.created_by) == set()
    segment = segment_edit(segment=segment, edited_by=staff_user, name="Adopted")
    assert segment.created_by == staff_user


@pytest.mark.parametrize("status", [CallToAction.Status.SCHEDULED, CallToAction.Status.SENDING])
def test_a_segment_cannot_change_while_a_call_to_it_is_scheduled_or_sending(
    staff_client, staff_user, status
):
    north, south = LocalityFactory.create_batch(2)
    segment = segment_create(
        created_by=staff_user, name="North", filters={"localities": [north.pk]}
    )
    CallToActionFactory(segment=segment, status=CallToAction.Status.SENT)
    call = CallToActionFactory(
        segment=segment, status=status, send_at=timezone.now() + timedelta(hours=1)
    )

    page = staff_client.get(url("segment_edit", segment.pk)).content.decode()
    assert "cannot change while" in page
    response = staff_client.post(
        url("segment_edit", segment.pk), {"name": "South", "localities": [south.pk]}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "form-errors" in page and "cannot change while" in page
    with pytest.raises(ValidationError, match="cannot change while"):
        segment_edit(segment=segment, edited_by=staff_user, name="South")
    segment.refresh_from_db()
    assert (segment.name, segment.filters) == ("North", {"localities": [north.pk]})

    # Once it has gone out (or was stopped), the segment may change again.
    CallToAction.objects.filter(pk=call.pk).update(status=CallToAction.Status.CANCELLED)
    response = staff_client.post(
        url("segment_edit", segment.pk), {"name": "South", "localities": [south.pk]}
    )
    assert response.status_code == 302
    segment.refresh_from_db()
    assert (segment.name, segment.filters) == ("South", {"localities": [south.pk]})


def test_editing_never_drops_filters_the_owner_can_no_longer_use_without_asking(
    organiser_client, organiser_user
):
    garden, tenants = GroupFactory(name="Garden club"), GroupFactory(name="Tenants")
    stepped_down = organise(organiser_user, garden)
    organise(organiser_user, tenants)
    GroupMembershipFactory(group=garden)
    GroupMembershipFactory(group=tenants)
    segment = segment_create(
        created_by=organiser_user, name="Gardeners", filters={"groups": [garden.pk]}
    )
    stepped_down.role = GroupMembership.Role.MEMBER
    stepped_down.save()
    assert matched(segment.filters, organiser_user) == set()  # it reaches no one, not all

    page = organiser_client.get(url("segment_edit", segment.pk)).content.decode()
    assert "Garden club" in page and "can no longer use" in page
    # A rename alone would have turned {"groups": [garden]} into {}: everyone they reach.
    response = organiser_client.post(url("segment_edit", segment.pk), {"name": "Renamed"})
    assert response.status_code == 400
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 and "Garden club" in errors[0] and "can no longer use" in errors[0]
    with pytest.raises(ValidationError, match="Garden club"):
        segment_edit(segment=segment, edited_by=organiser_user, name="Renamed")
    segment.refresh_from_db()
    assert (segment.name, segment.filters) == ("Gardeners", {"groups": [garden.pk]})

    # Removed on purpose, with a filter they can use in its place.
    response = organiser_client.post(
        url("segment_edit", segment.pk),
        {"name": "Renamed", "groups": [tenants.pk], "remove_lost_filters": "on"},
    )
    assert response.status_code == 302
    segment.refresh_from_db()
    assert (segment.name, segment.filters) == ("Renamed", {"groups": [tenants.pk]})


def test_a_filter_on_a_row_that_no_longer_exists_is_named_and_kept_until_removed(
    staff_client, staff_user
):
    place, theme = LocalityFactory(name="Park Ward"), ThemeFactory(name="Damp")
    segment = SegmentFactory(
        created_by=staff_user, name="Damp", filters={"localities": [place.pk], "themes": [theme.pk]}
    )
    gone = theme.pk
    theme.delete()

    response = staff_client.post(
        url("segment_edit", segment.pk), {"name": "Damp", "localities": [place.pk]}
    )
    assert response.status_code == 400
    assert "a Listening theme that no longer exists" in response.content.decode()
    segment.refresh_from_db()
    assert segment.filters == {"localities": [place.pk], "themes": [gone]}

    response = staff_client.post(
        url("segment_edit", segment.pk),
        {"name": "Damp", "localities": [place.pk], "remove_lost_filters": "on"},
    )
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.filters == {"localities": [place.pk]}


def test_a_segment_a_call_was_written_to_cannot_be_deleted(staff_client, staff_user):
    used = SegmentFactory(created_by=staff_user)
    CallToActionFactory(segment=used)
    unused = SegmentFactory(created_by=staff_user)

    page = staff_client.get(url("segment_delete", used.pk)).content.decode()
    assert "cannot be deleted" in page
    response = staff_client.post(url("segment_delete", used.pk))
    assert response.status_code == 400
    assert "1 call to action was written to it" in response.content.decode()
    with pytest.raises(ValidationError, match="cannot be deleted"):
        segment_delete(segment=used)
    assert Segment.objects.filter(pk=used.pk).exists()

    assert staff_client.post(url("segment_delete", unused.pk)).status_code == 302
    assert not Segment.objects.filter(pk=unused.pk).exists()


# The page and the builder -----------------------------------------------------------------------


def test_the_segment_page_shows_its_figures_and_the_people_it_reaches(
    staff_client, staff_user, organiser_client, organiser_user
):
    place = LocalityFactory(name="Riverside")
    grace = reachable(first_name="Grace", last_name="Hopper", locality=place)
    PersonFactory(first_name="Silent", locality=place)
    reachable(first_name="Nomail", email="", locality=place)
    segment = SegmentFactory(created_by=staff_user, filters={"localities": [place.pk]})

    response = staff_client.get(url("segment_detail", segment.pk))
    page = response.content.decode()
    assert response.context["counts"] == {
        "matching": 3,
        "reachable": 1,
        "no_address": 1,
        "no_consent": 1,
    }
    assert "Grace Hopper" in page and grace.get_absolute_url() in page
    assert "Silent" not in page and "Nomail" not in page  # only counted, never named

    group = GroupFactory()
    organise(organiser_user, group)
    GroupMembershipFactory(group=group, person=grace)
    theirs = SegmentFactory(created_by=organiser_user, filters={"localities": [place.pk]})
    page = organiser_client.get(url("segment_detail", theirs.pk)).content.decode()
    assert "Grace Hopper" in page and grace.get_absolute_url() not in page  # staff only


def queries_for(client, path, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **extra)
    assert response.status_code == 200
    return len(queries)


def test_the_builder_and_the_segment_page_cost_the_same_queries_for_10_and_1000_people(
    staff_client, staff_user
):
    place = LocalityFactory()
    for _ in range(3):
        GroupFactory(), TagFactory(), ThemeFactory(), CampaignFactory()
    segment = SegmentFactory(created_by=staff_user, filters={"localities": [place.pk]})
    people_in_bulk(10, locality=place)
    paths = [
        (url("segment_detail", segment.pk), {}),
        (url("segment_detail", segment.pk) + "?page=2", {}),
        (url("segment_create"), {}),
        (url("segment_edit", segment.pk), {}),
        (url("segment_create") + f"?localities={place.pk}", {"HTTP_HX_REQUEST": "true"}),
    ]
    few = [queries_for(staff_client, path, **extra) for path, extra in paths]

    people_in_bulk(990, prefix="more", locality=place)
    people_in_bulk(50, prefix="noconsent", locality=place, consent_given=False)
    response = staff_client.get(url("segment_detail", segment.pk))
    assert response.context["counts"]["reachable"] == 1000
    assert response.context["counts"]["no_consent"] == 50
    assert len(response.context["page"].object_list) == 25
    many = [queries_for(staff_client, path, **extra) for path, extra in paths]

    assert few == many


def test_a_segment_page_costs_the_same_queries_whatever_its_filters(
    staff_client, staff_user, django_assert_num_queries
):
    place, tag, group, theme = LocalityFactory(), TagFactory(), GroupFactory(), ThemeFactory()
    campaign = CampaignFactory()
    past = timezone.now() - timedelta(days=3)
    event = EventFactory(starts_at=past, ends_at=past + timedelta(hours=1))
    person = reachable(locality=place, tags=[tag])
    GroupMembershipFactory(person=person, group=group)
    MembershipFactory(person=person)
    ConversationFactory(person=person, themes=[theme])
    SignupFactory(person=person, campaign=campaign)
    RsvpFactory(person=person, event=event, attendance=Rsvp.Attendance.ATTENDED)
    every_kind = {
        "localities": [place.pk],
        "tags": [tag.pk],
        "groups": [group.pk],
        "membership_status": ["active"],
        "themes": [theme.pk],
        "campaigns": [campaign.pk],
        "events": [event.pk],
    }
    segments = [
        SegmentFactory(created_by=staff_user, filters=filters)
        for filters in ({}, {"membership_status": ["active"]}, {"themes": [theme.pk]}, every_kind)
    ]
    for segment in segments:
        # The session and the user; the segment, its figures, the names of its filters and
        # the page of the people it reaches.
        with django_assert_num_queries(6):
            response = staff_client.get(url("segment_detail", segment.pk))
        assert response.context["counts"]["reachable"] == 1
    assert "Came to" in response.content.decode()


def test_the_live_count_while_building(staff_client, staff_user):
    place = LocalityFactory()
    reachable(locality=place)
    PersonFactory(locality=place)

    response = staff_client.get(
        url("segment_create") + f"?localities={place.pk}", HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="segment-count"' in body
    assert "<strong>2</strong> people" in body and "<strong>1</strong> can be reached" in body

    for value in ("999999", HUGE):
        bad = staff_client.get(
            url("segment_create") + f"?localities={value}", HTTP_HX_REQUEST="true"
        )
        assert bad.status_code == 200
        assert "could not be counted" in bad.content.decode()
    segment = SegmentFactory(created_by=staff_user)
    bad = staff_client.get(
        url("segment_edit", segment.pk) + f"?groups={HUGE}", HTTP_HX_REQUEST="true"
    )
    assert "could not be counted" in bad.content.decode()
    assert Segment.objects.count() == 1


def test_the_list_of_segments_costs_the_same_queries_for_2_and_20(staff_client, staff_user):
    organiser = make_user(Role.ORGANISER)
    for owner in (staff_user, organiser):
        CallToActionFactory(segment=SegmentFactory(created_by=owner))
    few = queries_for(staff_client, url("segment_list"))
    for n in range(18):
        segment = SegmentFactory(created_by=organiser if n % 2 else staff_user)
        CallToActionFactory.create_batch(2, segment=segment)
    response = staff_client.get(url("segment_list"))
    assert sorted(segment.call_count for segment in response.context["page"]) == [1, 1] + [2] * 18
    many = queries_for(staff_client, url("segment_list"))
    assert few == many


def test_a_segment_page_names_its_filters_even_once_its_author_is_gone(staff_client):
    place, group = LocalityFactory(name="Park Ward"), GroupFactory(name="Garden club")
    segment = SegmentFactory(
        created_by=None,
        filters={"localities": [place.pk], "groups": [group.pk], "membership_status": ["none"]},
    )
    page = staff_client.get(url("segment_detail", segment.pk)).content.decode()
    assert "Park Ward" in page and "Garden club" in page and "Not a member" in page
    assert "it reaches no one" in page
