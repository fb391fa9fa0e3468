"""Asks, the actions supporters take, and solidarity between campaigns."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from action import tasks
from action.models import ActionTaken, Ask, Campaign, Signup
from action.services import asks as services
from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_deliver
from hubsite.people.models import Consent, GroupMembership, Person, Role
from tests.action.factories import AskFactory, CampaignFactory, SignupFactory
from tests.conftest import make_user
from tests.people.factories import GroupFactory, GroupMembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def consent(person, purpose=Consent.Purpose.CONTACT_EMAIL, given=True):
    Consent.objects.create(person=person, purpose=purpose, given=given, method="online")


def supporter(campaign, **fields):
    """A confirmed supporter who agreed to hear from the campaign by email."""
    if "email" in fields and "person" not in fields:
        fields["person"] = PersonFactory(email=fields["email"])
    signup = SignupFactory(campaign=campaign, **fields)
    if signup.person and signup.consent_contact:
        consent(signup.person)
    return signup


def deliver_all():
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        message_deliver(message_id=pk)


def link_in(body, part):
    word = next(word for word in body.split() if part in word)
    return word.split("localhost:8000", 1)[1]


def ask_data(**fields):
    data = {
        "kind": "write",
        "title": "Write to the housing director",
        "details": "A short letter is enough.",
        "target": "Housing director, housing@council.example",
        "suggested_text": "Dear director,\nPlease fix the lifts.",
        "order": "0",
        "active": "on",
    }
    data.update(fields)
    return data


@pytest.fixture
def campaign(organiser_user):
    return CampaignFactory(created_by=organiser_user)


# Managing asks -----------------------------------------------------------------------------


def test_the_organiser_of_a_campaign_adds_edits_and_hides_an_ask(organiser_client, campaign):
    response = organiser_client.post(reverse("action:ask_create", args=[campaign.slug]), ask_data())
    assert response.status_code == 302
    ask = Ask.objects.get()
    assert (ask.campaign, ask.kind, ask.target) == (campaign, "write", ask_data()["target"])

    page = organiser_client.get(campaign.get_absolute_url()).content.decode()
    assert "Write to the housing director" in page
    assert "<textarea" in page and "readonly" in page and "Please fix the lifts." in page
    assert "housing@council.example" in page

    edit = reverse("action:ask_edit", args=[campaign.slug, ask.pk])
    response = organiser_client.post(edit, ask_data(title="Write to the mayor", active=""))
    assert response.status_code == 302
    ask.refresh_from_db()
    assert (ask.title, ask.active) == ("Write to the mayor", False)
    assert list(organiser_client.get(campaign.get_absolute_url()).context["asks"]) == []
    listing = organiser_client.get(reverse("action:ask_list", args=[campaign.slug]))
    assert "Write to the mayor" in listing.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "   "}, "Give the ask a title."),
        ({"title": ""}, "Give the ask a title."),
        ({"target": ""}, "Say who supporters write to"),
        ({"kind": "petition"}, "Select a valid choice."),
        ({"title": "x" * 141}, "at most 140 characters"),
        ({"order": "-1"}, "greater than or equal to 0"),
        ({"order": "99999"}, "less than or equal to 999"),
    ],
)
def test_bad_asks_get_a_clear_message_and_save_nothing(organiser_client, campaign, fields, message):
    response = organiser_client.post(
        reverse("action:ask_create", args=[campaign.slug]), ask_data(**fields)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Ask.objects.exists()


def test_a_bad_edit_saves_nothing(organiser_client, campaign):
    ask = AskFactory(campaign=campaign, target="The mayor")
    response = organiser_client.post(
        reverse("action:ask_edit", args=[campaign.slug, ask.pk]),
        ask_data(title="New title", target=""),
    )
    assert response.status_code == 400
    assert "Say who supporters write to" in response.content.decode()
    ask.refresh_from_db()
    assert (ask.title, ask.target) == ("Write to the housing director", "The mayor")


def test_a_share_ask_needs_no_target(organiser_client, campaign):
    data = ask_data(kind="share", title="Share it with your block", target="", suggested_text="")
    organiser_client.post(reverse("action:ask_create", args=[campaign.slug]), data)
    assert Ask.objects.get().kind == "share"


def test_the_service_refuses_a_write_ask_without_a_target(campaign, organiser_user):
    with pytest.raises(ValidationError) as error:
        services.ask_create(campaign=campaign, created_by=organiser_user, kind="write", title="A")
    assert "target" in error.value.message_dict
    assert not Ask.objects.exists()


def test_an_ask_people_did_stays_and_one_nobody_did_can_go(organiser_client, campaign):
    done, untouched = AskFactory(campaign=campaign), AskFactory(campaign=campaign, title="Other")
    ActionTaken.objects.create(ask=done, person=PersonFactory())
    organiser_client.post(reverse("action:ask_delete", args=[campaign.slug, done.pk]))
    organiser_client.post(reverse("action:ask_delete", args=[campaign.slug, untouched.pk]))
    assert list(Ask.objects.all()) == [done]
    assert ActionTaken.objects.count() == 1


def test_an_organiser_of_a_group_behind_the_campaign_manages_its_asks(db):
    group = GroupFactory()
    campaign = CampaignFactory()
    campaign.groups.add(group)
    organiser = make_user(Role.ORGANISER, email="group-organiser@example.test")
    GroupMembershipFactory(
        person=organiser.person, group=group, role=GroupMembership.Role.ORGANISER
    )
    client = Client()
    client.force_login(organiser)
    assert client.get(reverse("action:ask_list", args=[campaign.slug])).status_code == 200
    response = client.post(reverse("action:ask_create", args=[campaign.slug]), ask_data())
    assert response.status_code == 302


def _manage_urls(campaign, ask):
    return [
        ("get", reverse("action:ask_list", args=[campaign.slug])),
        ("post", reverse("action:ask_create", args=[campaign.slug])),
        ("post", reverse("action:ask_edit", args=[campaign.slug, ask.pk])),
        ("post", reverse("action:ask_delete", args=[campaign.slug, ask.pk])),
        ("post", reverse("action:campaign_invite", args=[campaign.slug])),
    ]


def test_only_those_who_run_the_campaign_manage_its_asks(client, member_client, campaign):
    ask = AskFactory(campaign=campaign)
    other = make_user(Role.ORGANISER, email="other-organiser@example.test")
    other_client = Client()
    other_client.force_login(other)
    for method, url in _manage_urls(campaign, ask):
        data = ask_data(title="Changed")
        assert getattr(other_client, method)(url, data).status_code == 404, url
        assert getattr(member_client, method)(url, data).status_code == 403, url
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    ask.refresh_from_db()
    assert ask.title == "Write to the housing director"
    assert Ask.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.ask_update(ask=ask, edited_by=other, title="Changed")


def test_staff_manage_every_campaign_s_asks(staff_client, campaign):
    response = staff_client.post(reverse("action:ask_create", args=[campaign.slug]), ask_data())
    assert response.status_code == 302
    assert Ask.objects.count() == 1


# Saying what one did -----------------------------------------------------------------------


def test_a_signed_in_supporter_says_they_did_it_once_and_the_page_counts_it(
    member_client, member_user, campaign
):
    ask = AskFactory(campaign=campaign)
    url = reverse("action:action_record", args=[campaign.slug, ask.pk])
    first = member_client.post(url, follow=True)
    assert "Thank you: your action counts." in first.content.decode()
    second = member_client.post(url, follow=True)
    assert "You had already said you did this" in second.content.decode()
    assert ActionTaken.objects.filter(ask=ask, person=member_user.person).count() == 1
    page = member_client.get(campaign.get_absolute_url())
    assert page.context["asks"][0].action_count == 1
    assert page.context["actions_count"] == 1
    assert "You did this" in page.content.decode()


def test_saying_it_with_htmx_swaps_the_ask_s_card(member_client, campaign):
    ask = AskFactory(campaign=campaign)
    AskFactory(campaign=campaign, title="Another ask")
    url = reverse("action:action_record", args=[campaign.slug, ask.pk])
    response = member_client.post(url, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200
    assert f'id="ask-{ask.pk}"' in content and "You did this" in content
    assert "<strong>1</strong> person has done this" in content
    assert "Another ask" not in content and "<html" not in content


def test_a_hidden_ask_or_a_campaign_in_planning_takes_no_action(member_client):
    hidden = AskFactory(active=False)
    planning = AskFactory(campaign=CampaignFactory(status=Campaign.Status.PLANNING))
    for ask in (hidden, planning):
        url = reverse("action:action_record", args=[ask.campaign.slug, ask.pk])
        assert member_client.post(url).status_code == 404
    assert not ActionTaken.objects.exists()


def test_an_ask_of_another_campaign_is_not_found(member_client, campaign):
    ask = AskFactory()  # of another campaign
    for pk in (ask.pk, int("9" * 30)):
        url = reverse("action:action_record", args=[campaign.slug, pk])
        assert member_client.post(url).status_code == 404


def test_a_visitor_gets_a_link_by_email_and_says_what_they_did_from_it(client, campaign):
    ask = AskFactory(campaign=campaign)
    signup = supporter(campaign, email="amina@example.test", first_name="Amina")
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert reverse("action:actions_link", args=[campaign.slug]) in page  # "I did this"

    link_url = reverse("action:actions_link", args=[campaign.slug])
    response = client.post(link_url, {"email": "Amina@Example.test"})
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    deliver_all()
    (message,) = mail.outbox
    assert message.to == ["amina@example.test"]
    mine = link_in(message.body, "/asks/mine/")

    assert client.get(mine).status_code == 200
    assert not ActionTaken.objects.exists()  # opening the link (a mail scanner) records nothing
    client.post(mine, {"ask": ask.pk})
    response = client.post(mine, {"ask": ask.pk}, follow=True)
    assert "You had already said you did this" in response.content.decode()
    assert list(ActionTaken.objects.values_list("person", flat=True)) == [signup.person_id]
    assert client.get(campaign.get_absolute_url()).context["asks"][0].action_count == 1


def test_asking_for_a_link_says_the_same_whoever_asks_and_emails_only_the_signed(client, campaign):
    supporter(campaign, email="known@example.test")
    SignupFactory(
        campaign=campaign,
        email="waiting@example.test",
        status="pending",
        person=None,
        first_name="Pending",
    )
    link_url = reverse("action:actions_link", args=[campaign.slug])
    answers = {
        email: re.sub(r"[A-Za-z0-9]{64}", "token", client.post(link_url, {"email": email}).text)
        for email in ("known@example.test", "waiting@example.test", "stranger@example.test")
    }
    assert len(set(answers.values())) == 1  # nothing tells who has signed
    assert list(OutboxMessage.objects.values_list("to_email", flat=True)) == ["known@example.test"]
    client.post(link_url, {"email": "known@example.test"})
    assert OutboxMessage.objects.count() == 1  # one link a day


@pytest.mark.parametrize("email", ["", "not-an-email", "x" * 250 + "@example.test"])
def test_a_bad_address_for_the_link_gets_a_message(client, campaign, email):
    response = client.post(reverse("action:actions_link", args=[campaign.slug]), {"email": email})
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode() or "errorlist" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_too_many_links_answer_429(client, campaign):
    link_url = reverse("action:actions_link", args=[campaign.slug])
    for _ in range(3):
        client.post(link_url, {"email": "same@example.test"})
    response = client.post(link_url, {"email": "same@example.test"})
    assert response.status_code == 429
    assert "Please wait a little" in response.content.decode()


def test_a_link_works_only_for_its_own_campaign_and_whole(client, campaign):
    ask = AskFactory(campaign=campaign)
    signup = supporter(campaign)
    other = CampaignFactory()
    token = services.actions_token(signup)
    wrong = reverse("action:supporter_actions", args=[other.slug, token])
    broken = reverse("action:supporter_actions", args=[campaign.slug, token[:-3]])
    for url in (wrong, broken):
        assert client.get(url).status_code == 400
        assert client.post(url, {"ask": ask.pk}).status_code == 400
    right = reverse("action:supporter_actions", args=[campaign.slug, token])
    for value in ("", "abc", "999999", "9" * 30, str(AskFactory().pk)):
        response = client.post(right, {"ask": value}, follow=True)
        assert "no longer open" in response.content.decode()
    assert not ActionTaken.objects.exists()


def test_a_pending_sign_up_cannot_record_actions(client, campaign):
    signup = SignupFactory(
        campaign=campaign, status="pending", person=None, first_name="P", email="p@example.test"
    )
    ask = AskFactory(campaign=campaign)
    url = reverse("action:supporter_actions", args=[campaign.slug, services.actions_token(signup)])
    assert client.post(url, {"ask": ask.pk}).status_code == 400
    assert not ActionTaken.objects.exists()


def test_actions_taken_show_first_names_only_of_those_who_chose_to_show_them(client, campaign):
    ask = AskFactory(campaign=campaign, title="Come to the council meeting", kind="meeting")
    shown = PersonFactory(first_name="Shown", last_name="Surname", email="shown@example.test")
    hidden = PersonFactory(first_name="Hidden", email="hidden@example.test")
    withdrawn = PersonFactory(first_name="Withdrawn", email="withdrawn@example.test")
    elsewhere = PersonFactory(first_name="Elsewhere", email="elsewhere@example.test")
    for person, show_name in (
        (shown, True),
        (hidden, False),
        (withdrawn, True),
        (elsewhere, False),
    ):
        SignupFactory(campaign=campaign, person=person, show_name=show_name)
        services.action_record(ask=ask, person=person)
    consent(withdrawn, Consent.Purpose.SHOW_NAME, given=False)
    consent(elsewhere, Consent.Purpose.SHOW_NAME)  # said yes signing another campaign
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "Shown: Come to the council meeting" in page
    assert page.count("A supporter: Come to the council meeting") == 3
    for secret in ("Surname", "Hidden", "Withdrawn", "Elsewhere", "@example.test"):
        assert secret not in page


# Solidarity --------------------------------------------------------------------------------


@pytest.fixture
def pair(campaign):
    """A campaign (run by the organiser) that stands with another taking sign-ups."""
    other = CampaignFactory(name="Save the library", slug="save-the-library")
    campaign.endorsements.add(other)
    return campaign, other


def test_an_invitation_reaches_only_consenting_confirmed_supporters_not_signed_once(
    organiser_user, pair
):
    campaign, other = pair
    invited = supporter(campaign, email="yes@example.test")
    supporter(
        campaign, email="pending@example.test", status="pending", person=None, first_name="Pending"
    )
    unsubscribed = supporter(campaign, email="left@example.test")
    Signup.objects.filter(pk=unsubscribed.pk).update(unsubscribed_at="2024-01-01T00:00Z")
    supporter(campaign, email="quiet@example.test", consent_contact=False)
    withdrawn = supporter(campaign, email="withdrawn@example.test")
    consent(withdrawn.person, given=False)
    signed = supporter(campaign, email="signed@example.test")
    SignupFactory(campaign=other, person=signed.person, email=signed.email)
    started = supporter(campaign, email="started@example.test")
    SignupFactory(
        campaign=other, person=None, first_name="S", email="Started@example.test", status="pending"
    )

    assert (
        services.solidarity_invite(
            from_campaign=campaign, to_campaign=other, invited_by=organiser_user
        )
        == 1
    )
    assert (
        services.solidarity_invite(
            from_campaign=campaign, to_campaign=other, invited_by=organiser_user
        )
        == 0
    )
    (message,) = OutboxMessage.objects.all()
    assert (message.person, message.to_email) == (invited.person, "yes@example.test")
    assert started.person_id != message.person_id

    deliver_all()
    (email,) = mail.outbox
    assert "Save the library" in email.subject
    link = link_in(email.body, "invited_from=")
    assert link == f"{other.get_absolute_url()}?invited_from={campaign.slug}"
    assert "/campaigns/unsubscribe/" in email.body


def test_a_person_with_two_sign_ups_is_invited_once(organiser_user, pair):
    campaign, other = pair
    first = supporter(campaign, email="old@example.test")
    SignupFactory(campaign=campaign, person=first.person, email="new@example.test")
    people = services.solidarity_invite(
        from_campaign=campaign, to_campaign=other, invited_by=organiser_user
    )
    assert people == 1
    assert OutboxMessage.objects.count() == 1


def test_invitations_go_only_to_a_related_campaign_taking_sign_ups(organiser_user, campaign):
    unrelated = CampaignFactory()
    won = CampaignFactory(status=Campaign.Status.WON)
    planning = CampaignFactory(status=Campaign.Status.PLANNING)
    campaign.endorsements.add(won, planning)
    supporter(campaign)
    for other in (unrelated, won, planning, campaign):
        with pytest.raises(ValidationError):
            services.solidarity_invite(
                from_campaign=campaign, to_campaign=other, invited_by=organiser_user
            )
    assert not OutboxMessage.objects.exists()


def test_a_campaign_that_stands_with_this_one_is_related_too(organiser_user, campaign):
    endorser = CampaignFactory()
    endorser.endorsements.add(campaign)
    supporter(campaign)
    assert (
        services.solidarity_invite(
            from_campaign=campaign, to_campaign=endorser, invited_by=organiser_user
        )
        == 1
    )


def test_only_those_who_run_the_campaign_invite_its_supporters(pair):
    campaign, other = pair
    supporter(campaign)
    someone = make_user(Role.ORGANISER, email="someone@example.test")
    with pytest.raises(PermissionDenied):
        services.solidarity_invite(from_campaign=campaign, to_campaign=other, invited_by=someone)
    assert not OutboxMessage.objects.exists()


def test_a_large_invitation_goes_to_celery_in_batches_that_are_safe_to_run_twice(
    organiser_user, pair, monkeypatch, django_capture_on_commit_callbacks
):
    campaign, other = pair
    for n in range(5):
        supporter(campaign, email=f"s{n}@example.test")
    monkeypatch.setattr(services, "INVITE_BATCH_SIZE", 2)
    queued = []
    monkeypatch.setattr(tasks.solidarity_invite_batch, "delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        people = services.solidarity_invite(
            from_campaign=campaign, to_campaign=other, invited_by=organiser_user
        )
    assert people == 5
    assert [len(ids) for _, _, ids in queued] == [2, 2, 1]
    assert not OutboxMessage.objects.exists()  # nothing written in the request
    for args in queued + queued:  # each batch run twice
        tasks.solidarity_invite_batch(*args)
    assert OutboxMessage.objects.count() == 5
    assert OutboxMessage.objects.values("person").distinct().count() == 5


def test_an_invitation_is_cancelled_if_the_person_signed_meanwhile(organiser_user, pair):
    campaign, other = pair
    signup = supporter(campaign)
    services.solidarity_invite(from_campaign=campaign, to_campaign=other, invited_by=organiser_user)
    message = OutboxMessage.objects.get()
    assert services.solidarity_invite_still_wanted(message)
    SignupFactory(campaign=other, person=signup.person, email=signup.email)
    assert not services.solidarity_invite_still_wanted(message)


def test_the_invite_screen_shows_whom_it_would_reach_then_sends(organiser_client, pair):
    campaign, other = pair
    supporter(campaign)
    supporter(campaign)
    url = reverse("action:campaign_invite", args=[campaign.slug])
    assert "Save the library" in organiser_client.get(url).content.decode()
    preview = organiser_client.get(url, {"to_campaign": other.pk})
    assert preview.context["preview"]["to_invite"] == 2
    assert not OutboxMessage.objects.exists()
    response = organiser_client.post(url, {"to_campaign": other.pk}, follow=True)
    assert "2 supporters will be invited" in response.content.decode()
    assert OutboxMessage.objects.count() == 2
    again = organiser_client.get(url, {"to_campaign": other.pk})
    assert (again.context["preview"]["to_invite"], again.context["preview"]["invited_before"]) == (
        0,
        2,
    )


@pytest.mark.parametrize("value", ["", "abc", "999999", "9" * 30])
def test_a_bad_choice_on_the_invite_screen_gets_a_message(organiser_client, pair, value):
    campaign, _ = pair
    supporter(campaign)
    response = organiser_client.post(
        reverse("action:campaign_invite", args=[campaign.slug]), {"to_campaign": value}
    )
    assert response.status_code == 400
    assert "Choose" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_an_unrelated_campaign_cannot_be_chosen_on_the_invite_screen(organiser_client, pair):
    campaign, _ = pair
    supporter(campaign)
    unrelated = CampaignFactory()
    response = organiser_client.post(
        reverse("action:campaign_invite", args=[campaign.slug]), {"to_campaign": unrelated.pk}
    )
    assert response.status_code == 400
    assert not OutboxMessage.objects.exists()


# The campaign's page -----------------------------------------------------------------------


def test_the_page_shows_endorsements_both_ways_and_partner_groups(client, campaign):
    endorsed = CampaignFactory(name="Save the library", slug="save-the-library")
    endorsing = CampaignFactory(name="Clean air now", slug="clean-air-now")
    hidden = CampaignFactory(name="Secret plan", status=Campaign.Status.PLANNING)
    hidden_endorser = CampaignFactory(name="Another plan", status=Campaign.Status.PLANNING)
    campaign.endorsements.add(endorsed, hidden)
    endorsing.endorsements.add(campaign)
    hidden_endorser.endorsements.add(campaign)
    campaign.partners.add(
        GroupFactory(name="Tenants' union", slug="tenants", public=True),
        GroupFactory(name="Food bank network"),
    )
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "This campaign stands with" in page
    assert f'href="{endorsed.get_absolute_url()}">Save the library' in page
    assert "Campaigns standing with this one" in page
    assert f'href="{endorsing.get_absolute_url()}">Clean air now' in page
    assert "Tenants&#x27; union" in page and "Food bank network" in page
    assert reverse("connect:group_page", args=["tenants"]) in page
    assert "Secret plan" not in page and "Another plan" not in page


def _add_supporters_and_actions(campaign, asks, n):
    start = Signup.objects.filter(campaign=campaign).count()
    people = Person.objects.bulk_create(
        Person(first_name=f"P{i}", email=f"p{campaign.pk}-{i}@example.test")
        for i in range(start, start + n)
    )
    Signup.objects.bulk_create(
        Signup(
            campaign=campaign,
            person=person,
            first_name=person.first_name,
            email=person.email,
            status="confirmed",
            show_name=i % 2 == 0,
        )
        for i, person in enumerate(people)
    )
    Consent.objects.bulk_create(
        Consent(person=person, purpose="show_name", given=True, method="online")
        for person in people[::2]
    )
    ActionTaken.objects.bulk_create(
        ActionTaken(ask=ask, person=person) for ask in asks for person in people
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_with_5_and_500_supporters(client, member_client):
    campaign = CampaignFactory()
    asks = Ask.objects.bulk_create(
        Ask(campaign=campaign, kind=kind, title=f"Ask {kind}", target="The mayor")
        for kind in Ask.Kind.values
    )
    others = CampaignFactory.create_batch(3)
    campaign.endorsements.add(*others[:2])
    others[2].endorsements.add(campaign)
    campaign.partners.add(*GroupFactory.create_batch(3))
    _add_supporters_and_actions(campaign, asks, 5)
    url = campaign.get_absolute_url()
    few = _queries(client, url), _queries(member_client, url)
    _add_supporters_and_actions(campaign, asks, 495)
    Ask.objects.bulk_create(
        Ask(campaign=campaign, kind="other", title=f"More {n}") for n in range(5)
    )
    many = _queries(client, url), _queries(member_client, url)
    assert few == many
    response = client.get(url)
    assert response.context["actions_count"] == 500 * len(asks)
    assert len(response.context["recent_actions"]) == 10
