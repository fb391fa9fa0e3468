"""A member's own pages: their membership (renew, change its kind, leave) and their profile;
how the hub may contact them is chosen on their data page (tests/privacy/test_mine.py). Only
ever their own, and only when signed in."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hubsite.people.models import Consent, Person, Role, User
from organise.models import Contribution, Membership, MembershipEvent
from organise.services.membership import add_months
from tests.conftest import make_user
from tests.organise.factories import MembershipFactory, MembershipTypeFactory
from tests.people.factories import LocalityFactory, TagFactory

pytestmark = pytest.mark.django_db

MINE = reverse("organise:my_membership")
RENEW = reverse("organise:my_membership_renew")
KIND = reverse("organise:my_membership_kind")
LEAVE = reverse("organise:my_membership_leave")
PROFILE = reverse("organise:my_profile")
PREFERENCES = reverse("organise:my_preferences")
OWN_PAGES = [MINE, RENEW, KIND, LEAVE, PROFILE]
ALL_PAGES = [*OWN_PAGES, PREFERENCES]


@pytest.fixture
def kind(db):
    return MembershipTypeFactory(name="Individual", slug="individual", term_months=12)


def member_of(user, kind, **fields):
    return MembershipFactory(person=user.person, type=kind, **fields)


def renew(client, renews_on, **extra):
    """Press "Renew now", which sends the renewal date its page showed."""
    return client.post(RENEW, {"renews_on": renews_on.isoformat()}, **extra)


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Who may use the pages ------------------------------------------------------------------


@pytest.mark.parametrize("url", ALL_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", [Role.STAFF, Role.ORGANISER, Role.VOLUNTEER, Role.MEMBER])
def test_everyone_signed_in_sees_their_own_pages(role, settings):
    settings.STAFF_MFA_REQUIRED = False
    client = Client()
    client.force_login(make_user(role))
    for url in [MINE, PROFILE]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("url", OWN_PAGES)
def test_an_account_without_a_person_gets_a_clear_page(url):
    user = User.objects.create_user(email="first-admin@example.test", password="x")
    client = Client()
    client.force_login(user)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 200
        assert b"Your account has no profile yet" in response.content
    assert not Person.objects.exists()


def test_a_member_sees_only_their_own_membership(member_client, member_user, kind):
    other = make_user(Role.MEMBER, email="other@example.test", first_name="Other")
    theirs = member_of(other, MembershipTypeFactory(name="Household", slug="household"))
    Contribution.objects.create(membership=theirs, amount=Decimal("99.00"), note="Not mine")
    member_of(member_user, kind)
    content = member_client.get(MINE).content.decode()
    assert "Individual" in content
    assert "Household" not in content and "Not mine" not in content
    member_client.post(LEAVE)
    theirs.refresh_from_db()
    assert theirs.status == "active"


# The membership page --------------------------------------------------------------------


def test_the_page_shows_status_kind_term_and_contributions(member_client, member_user):
    kind = MembershipTypeFactory(name="Household", suggested_contribution=Decimal("10"))
    membership = member_of(member_user, kind)
    Contribution.objects.create(membership=membership, amount=Decimal("10.00"), note="Cash")
    content = member_client.get(MINE).content.decode()
    assert "Active" in content and "Household" in content
    assert "Suggested contribution £10" in content
    assert f"{membership.renews_on:%B %Y}" in content
    assert f"{membership.joined_on:%B %Y}" in content
    assert "£10.00" in content and "Cash" in content
    assert "Renew now" not in content  # 6 months to go: not due yet
    assert "Leave the hub" in content and "Change the kind of membership" in content


def test_someone_who_is_not_a_member_is_offered_to_join(member_client):
    content = member_client.get(MINE).content.decode()
    assert "You are not a member of the hub yet" in content
    assert reverse("organise:join") in content


def test_the_page_costs_the_same_queries_with_few_and_many_contributions(
    member_client, member_user, kind, settings
):
    membership = member_of(member_user, kind)
    Contribution.objects.create(membership=membership, amount=Decimal("5"))
    few = queries(member_client, MINE)
    Contribution.objects.bulk_create(
        Contribution(membership=membership, amount=Decimal(n + 1)) for n in range(60)
    )
    assert queries(member_client, MINE) == few
    page = member_client.get(MINE).context["page"]
    assert len(page.object_list) == settings.PAGE_SIZE and page.paginator.count == 61


# Renewing, changing kind, leaving -------------------------------------------------------


def test_a_member_due_for_renewal_renews_from_the_renewal_date(member_client, member_user, kind):
    today = timezone.localdate()
    membership = member_of(member_user, kind, renews_on=today + timedelta(days=20))
    mine = member_client.get(MINE).content.decode()
    assert "Renew now" in mine
    assert f'name="renews_on" value="{membership.renews_on.isoformat()}"' in mine
    page = member_client.get(RENEW)
    assert page.status_code == 200 and b"Renew now" in page.content
    assert f'value="{membership.renews_on.isoformat()}"'.encode() in page.content
    response = renew(member_client, membership.renews_on)
    assert response.status_code == 302 and response["Location"] == MINE
    membership.refresh_from_db()
    assert membership.term_started_on == today + timedelta(days=20)
    assert membership.renews_on == add_months(today + timedelta(days=20), 12)
    assert list(membership.events.values_list("kind", flat=True)) == ["renewed"]
    assert b"renewed until" in member_client.get(MINE).content


def test_renewing_is_refused_until_it_is_due(member_client, member_user, kind):
    membership = member_of(member_user, kind)  # half-way through the term
    before = membership.renews_on
    page = member_client.get(RENEW)
    assert b"You can renew it from" in page.content
    assert b"<button" not in page.content.split(b"<main")[1]
    response = renew(member_client, membership.renews_on, follow=True)
    assert b"not due for renewal yet" in response.content
    membership.refresh_from_db()
    assert membership.renews_on == before
    assert not MembershipEvent.objects.exists()


def test_a_lapsed_member_renews_from_today(member_client, member_user, kind):
    today = timezone.localdate()
    membership = member_of(
        member_user,
        kind,
        status="lapsed",
        term_started_on=today - timedelta(days=500),
        renews_on=today - timedelta(days=135),
        ended_on=today - timedelta(days=100),
    )
    assert b"Renew now" in member_client.get(MINE).content
    renew(member_client, membership.renews_on)
    membership.refresh_from_db()
    assert (membership.status, membership.term_started_on) == ("active", today)
    assert membership.ended_on is None
    assert list(membership.events.values_list("kind", flat=True)) == ["rejoined"]


@pytest.mark.parametrize("term_months", [1, 3])
def test_a_renewal_sent_twice_renews_once(member_client, member_user, term_months):
    kind = MembershipTypeFactory(term_months=term_months)
    today = timezone.localdate()
    membership = member_of(member_user, kind, renews_on=today + timedelta(days=10))
    shown = membership.renews_on  # what the page showed, sent by both clicks
    assert renew(member_client, shown).status_code == 302
    response = renew(member_client, shown, follow=True)
    membership.refresh_from_db()
    assert membership.renews_on == add_months(today + timedelta(days=10), term_months)
    assert MembershipEvent.objects.filter(kind="renewed").count() == 1
    expected = f"already renewed until {membership.renews_on:%-d %B %Y}"
    assert expected in response.content.decode()


@pytest.mark.parametrize("data", [{}, {"renews_on": "soon"}, {"renews_on": "2025-02-30"}])
def test_a_renewal_without_the_date_it_showed_renews_nothing(
    member_client, member_user, kind, data
):
    membership = member_of(member_user, kind, renews_on=timezone.localdate() + timedelta(days=10))
    before = membership.renews_on
    response = member_client.post(RENEW, data, follow=True)
    assert b"The renewal was not made" in response.content
    membership.refresh_from_db()
    assert membership.renews_on == before
    assert not MembershipEvent.objects.exists()


def test_a_member_changes_the_kind_of_membership(member_client, member_user, kind):
    household = MembershipTypeFactory(name="Household", slug="household")
    closed = MembershipTypeFactory(name="Founders", slug="founders", open_to_join=False)
    membership = member_of(member_user, kind)
    page = member_client.get(KIND)
    assert b"Household" in page.content and b"Founders" not in page.content
    response = member_client.post(KIND, {"type": household.pk})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.type == household
    for value in (closed.pk, "9" * 30):
        refused = member_client.post(KIND, {"type": value})
        assert refused.status_code == 400
        assert refused.context["form"].errors["type"]
    assert member_client.post(KIND, {}).status_code == 400
    membership.refresh_from_db()
    assert membership.type == household


def test_a_member_keeps_a_kind_no_longer_offered(member_client, member_user):
    old = MembershipTypeFactory(name="Founders", slug="founders", open_to_join=False)
    MembershipTypeFactory(name="Individual", slug="individual")
    member_of(member_user, old)
    page = member_client.get(KIND)
    assert b"Founders" in page.content
    assert member_client.post(KIND, {"type": old.pk}).status_code == 302


def test_leaving_asks_first_then_leaves(member_client, member_user, kind):
    membership = member_of(member_user, kind)
    page = member_client.get(LEAVE)
    assert page.status_code == 200 and b"Yes, leave the hub" in page.content
    membership.refresh_from_db()
    assert membership.status == "active"  # a GET changes nothing
    response = member_client.post(LEAVE)
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.status, membership.ended_on) == ("left", timezone.localdate())
    assert list(membership.events.values_list("kind", flat=True)) == ["left"]
    content = member_client.get(MINE).content.decode()
    assert "Left" in content and reverse("organise:join") in content
    assert "Leave the hub</a>" not in content


def test_a_member_who_left_cannot_renew_change_or_leave_again(member_client, member_user, kind):
    membership = member_of(member_user, kind, status="left", ended_on=timezone.localdate())
    other = MembershipTypeFactory()
    for url in (RENEW, KIND, LEAVE):
        page = member_client.get(url)
        assert page.status_code == 200 and b"You are not a member at the moment" in page.content
    for url, data in ((RENEW, {}), (KIND, {"type": other.pk}), (LEAVE, {})):
        response = member_client.post(url, data, follow=True)
        assert b"join first" in response.content
    membership.refresh_from_db()
    assert (membership.status, membership.type) == ("left", kind)
    assert not MembershipEvent.objects.exists()


def test_someone_never_a_member_gets_the_join_button_on_every_membership_page(member_client):
    for url in (RENEW, KIND, LEAVE):
        page = member_client.get(url)
        assert page.status_code == 200
        assert reverse("organise:join").encode() in page.content
    assert member_client.post(RENEW).status_code == 302
    assert not Membership.objects.exists()


# Profile --------------------------------------------------------------------------------


def profile_data(**overrides):
    data = {
        "first_name": "Amina",
        "last_name": "Yusuf",
        "phone": "07700 900123",
        "postcode": "ke1 4ab",
        "locality": "",
        "languages": "English, Somali",
        "accessibility_needs": "Step-free access, please.",
    }
    data.update(overrides)
    return data


def test_a_member_edits_their_profile(member_client, member_user):
    place, tag, old_tag = LocalityFactory(), TagFactory(), TagFactory()
    person = member_user.person
    person.tags.set([old_tag])
    page = member_client.get(PROFILE)
    assert page.status_code == 200
    assert member_user.email.encode() in page.content
    assert reverse("account_email").encode() in page.content
    response = member_client.post(
        PROFILE,
        profile_data(locality=place.pk, tags=[tag.pk], email="hijack@example.test"),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.phone) == ("Amina", "Yusuf", "07700 900123")
    assert (person.postcode, person.locality, person.languages) == (
        "KE1 4AB",
        place,
        "English, Somali",
    )
    assert person.accessibility_needs == "Step-free access, please."
    assert list(person.tags.all()) == [tag]
    assert person.email == member_user.email  # the login address is changed elsewhere


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"first_name": "  "}, "first_name"),
        ({"first_name": "x" * 81}, "first_name"),
        ({"phone": "call me"}, "phone"),
        ({"phone": "1" * 40}, "phone"),
        ({"postcode": "!!!"}, "postcode"),
        ({"locality": "999999"}, "locality"),
        ({"tags": ["999999"]}, "tags"),
        ({"locality": "9" * 30}, "locality"),
        ({"tags": ["9" * 30]}, "tags"),
        ({"languages": "x" * 201}, "languages"),
    ],
)
def test_bad_profile_input_gets_a_clear_message_and_changes_nothing(
    member_client, member_user, data, field
):
    response = member_client.post(PROFILE, profile_data(**data))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    person = Person.objects.get(pk=member_user.person.pk)
    assert (person.first_name, person.phone) == ("Member", "")


def test_the_profile_costs_the_same_queries_with_few_and_many_choices(member_client, member_user):
    few = queries(member_client, PROFILE)
    LocalityFactory.create_batch(20)
    member_user.person.tags.set(TagFactory.create_batch(20))
    assert queries(member_client, PROFILE) == few


# Preferences ----------------------------------------------------------------------------


def test_preferences_lead_to_the_one_page_for_every_consent(member_client):
    for method in (member_client.get, member_client.post):
        response = method(PREFERENCES, {"contact_email": "on"})
        assert response.status_code == 302
        assert response["Location"] == reverse("privacy:mine")
    assert not Consent.objects.exists()
