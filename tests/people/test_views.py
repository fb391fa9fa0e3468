"""The core's staff screens as a user sees them: people, consent, invitations, roles, groups,
localities and communities of interest, and who may open them."""

import io
import json
import re
import zipfile

import factory
import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hubsite.notify.models import OutboxMessage
from hubsite.people.models import (
    Consent,
    Group,
    GroupMembership,
    Locality,
    Person,
    Role,
    Tag,
    User,
)
from tests.people.factories import (
    ConsentFactory,
    GroupFactory,
    GroupMembershipFactory,
    LocalityFactory,
    PersonFactory,
    TagFactory,
    UserFactory,
)

PASSWORD = "Orchard-lantern-47-quietly"
FILTER_MESSAGE = "Some filters were not understood"


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def listed_names(response):
    """The names in the people table, in order."""
    return re.findall(r'data-label="Name"><a href="[^"]+">([^<]+)</a>', response.text)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


# The people list ---------------------------------------------------------------------


@pytest.fixture
def neighbours(db):
    """A few people to filter: two places, two communities, a group, some accounts."""
    riverside, hilltop = LocalityFactory(name="Riverside"), LocalityFactory(name="Hilltop")
    carers, cyclists = TagFactory(name="Young carers"), TagFactory(name="Cyclists")
    choir = GroupFactory(name="Community choir")
    amina = PersonFactory(
        first_name="Amina",
        last_name="Hassan",
        email="amina@example.test",
        locality=riverside,
        tags=[carers, cyclists],
    )
    bob = PersonFactory(
        first_name="Bob",
        last_name="Okafor",
        email="bob.o@mail.test",
        locality=hilltop,
        tags=[cyclists],
        user=UserFactory(email="bob.o@mail.test", role=Role.VOLUNTEER),
    )
    cora = PersonFactory(first_name="Cora", last_name="Hassan", email="", locality=riverside)
    GroupMembershipFactory(person=amina, group=choir)
    GroupMembershipFactory(person=bob, group=choir, role=GroupMembership.Role.LEADER)
    return {
        "riverside": riverside,
        "hilltop": hilltop,
        "carers": carers,
        "cyclists": cyclists,
        "choir": choir,
        "amina": amina,
        "bob": bob,
        "cora": cora,
    }


def test_people_list_shows_everyone_to_staff(staff_client, neighbours):
    response = staff_client.get(reverse("people:person_list"))

    assert response.status_code == 200
    # The staff user's own Person (first name "Staff") is listed too.
    assert set(listed_names(response)) == {"Amina Hassan", "Bob Okafor", "Cora Hassan", "Staff"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("amina", {"Amina Hassan"}),
        ("HASSAN", {"Amina Hassan", "Cora Hassan"}),
        ("mail.test", {"Bob Okafor"}),
        ("cora hassan", {"Cora Hassan"}),
        ("nobody-like-this", set()),
    ],
)
def test_people_list_searches_names_and_emails(staff_client, neighbours, q, expected):
    response = staff_client.get(reverse("people:person_list"), {"q": q})

    assert response.status_code == 200
    assert set(listed_names(response)) == expected


@pytest.mark.parametrize("sorted_up_to", [0, 5000])
def test_people_list_search_keeps_the_lists_order_however_it_is_read(
    staff_client, neighbours, monkeypatch, sorted_up_to
):
    from hubsite.people import selectors

    monkeypatch.setattr(selectors, "SEARCH_SORTED_UP_TO", sorted_up_to)
    PersonFactory(first_name="Aaron", last_name="Hassan")

    response = staff_client.get(reverse("people:person_list"), {"q": "hassan"})

    assert listed_names(response) == ["Aaron Hassan", "Amina Hassan", "Cora Hassan"]
    assert "3 found" in response.text


def test_people_list_filters_by_locality(staff_client, neighbours):
    response = staff_client.get(
        reverse("people:person_list"), {"locality": neighbours["riverside"].pk}
    )

    assert set(listed_names(response)) == {"Amina Hassan", "Cora Hassan"}


def test_people_list_filters_by_community_of_interest(staff_client, neighbours):
    response = staff_client.get(reverse("people:person_list"), {"tag": neighbours["cyclists"].pk})

    # Amina has two communities: she is listed once.
    assert listed_names(response) == ["Amina Hassan", "Bob Okafor"]


def test_people_list_filters_by_group(staff_client, neighbours):
    response = staff_client.get(reverse("people:person_list"), {"group": neighbours["choir"].pk})

    assert listed_names(response) == ["Amina Hassan", "Bob Okafor"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("volunteer", {"Bob Okafor"}),
        ("staff", {"Staff"}),
        ("member", set()),
        ("none", {"Amina Hassan", "Cora Hassan"}),
        ("any", {"Bob Okafor", "Staff"}),
    ],
)
def test_people_list_filters_by_account_role(staff_client, neighbours, role, expected):
    response = staff_client.get(reverse("people:person_list"), {"role": role})

    assert response.status_code == 200
    assert set(listed_names(response)) == expected


def test_people_list_combines_filters(staff_client, neighbours):
    response = staff_client.get(
        reverse("people:person_list"),
        {"q": "hassan", "tag": neighbours["carers"].pk, "locality": neighbours["riverside"].pk},
    )

    assert listed_names(response) == ["Amina Hassan"]


def test_people_list_is_paginated(staff_client, settings):
    PersonFactory.create_batch(settings.PAGE_SIZE + 5, user=None)

    first = staff_client.get(reverse("people:person_list"))
    second = staff_client.get(reverse("people:person_list"), {"page": 2})

    total = settings.PAGE_SIZE + 6  # with the staff user's own Person
    assert len(listed_names(first)) == settings.PAGE_SIZE
    assert "Page 1 of 2" in first.text
    assert f"{total} in all" in first.text
    assert len(listed_names(second)) == 6
    assert "Page 2 of 2" in second.text
    assert not set(listed_names(first)) & set(listed_names(second))


def test_people_list_keeps_its_total_and_counts_again_when_someone_comes_or_goes(staff_client):
    url = reverse("people:person_list")
    PersonFactory.create_batch(2)
    assert "3 found" in staff_client.get(url).text  # with the staff user's own Person

    with CaptureQueriesContext(connection) as captured:
        assert "3 found" in staff_client.get(url).text
    assert not [q for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]

    leaving = PersonFactory()
    assert "4 found" in staff_client.get(url).text
    leaving.delete()
    assert "3 found" in staff_client.get(url).text
    assert "1 found" in staff_client.get(url, {"q": "staff"}).text


def test_people_list_filters_show_the_chosen_group_and_escape_names(staff_client, neighbours):
    odd = GroupFactory(name="<b>Bold</b> & co")

    response = staff_client.get(reverse("people:person_list"), {"group": odd.pk})

    assert f'<option value="{odd.pk}" selected>&lt;b&gt;Bold&lt;/b&gt; &amp; co</option>' in (
        response.text
    )
    assert f'<option value="{neighbours["choir"].pk}">' in response.text
    assert '<option value="">Any group</option>' in response.text


