"""Interest groups: the public groups and their pages, asking to join (with or without an
account), and organisers welcoming or declining those who ask."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from connect.models import Event, JoinRequest
from connect.services.groups import join_request_create, join_request_decide
from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Consent, GroupMembership, Person
from hubsite.people.services import group_create
from tests.conftest import make_user
from tests.connect.factories import EventFactory, JoinRequestFactory
from tests.people.factories import (
    GroupFactory,
    GroupMembershipFactory,
    LocalityFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

ORGANISER = GroupMembership.Role.ORGANISER


def page_url(group):
    return reverse("connect:group_page", args=[group.slug])


def join_url(group):
    return reverse("connect:group_join", args=[group.slug])


def decide_url(join_request):
    return reverse("connect:join_request_decide", args=[join_request.pk])


def ask(client, group, **fields):
    data = {
        "first_name": "Amina",
        "last_name": "Yusuf",
        "email": "amina@example.test",
        "message": "I grow tomatoes on my balcony.",
        **fields,
    }
    return client.post(join_url(group), data)


def organise(user, group, role=ORGANISER):
    return GroupMembershipFactory(person=user.person, group=group, role=role)


@pytest.fixture
def group():
    return GroupFactory(
        name="Growing Together",
        public=True,
        description="Community gardeners of the estate.",
        locality=LocalityFactory(name="Northfield"),
    )


@pytest.fixture
def organisers(group):
    """Two organisers (one a leader) with addresses, and one without: the ones to tell."""
    people = [
        GroupMembershipFactory(group=group, role=ORGANISER).person,
        GroupMembershipFactory(group=group, role=GroupMembership.Role.LEADER).person,
    ]
    GroupMembershipFactory(group=group, role=ORGANISER, person=PersonFactory(email=""))
    return people


# The public list and page ---------------------------------------------------------------


def test_the_public_list_shows_only_groups_with_a_public_page(client, group):
    GroupFactory(name="Staff only working party", public=False)
    GroupMembershipFactory.create_batch(3, group=group)

    response = client.get(reverse("connect:group_list"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Growing Together" in content
    assert "Northfield" in content
    assert "3 members" in content
    assert "Staff only working party" not in content


def test_a_group_without_a_public_page_is_not_found_even_if_it_exists(client):
    hidden = GroupFactory(public=False)

    assert client.get(page_url(hidden)).status_code == 404
    assert ask(client, hidden).status_code == 404
    assert client.get(reverse("connect:group_page", args=["no-such-group"])).status_code == 404
    assert not JoinRequest.objects.exists()
    assert not Person.objects.filter(email="amina@example.test").exists()


def test_the_page_shows_the_group_and_its_coming_public_gatherings(client, group):
    EventFactory(title="Seed swap", group=group)
    EventFactory(title="Members' planning night", group=group, visibility="members")
    EventFactory(title="Cancelled harvest", group=group, status=Event.Status.CANCELLED)
    past = timezone.now() - datetime.timedelta(days=3)
    EventFactory(
        title="Last month's dig", group=group, starts_at=past, ends_at=past.replace(hour=23)
    )
    EventFactory(title="Another group's supper")

    content = client.get(page_url(group)).content.decode()

    assert "Community gardeners of the estate." in content
    assert "Seed swap" in content
    for hidden in ("Members' planning night", "Cancelled harvest", "dig", "supper"):
        assert hidden not in content


def test_the_public_pages_never_show_who_is_in_a_group(client, member_client, group):
    members = [
        GroupMembershipFactory(
            group=group,
            role=role,
            person=PersonFactory(first_name=f"Hidden{n}", email=f"hidden{n}@example.test"),
        )
        for n, role in enumerate(GroupMembership.Role.values)
    ]
    JoinRequestFactory(
        group=group, person=PersonFactory(first_name="Asker", email="asker@example.test")
    )

    for viewer in (client, member_client):
        for url in (reverse("connect:group_list"), page_url(group)):
            content = viewer.get(url).content.decode()
            for membership in members:
                assert membership.person.first_name not in content
                assert membership.person.email not in content
            assert "Asker" not in content
            assert "asker@example.test" not in content
    assert "3 members" in client.get(reverse("connect:group_list")).content.decode()


@pytest.mark.parametrize("groups", [3, 30])
def test_the_public_list_uses_a_fixed_number_of_queries(client, groups, django_assert_num_queries):
    for _ in range(groups):
        group = GroupFactory(public=True, locality=LocalityFactory())
        GroupMembershipFactory.create_batch(2, group=group)
        EventFactory(group=group)

    with django_assert_num_queries(2):  # the count for the pages, then one page of groups
        response = client.get(reverse("connect:group_list"))

    assert response.status_code == 200
    assert response.content.decode().count("2 members") == min(groups, 25)
    assert response.content.decode().count("1 coming gathering") == min(groups, 25)


# Asking to join -------------------------------------------------------------------------


def test_anyone_can_ask_to_join_without_an_account(client, group, organisers):
    response = ask(client, group)

    assert response.status_code == 302
    assert response["Location"] == page_url(group)
    person = Person.objects.get(email="amina@example.test")
    assert (person.first_name, person.last_name) == ("Amina", "Yusuf")
    assert person.first_contact == Person.FirstContact.ONLINE
    join_request = JoinRequest.objects.get()
    assert (join_request.group, join_request.person) == (group, person)
    assert join_request.status == JoinRequest.Status.PENDING
    assert join_request.message == "I grow tomatoes on my balcony."
    assert not GroupMembership.objects.filter(group=group, person=person).exists()
    page = client.get(page_url(group)).content.decode()
    assert "Thank you for asking to join Growing Together" in page


def test_the_person_and_each_organiser_are_emailed_once(client, group, organisers):
    ask(client, group)
    ask(client, group)  # twice: still one request, and no more email

    acknowledgement = OutboxMessage.objects.get(to_email="amina@example.test")
    assert acknowledgement.category == OutboxMessage.Category.ACCOUNT
    assert "Growing Together" in acknowledgement.subject
    assert page_url(group) in acknowledgement.body_text
    to_organisers = OutboxMessage.objects.exclude(to_email="amina@example.test")
    assert sorted(m.to_email for m in to_organisers) == sorted(p.email for p in organisers)
    for message in to_organisers:
        assert message.category == OutboxMessage.Category.WORK
        assert "Amina Yusuf asks to join Growing Together" in message.subject
        assert "I grow tomatoes on my balcony." in message.body_text
        assert reverse("connect:join_requests") in message.body_text
        assert "amina@example.test" not in message.body_text


def test_a_name_with_a_line_break_cannot_break_the_subject_of_an_email(client, group, organisers):
    ask(client, group, first_name="Amina\r\nBcc: x@example.test")

    for message in OutboxMessage.objects.all():
        assert "\n" not in message.subject and "\r" not in message.subject


def test_asking_twice_leaves_one_pending_request(client, group):
    ask(client, group)
    response = ask(client, group, message="Me again.")

    assert response.status_code == 302
    assert JoinRequest.objects.get().message == "I grow tomatoes on my balcony."


def test_the_service_returns_the_waiting_request_when_asked_again(group):
    first = join_request_create(
        group=group, first_name="Amina", last_name="", email="a@example.test", message=""
    )
    second = join_request_create(
        group=group, first_name="Amina", last_name="", email="A@Example.test", message=""
    )

    assert first == second
    assert JoinRequest.objects.count() == 1


def test_asking_after_a_decline_makes_a_new_request(group, staff_user):
    first = join_request_create(
        group=group, first_name="Amina", last_name="", email="a@example.test", message=""
    )
    join_request_decide(request=first, approve=False, decided_by=staff_user)

    again = join_request_create(
        group=group, first_name="Amina", last_name="", email="a@example.test", message=""
    )

    assert again != first
    assert again.status == JoinRequest.Status.PENDING


def test_a_known_email_matches_the_person_and_never_makes_a_duplicate(client, group):
    known = PersonFactory(first_name="Amina", email="amina@example.test")

    ask(client, group, email="  Amina@Example.TEST ", first_name="Someone else")

    assert Person.objects.filter(email__iexact="amina@example.test").count() == 1
    assert JoinRequest.objects.get().person == known
    known.refresh_from_db()
    assert known.first_name == "Amina"


def test_consent_ticked_without_an_account_waits_for_the_link_in_the_acknowledgement(client, group):
    ask(client, group, email="ticked@example.test", consent_contact="on")
    ask(client, group, email="unticked@example.test")

    # Anyone may type an address: consent counts only once confirmed from it (double opt-in).
    assert not Consent.objects.exists()
    ticked = OutboxMessage.objects.get(to_email="ticked@example.test")
    unticked = OutboxMessage.objects.get(to_email="unticked@example.test")
    assert "Yes, keep me posted: http://localhost:8000/connect/keep-posted/" in ticked.body_text
    assert "keep-posted" not in unticked.body_text


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"first_name": "   "}, "Enter your first name."),
        ({"first_name": ""}, "Enter your first name."),
        ({"email": "amina@"}, "Enter a valid email address, like name@example.com."),
        ({"email": "amina@example"}, "Enter a valid email address"),
        ({"email": ""}, "Enter your email address."),
        ({"message": "x" * 1001}, "at most 1000 characters"),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(client, group, organisers, fields, error):
    response = ask(client, group, **fields)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert f"?next={page_url(group)}" in response.content.decode()  # not the POST-only URL
    assert not Person.objects.filter(email__startswith="amina").exists()
    assert not JoinRequest.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_bot_filling_the_hidden_field_saves_nothing(client, group, organisers):
    response = ask(client, group, website="http://spam.example")

    assert response.status_code == 302
    assert not Person.objects.filter(email="amina@example.test").exists()
    assert not JoinRequest.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_too_many_requests_from_one_address_are_refused(client, group, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "group_join": "2/h/ip"}
    for n in range(2):
        assert ask(client, group, email=f"p{n}@example.test").status_code == 302

    response = ask(client, group, email="third@example.test")

    assert response.status_code == 400
    assert "Too many requests from here" in response.content.decode()
    assert not Person.objects.filter(email="third@example.test").exists()


def test_a_signed_in_person_asks_in_one_click_as_themselves(member_client, member_user, group):
    form = member_client.get(page_url(group)).content.decode()
    assert 'name="email"' not in form

    response = member_client.post(
        join_url(group), {"message": "Count me in", "email": "someone-else@example.test"}
    )

    assert response.status_code == 302
    join_request = JoinRequest.objects.get()
    assert join_request.person == member_user.person
    assert not Person.objects.filter(email="someone-else@example.test").exists()
    page = member_client.get(page_url(group)).content.decode()
    assert "You have asked to join." in page


def test_a_member_is_told_they_are_already_in_the_group(member_client, member_user, group):
    GroupMembershipFactory(group=group, person=member_user.person)

    assert "You are in this group." in member_client.get(page_url(group)).content.decode()
    response = member_client.post(join_url(group), {"message": "Hello"})

    assert response.status_code == 400
    assert "You are already in this group." in response.content.decode()
    assert not JoinRequest.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_the_service_refuses_a_member_and_a_group_without_a_public_page(group):
    member = GroupMembershipFactory(group=group).person

    with pytest.raises(ValidationError, match="You are already in this group."):
        join_request_create(group=group, first_name="X", email=member.email, message="")
    with pytest.raises(ValidationError, match="does not take requests"):
        join_request_create(
            group=GroupFactory(public=False), first_name="X", email="x@example.test"
        )
    assert not JoinRequest.objects.exists()


def test_a_stranger_cannot_find_out_whether_an_address_is_in_a_group(client, group):
    member = GroupMembershipFactory(group=group).person

    as_member = ask(client, group, email=member.email)
    said_to_member = client.get(page_url(group)).content.decode()
    as_stranger = ask(client, group, email="new@example.test")
    said_to_stranger = client.get(page_url(group)).content.decode()

    assert as_member.status_code == as_stranger.status_code == 302
    thanks = "Thank you for asking to join Growing Together."
    assert thanks in said_to_member and thanks in said_to_stranger
    assert "already in this group" not in said_to_member
    assert list(JoinRequest.objects.values_list("person__email", flat=True)) == ["new@example.test"]


# Answering requests ---------------------------------------------------------------------


@pytest.fixture
def waiting(group, organiser_user):
    organise(organiser_user, group)
    return join_request_create(
        group=group,
        first_name="Amina",
        last_name="Yusuf",
        email="amina@example.test",
        message="I grow tomatoes.",
    )


def test_organisers_see_the_requests_for_their_groups_only(organiser_client, waiting):
    JoinRequestFactory(person=PersonFactory(first_name="Elsewhere"))
    JoinRequestFactory(group=waiting.group, status=JoinRequest.Status.DECLINED)

    response = organiser_client.get(reverse("connect:join_requests"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Amina Yusuf" in content
    assert "I grow tomatoes." in content
    assert "Elsewhere" not in content
    assert content.count("Welcome<span") == 1


@pytest.mark.parametrize("more", [0, 30])
def test_the_requests_list_uses_a_fixed_number_of_queries(
    organiser_client, waiting, more, django_assert_num_queries
):
    for _ in range(more):
        JoinRequestFactory(group=waiting.group, person=PersonFactory(locality=LocalityFactory()))

    # the session, the user, the count for the pages, then one page with people and groups
    with django_assert_num_queries(4):
        response = organiser_client.get(reverse("connect:join_requests"))

    assert response.content.decode().count("Welcome<span") == min(1 + more, 25)


def test_staff_see_every_request(staff_client, waiting):
    JoinRequestFactory(person=PersonFactory(first_name="Elsewhere"))

    content = staff_client.get(reverse("connect:join_requests")).content.decode()

    assert "Amina Yusuf" in content and "Elsewhere" in content


def test_welcoming_makes_the_person_a_member_and_tells_them(organiser_client, waiting):
    response = organiser_client.post(decide_url(waiting), {"decision": "approve"})

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == JoinRequest.Status.APPROVED
    assert waiting.decided_at is not None
    assert waiting.decided_by.email == "organiser@example.test"
    membership = GroupMembership.objects.get(group=waiting.group, person=waiting.person)
    assert membership.role == GroupMembership.Role.MEMBER
    welcome = OutboxMessage.objects.get(key__endswith=f":approved:{waiting.person.pk}")
    assert welcome.to_email == "amina@example.test"
    assert welcome.category == OutboxMessage.Category.ACCOUNT
    assert "Welcome to Growing Together" in welcome.subject
    page = organiser_client.get(reverse("connect:join_requests")).content.decode()
    assert "Amina Yusuf is now in Growing Together" in page


def test_declining_leaves_the_person_out_and_tells_them(organiser_client, waiting):
    organiser_client.post(decide_url(waiting), {"decision": "decline"})

    waiting.refresh_from_db()
    assert waiting.status == JoinRequest.Status.DECLINED
    assert not GroupMembership.objects.filter(group=waiting.group, person=waiting.person).exists()
    answer = OutboxMessage.objects.get(key__endswith=f":declined:{waiting.person.pk}")
    assert "not able to welcome you" in answer.body_text


def test_deciding_twice_is_harmless(organiser_client, waiting):
    organiser_client.post(decide_url(waiting), {"decision": "approve"})
    response = organiser_client.post(decide_url(waiting), {"decision": "decline"}, follow=True)

    waiting.refresh_from_db()
    assert waiting.status == JoinRequest.Status.APPROVED
    assert GroupMembership.objects.filter(group=waiting.group, person=waiting.person).count() == 1
    assert OutboxMessage.objects.filter(key__contains=":approved:").count() == 1
    assert not OutboxMessage.objects.filter(key__contains=":declined:").exists()
    assert "already been answered" in response.content.decode()


def test_welcoming_someone_already_added_to_the_group_still_answers_them(staff_user, waiting):
    GroupMembershipFactory(group=waiting.group, person=waiting.person)

    join_request_decide(request=waiting, approve=True, decided_by=staff_user)

    waiting.refresh_from_db()
    assert waiting.status == JoinRequest.Status.APPROVED
    assert GroupMembership.objects.filter(group=waiting.group, person=waiting.person).count() == 1


def test_an_answer_by_htmx_replaces_the_row(organiser_client, waiting):
    response = organiser_client.post(
        decide_url(waiting), {"decision": "approve"}, headers={"HX-Request": "true"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith(f'<tr id="join-request-{waiting.pk}"')
    assert "Amina Yusuf is now in Growing Together" in content
    assert "<html" not in content


def test_a_decision_that_is_neither_changes_nothing(organiser_client, waiting):
    response = organiser_client.post(decide_url(waiting), {"decision": "maybe"}, follow=True)

    assert "Choose to welcome or to decline" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == JoinRequest.Status.PENDING


def test_only_the_groups_organisers_or_staff_answer(client, member_client, waiting, staff_client):
    other_organiser = make_user("organiser", email="other@example.test")
    organise(other_organiser, GroupFactory())
    other = Client()
    other.force_login(other_organiser)

    assert other.post(decide_url(waiting), {"decision": "approve"}).status_code == 404
    assert "Amina" not in other.get(reverse("connect:join_requests")).content.decode()

    assert member_client.post(decide_url(waiting), {"decision": "approve"}).status_code == 404
    assert "Amina" not in member_client.get(reverse("connect:join_requests")).content.decode()

    response = client.post(decide_url(waiting), {"decision": "approve"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

    waiting.refresh_from_db()
    assert waiting.status == JoinRequest.Status.PENDING
    assert not GroupMembership.objects.filter(person=waiting.person).exists()

    staff_client.post(decide_url(waiting), {"decision": "approve"})
    assert GroupMembership.objects.filter(person=waiting.person).exists()


def test_an_organiser_who_is_only_a_member_of_the_group_cannot_answer(waiting):
    member_organiser = make_user("organiser", email="member-organiser@example.test")
    GroupMembershipFactory(group=waiting.group, person=member_organiser.person)

    with pytest.raises(ValidationError, match="Only the group's organisers"):
        join_request_decide(request=waiting, approve=True, decided_by=member_organiser)
    waiting.refresh_from_db()
    assert waiting.status == JoinRequest.Status.PENDING


def test_the_page_links_its_organisers_to_the_waiting_requests(organiser_client, waiting):
    content = organiser_client.get(page_url(waiting.group)).content.decode()

    assert "1 request to join" in content
    assert reverse("connect:join_requests") in content


def test_no_group_can_take_the_slug_of_the_requests_page(staff_client):
    group = group_create(name="Requests", public=True)

    assert group.slug != "requests"
    assert staff_client.get(page_url(group)).status_code == 200
    assert staff_client.get(reverse("connect:join_requests")).status_code == 200
