"""Volunteering: offers of skills and time, opportunities and their shifts, signing up (with
places that hold under concurrency), the people suggested for an opportunity, hours logged
after a shift, and who may do each."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from connect.models import Opportunity, Shift, ShiftSignup, Skill, VolunteerOffer
from connect.selectors import volunteering as selectors
from connect.services import volunteering as services
from hubsite.people.models import GroupMembership
from tests.conftest import make_user
from tests.connect.factories import (
    OpportunityFactory,
    ShiftFactory,
    ShiftSignupFactory,
    SkillFactory,
    VolunteerOfferFactory,
)
from tests.people.factories import (
    GroupFactory,
    GroupMembershipFactory,
    LocalityFactory,
    PersonFactory,
)

OFFER = reverse("connect:offer_mine")
LIST = reverse("connect:opportunity_list")
CREATE = reverse("connect:opportunity_create")
MY_SHIFTS = reverse("connect:shift_mine")


def detail(opportunity):
    return reverse("connect:opportunity_detail", args=[opportunity.pk])


def signup_url(shift):
    return reverse("connect:shift_signup", args=[shift.pk])


def hours_url(shift):
    return reverse("connect:hours_log", args=[shift.pk])


def local(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def next_day(weekday):
    """The next date (at least two days from now) falling on ``weekday`` (Monday is 0)."""
    day = timezone.localdate() + datetime.timedelta(days=2)
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def ended_shift(**fields):
    """A three-hour shift that ended an hour ago."""
    now = timezone.now()
    return ShiftFactory(
        starts_at=now - datetime.timedelta(hours=4),
        ends_at=now - datetime.timedelta(hours=1),
        **fields,
    )


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def volunteer_client(volunteer_user):
    return client_for(volunteer_user)


def offer_data(**overrides):
    data = {
        "description": "I can cook for forty and drive a minibus.",
        "new_skills": "",
        "availability": ["weekday_evening", "weekend_morning"],
        "locality": "",
        "active": "on",
    }
    data.update(overrides)
    return data


# Offers --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_offers_skills_time_and_place(member_client, member_user):
    cooking = SkillFactory(name="Cooking")
    place = LocalityFactory()
    response = member_client.post(
        OFFER,
        offer_data(
            skills=[cooking.pk],
            new_skills="cooking, Driving,  first aid ",
            # given in any order, kept in the list's own order
            availability=["weekend_morning", "weekday_evening"],
            locality=place.pk,
        ),
    )
    assert response.status_code == 302
    offer = VolunteerOffer.objects.get()
    assert offer.person == member_user.person
    assert sorted(s.name for s in offer.skills.all()) == ["Cooking", "Driving", "First aid"]
    assert offer.availability == ["weekday_evening", "weekend_morning"]
    assert offer.locality == place
    assert offer.active is True
    assert Skill.objects.count() == 3  # "cooking" is the Cooking already known


@pytest.mark.django_db
def test_saving_an_offer_again_updates_it(member_client, member_user):
    member_client.post(OFFER, offer_data())
    page = member_client.get(OFFER)
    assert "I can cook for forty" in page.content.decode()
    member_client.post(
        OFFER, offer_data(description="Gardening only now.", availability=[], active="")
    )
    offer = VolunteerOffer.objects.get()
    assert offer.description == "Gardening only now."
    assert offer.availability == []
    assert offer.active is False
    assert "paused" in member_client.get(OFFER).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"description": ""}, "description", "required"),
        ({"description": "   "}, "description", "required"),
        ({"description": "x" * 2001}, "description", "at most 2000"),
        ({"availability": ["sundays"]}, "availability", "valid choice"),
        ({"locality": "999999"}, "locality", "valid choice"),
        ({"skills": ["999999"]}, "skills", "valid choice"),
        ({"new_skills": "x" * 81}, "new_skills", "under 80"),
    ],
)
def test_an_offer_with_bad_answers_is_refused(member_client, overrides, field, message):
    response = member_client.post(OFFER, offer_data(**overrides))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not VolunteerOffer.objects.exists()
    assert not Skill.objects.exists()


@pytest.mark.django_db
def test_the_offer_service_rechecks_availability_and_whose_offer_it_is(
    member_user, volunteer_user, staff_user
):
    with pytest.raises(ValidationError) as error:
        services.offer_save(
            person=member_user.person,
            recorded_by=member_user,
            description="Anything",
            availability=["weekday_morning", "midnight"],
        )
    assert "Choose from the times listed" in str(error.value)
    with pytest.raises(PermissionDenied):
        services.offer_save(
            person=member_user.person, recorded_by=volunteer_user, description="Anything"
        )
    assert not VolunteerOffer.objects.exists()
    offer = services.offer_save(
        person=member_user.person, recorded_by=staff_user, description="Told us at the stall"
    )
    assert offer.person == member_user.person


@pytest.mark.django_db
def test_staff_record_an_offer_for_someone_and_see_it_listed(staff_client, organiser_client):
    person = PersonFactory(first_name="Amina")
    url = reverse("connect:offer_record", args=[person.pk])
    response = staff_client.post(url, offer_data(description="Sewing and alterations"))
    assert response.status_code == 302
    assert VolunteerOffer.objects.get().person == person
    listed = staff_client.get(reverse("connect:offer_list")).content.decode()
    assert "Sewing and alterations" in listed
    assert person.get_absolute_url() in listed  # staff may open the person's page
    listed = organiser_client.get(reverse("connect:offer_list")).content.decode()
    assert "Amina" in listed
    assert person.get_absolute_url() not in listed
    assert organiser_client.post(url, offer_data()).status_code == 403


@pytest.mark.django_db
def test_skills_are_the_same_whatever_their_case():
    first = services.skill_get_or_create(name="  first   aid ")
    assert first.name == "First aid"
    assert services.skill_get_or_create(name="FIRST AID") == first
    with pytest.raises(ValidationError):
        services.skill_get_or_create(name="   ")


# Opportunities and shifts --------------------------------------------------------------


def opportunity_data(**overrides):
    data = {
        "title": "Food bank helper",
        "description": "Sort donations and welcome visitors.",
        "new_skills": "Lifting",
        "group": "",
        "locality": "",
    }
    data.update(overrides)
    return data


def shift_data(**overrides):
    starts_at = timezone.localtime(timezone.now() + datetime.timedelta(days=3))
    data = {
        "starts_at": starts_at.strftime("%Y-%m-%dT10:00"),
        "ends_at": starts_at.strftime("%Y-%m-%dT13:00"),
        "places": "4",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_an_organiser_posts_an_opportunity_and_adds_shifts(organiser_client, organiser_user):
    group = GroupFactory()
    GroupMembershipFactory(
        person=organiser_user.person, group=group, role=GroupMembership.Role.ORGANISER
    )
    response = organiser_client.post(CREATE, opportunity_data(group=group.pk))
    opportunity = Opportunity.objects.get()
    assert response["Location"] == reverse("connect:shift_add", args=[opportunity.pk])
    assert opportunity.created_by == organiser_user
    assert opportunity.group == group
    assert [s.name for s in opportunity.skills.all()] == ["Lifting"]
    add = reverse("connect:shift_add", args=[opportunity.pk])
    response = organiser_client.post(add, shift_data(another="1"))
    assert response["Location"] == add
    shift = Shift.objects.get()
    assert (shift.places, timezone.localtime(shift.starts_at).hour) == (4, 10)
    page = organiser_client.get(detail(opportunity)).content.decode()
    assert "4 of 4" in page


@pytest.mark.django_db
def test_an_organiser_posts_only_for_groups_they_organise(organiser_client):
    other = GroupFactory()
    response = organiser_client.post(CREATE, opportunity_data(group=other.pk))
    assert "valid choice" in str(response.context["form"].errors["group"])
    assert not Opportunity.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_at": "SAME_DAYT09:00"}, "ends_at", "must end after it starts"),
        ({"ends_at": "SAME_DAYT10:00"}, "ends_at", "must end after it starts"),
        ({"places": "0"}, "places", "at least one place"),
        ({"places": "-3"}, "places", "at least one place"),
        ({"places": "lots"}, "places", "whole number"),
        ({"starts_at": "2001-01-01T10:00"}, "starts_at", "cannot start in the past"),
        ({"starts_at": "tomorrow"}, "starts_at", "valid date"),
        ({"ends_at": "NEXT_DAYT14:00"}, "ends_at", "at most 24 hours"),
    ],
)
def test_a_shift_with_bad_answers_is_refused(staff_client, overrides, field, message):
    opportunity = OpportunityFactory()
    data = shift_data()
    day = data["starts_at"][:10]
    following = (datetime.date.fromisoformat(day) + datetime.timedelta(days=1)).isoformat()
    for name, value in overrides.items():
        data[name] = value.replace("SAME_DAY", day).replace("NEXT_DAY", following)
    response = staff_client.post(reverse("connect:shift_add", args=[opportunity.pk]), data)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not Shift.objects.exists()


@pytest.mark.django_db
def test_the_shift_service_rechecks_dates_and_places(staff_user):
    opportunity = OpportunityFactory()
    starts_at = timezone.now() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as error:
        services.shift_add(
            opportunity=opportunity,
            added_by=staff_user,
            starts_at=starts_at,
            ends_at=starts_at - datetime.timedelta(hours=1),
            places=0,
        )
    assert error.value.message_dict == {
        "ends_at": ["The shift must end after it starts."],
        "places": ["A shift needs at least one place."],
    }
    assert not Shift.objects.exists()


@pytest.mark.django_db
def test_organisers_manage_only_their_own_and_their_groups_opportunities(
    organiser_client, organiser_user
):
    theirs = OpportunityFactory(created_by=organiser_user)
    group = GroupFactory()
    GroupMembershipFactory(
        person=organiser_user.person, group=group, role=GroupMembership.Role.LEADER
    )
    of_group = OpportunityFactory(group=group)
    someone_elses = OpportunityFactory(created_by=make_user("organiser", "o2@example.test"))
    for opportunity in (theirs, of_group):
        edit = reverse("connect:opportunity_edit", args=[opportunity.pk])
        assert organiser_client.get(edit).status_code == 200
    for name in ("opportunity_edit", "shift_add", "opportunity_close"):
        url = reverse(f"connect:{name}", args=[someone_elses.pk])
        assert organiser_client.post(url, shift_data()).status_code == 403
    assert not Shift.objects.exists()
    assert Opportunity.objects.get(pk=someone_elses.pk).status == Opportunity.Status.OPEN
    # they see it, without the matches that are for the people who run it
    page = organiser_client.get(detail(someone_elses)).content.decode()
    assert "People to ask" not in page


@pytest.mark.django_db
def test_editing_keeps_what_was_typed_wrong_off_the_page(staff_client):
    opportunity = OpportunityFactory(title="Litter pick")
    edit = reverse("connect:opportunity_edit", args=[opportunity.pk])
    response = staff_client.post(edit, opportunity_data(title="", status="open"))
    assert "required" in str(response.context["form"].errors["title"])
    opportunity.refresh_from_db()
    assert opportunity.title == "Litter pick"
    staff_client.post(edit, opportunity_data(title="Litter pick", status="closed"))
    assert Opportunity.objects.get().status == Opportunity.Status.CLOSED


@pytest.mark.django_db
def test_a_closed_opportunity_takes_no_new_volunteers(staff_client, member_client):
    shift = ShiftFactory()
    close = reverse("connect:opportunity_close", args=[shift.opportunity.pk])
    assert staff_client.post(close).status_code == 302
    assert staff_client.post(close).status_code == 302  # again is harmless
    response = member_client.post(signup_url(shift), follow=True)
    assert "closed to new volunteers" in response.content.decode()
    assert not ShiftSignup.objects.exists()
    assert shift.opportunity.title not in member_client.get(LIST).content.decode()


# Signing up ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_signs_up_and_sees_the_places_left(member_client, member_user):
    shift = ShiftFactory(places=3)
    ShiftSignupFactory(shift=shift)
    response = member_client.post(signup_url(shift), follow=True)
    page = response.content.decode()
    assert "You are signed up for" in page
    assert "1 of 3" in page
    assert ShiftSignup.objects.get(person=member_user.person).status == "signed_up"
    assert shift.opportunity.title in member_client.get(MY_SHIFTS).content.decode()
    listed = selectors.opportunity_list(member_user).get()
    assert (listed.places_left, listed.upcoming_shift_count) == (1, 1)


@pytest.mark.django_db
def test_a_full_shift_is_refused_with_a_message_and_saves_nothing(member_client, member_user):
    shift = ShiftFactory(places=1)
    ShiftSignupFactory(shift=shift)
    page = member_client.get(detail(shift.opportunity)).content.decode()
    assert "This shift is full." in page
    response = member_client.post(signup_url(shift), follow=True)
    assert "This shift is full." in [str(m) for m in response.context["messages"]]
    assert not ShiftSignup.objects.filter(person=member_user.person).exists()
    with pytest.raises(ValidationError, match="This shift is full."):
        services.shift_signup(shift=shift, person=member_user.person)
    assert ShiftSignup.objects.count() == 1


@pytest.mark.django_db
def test_signing_up_twice_changes_nothing(member_client, member_user):
    shift = ShiftFactory(places=1)
    first, created = services.shift_signup(shift=shift, person=member_user.person)
    assert created
    again, created = services.shift_signup(shift=shift, person=member_user.person)
    assert (again, created) == (first, False)  # even though the shift is now full
    response = member_client.post(signup_url(shift), follow=True)
    assert "already signed up" in response.content.decode()
    assert ShiftSignup.objects.count() == 1


@pytest.mark.django_db
def test_giving_a_place_back_frees_it(member_client, member_user):
    shift = ShiftFactory(places=1)
    services.shift_signup(shift=shift, person=member_user.person)
    cancel = reverse("connect:shift_cancel", args=[shift.pk])
    response = member_client.post(cancel, {"next": MY_SHIFTS})
    assert response["Location"] == MY_SHIFTS
    assert ShiftSignup.objects.get().status == ShiftSignup.Status.CANCELLED
    someone = PersonFactory()
    assert services.shift_signup(shift=shift, person=someone)[1]
    with pytest.raises(ValidationError, match="full"):  # coming back finds it taken
        services.shift_signup(shift=shift, person=member_user.person)
    # an address elsewhere is not followed
    assert member_client.post(cancel, {"next": "https://evil.test/"})["Location"] == detail(
        shift.opportunity
    )


@pytest.mark.django_db
def test_a_shift_that_has_started_is_refused(member_client, member_user):
    now = timezone.now()
    shift = ShiftFactory(
        starts_at=now - datetime.timedelta(minutes=5), ends_at=now + datetime.timedelta(hours=2)
    )
    response = member_client.post(signup_url(shift), follow=True)
    assert "already started" in response.content.decode()
    assert not ShiftSignup.objects.exists()
    signup = ShiftSignupFactory(shift=shift, person=member_user.person)
    with pytest.raises(ValidationError, match="already started"):
        services.shift_signup_cancel(signup=signup)
    assert ShiftSignup.objects.get().status == ShiftSignup.Status.SIGNED_UP


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_six_people_racing_for_two_places_get_exactly_two():
    shift = ShiftFactory(places=2)
    people = PersonFactory.create_batch(6)
    start = threading.Barrier(len(people))
    answers = []

    def sign_up(person):
        try:
            start.wait()
            services.shift_signup(shift=shift, person=person)
            answers.append("signed up")
        except ValidationError as error:
            answers.extend(error.messages)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=sign_up, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["This shift is full."] * 4 + ["signed up"] * 2
    assert ShiftSignup.objects.filter(shift=shift, status="signed_up").count() == 2


# Matching ------------------------------------------------------------------------------


def test_a_shift_falls_in_the_parts_of_the_day_it_covers():
    tuesday, friday = next_day(1), next_day(4)
    assert selectors.shift_times(local(tuesday, 10), local(tuesday, 14)) == {
        "weekday_morning",
        "weekday_afternoon",
    }
    assert selectors.shift_times(local(tuesday, 17), local(tuesday, 19)) == {"weekday_evening"}
    saturday = friday + datetime.timedelta(days=1)
    assert selectors.shift_times(local(friday, 22), local(saturday, 2)) == {
        "weekday_evening",
        "weekend_morning",
    }
    # summer time: 11:30 UTC is 12:30 in London, an afternoon
    july = datetime.datetime(2031, 7, 1, 11, 30, tzinfo=datetime.UTC)
    assert selectors.shift_times(july, july + datetime.timedelta(hours=1)) == {"weekday_afternoon"}


@pytest.mark.django_db
def test_offers_are_ranked_by_skills_then_locality_then_time():
    cooking, driving, other = SkillFactory(), SkillFactory(), SkillFactory()
    place, elsewhere = LocalityFactory(), LocalityFactory()
    opportunity = OpportunityFactory(skills=[cooking, driving], locality=place)
    tuesday = next_day(1)
    ShiftFactory(opportunity=opportunity, starts_at=local(tuesday, 18), ends_at=local(tuesday, 20))
    evenings, mornings = ["weekday_evening"], ["weekend_morning"]

    def offer(name, skills=(), locality=None, availability=mornings, **fields):
        return VolunteerOfferFactory(
            person=PersonFactory(first_name=name),
            skills=list(skills),
            locality=locality,
            availability=availability,
            **fields,
        )

    offer("Both skills", [cooking, driving], elsewhere)
    offer("Skill, place, time", [cooking], place, evenings)
    offer("Skill and place", [cooking], place)
    offer("Skill and time", [driving, other], elsewhere, evenings)
    offer("Skill only", [cooking])
    offer("Place and time", [], place, evenings)
    offer("Place only", [other], place)
    offer("Time only", [other], elsewhere, evenings)  # fits none of the role's needs
    offer("Paused", [cooking], place, evenings, active=False)
    taken = offer("Already coming", [cooking], place, evenings)
    ShiftSignupFactory(shift=opportunity.shifts.get(), person=taken.person)

    matches = selectors.opportunity_matches(opportunity)
    assert [m.person.first_name for m in matches] == [
        "Both skills",  # 6
        "Skill, place, time",  # 6, fewer skills
        "Skill and place",  # 5
        "Skill and time",  # 4
        "Skill only",  # 3
        "Place and time",  # 3, no skill
        "Place only",  # 2
    ]
    second = matches[1]
    assert second.shared_skills == [cooking.name]
    assert second.same_locality and second.shifts_free == 1
    assert second.free_at == ["Weekday evenings"]
    assert len(selectors.opportunity_matches(opportunity, limit=2)) == 2


@pytest.mark.django_db
def test_an_opportunity_that_names_no_skill_or_place_is_matched_on_time():
    opportunity = OpportunityFactory()
    saturday = next_day(5)
    ShiftFactory(opportunity=opportunity, starts_at=local(saturday, 9), ends_at=local(saturday, 11))
    VolunteerOfferFactory(person=PersonFactory(first_name="Free"), availability=["weekend_morning"])
    VolunteerOfferFactory(person=PersonFactory(first_name="Busy"), availability=["weekday_evening"])
    assert [m.person.first_name for m in selectors.opportunity_matches(opportunity)] == ["Free"]


@pytest.mark.django_db
def test_matching_costs_the_same_queries_for_few_and_many_offers(django_assert_num_queries):
    skill, place = SkillFactory(), LocalityFactory()
    opportunity = OpportunityFactory(skills=[skill], locality=place)
    ShiftFactory.create_batch(2, opportunity=opportunity)
    VolunteerOfferFactory(skills=[skill], locality=place)
    with CaptureQueriesContext(connection) as few:
        selectors.opportunity_matches(opportunity)
    for _ in range(30):
        VolunteerOfferFactory(skills=[skill, SkillFactory()], locality=place)
    with django_assert_num_queries(len(few)):
        assert len(selectors.opportunity_matches(opportunity)) == 20


@pytest.mark.django_db
def test_the_people_who_run_an_opportunity_see_who_to_ask(staff_client, organiser_client):
    skill = SkillFactory(name="Welcoming")
    person = PersonFactory(first_name="Suggested")
    VolunteerOfferFactory(person=person, skills=[skill])
    group = GroupFactory()
    organiser = make_user("organiser", "runs@example.test")
    GroupMembershipFactory(
        person=organiser.person, group=group, role=GroupMembership.Role.ORGANISER
    )
    opportunity = OpportunityFactory(skills=[skill], group=group)
    page = staff_client.get(detail(opportunity)).content.decode()
    assert "Suggested" in page and person.get_absolute_url() in page
    page = client_for(organiser).get(detail(opportunity)).content.decode()
    assert "Suggested" in page and person.get_absolute_url() not in page


# Hours ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_log_hours_after_the_shift(staff_client, staff_user):
    shift = ended_shift()
    came, missed = ShiftSignupFactory(shift=shift), ShiftSignupFactory(shift=shift)
    response = staff_client.post(
        hours_url(shift), {f"hours_{came.pk}": "2.5", f"hours_{missed.pk}": ""}
    )
    assert response.status_code == 302
    came.refresh_from_db()
    missed.refresh_from_db()
    assert (came.hours, came.hours_logged_by) == (Decimal("2.50"), staff_user)
    assert missed.hours is None
    assert selectors.hours_of(came.person) == Decimal("2.5")
    assert list(selectors.hours_by_person().values_list("pk", "volunteer_hours")) == [
        (came.person.pk, Decimal("2.5"))
    ]


@pytest.mark.django_db
def test_hours_wait_until_the_shift_has_ended(staff_client, staff_user):
    shift = ShiftFactory()
    signup = ShiftSignupFactory(shift=shift)
    response = staff_client.post(hours_url(shift), {f"hours_{signup.pk}": "2"})
    assert response.status_code == 200
    assert "once the shift has ended" in response.content.decode()
    with pytest.raises(ValidationError, match="once the shift has ended"):
        services.hours_log(shift=shift, logged_by=staff_user, hours={signup.pk: Decimal("2")})
    signup.refresh_from_db()
    assert signup.hours is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "more than 0"),
        ("-1", "more than 0"),
        ("4.01", "At most 4 hours"),  # a three-hour shift, and an hour to set up and clear
        ("1000", "3 digits before the decimal point"),
        ("lots", "Enter a number"),
        ("1.234", "2 decimal places"),
    ],
)
def test_hours_out_of_bounds_are_refused_and_nothing_is_saved(staff_client, value, message):
    shift = ended_shift()
    fine, wrong = ShiftSignupFactory(shift=shift), ShiftSignupFactory(shift=shift)
    response = staff_client.post(
        hours_url(shift), {f"hours_{fine.pk}": "3", f"hours_{wrong.pk}": value}
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[f"hours_{wrong.pk}"])
    assert not ShiftSignup.objects.filter(hours__isnull=False).exists()


@pytest.mark.django_db
def test_the_hours_service_rechecks_the_bounds(staff_user):
    shift = ended_shift()
    signup = ShiftSignupFactory(shift=shift)
    with pytest.raises(ValidationError) as error:
        services.hours_log(shift=shift, logged_by=staff_user, hours={signup.pk: Decimal("4.5")})
    assert error.value.message_dict == {f"hours_{signup.pk}": ["At most 4 hours for this shift."]}
    services.hours_log(shift=shift, logged_by=staff_user, hours={signup.pk: Decimal("4")})
    services.hours_log(shift=shift, logged_by=staff_user, hours={signup.pk: None})  # cleared
    signup.refresh_from_db()
    assert (signup.hours, signup.hours_logged_by) == (None, None)


@pytest.mark.django_db
def test_only_the_people_who_run_the_opportunity_log_hours(
    member_client, volunteer_client, organiser_client, organiser_user, volunteer_user
):
    shift = ended_shift()
    signup = ShiftSignupFactory(shift=shift, person=volunteer_user.person)
    data = {f"hours_{signup.pk}": "2"}
    assert member_client.post(hours_url(shift), data).status_code == 403
    assert volunteer_client.post(hours_url(shift), data).status_code == 403
    assert organiser_client.post(hours_url(shift), data).status_code == 403  # not theirs
    with pytest.raises(PermissionDenied):
        services.hours_log(shift=shift, logged_by=organiser_user, hours={signup.pk: 2})
    assert not ShiftSignup.objects.filter(hours__isnull=False).exists()
    mine = ended_shift(opportunity=OpportunityFactory(created_by=organiser_user))
    signup = ShiftSignupFactory(shift=mine, person=volunteer_user.person)
    assert organiser_client.post(hours_url(mine), {f"hours_{signup.pk}": "2"}).status_code == 302
    page = volunteer_client.get(MY_SHIFTS).content.decode()
    assert "<strong>2 hours</strong>" in page


@pytest.mark.django_db
def test_the_dashboard_counts_this_months_hours():
    now = timezone.now()
    shift = ended_shift()
    regular = ShiftSignupFactory(shift=shift, hours=Decimal("2.5")).person
    newcomer = ShiftSignupFactory(shift=shift, hours=Decimal("1")).person
    ShiftSignupFactory(shift=shift, hours=Decimal("3"), status=ShiftSignup.Status.CANCELLED)
    last_year = ShiftFactory(
        starts_at=now - datetime.timedelta(days=400),
        ends_at=now - datetime.timedelta(days=400) + datetime.timedelta(hours=2),
    )
    ShiftSignupFactory(shift=last_year, person=regular, hours=Decimal("2"))
    ShiftFactory(places=5)
    start, end = selectors.month_bounds(now)
    if not start <= shift.starts_at < end:  # the test runs in the first hours of a month
        pytest.skip("the ended shift started last month")
    counts = selectors.volunteering_counts(now)
    assert counts == {
        "hours_this_month": Decimal("3.5"),
        "volunteers_this_month": 2,
        "open_opportunities": 3,
        "places_left": 5,
    }
    this_month = selectors.hours_by_person(start=start, end=end)
    assert [(p, p.volunteer_hours) for p in this_month] == [
        (regular, Decimal("2.5")),
        (newcomer, Decimal("1")),
    ]
    assert selectors.hours_by_person().get(pk=regular.pk).volunteer_hours == Decimal("4.5")
    assert selectors.hours_of(regular) == Decimal("4.5")


# Access per role and queries per page --------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    opportunity = OpportunityFactory()
    for url in (LIST, OFFER, MY_SHIFTS, detail(opportunity)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_member_sees_open_opportunities_and_cannot_post_one(member_client):
    OpportunityFactory(title="Open role")
    closed = OpportunityFactory(title="Closed role", status=Opportunity.Status.CLOSED)
    page = member_client.get(LIST).content.decode()
    assert "Open role" in page and "Closed role" not in page
    assert "Post an opportunity" not in page
    assert member_client.get(detail(closed)).status_code == 404
    assert member_client.post(CREATE, opportunity_data()).status_code == 403
    assert not Opportunity.objects.filter(title="Food bank helper").exists()


@pytest.mark.django_db
def test_staff_see_every_opportunity(staff_client):
    OpportunityFactory(title="Closed role", status=Opportunity.Status.CLOSED)
    page = staff_client.get(LIST).content.decode()
    assert "Closed role" in page and "Post an opportunity" in page


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _opportunity_with_shifts(shifts, signups_each):
    skill = SkillFactory()
    opportunity = OpportunityFactory(
        skills=[skill, SkillFactory()], group=GroupFactory(), locality=LocalityFactory()
    )
    for n in range(shifts):
        shift = ShiftFactory(opportunity=opportunity, places=signups_each + 1)
        ShiftSignupFactory.create_batch(signups_each, shift=shift)
        if n % 2:
            ended_shift(opportunity=opportunity)
    VolunteerOfferFactory(skills=[skill])
    return opportunity


@pytest.mark.django_db
def test_the_opportunity_list_uses_a_fixed_number_of_queries(
    staff_client, member_client, django_assert_num_queries
):
    for _ in range(2):
        _opportunity_with_shifts(1, 1)
    few = {client: _queries(client, LIST) for client in (staff_client, member_client)}
    for _ in range(30):
        _opportunity_with_shifts(2, 2)
    for client, count in few.items():
        with django_assert_num_queries(count):
            client.get(LIST)
        with django_assert_num_queries(count):
            client.get(LIST + "?page=2")


@pytest.mark.django_db
def test_the_opportunity_page_uses_a_fixed_number_of_queries(
    staff_client, member_client, django_assert_num_queries
):
    small = _opportunity_with_shifts(1, 1)
    big = _opportunity_with_shifts(12, 3)
    for _ in range(10):
        VolunteerOfferFactory(skills=list(big.skills.all()))
    for client in (staff_client, member_client):
        count = _queries(client, detail(small))
        with django_assert_num_queries(count):
            client.get(detail(big))
    # Signed in (2), the opportunity, its skills and shifts, the viewer's places, who is
    # coming, and the people to ask: offers, their people, their skills.
    assert _queries(staff_client, detail(big)) == 10


@pytest.mark.django_db
@pytest.mark.parametrize("offers", [3, 30])
def test_the_offers_list_uses_a_fixed_number_of_queries(
    staff_client, offers, django_assert_num_queries
):
    skill, place = SkillFactory(), LocalityFactory()
    for _ in range(offers):
        VolunteerOfferFactory(skills=[skill, SkillFactory()], locality=place)
    # Signed in (2), the skill asked for, the count, a page of offers, their skills, and the
    # filters' choices (2).
    with django_assert_num_queries(8):
        response = staff_client.get(reverse("connect:offer_list") + f"?skill={skill.pk}")
    assert response.content.decode().count(f'<td data-label="Where">{place}') == min(offers, 25)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NaN", "Enter a number"),
        ("1e1000", "At most 4 hours"),
        ("0.001", "more than 0"),
        ("two", "Enter a number"),
    ],
)
def test_the_hours_service_refuses_odd_numbers(staff_user, value, message):
    shift = ended_shift()
    signup = ShiftSignupFactory(shift=shift)
    with pytest.raises(ValidationError, match=message):
        services.hours_log(shift=shift, logged_by=staff_user, hours={signup.pk: value})
    signup.refresh_from_db()
    assert signup.hours is None