def test_people_list_pagination_keeps_the_filters(staff_client, neighbours, settings):
    PersonFactory.create_batch(settings.PAGE_SIZE + 1, locality=neighbours["hilltop"])

    response = staff_client.get(
        reverse("people:person_list"), {"locality": neighbours["hilltop"].pk}
    )

    assert f"locality={neighbours['hilltop'].pk}&amp;page=2" in response.text


def test_people_list_htmx_request_gets_only_the_results(staff_client, neighbours):
    response = staff_client.get(
        reverse("people:person_list"), {"q": "amina"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="results"' in response.text
    assert '<form method="get"' not in response.text
    assert listed_names(response) == ["Amina Hassan"]


def test_people_list_normal_request_gets_the_whole_page(staff_client, neighbours):
    response = staff_client.get(reverse("people:person_list"), {"q": "amina"})

    assert "<html" in response.text
    assert '<form method="get"' in response.text
    assert 'id="results"' in response.text


def test_people_list_boosted_htmx_request_gets_the_whole_page(staff_client, neighbours):
    response = staff_client.get(
        reverse("people:person_list"), headers={"HX-Request": "true", "HX-Boosted": "true"}
    )

    assert "<html" in response.text


def test_people_list_history_restore_request_gets_the_whole_page(staff_client, neighbours):
    response = staff_client.get(
        reverse("people:person_list"),
        {"q": "amina"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert "<html" in response.text


@pytest.mark.parametrize(
    "params",
    [
        {"locality": "abc"},
        {"locality": "999999"},
        {"tag": "abc"},
        {"group": "-1"},
        {"group": "99999999999999999999999"},
        {"role": "emperor"},
        {"q": "ann\x00ie"},
    ],
)
def test_people_list_with_a_filter_it_cannot_understand_says_so(staff_client, neighbours, params):
    response = staff_client.get(reverse("people:person_list"), params)

    assert response.status_code == 200
    assert FILTER_MESSAGE in response.text


def test_people_list_leaves_out_a_filter_it_cannot_understand(staff_client, neighbours):
    response = staff_client.get(reverse("people:person_list"), {"q": "amina", "locality": "abc"})

    assert FILTER_MESSAGE in response.text
    assert listed_names(response) == ["Amina Hassan"]


@pytest.mark.parametrize("page", ["xyz", "0", "-3", "999", ""])
def test_people_list_with_an_odd_page_number_still_answers(staff_client, neighbours, page):
    response = staff_client.get(reverse("people:person_list"), {"page": page})

    assert response.status_code == 200
    assert len(listed_names(response)) == 4


# Fixed numbers of queries ---------------------------------------------------------------


def add_people(count, localities, tags):
    for n in range(count):
        PersonFactory(
            locality=localities[n % len(localities)],
            tags=[tags[n % len(tags)], tags[(n + 1) % len(tags)]],
            user=UserFactory(role=Role.VOLUNTEER) if n % 3 == 0 else None,
        )


def test_people_list_costs_the_same_queries_for_5_and_50_people(staff_client):
    localities = LocalityFactory.create_batch(3)
    tags = TagFactory.create_batch(4)
    url = reverse("people:person_list")
    add_people(5, localities, tags)
    few = queries_for(staff_client, url)

    add_people(45, localities, tags)
    many = queries_for(staff_client, url)

    assert few == many


def test_people_list_filtered_costs_the_same_queries_for_5_and_50_people(staff_client):
    localities = LocalityFactory.create_batch(1)
    tags = TagFactory.create_batch(2)
    url = reverse("people:person_list") + f"?tag={tags[0].pk}&locality={localities[0].pk}&q=e"
    add_people(5, localities, tags)
    few = queries_for(staff_client, url)

    add_people(45, localities, tags)
    many = queries_for(staff_client, url)

    assert few == many


def test_person_detail_costs_the_same_queries_for_few_and_many_consents_and_groups(
    staff_client, staff_user
):
    def person_with(consents, groups):
        person = PersonFactory(
            locality=LocalityFactory(),
            tags=TagFactory.create_batch(2),
            user=UserFactory(role=Role.MEMBER),
        )
        ConsentFactory.create_batch(
            consents, person=person, recorded_by=staff_user, given=factory.Iterator([True, False])
        )
        GroupMembershipFactory.create_batch(groups, person=person)
        return person

    few = person_with(consents=5, groups=5)
    many = person_with(consents=50, groups=20)

    assert queries_for(staff_client, few.get_absolute_url()) == queries_for(
        staff_client, many.get_absolute_url()
    )


def active_everywhere(person, n):
    """``person`` with ``n`` records of every kind each area shows on their timeline."""
    from action.models import ActionTaken
    from organise.models import Contribution, Delivery, GroupProposal, MembershipEvent
    from tests.action.factories import ActivityFactory, AskFactory, SignupFactory, StoryFactory
    from tests.connect.factories import (
        JoinRequestFactory,
        RsvpFactory,
        ShiftSignupFactory,
        VolunteerOfferFactory,
    )
    from tests.listening.factories import ConversationFactory, ThemeFactory
    from tests.organise.factories import (
        CallToActionFactory,
        DecisionFactory,
        MembershipFactory,
    )

    membership = MembershipFactory(person=person)
    for i in range(n):
        ConversationFactory(person=person, themes=ThemeFactory.create_batch(2))
        RsvpFactory(person=person)
        VolunteerOfferFactory(person=person)
        ShiftSignupFactory(person=person, hours="2.50")
        JoinRequestFactory(person=person)
        SignupFactory(person=person)
        ActionTaken.objects.create(ask=AskFactory(), person=person, note="Wrote to them")
        StoryFactory(person=person)
        ActivityFactory().people.add(person)
        MembershipEvent.objects.create(membership=membership, kind="renewed", type=membership.type)
        Contribution.objects.create(membership=membership, amount=10)
        Delivery.objects.create(call=CallToActionFactory(), person=person, response="yes")
        DecisionFactory(owner=person)
        GroupProposal.objects.create(name=f"Group {i}", purpose="Things", proposed_by=person)
        ConsentFactory(person=person)
        GroupMembershipFactory(person=person)
    return person


def test_person_page_costs_the_same_queries_for_someone_new_and_someone_active_everywhere(
    staff_client, django_assert_num_queries
):
    """Every area's part of the timeline is read in one query (a union), so the page costs
    the same whatever the person did; it shows the newest 50 entries."""
    new = PersonFactory()
    active = active_everywhere(PersonFactory(user=UserFactory(role=Role.MEMBER)), n=4)

    for person in (new, active):
        with django_assert_num_queries(9):
            response = staff_client.get(person.get_absolute_url())
        assert response.status_code == 200

    timeline = response.context["timeline"]
    assert len(timeline) == 50
    assert [entry.when for entry in timeline] == sorted(
        (entry.when for entry in timeline), reverse=True
    )
    assert {"core", "listening", "connect", "action", "leadership", "organise"} <= {
        entry.area for entry in timeline
    }
    assert "2.5 hours given" in [entry.detail for entry in timeline]


def test_group_detail_costs_the_same_queries_for_5_and_50_members(staff_client):
    locality = LocalityFactory()
    small, large = GroupFactory(locality=locality), GroupFactory(locality=locality)
    GroupMembershipFactory.create_batch(5, group=small, person__locality=locality)
    GroupMembershipFactory.create_batch(50, group=large, person__locality=locality)

    assert queries_for(staff_client, small.get_absolute_url()) == queries_for(
        staff_client, large.get_absolute_url()
    )


def test_locality_list_costs_the_same_queries_for_5_and_50_localities(staff_client):
    def add_localities(count):
        for locality in LocalityFactory.create_batch(count):
            PersonFactory.create_batch(2, locality=locality)
            GroupFactory(locality=locality)

    url = reverse("people:locality_list")
    add_localities(5)
    few = queries_for(staff_client, url)

    add_localities(45)
    many = queries_for(staff_client, url)

    assert few == many


def test_locality_detail_costs_the_same_queries_for_5_and_50_people(staff_client):
    small, large = LocalityFactory(), LocalityFactory()
    tags = TagFactory.create_batch(2)
    add_people(5, [small], tags)
    add_people(50, [large], tags)

    assert queries_for(staff_client, small.get_absolute_url()) == queries_for(
        staff_client, large.get_absolute_url()
    )


def test_group_list_costs_the_same_queries_for_5_and_50_groups(staff_client):
    url = reverse("people:group_list")
    for group in GroupFactory.create_batch(5, locality=LocalityFactory()):
        GroupMembershipFactory.create_batch(2, group=group)
    few = queries_for(staff_client, url)

    for group in GroupFactory.create_batch(45, locality=LocalityFactory()):
        GroupMembershipFactory.create_batch(2, group=group)
    many = queries_for(staff_client, url)

    assert few == many


def test_tag_list_costs_the_same_queries_for_5_and_50_tags(staff_client):
    url = reverse("people:tag_list")
    PersonFactory(tags=TagFactory.create_batch(5))
    few = queries_for(staff_client, url)

    PersonFactory(tags=TagFactory.create_batch(45))
    many = queries_for(staff_client, url)

    assert few == many


# Adding and editing people -----------------------------------------------------------


def person_data(**overrides):
    data = {
        "first_name": "Nadia",
        "last_name": "Rahman",
        "email": "nadia@example.test",
        "phone": "07700 900123",
        "postcode": "ab1  2cd",
        "first_contact": Person.FirstContact.DOORSTEP,
        "languages": "English, Bengali",
        "consent_method": Consent.Method.VERBAL,
    }
    data.update(overrides)
    return data


def test_adding_a_person_saves_them_and_redirects_to_their_page(staff_client):
    riverside = LocalityFactory(name="Riverside")
    carers = TagFactory(name="Young carers")

    response = staff_client.post(
        reverse("people:person_create"),
        person_data(email=" Nadia@Example.TEST ", locality=riverside.pk, tags=[carers.pk]),
    )

    person = Person.objects.get(first_name="Nadia")
    assert response.status_code == 302
    assert response.url == person.get_absolute_url()
    assert person.email == "nadia@example.test"
    assert person.postcode == "AB1 2CD"
    assert person.locality == riverside
    assert list(person.tags.all()) == [carers]
    assert person.consents.count() == 0
    assert "Nadia Rahman has been added." in messages_of(response)


def test_adding_a_person_without_email_is_fine(staff_client):
    PersonFactory(email="")

    response = staff_client.post(reverse("people:person_create"), person_data(email=""))

    assert response.status_code == 302
    assert Person.objects.filter(first_name="Nadia", email="").exists()


def test_adding_a_person_records_the_consents_ticked_with_method_and_recorder(
    staff_client, staff_user
):
    staff_client.post(
        reverse("people:person_create"),
        person_data(
            consents=[Consent.Purpose.CONTACT_EMAIL, Consent.Purpose.CONTACT_SMS],
            consent_method=Consent.Method.PAPER,
        ),
    )

    person = Person.objects.get(first_name="Nadia")
    consents = person.consents.all()
    assert {c.purpose for c in consents} == {"contact_email", "contact_sms"}
    assert all(c.given for c in consents)
    assert {c.method for c in consents} == {Consent.Method.PAPER}
    assert {c.recorded_by for c in consents} == {staff_user}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"first_name": "   "}, "first_name", "This field is required."),
        ({"first_name": "Na\x00dia"}, "first_name", "Null characters are not allowed."),
        ({"first_name": "N" * 81}, "first_name", "at most 80 characters"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"email": "nadia@"}, "email", "Enter a valid email address."),
        ({"locality": "999999"}, "locality", "Select a valid choice."),
        ({"consents": ["telepathy"]}, "consents", "Select a valid choice."),
        ({"consent_method": "pigeon"}, "consent_method", "Select a valid choice."),
    ],
)
def test_adding_a_person_with_bad_input_shows_the_form_again_and_saves_nothing(
    staff_client, overrides, field, message
):
    before = Person.objects.count()

    response = staff_client.post(reverse("people:person_create"), person_data(**overrides))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in response.context["form"].errors[field][0]
    assert message in response.text
    assert Person.objects.count() == before
    assert Consent.objects.count() == 0


