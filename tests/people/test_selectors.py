"""The core's read queries (hubsite.people.selectors)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hubsite.people import selectors
from hubsite.people.models import Consent, GroupMembership, Person, Role
from tests.people.factories import (
    ConsentFactory,
    GroupFactory,
    GroupMembershipFactory,
    LocalityFactory,
    PersonFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EMAIL = Consent.Purpose.CONTACT_EMAIL
SMS = Consent.Purpose.CONTACT_SMS


def say(person, given, days_ago, purpose=EMAIL):
    return ConsentFactory(
        person=person,
        purpose=purpose,
        given=given,
        recorded_at=timezone.now() - timedelta(days=days_ago),
    )


# Consent -------------------------------------------------------------------------------


@pytest.fixture
def answers():
    """People who said different things, in different orders, about email contact."""
    given = PersonFactory(first_name="Given")
    say(given, True, 1)
    given_then_withdrawn = PersonFactory(first_name="GivenThenWithdrawn")
    say(given_then_withdrawn, True, 5)
    say(given_then_withdrawn, False, 1)
    withdrawn_then_given = PersonFactory(first_name="WithdrawnThenGiven")
    say(withdrawn_then_given, False, 5)
    say(withdrawn_then_given, True, 1)
    only_sms = PersonFactory(first_name="OnlySms")
    say(only_sms, True, 1, purpose=SMS)
    email_withdrawn_sms_given = PersonFactory(first_name="EmailNoSmsYes")
    say(email_withdrawn_sms_given, False, 1)
    say(email_withdrawn_sms_given, True, 0, purpose=SMS)
    PersonFactory(first_name="NeverAsked")
    return {
        "given": given,
        "given_then_withdrawn": given_then_withdrawn,
        "withdrawn_then_given": withdrawn_then_given,
        "only_sms": only_sms,
        "email_withdrawn_sms_given": email_withdrawn_sms_given,
    }


def test_people_with_consent_are_those_whose_latest_answer_is_yes(answers):
    reachable = selectors.people_with_consent(EMAIL)

    assert {p.first_name for p in reachable} == {"Given", "WithdrawnThenGiven"}


def test_people_with_consent_for_another_purpose(answers):
    reachable = selectors.people_with_consent(SMS)

    assert {p.first_name for p in reachable} == {"OnlySms", "EmailNoSmsYes"}


def test_people_with_consent_narrows_a_given_queryset(answers):
    queryset = Person.objects.filter(first_name__startswith="Withdrawn")

    assert list(selectors.people_with_consent(EMAIL, queryset)) == [answers["withdrawn_then_given"]]


def test_people_with_consent_with_answers_at_the_same_moment_takes_the_last_recorded():
    person = PersonFactory()
    moment = timezone.now()
    ConsentFactory(person=person, given=True, recorded_at=moment)
    ConsentFactory(person=person, given=False, recorded_at=moment)

    assert not selectors.people_with_consent(EMAIL).exists()
    assert selectors.consent_given(person, EMAIL) is False


def test_people_with_consent_is_one_query_whatever_the_number_of_people(
    django_assert_num_queries,
):
    for n in range(30):
        say(PersonFactory(), n % 2 == 0, 2)
        say(PersonFactory(), n % 3 == 0, 1)

    with django_assert_num_queries(1):
        assert len(list(selectors.people_with_consent(EMAIL))) == 15 + 10


def test_consent_given_follows_the_latest_answer(answers):
    assert selectors.consent_given(answers["given"], EMAIL) is True
    assert selectors.consent_given(answers["given_then_withdrawn"], EMAIL) is False
    assert selectors.consent_given(answers["withdrawn_then_given"], EMAIL) is True
    assert selectors.consent_given(answers["only_sms"], EMAIL) is False


def test_consent_current_is_the_latest_answer_for_each_purpose():
    person = PersonFactory()
    say(person, True, 5)
    latest_email = say(person, False, 1)
    latest_sms = say(person, True, 3, purpose=SMS)

    current = selectors.consent_current(person)

    assert current == {EMAIL: latest_email, SMS: latest_sms}


# People --------------------------------------------------------------------------------


def test_person_by_email_ignores_case_and_spaces():
    person = PersonFactory(email="nadia@example.test")

    assert selectors.person_by_email(" NADIA@Example.test ") == person
    assert selectors.person_by_email("nobody@example.test") is None


@pytest.mark.parametrize("email", ["", None])
def test_person_by_email_with_no_email_finds_no_one(email):
    PersonFactory(email="")

    assert selectors.person_by_email(email) is None


def test_person_list_joins_what_the_list_shows(django_assert_num_queries):
    for _ in range(10):
        PersonFactory(
            locality=LocalityFactory(), tags=TagFactory.create_batch(2), user=UserFactory()
        )

    with django_assert_num_queries(2):  # people with locality and user, then their tags
        rows = [
            (p.locality.name, p.user.role, [t.name for t in p.tags.all()])
            for p in selectors.person_list()
        ]

    assert len(rows) == 10


def test_person_detail_queryset_joins_groups_and_consents(django_assert_num_queries):
    person = PersonFactory(locality=LocalityFactory(), tags=[TagFactory()])
    GroupMembershipFactory.create_batch(3, person=person)
    ConsentFactory.create_batch(4, person=person, recorded_by=UserFactory())

    with django_assert_num_queries(4):
        loaded = selectors.person_detail_queryset().get(pk=person.pk)
        groups = [m.group.name for m in loaded.memberships.all()]
        recorders = [c.recorded_by.email for c in loaded.consents.all()]
        selectors.consent_current(loaded)
        selectors.person_timeline(loaded, None)

    assert (len(groups), len(recorders)) == (3, 4)
    assert groups == sorted(groups)


def test_person_timeline_lists_first_contact_consents_and_groups():
    person = PersonFactory()
    say(person, True, 2)
    GroupMembershipFactory(person=person, group=GroupFactory(name="Choir"))

    titles = [entry.title for entry in selectors.person_timeline(person, None)]

    assert titles == [
        "First known to the hub",
        "Consent given: Contact by email",
        "Joined Choir as member",
    ]


def test_people_counts():
    PersonFactory.create_batch(3)
    PersonFactory(user=UserFactory())

    assert selectors.people_counts() == {"total": 4, "with_account": 1}


# Groups and places ---------------------------------------------------------------------


@pytest.fixture
def groups():
    organiser = UserFactory(role=Role.ORGANISER)
    person = PersonFactory(user=organiser)
    organised = GroupFactory(name="Organised")
    led = GroupFactory(name="Led")
    joined = GroupFactory(name="Joined")
    GroupFactory(name="Other")
    GroupMembershipFactory(person=person, group=organised, role=GroupMembership.Role.ORGANISER)
    GroupMembershipFactory(person=person, group=led, role=GroupMembership.Role.LEADER)
    GroupMembershipFactory(person=person, group=joined)
    GroupMembershipFactory.create_batch(2, group=organised)
    return organiser


def test_group_list_for_staff_is_every_group(groups):
    staff = UserFactory(role=Role.STAFF)

    assert [g.name for g in selectors.group_list(staff)] == ["Joined", "Led", "Organised", "Other"]


def test_group_list_for_an_organiser_is_the_groups_they_organise_or_lead(groups):
    listed = {g.name: g.member_count for g in selectors.group_list(groups)}

    assert listed == {"Led": 1, "Organised": 3}


def test_group_list_for_an_organiser_who_became_a_volunteer_is_empty(groups):
    groups.role = Role.VOLUNTEER
    groups.save()

    assert not selectors.group_list(groups).exists()


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.MEMBER])
def test_group_list_for_others_is_empty(role):
    user = UserFactory(role=role)
    GroupMembershipFactory(person=PersonFactory(user=user), role=GroupMembership.Role.LEADER)

    assert not selectors.group_list(user).exists()


def test_group_members_are_the_groups_members_by_name():
    group = GroupFactory()
    GroupMembershipFactory(group=group, person__last_name="Zed")
    GroupMembershipFactory(group=group, person__last_name="Abel")
    GroupMembershipFactory(person__last_name="Elsewhere")

    assert [m.person.last_name for m in selectors.group_members(group)] == ["Abel", "Zed"]


def test_locality_list_counts_without_multiplying():
    riverside = LocalityFactory(name="Riverside")
    PersonFactory.create_batch(3, locality=riverside)
    GroupFactory.create_batch(2, locality=riverside)
    LocalityFactory(name="Empty")

    counts = {loc.name: (loc.people_count, loc.group_count) for loc in selectors.locality_list()}

    assert counts == {"Empty": (0, 0), "Riverside": (3, 2)}


def test_tag_list_counts_people():
    carers = TagFactory(name="Carers")
    PersonFactory.create_batch(2, tags=[carers, TagFactory()])

    assert selectors.tag_list().get(pk=carers.pk).people_count == 2


def test_dashboard_figures_are_for_staff_only():
    PersonFactory.create_batch(2)

    staff_figures = selectors.dashboard_figures(UserFactory(role=Role.STAFF))

    assert staff_figures[0].value == 2
    assert selectors.dashboard_figures(UserFactory(role=Role.ORGANISER)) == []
