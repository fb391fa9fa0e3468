"""Campaigns and their public sign-ups: double opt-in, no account enumeration, rate limits,
the public page and who runs which campaign."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from action.models import ActionTaken, Campaign, Signup
from action.services import campaigns as services
from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_deliver
from hubsite.people.models import Consent, GroupMembership, Person
from tests.action.factories import AskFactory, CampaignFactory, SignupFactory, StoryFactory
from tests.conftest import make_user
from tests.listening.factories import ThemeFactory
from tests.people.factories import GroupFactory, GroupMembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def sign(client, campaign, **data):
    fields = {"first_name": "Amina", "last_name": "Yusuf", "email": "amina@example.test"}
    fields.update(data)
    return client.post(reverse("action:signup", args=[campaign.slug]), fields)


def deliver_all():
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        message_deliver(message_id=pk)


def link_in(message, part):
    word = next(word for word in message.body.split() if part in word)
    return word.split("localhost:8000", 1)[1]


def count_on_page(client, campaign):
    return client.get(campaign.get_absolute_url()).context["campaign"].supporter_count


# Signing -----------------------------------------------------------------------------------


def test_a_sign_up_counts_only_once_its_email_is_confirmed(client):
    campaign = CampaignFactory()
    response = sign(client, campaign, consent_contact="on", show_name="on")
    assert response.status_code == 302
    assert response["Location"] == reverse("action:signup_sent", args=[campaign.slug])
    signup = Signup.objects.get()
    assert (signup.status, signup.person) == ("pending", None)
    assert not Person.objects.exists()  # nobody is added to the hub before confirming
    assert count_on_page(client, campaign) == 0
    assert b"Amina" not in client.get(campaign.get_absolute_url()).content

    deliver_all()
    (message,) = mail.outbox
    confirm = link_in(message, "/confirm/")
    assert client.get(confirm).status_code == 200
    assert Signup.objects.get().status == "pending"  # a GET (a mail scanner) changes nothing
    assert client.post(confirm).status_code == 302

    signup = Signup.objects.get()
    assert signup.status == "confirmed"
    assert (signup.person.email, signup.person.first_name) == ("amina@example.test", "Amina")
    purposes = set(signup.person.consents.values_list("purpose", flat=True))
    assert purposes == {Consent.Purpose.CONTACT_EMAIL, Consent.Purpose.SHOW_NAME}
    assert count_on_page(client, campaign) == 1
    assert b"Amina Y" in client.get(campaign.get_absolute_url()).content


def test_confirming_finds_the_known_person_never_a_duplicate(client):
    known = PersonFactory(email="amina@example.test", first_name="Amina")
    campaign = CampaignFactory()
    sign(client, campaign, email="Amina@Example.test", first_name="Someone")
    services.signup_confirm(signup=Signup.objects.get())
    assert Person.objects.filter(email__iexact="amina@example.test").count() == 1
    assert Signup.objects.get().person == known


def test_a_name_is_shown_only_when_chosen(client):
    campaign = CampaignFactory()
    SignupFactory(campaign=campaign, first_name="Shown", show_name=True)
    SignupFactory(campaign=campaign, first_name="Hidden", show_name=False)
    SignupFactory(campaign=campaign, first_name="Waiting", show_name=True, status="pending")
    content = client.get(campaign.get_absolute_url()).content.decode()
    assert "Shown" in content
    assert "Hidden" not in content and "Waiting" not in content
    assert count_on_page(client, campaign) == 2


def test_signing_twice_says_the_same_on_the_page_and_tells_the_address_by_email(client):
    campaign = CampaignFactory()
    SignupFactory(campaign=campaign, email="known@example.test", first_name="Known")
    first = sign(client, campaign, email="known@example.test")
    second = sign(client, campaign, email="new@example.test")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]  # nothing tells whether it had signed
    assert Signup.objects.filter(email="known@example.test").count() == 1
    deliver_all()
    kinds = {message.to[0]: message.subject for message in mail.outbox}
    assert "already signed" in kinds["known@example.test"]
    assert "confirm" in kinds["new@example.test"].lower()
    sign(client, campaign, email="known@example.test")
    assert OutboxMessage.objects.filter(to_email="known@example.test").count() == 1  # a day


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"first_name": "   "}, "first_name"),
        ({"postcode": "!!!"}, "postcode"),
        ({"comment": "x" * 501}, "comment"),
        ({"locality": "999999"}, "locality"),
    ],
)
def test_bad_sign_ups_get_a_clear_message_and_save_nothing(client, data, field):
    campaign = CampaignFactory()
    response = sign(client, campaign, **data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Signup.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_filled_trap_field_saves_nothing_and_looks_the_same(client):
    campaign = CampaignFactory()
    response = sign(client, campaign, website="http://spam.example")
    assert response.status_code == 302
    assert not Signup.objects.exists()


def test_too_many_sign_ups_from_one_place_answer_429_with_a_clear_page(client):
    campaign = CampaignFactory()
    for n in range(10):
        assert sign(client, campaign, email=f"person{n}@example.test").status_code == 302
    response = sign(client, campaign, email="one-more@example.test")
    assert response.status_code == 429
    assert b"Please wait a little" in response.content
    assert not Signup.objects.filter(email="one-more@example.test").exists()


def test_too_many_sign_ups_for_one_address_answer_429(client):
    campaigns = CampaignFactory.create_batch(4)
    for n, campaign in enumerate(campaigns[:3]):
        ip = {"REMOTE_ADDR": f"10.0.0.{n}"}
        client.post(
            reverse("action:signup", args=[campaign.slug]),
            {"first_name": "A", "email": "same@example.test"},
            **ip,
        )
    response = client.post(
        reverse("action:signup", args=[campaigns[3].slug]),
        {"first_name": "A", "email": "SAME@example.test"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 429


@pytest.mark.parametrize("status", ["won", "lost"])
def test_a_finished_campaign_takes_no_sign_ups(client, status):
    campaign = CampaignFactory(status=status)
    assert b'name="email"' not in client.get(campaign.get_absolute_url()).content
    assert sign(client, campaign).status_code == 400
    assert not Signup.objects.exists()


def test_broken_links_get_a_clear_page(client):
    for name in ("action:signup_confirm", "action:unsubscribe"):
        response = client.get(reverse(name, args=["not-a-token"]))
        assert response.status_code == 400
        assert b"This link does not work" in response.content


def test_the_unsubscribe_link_works_without_signing_in(client):
    signup = SignupFactory()
    url = reverse("action:unsubscribe", args=[services.unsubscribe_token(signup)])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 200
    signup.refresh_from_db()
    assert signup.unsubscribed_at is not None
    assert signup.status == "confirmed"  # the name still counts


# The public page -------------------------------------------------------------------------


def test_a_campaign_in_planning_is_not_public(client, member_client):
    campaign = CampaignFactory(status=Campaign.Status.PLANNING)
    assert client.get(campaign.get_absolute_url()).status_code == 404
    assert member_client.get(campaign.get_absolute_url()).status_code == 404
    assert campaign not in client.get(reverse("action:campaign_list")).context["page"].object_list


def test_the_public_page_has_share_friendly_preview_tags(client):
    campaign = CampaignFactory(name="Fix the lifts", summary="Lifts break every week.")
    content = client.get(campaign.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Fix the lifts">' in content
    assert '<meta property="og:description" content="Lifts break every week.">' in content
    assert f'content="http://testserver{campaign.get_absolute_url()}"' in content


def test_the_count_refreshes_on_its_own(client):
    campaign = CampaignFactory()
    SignupFactory(campaign=campaign)
    response = client.get(reverse("action:campaign_count", args=[campaign.slug]))
    assert b"<strong>1</strong> supporter" in response.content
    assert b"<h1>" not in response.content


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add_supporters(campaign, n):
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


def test_the_list_and_page_cost_the_same_queries_with_5_and_500_supporters(client):
    campaigns = CampaignFactory.create_batch(3)
    for campaign in campaigns:
        _add_supporters(campaign, 5)
    page_url, list_url = campaigns[0].get_absolute_url(), reverse("action:campaign_list")
    few_page, few_list = _queries(client, page_url), _queries(client, list_url)
    for campaign in campaigns:
        _add_supporters(campaign, 495)
    assert _queries(client, page_url) == few_page
    assert _queries(client, list_url) == few_list
    assert count_on_page(client, campaigns[0]) == 500


def _fill(campaign, n):
    """``n`` of everything the campaign's page and the list show: supporters (half showing
    their name), groups, themes, partner groups, campaigns standing with it both ways, asks
    with actions taken, and public stories."""
    _add_supporters(campaign, n)
    campaign.groups.add(*GroupFactory.create_batch(n))
    campaign.themes.add(*ThemeFactory.create_batch(n))
    campaign.partners.add(*GroupFactory.create_batch(n, public=True))
    campaign.endorsements.add(*CampaignFactory.create_batch(n))
    for other in CampaignFactory.create_batch(n):
        other.endorsements.add(campaign)
    asks = AskFactory.create_batch(n, campaign=campaign)
    supporters = Signup.objects.filter(campaign=campaign).exclude(person=None)[:n]
    ActionTaken.objects.bulk_create(
        ActionTaken(ask=ask, person=signup.person) for ask in asks for signup in supporters
    )
    StoryFactory.create_batch(n, campaign=campaign, status="approved", published_at=timezone.now())


# The queries each page costs, exactly, and the same with 3 and with 30 of everything: the
# public page 7 (the campaign with its counts, the names it is tied to, the names shown, the
# asks, the latest actions, its stories, the places of the form); staff see the tags of the
# practices it serves (2) after their session and user (2; served, the hub checks their
# second factor too: 12 in all).
PAGE_QUERIES = {"public": 7, "staff": 11}


@pytest.mark.parametrize("n", [3, 30])
def test_the_campaign_page_costs_a_fixed_number_of_queries(
    n, client, staff_client, django_assert_num_queries
):
    campaign = CampaignFactory()
    _fill(campaign, n)
    url = campaign.get_absolute_url()
    for who, asker in (("public", client), ("staff", staff_client)):
        with django_assert_num_queries(PAGE_QUERIES[who]):
            response = asker.get(url)
        assert response.status_code == 200
    context = response.context
    assert context["campaign"].supporter_count == n
    assert context["actions_count"] == n * n
    assert len(context["groups"]) == len(context["themes"]) == n
    assert len(context["partner_groups"]) == len(context["stands_with"]) == n
    assert len(context["stood_with_by"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_the_count_and_signing_cost_a_fixed_number_of_queries(
    n, client, django_assert_num_queries
):
    for campaign in CampaignFactory.create_batch(n):
        _add_supporters(campaign, n)
        campaign.groups.add(*GroupFactory.create_batch(2))
    with django_assert_num_queries(3):  # the paginator's count, the page, their groups
        response = client.get(reverse("action:campaign_list"))
    assert [c.supporter_count for c in response.context["page"].object_list] == [n] * min(n, 25)
    with django_assert_num_queries(1):
        client.get(reverse("action:campaign_count", args=[campaign.slug]))
    # The campaign; whether the address signed and the sign-up; whether its email to
    # confirm was written and the email: each write in a savepoint, the whole in another.
    with django_assert_num_queries(11):
        response = sign(client, campaign, email=f"new-{n}@example.test")
    assert response.status_code == 302
    assert Signup.objects.filter(campaign=campaign, status="pending").count() == 1


# Running campaigns -------------------------------------------------------------------------


def campaign_data(**overrides):
    data = {
        "name": "Safe streets",
        "summary": "Crossings near the schools.",
        "need": "Children cross four lanes of traffic.",
        "demand": "A zebra crossing by spring.",
        "decision_makers": "Highways officer",
        "status": "active",
    }
    data.update(overrides)
    return data


def test_an_organiser_starts_campaigns_for_their_own_groups_only(organiser_client, organiser_user):
    mine, other = GroupFactory(), GroupFactory()
    GroupMembershipFactory(
        group=mine, person=organiser_user.person, role=GroupMembership.Role.ORGANISER
    )
    url = reverse("action:campaign_create")
    response = organiser_client.post(url, campaign_data(groups=[other.pk]))
    assert "groups" in response.context["form"].errors
    response = organiser_client.post(url, campaign_data())
    assert "groups" in response.context["form"].errors
    assert not Campaign.objects.exists()
    response = organiser_client.post(url, campaign_data(groups=[mine.pk]))
    campaign = Campaign.objects.get()
    assert response["Location"] == campaign.get_absolute_url()
    assert campaign.slug == "safe-streets"
    edit = reverse("action:campaign_edit", args=[campaign.slug])
    assert organiser_client.get(edit).status_code == 200
    theirs = CampaignFactory()
    assert (
        organiser_client.get(reverse("action:campaign_edit", args=[theirs.slug])).status_code == 404
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": ""}, "name"), ({"need": ""}, "need"), ({"status": "winning"}, "status")],
)
def test_a_campaign_with_bad_answers_is_refused(staff_client, data, field):
    response = staff_client.post(reverse("action:campaign_create"), campaign_data(**data))
    assert field in response.context["form"].errors
    assert not Campaign.objects.exists()


def test_a_campaign_name_is_unique_and_cannot_endorse_itself(staff_client):
    campaign = CampaignFactory(name="Safe streets", slug="safe-streets")
    response = staff_client.post(
        reverse("action:campaign_create"), campaign_data(name="SAFE streets")
    )
    assert "already exists" in str(response.context["form"].errors["name"])
    user = make_user("staff", "s2@example.test")
    with pytest.raises(Exception, match="cannot endorse itself"):
        services.campaign_update(campaign=campaign, edited_by=user, endorsements=[campaign])


def test_only_those_who_run_it_see_the_supporters(client, member_client, staff_client):
    campaign = CampaignFactory()
    SignupFactory(campaign=campaign, email="secret@example.test")
    url = reverse("action:supporter_list", args=[campaign.slug])
    assert member_client.get(url).status_code == 403
    assert client.get(url).status_code == 302
    response = staff_client.get(url)
    assert response.status_code == 200
    assert b"secret@example.test" not in client.get(campaign.get_absolute_url()).content


def test_a_sign_up_from_an_invitation_remembers_where_it_came_from(client):
    first, second = CampaignFactory(), CampaignFactory()
    page = client.get(second.get_absolute_url(), {"invited_from": first.slug})
    assert f'value="{first.slug}"' in page.content.decode()
    sign(client, second, invited_from=first.slug)
    assert Signup.objects.get().invited_from == first
    sign(client, second, email="other@example.test", invited_from="no-such-campaign")
    assert Signup.objects.get(email="other@example.test").invited_from is None


def test_a_strangers_pending_sign_up_never_speaks_for_the_address(client):
    campaign = CampaignFactory()
    sign(client, campaign, first_name="Troll", comment="Nasty", show_name="on")
    sign(client, campaign, first_name="Vic", comment="", consent_contact="on")
    signup = Signup.objects.get()
    assert (signup.first_name, signup.comment, signup.show_name, signup.consent_contact) == (
        "Vic",
        "",
        False,
        True,
    )
    page = client.get(reverse("action:signup_confirm", args=[services.confirm_token(signup)]))
    assert "Vic" in page.content.decode() and "Troll" not in page.content.decode()


def test_a_name_withdrawn_in_the_core_leaves_the_page(client):
    from hubsite.people.services import consent_record

    campaign = CampaignFactory()
    signup = SignupFactory(campaign=campaign, first_name="Shown", show_name=True)
    consent_record(person=signup.person, purpose="show_name", given=True, method="online")
    assert "Shown" in client.get(campaign.get_absolute_url()).content.decode()
    consent_record(person=signup.person, purpose="show_name", given=False, method="online")
    assert "Shown" not in client.get(campaign.get_absolute_url()).content.decode()


def test_an_organiser_keeps_a_joint_campaigns_other_groups(organiser_client, organiser_user):
    mine, theirs = GroupFactory(), GroupFactory()
    GroupMembershipFactory(
        group=mine, person=organiser_user.person, role=GroupMembership.Role.ORGANISER
    )
    campaign = CampaignFactory(name="Joint", slug="joint")
    campaign.groups.set([mine, theirs])
    url = reverse("action:campaign_edit", args=[campaign.slug])
    data = campaign_data(name="Joint", groups=[mine.pk, theirs.pk], summary="Changed")
    assert organiser_client.post(url, data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.summary == "Changed"
    response = organiser_client.post(url, campaign_data(name="Joint", groups=[mine.pk]))
    assert "groups" in response.context["form"].errors
    assert set(campaign.groups.all()) == {mine, theirs}


def test_winning_or_losing_dates_the_end_and_reopening_clears_it(staff_client):
    campaign = CampaignFactory(name="Lift", slug="lift", status=Campaign.Status.ACTIVE)
    url = reverse("action:campaign_edit", args=[campaign.slug])
    assert campaign.ended_at is None

    assert staff_client.post(url, campaign_data(name="Lift", status="won")).status_code == 302
    campaign.refresh_from_db()
    won_at = campaign.ended_at
    assert won_at is not None

    user = make_user("staff", "s2@example.test")
    services.campaign_update(campaign=campaign, edited_by=user, status=Campaign.Status.LOST)
    assert Campaign.objects.get(pk=campaign.pk).ended_at == won_at  # still ended since then

    services.campaign_update(campaign=campaign, edited_by=user, status=Campaign.Status.ACTIVE)
    assert Campaign.objects.get(pk=campaign.pk).ended_at is None

    created = services.campaign_create(
        created_by=user, name="Already won", summary="s", need="n", demand="d", status="won"
    )
    assert created.ended_at is not None