def test_adding_a_person_with_a_known_email_links_to_them_and_saves_nothing(staff_client):
    known = PersonFactory(first_name="Grace", last_name="Obi", email="grace@example.test")
    before = Person.objects.count()

    response = staff_client.post(
        reverse("people:person_create"),
        person_data(email="GRACE@Example.test", consents=[Consent.Purpose.CONTACT_EMAIL]),
    )

    assert response.status_code == 200
    assert Person.objects.count() == before
    assert Consent.objects.count() == 0
    assert f'<a href="{known.get_absolute_url()}">Grace Obi</a>' in response.text
    assert "already known to the hub" in response.text


def test_the_known_email_message_escapes_the_known_persons_name(staff_client):
    PersonFactory(first_name="<b>Grace</b>", last_name="", email="grace@example.test")

    response = staff_client.post(
        reverse("people:person_create"), person_data(email="grace@example.test")
    )

    assert "&lt;b&gt;Grace&lt;/b&gt;</a>" in response.text
    assert "<b>Grace</b>" not in response.text


def test_editing_a_person_saves_and_redirects(staff_client):
    person = PersonFactory(first_name="Lee", email="lee@example.test")
    cyclists = TagFactory()

    response = staff_client.post(
        reverse("people:person_edit", args=[person.pk]),
        {
            "first_name": "Leigh",
            "last_name": "Park",
            "email": "LEIGH@example.test",
            "tags": [cyclists.pk],
        },
    )

    person.refresh_from_db()
    assert response.status_code == 302
    assert response.url == person.get_absolute_url()
    assert (person.first_name, person.last_name, person.email) == (
        "Leigh",
        "Park",
        "leigh@example.test",
    )
    assert list(person.tags.all()) == [cyclists]


def test_editing_a_person_form_has_no_consent_fields(staff_client):
    person = PersonFactory()

    response = staff_client.get(reverse("people:person_edit", args=[person.pk]))

    assert response.status_code == 200
    assert "consents" not in response.context["form"].fields
    assert 'name="consents"' not in response.text


def test_editing_a_person_may_keep_their_own_email_in_another_case(staff_client):
    person = PersonFactory(first_name="Lee", email="lee@example.test")

    response = staff_client.post(
        reverse("people:person_edit", args=[person.pk]),
        {"first_name": "Lee", "email": "LEE@example.test"},
    )

    assert response.status_code == 302


def test_editing_a_person_to_another_persons_email_is_refused(staff_client):
    other = PersonFactory(first_name="Grace", last_name="Obi", email="grace@example.test")
    person = PersonFactory(first_name="Lee", last_name="Park", email="lee@example.test")

    response = staff_client.post(
        reverse("people:person_edit", args=[person.pk]),
        {"first_name": "Lee", "last_name": "Park", "email": "Grace@example.test"},
    )

    person.refresh_from_db()
    assert response.status_code == 200
    assert f'<a href="{other.get_absolute_url()}">Grace Obi</a>' in response.text
    assert person.email == "lee@example.test"


def test_editing_a_person_without_a_first_name_is_refused(staff_client):
    person = PersonFactory(first_name="Lee")

    response = staff_client.post(
        reverse("people:person_edit", args=[person.pk]), {"first_name": " "}
    )

    person.refresh_from_db()
    assert response.status_code == 200
    assert "first_name" in response.context["form"].errors
    assert person.first_name == "Lee"


@pytest.mark.parametrize(
    "name", ["people:person_detail", "people:person_edit", "people:consent_record"]
)
@pytest.mark.parametrize("pk", [999999, 99999999999999999999999])
def test_a_person_who_does_not_exist_gives_404(staff_client, name, pk):
    assert staff_client.get(reverse(name, args=[pk])).status_code == 404


# Consent -------------------------------------------------------------------------------


def consent_data(**overrides):
    data = {"purpose": Consent.Purpose.CONTACT_EMAIL, "given": "yes", "method": "verbal"}
    data.update(overrides)
    return data


def test_recording_consent_appends_a_row_and_keeps_the_history(staff_client, staff_user):
    person = PersonFactory()
    url = reverse("people:consent_record", args=[person.pk])

    first = staff_client.post(url, consent_data(given="yes"))
    second = staff_client.post(url, consent_data(given="no", method="email", note="By reply"))

    assert first.status_code == second.status_code == 302
    assert second.url == person.get_absolute_url()
    history = list(person.consents.order_by("recorded_at", "id"))
    assert [(c.given, c.method, c.recorded_by) for c in history] == [
        (True, "verbal", staff_user),
        (False, "email", staff_user),
    ]
    assert history[1].note == "By reply"


def test_person_page_shows_the_latest_consent_for_each_purpose(staff_client):
    person = PersonFactory()
    url = reverse("people:consent_record", args=[person.pk])
    staff_client.post(url, consent_data(given="yes"))
    staff_client.post(url, consent_data(given="no"))
    staff_client.post(url, consent_data(purpose=Consent.Purpose.CONTACT_SMS, given="yes"))

    response = staff_client.get(person.get_absolute_url())

    assert "Contact by email: <strong>no</strong>" in response.text
    assert "Contact by text message: <strong>yes</strong>" in response.text
    assert response.context["consents"]["contact_email"].given is False


def test_person_page_without_consent_says_the_hub_may_not_contact_them(staff_client):
    person = PersonFactory()

    response = staff_client.get(person.get_absolute_url())

    assert "No consent recorded" in response.text


@pytest.mark.parametrize(
    "overrides",
    [
        {"purpose": ""},
        {"purpose": "telepathy"},
        {"given": ""},
        {"given": "maybe"},
        {"method": "pigeon"},
        {"note": "x" * 201},
    ],
)
def test_recording_consent_with_bad_input_saves_nothing(staff_client, overrides):
    person = PersonFactory()

    response = staff_client.post(
        reverse("people:consent_record", args=[person.pk]), consent_data(**overrides)
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Consent.objects.count() == 0


# Invitations ---------------------------------------------------------------------------


def invite(client, person, role=Role.VOLUNTEER):
    return client.post(reverse("people:person_invite", args=[person.pk]), {"role": role})


def invitation_path(message):
    return re.search(r"http://testserver(/people/invite/\S+/)", message.body_text).group(1)


def test_staff_inviting_a_person_opens_an_account_and_queues_the_email(
    staff_client, django_capture_on_commit_callbacks
):
    person = PersonFactory(first_name="Nadia", email="nadia@example.test")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = invite(staff_client, person, Role.VOLUNTEER)

    person.refresh_from_db()
    assert response.status_code == 302
    assert response.url == person.get_absolute_url()
    assert person.user.email == "nadia@example.test"
    assert person.user.role == Role.VOLUNTEER
    assert not person.user.has_usable_password()
    message = OutboxMessage.objects.get()
    assert message.category == OutboxMessage.Category.ACCOUNT
    assert message.status == OutboxMessage.Status.PENDING
    assert message.person == person
    assert message.to_email == "nadia@example.test"
    assert message.key == f"people.invite:{person.user.pk}:1"
    assert "Hello Nadia" in message.body_text
    assert "volunteer" in message.body_text
    assert invitation_path(message).startswith("/people/invite/")
    assert len(callbacks) == 1  # delivery is queued after the commit
    assert "An invitation has been sent to nadia@example.test." in messages_of(response)


def test_following_the_invitation_sets_the_password_verifies_the_email_and_signs_in(
    client, staff_user
):
    person = PersonFactory(email="nadia@example.test")
    client.force_login(staff_user)
    invite(client, person, Role.MEMBER)
    client.logout()
    path = invitation_path(OutboxMessage.objects.get())

    page = client.get(path)
    response = client.post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    user = User.objects.get(email="nadia@example.test")
    assert page.status_code == 200
    assert "nadia@example.test" in page.text
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.filter(
        user=user, email="nadia@example.test", verified=True, primary=True
    ).exists()
    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_invitation_link_works_only_once(client, staff_user):
    person = PersonFactory(email="nadia@example.test")
    client.force_login(staff_user)
    invite(client, person)
    client.logout()
    path = invitation_path(OutboxMessage.objects.get())
    client.post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    client.logout()

    again = client.get(path)
    reused = client.post(path, {"new_password1": "x" + PASSWORD, "new_password2": "x" + PASSWORD})

    assert again.status_code == reused.status_code == 400
    assert "This invitation link does not work" in again.text
    assert User.objects.get(email="nadia@example.test").check_password(PASSWORD)


def test_setting_a_password_that_does_not_match_shows_the_form_again(client, staff_user):
    person = PersonFactory(email="nadia@example.test")
    client.force_login(staff_user)
    invite(client, person)
    client.logout()
    path = invitation_path(OutboxMessage.objects.get())

    response = client.post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD + "!"})

    user = User.objects.get(email="nadia@example.test")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user, verified=True).exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("uid", "token"),
    [
        ("MQ", "bad-token"),
        ("not-base64!", "abc-def"),
        ("OTk5OTk5OQ", "abc-def"),
        ("OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk", "abc-def"),
        ("LTE", "abc-def"),
        ("AA", "abc-def"),
        ("", ""),
    ],
)
def test_an_invalid_invitation_link_gives_400(client, db, uid, token):
    UserFactory()
    url = f"/people/invite/{uid}/{token}/" if uid else "/people/invite/%20/%20/"

    response = client.get(url)

    assert response.status_code == 400
    assert "This invitation link does not work" in response.text


def test_inviting_a_person_without_email_gives_an_error_and_creates_nothing(staff_client):
    person = PersonFactory(email="")
    users = User.objects.count()

    response = invite(staff_client, person)

    assert response.status_code == 302
    assert "Add an email address to this person before inviting them." in messages_of(response)
    assert User.objects.count() == users
    assert not OutboxMessage.objects.exists()


def test_inviting_a_person_who_has_an_account_gives_an_error_and_creates_nothing(
    staff_client, member_user
):
    users = User.objects.count()

    response = invite(staff_client, member_user.person, Role.STAFF)

    member_user.refresh_from_db()
    assert f"{member_user.person} already has an account." in messages_of(response)
    assert User.objects.count() == users
    assert member_user.role == Role.MEMBER
    assert not OutboxMessage.objects.exists()


def test_inviting_a_person_whose_email_has_an_account_elsewhere_creates_nothing(staff_client):
    UserFactory(email="shared@example.test")
    person = PersonFactory(email="Shared@example.test")
    users = User.objects.count()

    response = invite(staff_client, person)

    person.refresh_from_db()
    assert "An account with this email address already exists." in messages_of(response)
    assert User.objects.count() == users
    assert person.user is None
    assert not OutboxMessage.objects.exists()


def test_inviting_with_an_unknown_role_creates_nothing(staff_client):
    person = PersonFactory()
    users = User.objects.count()

    response = invite(staff_client, person, "emperor")

    assert "Choose a role for the invitation." in messages_of(response)
    assert User.objects.count() == users


def test_invite_needs_a_post(staff_client):
    person = PersonFactory()

    assert staff_client.get(reverse("people:person_invite", args=[person.pk])).status_code == 405


# Roles ---------------------------------------------------------------------------------


def test_staff_changes_another_users_role(staff_client, member_user):
    response = staff_client.post(
        reverse("people:person_set_role", args=[member_user.person.pk]),
        {"role": Role.ORGANISER},
    )

    member_user.refresh_from_db()
    assert response.status_code == 302
    assert member_user.role == Role.ORGANISER
    assert "Member is now organiser." in messages_of(response)


def test_staff_cannot_change_their_own_role(staff_client, staff_user):
    response = staff_client.post(
        reverse("people:person_set_role", args=[staff_user.person.pk]), {"role": Role.MEMBER}
    )

    staff_user.refresh_from_db()
    assert staff_user.role == Role.STAFF
    assert "You cannot change your own role." in messages_of(response)


def test_setting_a_role_for_a_person_without_an_account_gives_a_message(staff_client):
    person = PersonFactory()

    response = staff_client.post(
        reverse("people:person_set_role", args=[person.pk]), {"role": Role.ORGANISER}
    )

    assert "Choose a role for this person's account." in messages_of(response)
    assert User.objects.count() == 1


def test_setting_an_unknown_role_changes_nothing(staff_client, member_user):
    staff_client.post(
        reverse("people:person_set_role", args=[member_user.person.pk]), {"role": "emperor"}
    )

    member_user.refresh_from_db()
    assert member_user.role == Role.MEMBER


# Groups --------------------------------------------------------------------------------


def test_staff_creates_a_group(staff_client):
    riverside = LocalityFactory()

    response = staff_client.post(
        reverse("people:group_create"),
        {"name": " Tenants United ", "kind": Group.Kind.RESIDENTS, "locality": riverside.pk},
    )

    group = Group.objects.get()
    assert response.status_code == 302
    assert response.url == group.get_absolute_url()
    assert (group.name, group.slug, group.locality) == (
        "Tenants United",
        "tenants-united",
        riverside,
    )


@pytest.mark.parametrize("name", ["Tenants United", "tenants united", "TENANTS UNITED "])
def test_creating_a_group_with_a_known_name_is_refused(staff_client, name):
    GroupFactory(name="Tenants United")

    response = staff_client.post(
        reverse("people:group_create"), {"name": name, "kind": Group.Kind.RESIDENTS}
    )

    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["name"][0]
    assert Group.objects.count() == 1


def test_creating_a_group_without_a_name_is_refused(staff_client):
    response = staff_client.post(reverse("people:group_create"), {"name": "", "kind": "interest"})

    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert not Group.objects.exists()


def test_a_group_named_new_gets_a_slug_that_does_not_hide_the_create_page(staff_client):
    staff_client.post(reverse("people:group_create"), {"name": "New", "kind": "interest"})

    group = Group.objects.get()
    assert group.slug != "new"
    assert staff_client.get(group.get_absolute_url()).context["group"] == group
    assert "form" in staff_client.get(reverse("people:group_create")).context


def test_groups_with_the_same_slug_get_different_ones(staff_client):
    staff_client.post(reverse("people:group_create"), {"name": "Tenants: United", "kind": "other"})
    staff_client.post(reverse("people:group_create"), {"name": "Tenants United", "kind": "other"})

    assert sorted(Group.objects.values_list("slug", flat=True)) == [
        "tenants-united",
        "tenants-united-2",
    ]


def test_staff_edits_a_group(staff_client):
    group = GroupFactory(name="Choir")
    GroupFactory(name="Band")

    renamed = staff_client.post(
        reverse("people:group_edit", args=[group.slug]), {"name": "Big Choir", "kind": "interest"}
    )
    clash = staff_client.post(
        reverse("people:group_edit", args=[group.slug]), {"name": "band", "kind": "interest"}
    )

    group.refresh_from_db()
    assert renamed.status_code == 302
    assert clash.status_code == 200
    assert "already exists" in clash.context["form"].errors["name"][0]
    assert group.name == "Big Choir"


def add_to_group(client, person, group, role=GroupMembership.Role.MEMBER):
    return client.post(
        reverse("people:person_add_to_group", args=[person.pk]),
        {"group": group.pk, "role": role},
    )


def test_staff_adds_a_person_to_a_group_from_their_page(staff_client):
    person, group = PersonFactory(), GroupFactory(name="Choir")

    response = add_to_group(staff_client, person, group, GroupMembership.Role.ORGANISER)

    membership = GroupMembership.objects.get()
    assert response.status_code == 302
    assert response.url == person.get_absolute_url()
    assert (membership.person, membership.group, membership.role) == (
        person,
        group,
        GroupMembership.Role.ORGANISER,
    )
    assert f"{person} has joined Choir." in messages_of(response)
    assert "Choir</a> (organiser since" in staff_client.get(person.get_absolute_url()).text


def test_adding_a_person_to_a_group_twice_gives_a_message_and_no_second_row(staff_client):
    person, group = PersonFactory(), GroupFactory(name="Choir")
    add_to_group(staff_client, person, group)

    response = add_to_group(staff_client, person, group, GroupMembership.Role.LEADER)

    assert f"{person} is already in Choir." in messages_of(response)
    assert GroupMembership.objects.get().role == GroupMembership.Role.MEMBER


@pytest.mark.parametrize(
    "data", [{"group": "999999", "role": "member"}, {"role": "member"}, {"group": "", "role": "x"}]
)
def test_adding_a_person_to_a_group_with_bad_input_adds_nothing(staff_client, data):
    person = PersonFactory()

    response = staff_client.post(reverse("people:person_add_to_group", args=[person.pk]), data)

    assert response.status_code == 302
    assert "Choose a group and a role." in messages_of(response)
    assert not GroupMembership.objects.exists()


def test_staff_changes_a_members_role(staff_client):
    membership = GroupMembershipFactory()

    response = staff_client.post(
        reverse("people:membership_update", args=[membership.group.slug, membership.pk]),
        {"role": GroupMembership.Role.LEADER},
    )

    membership.refresh_from_db()
    assert response.status_code == 302
    assert response.url == membership.group.get_absolute_url()
    assert membership.role == GroupMembership.Role.LEADER


def test_changing_a_members_role_to_an_unknown_one_changes_nothing(staff_client):
    membership = GroupMembershipFactory()

    response = staff_client.post(
        reverse("people:membership_update", args=[membership.group.slug, membership.pk]),
        {"role": "emperor"},
    )

    membership.refresh_from_db()
    assert membership.role == GroupMembership.Role.MEMBER
    assert "Choose a role from the list." in messages_of(response)


def test_staff_removes_a_member(staff_client):
    membership = GroupMembershipFactory()

    response = staff_client.post(
        reverse("people:membership_update", args=[membership.group.slug, membership.pk]),
        {"role": "member", "remove": "1"},
    )

    assert response.status_code == 302
    assert not GroupMembership.objects.exists()
    assert Person.objects.filter(pk=membership.person_id).exists()


def test_a_membership_of_another_group_cannot_be_changed_through_this_one(staff_client):
    membership = GroupMembershipFactory()
    other = GroupFactory()

    response = staff_client.post(
        reverse("people:membership_update", args=[other.slug, membership.pk]), {"remove": "1"}
    )

    assert response.status_code == 404
    assert GroupMembership.objects.exists()


def test_group_page_lists_its_members_with_the_count(staff_client):
    group = GroupFactory()
    GroupMembershipFactory(group=group, person__first_name="Amina", person__last_name="Hassan")
    GroupMembershipFactory(group=group, person__first_name="Bob", person__last_name="Okafor")
    GroupMembershipFactory(person__first_name="Cora", person__last_name="Elsewhere")

    response = staff_client.get(group.get_absolute_url())

    assert "Amina Hassan" in response.text
    assert "Bob Okafor" in response.text
    assert "Cora Elsewhere" not in response.text
    assert "2 members" in response.text


@pytest.fixture
def organised_groups(organiser_user):
    """Group A that the organiser organises, B that they don't, C they are only a member of."""
    group_a = GroupFactory(name="Group A")
    group_b = GroupFactory(name="Group B")
    group_c = GroupFactory(name="Group C")
    GroupMembershipFactory(
        person=organiser_user.person, group=group_a, role=GroupMembership.Role.ORGANISER
    )
    GroupMembershipFactory(person=organiser_user.person, group=group_c)
    members_a = GroupMembershipFactory.create_batch(2, group=group_a)
    member_b = GroupMembershipFactory(group=group_b)
    return {"a": group_a, "b": group_b, "c": group_c, "members_a": members_a, "b_member": member_b}


def test_organiser_sees_only_the_groups_they_organise(organiser_client, organised_groups):
    response = organiser_client.get(reverse("people:group_list"))

    assert response.status_code == 200
    assert [group.name for group in response.context["page"]] == ["Group A"]
    assert response.context["page"][0].member_count == 3
    assert "Group B" not in response.text
    assert "Add a group" not in response.text


def test_organiser_who_leads_a_group_sees_it(organiser_client, organiser_user):
    group = GroupFactory(name="Led group")
    GroupMembershipFactory(
        person=organiser_user.person, group=group, role=GroupMembership.Role.LEADER
    )

    response = organiser_client.get(reverse("people:group_list"))

    assert [g.name for g in response.context["page"]] == ["Led group"]


def test_organiser_opens_and_manages_their_group(organiser_client, organised_groups):
    group_a = organised_groups["a"]
    membership = organised_groups["members_a"][0]

    page = organiser_client.get(group_a.get_absolute_url())
    changed = organiser_client.post(
        reverse("people:membership_update", args=[group_a.slug, membership.pk]),
        {"role": GroupMembership.Role.ORGANISER},
    )

    membership.refresh_from_db()
    assert page.status_code == 200
    assert changed.status_code == 302
    assert membership.role == GroupMembership.Role.ORGANISER


@pytest.mark.parametrize("which", ["b", "c"])
def test_organiser_cannot_open_or_manage_a_group_they_do_not_organise(
    organiser_client, organised_groups, which
):
    group = organised_groups[which]
    membership = group.memberships.first()

    responses = [
        organiser_client.get(group.get_absolute_url()),
        organiser_client.get(reverse("people:group_edit", args=[group.slug])),
        organiser_client.post(
            reverse("people:group_edit", args=[group.slug]), {"name": "Mine", "kind": "other"}
        ),
        organiser_client.post(
            reverse("people:membership_update", args=[group.slug, membership.pk]),
            {"remove": "1"},
        ),
    ]

    assert {r.status_code for r in responses} <= {403, 404}
    assert GroupMembership.objects.filter(pk=membership.pk).exists()
    group.refresh_from_db()
    assert group.name != "Mine"


def test_organiser_cannot_create_groups(organiser_client, organised_groups):
    get = organiser_client.get(reverse("people:group_create"))
    post = organiser_client.post(reverse("people:group_create"), {"name": "X", "kind": "other"})

    assert get.status_code == post.status_code == 403
    assert Group.objects.count() == 3


def test_organiser_cannot_add_people_to_their_group_from_a_person_page(
    organiser_client, organised_groups
):
    person = PersonFactory()

    response = add_to_group(organiser_client, person, organised_groups["a"])

    assert response.status_code == 403
    assert not person.memberships.exists()


@pytest.mark.parametrize("who", ["member_user", "volunteer_user"])
def test_members_and_volunteers_cannot_see_groups(client, request, who):
    user = request.getfixturevalue(who)
    group = GroupFactory()
    GroupMembershipFactory(person=user.person, group=group, role=GroupMembership.Role.LEADER)
    client.force_login(user)

    response = client.get(reverse("people:group_list"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert client.get(group.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("who", ["member_user", "volunteer_user"])
def test_a_member_who_organises_a_self_organised_group_runs_it(client, request, who):
    user = request.getfixturevalue(who)
    group = GroupFactory(kind=Group.Kind.SELF_ORGANISED)
    GroupMembershipFactory(person=user.person, group=group, role=GroupMembership.Role.ORGANISER)
    other = GroupFactory(kind=Group.Kind.SELF_ORGANISED)
    client.force_login(user)

    assert client.get(group.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    assert [g.pk for g in client.get(reverse("people:group_list")).context["page"]] == [group.pk]


@pytest.fixture
def own_group(member_user):
    """A self-organised group without a public page, run by a member of the hub."""
    group = GroupFactory(name="Allotment Friends", kind=Group.Kind.SELF_ORGANISED, public=False)
    GroupMembershipFactory(
        person=member_user.person, group=group, role=GroupMembership.Role.ORGANISER
    )
    return group


def test_a_member_organiser_edits_their_group_but_not_its_kind(member_client, own_group):
    url = reverse("people:group_edit", args=[own_group.slug])

    form = member_client.get(url).context["form"]
    response = member_client.post(
        url, {"name": "Allotment Friends", "kind": Group.Kind.OTHER, "public": "on"}
    )

    assert "kind" not in form.fields
    assert "public" in form.fields
    assert response.status_code == 302
    own_group.refresh_from_db()
    assert own_group.kind == Group.Kind.SELF_ORGANISED  # still theirs to run
    assert own_group.public is True
    assert member_client.get(own_group.get_absolute_url()).status_code == 200


def test_staff_still_set_the_kind_of_a_group(staff_client, own_group):
    url = reverse("people:group_edit", args=[own_group.slug])

    assert "kind" in staff_client.get(url).context["form"].fields
    staff_client.post(url, {"name": own_group.name, "kind": Group.Kind.OTHER})

    own_group.refresh_from_db()
    assert own_group.kind == Group.Kind.OTHER


@pytest.mark.parametrize("change", [{"remove": "1"}, {"role": GroupMembership.Role.MEMBER}])
@pytest.mark.parametrize("who", ["member_client", "staff_client"])
def test_the_last_organiser_of_a_group_is_kept_with_a_message(request, own_group, who, change):
    client = request.getfixturevalue(who)
    last = own_group.memberships.get()

    response = client.post(
        reverse("people:membership_update", args=[own_group.slug, last.pk]),
        {"role": GroupMembership.Role.ORGANISER, **change},
    )

    assert response.status_code == 302
    assert response.url == own_group.get_absolute_url()
    last.refresh_from_db()
    assert last.role == GroupMembership.Role.ORGANISER
    assert any("only organiser or leader" in message for message in messages_of(response))


def test_an_organiser_hands_over_their_group_and_steps_down(member_client, own_group):
    me = own_group.memberships.get()
    other = GroupMembershipFactory(group=own_group)
    url = reverse("people:membership_update", args=[own_group.slug, other.pk])

    member_client.post(url, {"role": GroupMembership.Role.ORGANISER})
    response = member_client.post(
        reverse("people:membership_update", args=[own_group.slug, me.pk]), {"remove": "1"}
    )

    assert response.status_code == 302
    assert list(own_group.memberships.values_list("pk", "role")) == [
        (other.pk, GroupMembership.Role.ORGANISER)
    ]


def test_a_member_organiser_reads_how_a_private_group_gets_members(member_client, own_group):
    page = member_client.get(own_group.get_absolute_url()).text

    assert "hub staff add its members from the person's page" in page
    assert reverse("people:group_edit", args=[own_group.slug]) in page
    assert "Add people to the group" not in page
    assert reverse("connect:join_requests") not in page


def test_a_member_organiser_reads_how_a_public_group_gets_members(member_client, own_group):
    own_group.public = True
    own_group.save()

    page = member_client.get(own_group.get_absolute_url()).text

    assert "Anyone can ask to join" in page
    assert f'href="{reverse("connect:join_requests")}">Requests to join</a>' in page
    assert "hub staff add" not in page
    assert "Add people to the group" not in page


def test_staff_read_that_they_add_members_from_a_persons_page(staff_client, own_group):
    page = staff_client.get(own_group.get_absolute_url()).text

    assert "Add people to the group from each person's page." in page


def test_a_self_organised_groups_page_links_to_its_meetings(member_client, own_group):
    page = member_client.get(own_group.get_absolute_url()).text
    call_url = f"{reverse('organise:meeting_create')}?group={own_group.pk}"

    assert f'href="{reverse("organise:meeting_list")}">Meetings of this group</a>' in page
    assert f'href="{call_url}">Call a meeting</a>' in page
    form = member_client.get(call_url).context["form"]
    assert form.initial["group"] == own_group


def test_other_groups_pages_have_no_meeting_links(staff_client):
    group = GroupFactory(kind=Group.Kind.RESIDENTS, public=False)

    page = staff_client.get(group.get_absolute_url()).text

    assert "Meetings of this group" not in page
    assert "Call a meeting" not in page
    assert "Requests to join" not in page


# Localities ----------------------------------------------------------------------------


def locality_data(**overrides):
    data = {"name": "Riverside", "kind": Locality.Kind.WARD, "population": "4200"}
    data.update(overrides)
    return data


def test_staff_adds_a_locality(staff_client):
    response = staff_client.post(
        reverse("people:locality_create"),
        locality_data(latitude="51.507400", longitude="-0.127800"),
    )

    locality = Locality.objects.get()
    assert response.status_code == 302
    assert response.url == locality.get_absolute_url()
    assert (locality.slug, locality.population) == ("riverside", 4200)
    assert str(locality.latitude) == "51.507400"


@pytest.mark.parametrize("name", ["Riverside", "riverside", " RIVERSIDE"])
def test_adding_a_locality_with_a_known_name_is_refused(staff_client, name):
    LocalityFactory(name="Riverside")

    response = staff_client.post(reverse("people:locality_create"), locality_data(name=name))

    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["name"][0]
    assert Locality.objects.count() == 1


@pytest.mark.parametrize(
    "centre", [{"latitude": "51.5"}, {"longitude": "-0.12"}, {"latitude": "51.5", "longitude": ""}]
)
def test_adding_a_locality_with_half_a_centre_is_refused(staff_client, centre):
    response = staff_client.post(reverse("people:locality_create"), locality_data(**centre))

    assert response.status_code == 200
    assert "Give both latitude and longitude, or neither." in response.text
    assert not Locality.objects.exists()


@pytest.mark.parametrize(
    ("centre", "field"),
    [
        ({"latitude": "95", "longitude": "0"}, "latitude"),
        ({"latitude": "-90.5", "longitude": "0"}, "latitude"),
        ({"latitude": "0", "longitude": "181"}, "longitude"),
        ({"latitude": "1000", "longitude": "0"}, "latitude"),
        ({"latitude": "north", "longitude": "0"}, "latitude"),
    ],
)
def test_adding_a_locality_with_a_centre_out_of_range_is_refused(staff_client, centre, field):
    response = staff_client.post(reverse("people:locality_create"), locality_data(**centre))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Locality.objects.exists()


@pytest.mark.parametrize("population", ["-5", "9" * 20, "many"])
def test_adding_a_locality_with_an_impossible_population_is_refused(staff_client, population):
    response = staff_client.post(
        reverse("people:locality_create"), locality_data(population=population)
    )

    assert response.status_code == 200
    assert "population" in response.context["form"].errors
    assert not Locality.objects.exists()


def test_a_locality_named_new_gets_a_slug_that_does_not_hide_the_create_page(staff_client):
    staff_client.post(reverse("people:locality_create"), locality_data(name="New"))

    locality = Locality.objects.get()
    assert locality.slug != "new"
    assert staff_client.get(locality.get_absolute_url()).status_code == 200


def test_locality_page_lists_its_people(staff_client):
    riverside, hilltop = LocalityFactory(name="Riverside"), LocalityFactory(name="Hilltop")
    PersonFactory(first_name="Amina", last_name="Hassan", locality=riverside)
    PersonFactory(first_name="Bob", last_name="Okafor", locality=hilltop)
    GroupFactory(locality=riverside)

    response = staff_client.get(riverside.get_absolute_url())

    assert response.status_code == 200
    assert "Amina Hassan" in response.text
    assert "Bob Okafor" not in response.text
    assert response.context["locality"].people_count == 1
    assert response.context["locality"].group_count == 1


def test_locality_list_counts_people_and_groups(staff_client):
    riverside = LocalityFactory(name="Riverside")
    PersonFactory.create_batch(3, locality=riverside)
    GroupFactory.create_batch(2, locality=riverside)

    response = staff_client.get(reverse("people:locality_list"))

    [row] = response.context["page"]
    assert (row.people_count, row.group_count) == (3, 2)


def test_staff_edits_a_locality(staff_client):
    locality = LocalityFactory(name="Riverside")
    LocalityFactory(name="Hilltop")

    saved = staff_client.post(
        reverse("people:locality_edit", args=[locality.slug]),
        locality_data(name="Riverside Ward", latitude="51.5", longitude="-0.1"),
    )
    clash = staff_client.post(
        reverse("people:locality_edit", args=[locality.slug]), locality_data(name="hilltop")
    )

    locality.refresh_from_db()
    assert saved.status_code == 302
    assert clash.status_code == 200
    assert locality.name == "Riverside Ward"


# Communities of interest ---------------------------------------------------------------


def test_staff_adds_a_community_of_interest(staff_client):
    response = staff_client.post(
        reverse("people:tag_list"), {"name": "Young carers", "description": "Under 18"}
    )

    tag = Tag.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("people:tag_list")
    assert (tag.name, tag.slug) == ("Young carers", "young-carers")


@pytest.mark.parametrize("name", ["Young carers", "YOUNG CARERS", " young carers "])
def test_adding_a_known_community_of_interest_is_refused(staff_client, name):
    TagFactory(name="Young carers")

    response = staff_client.post(reverse("people:tag_list"), {"name": name})

    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["name"][0]
    assert Tag.objects.count() == 1


def test_tag_list_shows_communities_with_their_people_count(staff_client):
    carers = TagFactory(name="Young carers")
    PersonFactory.create_batch(2, tags=[carers])

    response = staff_client.get(reverse("people:tag_list"))

    assert "Young carers" in response.text
    assert response.context["page"][0].people_count == 2
    assert f"?tag={carers.pk}" in response.text


# Who may open what ---------------------------------------------------------------------


def staff_urls():
    """Every staff-only page of the core, as (method, url name, needs an object)."""
    return [
        ("get", "people:person_list", None),
        ("get", "people:person_create", None),
        ("post", "people:person_create", None),
        ("get", "people:person_detail", "person"),
        ("get", "people:person_edit", "person"),
        ("post", "people:person_edit", "person"),
        ("get", "people:consent_record", "person"),
        ("post", "people:consent_record", "person"),
        ("post", "people:person_invite", "person"),
        ("post", "people:person_set_role", "person"),
        ("post", "people:person_add_to_group", "person"),
        ("get", "people:group_create", None),
        ("get", "people:locality_list", None),
        ("get", "people:locality_create", None),
        ("post", "people:locality_create", None),
        ("get", "people:locality_detail", "locality"),
        ("get", "people:locality_edit", "locality"),
        ("get", "people:tag_list", None),
        ("post", "people:tag_list", None),
    ]


@pytest.fixture
def targets(db):
    return {"person": PersonFactory(email="target@example.test"), "locality": LocalityFactory()}


def resolve(name, needs, targets):
    if needs == "person":
        return reverse(name, args=[targets["person"].pk])
    if needs == "locality":
        return reverse(name, args=[targets["locality"].slug])
    return reverse(name)


POST_DATA = {
    "first_name": "Intruder",
    "name": "Intruder",
    "role": "staff",
    "purpose": "show_name",
    "given": "yes",
    "method": "verbal",
    "kind": "other",
}


@pytest.mark.parametrize("who", ["member_user", "volunteer_user", "organiser_user"])
@pytest.mark.parametrize(("method", "name", "needs"), staff_urls())
def test_only_staff_may_open_the_people_pages(client, request, targets, who, method, name, needs):
    client.force_login(request.getfixturevalue(who))
    url = resolve(name, needs, targets)

    response = getattr(client, method)(url, POST_DATA if method == "post" else None)

    assert response.status_code == 403
    assert not Person.objects.filter(first_name="Intruder").exists()
    assert not Consent.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert not Tag.objects.exists()


STAFF_AND_ORGANISER_URLS = [
    ("get", "people:group_list", None),
    ("get", "people:group_detail", "group"),
    ("get", "people:group_edit", "group"),
    ("post", "people:membership_update", "membership"),
]


@pytest.mark.parametrize(("method", "name", "needs"), staff_urls() + STAFF_AND_ORGANISER_URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client, targets, method, name, needs):
    membership = GroupMembershipFactory()
    if needs == "group":
        url = reverse(name, args=[membership.group.slug])
    elif needs == "membership":
        url = reverse(name, args=[membership.group.slug, membership.pk])
    else:
        url = resolve(name, needs, targets)

    response = getattr(client, method)(url, POST_DATA if method == "post" else None)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login") + "?next=")
    assert GroupMembership.objects.filter(pk=membership.pk).exists()
    assert not Person.objects.filter(first_name="Intruder").exists()


def test_an_inactive_staff_user_is_refused(client, staff_user):
    client.force_login(staff_user)
    User.objects.filter(pk=staff_user.pk).update(is_active=False)

    response = client.get(reverse("people:person_list"))

    assert response.status_code in (302, 403)
    assert "<table" not in response.text


def test_a_linked_persons_email_is_their_login_and_is_not_changed_by_staff(
    staff_client, member_user
):
    person = member_user.person
    response = staff_client.post(
        reverse("people:person_edit", args=[person.pk]),
        {"first_name": "Renamed", "email": "someone-else@example.test"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.first_name == "Renamed"
    assert person.email == member_user.email


def test_staff_download_everything_the_hub_holds_about_a_person(staff_client):
    person = PersonFactory(first_name="Nadia", email="nadia@example.test")
    response = staff_client.get(reverse("people:person_export", args=[person.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="person-{person.pk}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    holdings = json.loads(archive.read("data.json"))["holdings"]
    assert holdings["people"]["data"]["person"]["email"] == "nadia@example.test"
    assert "notify" in holdings


def test_the_next_page_link_keeps_the_filters(staff_client, settings):
    settings.PAGE_SIZE = 2
    place = LocalityFactory(name="Pagetown")
    PersonFactory.create_batch(3, locality=place)
    response = staff_client.get(reverse("people:person_list"), {"locality": place.pk})
    content = response.content.decode()
    assert f'href="?locality={place.pk}&amp;page=2"' in content
