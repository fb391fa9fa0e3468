"""Joining the hub: double opt-in by email, no account enumeration, the password a new
member may choose once, a signed-in person joining at once, bad input and rate limits."""

import re
import time
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_deliver
from hubsite.people.models import Consent, Person, Role, User
from organise.models import JoinApplication, Membership, MembershipEvent
from organise.services import joining as services
from tests.conftest import make_user
from tests.organise.factories import MembershipFactory, MembershipTypeFactory
from tests.people.factories import LocalityFactory, PersonFactory, TagFactory

pytestmark = pytest.mark.django_db

JOIN = reverse("organise:join")
PASSWORD = "a-long-new-password-4-me"


@pytest.fixture
def kind(db):
    return MembershipTypeFactory(name="Individual", slug="individual", term_months=12)


def apply(client, kind, **data):
    fields = {
        "first_name": "Amina",
        "last_name": "Yusuf",
        "email": "amina@example.test",
        "type": kind.pk,
    }
    fields.update(data)
    return client.post(JOIN, fields, **data.pop("extra", {}))


def deliver_all():
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        message_deliver(message_id=pk)


def link_in(message, part):
    word = next(word for word in message.body.split() if part in word)
    return word.split("localhost:8000", 1)[1]


def confirm_link(application):
    return reverse("organise:join_confirm", args=[services.confirm_token(application)])


def press_confirm(client, url):
    """Press "Yes, make me a member" on the page the link opens, as a browser does: with
    what the page's form holds (the digest of the answers it showed)."""
    page = client.get(url)
    shown = re.search(r'name="answers" value="([^"]*)"', page.content.decode())
    return client.post(url, {"step": "confirm", "answers": shown[1] if shown else ""})


def choose_password(client, url, password=PASSWORD, again=None):
    data = {"step": "password", "password1": password, "password2": again or password}
    return client.post(url, data)


# Applying and confirming ----------------------------------------------------------------


def test_joining_sends_a_link_and_confirming_it_makes_a_member(client, kind):
    place, tag = LocalityFactory(name="Riverside"), TagFactory(name="Young carers")
    response = apply(
        client,
        kind,
        postcode="ke1 4ab",
        locality=place.pk,
        tags=[tag.pk],
        consent_contact="on",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("organise:join_sent")
    application = JoinApplication.objects.get()
    assert application.confirmed_at is None
    assert (application.email, application.postcode) == ("amina@example.test", "KE1 4AB")
    assert not Person.objects.exists()  # nobody is added to the hub before confirming
    assert not Membership.objects.exists()
    message = OutboxMessage.objects.get()
    assert message.key == f"organise:join:{application.pk}:confirm"
    assert message.category == OutboxMessage.Category.ACCOUNT

    deliver_all()
    (email,) = mail.outbox
    assert email.to == ["amina@example.test"]
    confirm = link_in(email, "/join/confirm/")
    page = client.get(confirm)
    assert page.status_code == 200
    assert b"Yes, make me a member" in page.content
    assert b"Young carers" in page.content and b"Riverside" in page.content
    assert JoinApplication.objects.get().confirmed_at is None  # a GET (a mail scanner) does nothing

    response = press_confirm(client, confirm)
    assert response.status_code == 302
    assert response["Location"] == confirm
    application.refresh_from_db()
    person = Person.objects.get()
    assert application.confirmed_at is not None
    assert application.membership.person == person
    assert (person.first_name, person.last_name, person.email) == (
        "Amina",
        "Yusuf",
        "amina@example.test",
    )
    assert (person.postcode, person.locality, person.first_contact) == (
        "KE1 4AB",
        place,
        Person.FirstContact.ONLINE,
    )
    assert list(person.tags.all()) == [tag]
    consent = person.consents.get()
    assert (consent.purpose, consent.given, consent.method) == ("contact_email", True, "online")
    membership = person.membership
    assert (membership.status, membership.type) == (Membership.Status.ACTIVE, kind)
    assert membership.renews_on > timezone.localdate()
    assert list(membership.events.values_list("kind", flat=True)) == ["joined"]
    welcome = client.get(confirm)
    assert b"Welcome, Amina" in welcome.content
    assert b"Choose a password to sign in later" in welcome.content
    assert OutboxMessage.objects.filter(key=f"organise:join:{application.pk}:welcome").exists()


def test_no_box_ticked_means_no_consent_to_contact(client, kind):
    apply(client, kind)
    services.application_confirm(application=JoinApplication.objects.get())
    assert not Consent.objects.exists()
    assert Membership.objects.get().status == "active"


def test_confirming_matches_the_known_person_and_fills_only_their_blank_details(client, kind):
    place = LocalityFactory()
    known = PersonFactory(
        email="amina@example.test", first_name="Aminah", last_name="", postcode="KE1 1AA"
    )
    apply(client, kind, email="Amina@Example.TEST", postcode="ZZ9 9ZZ", locality=place.pk)
    services.application_confirm(application=JoinApplication.objects.get())
    assert Person.objects.count() == 1
    known.refresh_from_db()
    assert (known.first_name, known.last_name) == ("Aminah", "Yusuf")  # nothing overwritten
    assert (known.postcode, known.locality) == ("KE1 1AA", place)
    assert known.membership.status == "active"


def test_applying_again_says_the_same_and_resends_at_most_once_a_day(client, kind, monkeypatch):
    first = apply(client, kind, first_name="Someone")
    second = apply(client, kind, first_name="Amina")
    third = apply(client, kind, first_name="Amina")
    assert first["Location"] == second["Location"] == third["Location"]
    application = JoinApplication.objects.get()  # one application, holding the latest answers
    assert application.first_name == "Amina"
    assert OutboxMessage.objects.count() == 2  # the first link, and one more today

    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(services.timezone, "localdate", lambda: tomorrow)
    for _ in range(2):  # (the page's limit of three an hour per address is met already)
        services.application_submit(email="amina@example.test", first_name="Amina", type=kind)
    assert OutboxMessage.objects.count() == 3
    deliver_all()
    links = {link_in(message, "/join/confirm/") for message in mail.outbox}
    for link in links:  # every link sent confirms the same application
        assert client.get(link).context["application"] == application


@pytest.mark.parametrize("with_account", [True, False], ids=["account", "no-account"])
def test_an_active_members_address_gets_an_email_saying_so_not_a_link(client, kind, with_account):
    if with_account:
        person = make_user(Role.MEMBER, email="amina@example.test").person
    else:
        person = PersonFactory(email="amina@example.test")
    MembershipFactory(person=person, type=kind)
    stranger = apply(client, kind)
    newcomer = apply(client, kind, email="new@example.test")
    assert stranger.status_code == newcomer.status_code == 302
    assert stranger["Location"] == newcomer["Location"]  # nothing tells the two apart
    assert not JoinApplication.objects.filter(email="amina@example.test").exists()
    apply(client, kind)  # again the same day: no second email
    deliver_all()
    (message,) = [m for m in mail.outbox if m.to == ["amina@example.test"]]
    assert "already a member" in message.subject
    assert "/join/confirm/" not in message.body
    if with_account:
        assert "/accounts/login/" in message.body and "/accounts/password/reset/" in message.body
    else:
        assert "/accounts/signup/" in message.body
    assert Person.objects.get(email="amina@example.test").membership.events.count() == 0


def test_a_member_who_left_rejoins_by_confirming(client, kind):
    person = PersonFactory(email="amina@example.test")
    MembershipFactory(person=person, type=kind, status="left", ended_on=timezone.localdate())
    apply(client, kind)
    application = JoinApplication.objects.get()
    press_confirm(client, confirm_link(application))
    membership = Membership.objects.get()
    assert (membership.status, membership.ended_on) == ("active", None)
    assert list(membership.events.values_list("kind", flat=True)) == ["rejoined"]


def test_confirming_twice_is_harmless(client, kind):
    apply(client, kind, consent_contact="on")
    url = confirm_link(JoinApplication.objects.get())
    assert press_confirm(client, url).status_code == 302
    assert press_confirm(client, url).status_code == 302
    assert Person.objects.count() == Membership.objects.count() == 1
    assert MembershipEvent.objects.count() == Consent.objects.count() == 1
    assert OutboxMessage.objects.filter(key__endswith=":welcome").count() == 1


def test_a_confirm_page_confirms_only_the_answers_it_showed(client, kind):
    """Alice applies and opens the link in her email. Mallory then applies with Alice's
    address (her own name, a community, news by email): Alice's click on the page she was
    shown must not make a member of Mallory's answers in Alice's name."""
    apply(client, kind, first_name="Alice", email="alice@example.test")
    url = confirm_link(JoinApplication.objects.get())
    alices_page = client.get(url)
    assert b"Alice" in alices_page.content and b"Mallory" not in alices_page.content

    mallory = Client()
    tag = TagFactory(name="Night owls")
    apply(
        mallory,
        kind,
        first_name="Mallory",
        email="alice@example.test",
        tags=[tag.pk],
        consent_contact="on",
    )
    response = client.post(
        url, {"step": "confirm", "answers": alices_page.context["answers_digest"]}
    )

    assert response.status_code == 400
    assert b"The answers to confirm have changed since this page was shown" in response.content
    assert b"Mallory" in response.content and b"Night owls" in response.content  # the answers now
    assert b"Yes, make me a member" in response.content
    assert JoinApplication.objects.get().confirmed_at is None
    assert not Person.objects.exists() and not Membership.objects.exists()
    assert not Consent.objects.exists()

    apply(client, kind, first_name="Alice", email="alice@example.test")  # Alice's answers again
    assert press_confirm(client, url).status_code == 302
    person = Person.objects.get()
    assert person.first_name == "Alice"
    assert not person.tags.exists() and not Consent.objects.exists()


@pytest.mark.parametrize("answers", [None, "", "not-the-digest"])
def test_confirming_without_the_answers_shown_confirms_nothing(client, kind, answers):
    apply(client, kind)
    url = confirm_link(JoinApplication.objects.get())
    data = {"step": "confirm"} if answers is None else {"step": "confirm", "answers": answers}
    response = client.post(url, data)
    assert response.status_code == 400
    assert b"have changed since this page was shown" in response.content
    assert b"Yes, make me a member" in response.content  # and may confirm from here
    assert not Person.objects.exists()
    application = JoinApplication.objects.get()
    assert application.confirmed_at is None
    with pytest.raises(ValidationError, match="have changed"):
        services.application_confirm(application=application, answers_digest="stale")
    digest = services.application_answers_digest(application)
    services.application_confirm(application=application, answers_digest=digest)
    assert Membership.objects.get().status == "active"


def test_applying_again_dates_the_application_anew_so_the_night_keeps_it(client, kind):
    apply(client, kind)
    application = JoinApplication.objects.get()
    JoinApplication.objects.filter(pk=application.pk).update(
        created_at=timezone.now() - timedelta(days=29)
    )
    apply(client, kind)  # the link sent again today works for 14 more days
    application.refresh_from_db()
    assert timezone.now() - application.created_at < timedelta(minutes=1)
    assert services.applications_forget_unconfirmed(now=timezone.now() + timedelta(days=2)) == 0
    deliver_all()
    assert press_confirm(client, link_in(mail.outbox[-1], "/join/confirm/")).status_code == 302
    assert Membership.objects.get().status == "active"


def test_a_kind_closed_before_confirming_gets_a_clear_message(client, kind):
    apply(client, kind)
    kind.open_to_join = False
    kind.save()
    response = press_confirm(client, confirm_link(JoinApplication.objects.get()))
    assert response.status_code == 400
    assert b"no longer offered" in response.content
    assert not Person.objects.exists()
    assert JoinApplication.objects.get().confirmed_at is None


def test_broken_links_get_a_clear_page(client, kind):
    apply(client, kind)
    application = JoinApplication.objects.get()
    good = services.confirm_token(application)
    wrong_salt = signing.dumps({"application": application.pk}, salt="action.signup-confirm")
    not_a_dict = signing.dumps(["application", application.pk], salt=services.CONFIRM_SALT)
    gone = JoinApplication.objects.create(email="gone@example.test", first_name="G", type=kind)
    gone_token = services.confirm_token(gone)
    gone.delete()
    for token in ["not-a-token", good[:-3] + "abc", wrong_salt, not_a_dict, gone_token]:
        url = reverse("organise:join_confirm", args=[token])
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 400
            assert b"This link does not work" in response.content
    assert not Person.objects.exists()


def test_an_expired_link_says_so_and_confirms_nothing(client, kind, monkeypatch):
    apply(client, kind)
    application = JoinApplication.objects.get()
    fifteen_days_ago = time.time() - 15 * 24 * 3600
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: fifteen_days_ago)
        url = confirm_link(application)
    for method in (client.get, client.post):
        response = method(url, {"step": "confirm"}) if method == client.post else method(url)
        assert response.status_code == 400
        assert b"more than 14 days old" in response.content
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "amina@"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "a" * 250 + "@example.test"}, "email"),
        ({"type": ""}, "type"),
        ({"type": "999999"}, "type"),
        ({"type": "not-a-number"}, "type"),
        ({"first_name": "   "}, "first_name"),
        ({"first_name": "x" * 81}, "first_name"),
        ({"last_name": "x" * 81}, "last_name"),
        ({"postcode": "!!!"}, "postcode"),
        ({"postcode": "A" * 11}, "postcode"),
        ({"locality": "999999"}, "locality"),
        ({"tags": ["999999"]}, "tags"),
        # Ids no database can compare (SQLite raised OverflowError: a 500).
        ({"type": "9" * 30}, "type"),
        ({"locality": "9" * 30}, "locality"),
        ({"tags": ["9" * 30]}, "tags"),
        ({"tags": ["9" * 5000]}, "tags"),
        ({"type": "9" * 5000}, "type"),
        ({"tags": [str(2**63)]}, "tags"),
        ({"tags": ["-1"]}, "tags"),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(client, kind, data, field):
    response = apply(client, kind, **data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert b'role="alert"' in response.content or b"field-errors" in response.content
    assert not JoinApplication.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert not Person.objects.exists()


def test_a_kind_not_open_to_join_cannot_be_chosen(client, kind):
    closed = MembershipTypeFactory(name="Founders", slug="founders", open_to_join=False)
    page = client.get(JOIN)
    assert b"Individual" in page.content and b"Founders" not in page.content
    response = apply(client, kind, type=closed.pk)
    assert response.status_code == 400
    assert "not offered" in response.context["form"].errors["type"][0]
    assert not JoinApplication.objects.exists()
    with pytest.raises(Exception, match="no longer offered"):
        services.application_submit(email="a@example.test", first_name="A", type=closed)
    assert not JoinApplication.objects.exists()


def test_an_empty_form_gets_messages_not_a_blank_page(client, kind):
    response = client.post(JOIN, {})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["first_name"] == ["Enter your first name."]
    assert errors["email"] == ["Enter your email address."]
    assert errors["type"] == ["Choose a kind of membership."]
    assert b"Enter your email address." in response.content


def test_no_kind_chosen_says_so(client, kind):
    response = apply(client, kind, type="")
    assert response.context["form"].errors["type"] == ["Choose a kind of membership."]


def test_the_page_says_when_joining_is_not_open(client):
    MembershipTypeFactory(open_to_join=False)
    response = client.get(JOIN)
    assert response.status_code == 200
    assert b"Joining is not open at the moment" in response.content
    assert b'name="email"' not in response.content


def test_the_page_shows_each_kinds_terms_and_the_privacy_statement(client, kind):
    from decimal import Decimal

    MembershipTypeFactory(
        name="Household",
        slug="household",
        suggested_contribution=Decimal("10.00"),
        description="Everyone at one address.",
    )
    content = client.get(JOIN).content.decode()
    assert "Free, renewed every year" in content
    assert "Suggested contribution £10 (optional, no payment taken here)" in content
    assert "Everyone at one address." in content
    assert "What we do with your details" in content
    assert "Already a member?" in content and reverse("account_login") in content
    (box,) = re.findall(r"<input[^>]*name=\"consent_contact\"[^>]*>", content)
    assert "checked" not in box  # hearing from the hub is a choice made, never assumed


def test_a_filled_trap_field_saves_nothing_and_looks_the_same(client, kind):
    response = apply(client, kind, website="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("organise:join_sent")
    assert not JoinApplication.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_too_many_applications_for_one_address_answer_429(client, kind):
    for n in range(3):
        response = apply(client, kind, extra={"REMOTE_ADDR": f"10.0.0.{n}"})
        assert response.status_code == 302
    response = client.post(
        JOIN,
        {"first_name": "A", "email": "AMINA@example.test", "type": kind.pk},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 429
    assert b"Please wait a little" in response.content


def test_too_many_applications_from_one_place_answer_429(client, kind):
    for n in range(10):
        assert apply(client, kind, email=f"person{n}@example.test").status_code == 302
    response = apply(client, kind, email="one-more@example.test")
    assert response.status_code == 429
    assert not JoinApplication.objects.filter(email="one-more@example.test").exists()


def test_the_sent_page_says_to_check_the_email(client):
    response = client.get(reverse("organise:join_sent"))
    assert response.status_code == 200
    assert b"Check your email" in response.content


def test_the_join_page_costs_the_same_queries_with_few_and_many_choices(client, kind):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(JOIN).status_code == 200
        return len(captured)

    few = queries()
    MembershipTypeFactory.create_batch(10)
    LocalityFactory.create_batch(30)
    TagFactory.create_batch(30)
    assert queries() == few


# Choosing a password --------------------------------------------------------------------


def confirmed(client, kind, **data):
    apply(client, kind, **data)
    application = JoinApplication.objects.get()
    url = confirm_link(application)
    press_confirm(client, url)
    return url


def test_the_new_member_chooses_a_password_and_is_signed_in(client, kind):
    url = confirmed(client, kind)
    response = choose_password(client, url)
    assert response.status_code == 302
    assert response["Location"] == reverse("organise:my_membership")
    user = User.objects.get(email="amina@example.test")
    assert user.role == Role.MEMBER
    assert user.check_password(PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("amina@example.test", True, True)
    assert Person.objects.get().user == user
    page = client.get(reverse("organise:my_membership"))  # signed in by the password step
    assert page.status_code == 200
    assert b"Individual" in page.content and b"Active" in page.content
    fresh = Client()  # and the password signs in later
    assert fresh.login(email="amina@example.test", password=PASSWORD)


def test_the_password_form_works_only_once(client, kind):
    url = confirmed(client, kind)
    choose_password(client, url)
    other = Client()
    page = other.get(url)
    assert b"Choose a password" not in page.content
    assert b"Sign in to see your membership" in page.content
    response = choose_password(other, url, "another-long-password-9")
    assert response.status_code == 400
    assert b"An account already signs in with this address" in response.content
    assert User.objects.count() == 1
    assert User.objects.get().check_password(PASSWORD)


def test_no_password_is_offered_when_an_account_has_the_address(client, kind):
    user = make_user(Role.VOLUNTEER, email="amina@example.test")
    url = confirmed(client, kind)
    page = client.get(url)
    assert b"Choose a password" not in page.content
    assert b"Sign in to see your membership" in page.content
    assert choose_password(client, url).status_code == 400
    user.refresh_from_db()
    assert user.role == Role.VOLUNTEER and user.check_password("a-long-test-password")
    assert User.objects.count() == 1
    with pytest.raises(Exception, match="already signs in"):
        services.application_account_create(
            application=JoinApplication.objects.get(), password=PASSWORD
        )


def test_an_account_without_a_person_gets_the_confirmed_person(client, kind):
    user = User.objects.create_user(email="amina@example.test", password="x", role=Role.MEMBER)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    confirmed(client, kind)
    assert Person.objects.get().user == user


def test_with_sign_up_closed_confirming_offers_no_password_but_an_invitation(
    client, kind, settings
):
    settings.SIGNUP_OPEN = False
    url = confirmed(client, kind)
    assert Membership.objects.get().status == "active"  # joining stays open
    page = client.get(url)
    assert b"Welcome, Amina" in page.content
    assert b"Choose a password" not in page.content and b'name="password1"' not in page.content
    assert b"ask the hub's staff to invite you" in page.content
    response = choose_password(client, url)
    assert response.status_code == 400
    assert b"its staff can invite you" in response.content
    assert not User.objects.exists()
    with pytest.raises(ValidationError, match="staff can invite you"):
        services.application_account_create(
            application=JoinApplication.objects.get(), password=PASSWORD
        )
    assert not User.objects.exists()


def test_with_sign_up_closed_the_already_a_member_email_has_no_sign_up_link(client, kind, settings):
    settings.SIGNUP_OPEN = False
    MembershipFactory(person=PersonFactory(email="amina@example.test"), type=kind)
    apply(client, kind)
    deliver_all()
    (message,) = mail.outbox
    assert "already a member" in message.subject
    assert "/accounts/signup/" not in message.body
    assert "ask the hub's staff to invite you" in message.body


def test_no_password_before_confirming(client, kind):
    apply(client, kind)
    url = confirm_link(JoinApplication.objects.get())
    assert b"Choose a password" not in client.get(url).content
    response = choose_password(client, url)
    assert response.status_code == 400
    assert b"Confirm your membership first" in response.content
    assert not User.objects.exists()
    assert JoinApplication.objects.get().confirmed_at is None


@pytest.mark.parametrize(
    ("password", "again", "field"),
    [
        (PASSWORD, "something-else-entirely", "password2"),
        ("short", "short", "password1"),
        ("password123", "password123", "password1"),
        ("12345678901234", "12345678901234", "password1"),
        ("", "", "password1"),
    ],
)
def test_a_weak_or_mistyped_password_is_refused(client, kind, password, again, field):
    url = confirmed(client, kind)
    response = client.post(url, {"step": "password", "password1": password, "password2": again})
    assert response.status_code == 400
    assert field in response.context["password_form"].errors
    assert not User.objects.exists()


# Joining signed in ----------------------------------------------------------------------


def test_a_signed_in_person_joins_at_once(member_client, member_user, kind):
    page = member_client.get(JOIN)
    assert page.status_code == 200
    assert b'name="email"' not in page.content  # their login address is verified already
    response = member_client.post(JOIN, {"type": kind.pk, "consent_contact": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("organise:my_membership")
    membership = Membership.objects.get()
    assert (membership.person, membership.status, membership.type) == (
        member_user.person,
        "active",
        kind,
    )
    assert not JoinApplication.objects.exists()
    assert not OutboxMessage.objects.exists()
    consent = member_user.person.consents.get()
    assert (consent.given, consent.recorded_by) == (True, member_user)


def test_a_signed_in_member_is_told_they_are_one(member_client, member_user, kind):
    MembershipFactory(person=member_user.person, type=kind)
    page = member_client.get(JOIN)
    assert b"You are a member of" in page.content
    assert b'name="type"' not in page.content
    other = MembershipTypeFactory()
    member_client.post(JOIN, {"type": other.pk})
    assert Membership.objects.get().type == kind  # nothing changed


def test_a_signed_in_person_cannot_choose_a_closed_kind(member_client, kind):
    closed = MembershipTypeFactory(open_to_join=False)
    for value in (closed.pk, "9" * 30, "x"):
        response = member_client.post(JOIN, {"type": value})
        assert response.status_code == 400
        assert response.context["form"].errors["type"]
    assert not Membership.objects.exists()
    assert member_client.post(JOIN, {}).status_code == 400


def test_a_signed_in_double_click_on_join_makes_one_member(member_client, member_user, kind):
    first = member_client.post(JOIN, {"type": kind.pk})
    second = member_client.post(JOIN, {"type": kind.pk}, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert Membership.objects.count() == MembershipEvent.objects.count() == 1


def test_a_join_committed_by_the_other_click_meanwhile_is_no_error(
    member_client, member_user, kind, monkeypatch
):
    from organise.services import membership as terms

    person, add_months = member_user.person, terms.add_months

    def other_click_commits_first(day, months):
        # Between this click's look for a membership and its insert, the other click's join
        # is committed (two requests at once, each seeing no membership yet).
        if not Membership.objects.filter(person=person).exists():
            MembershipFactory(person=person, type=kind)
        return add_months(day, months)

    monkeypatch.setattr(terms, "add_months", other_click_commits_first)
    response = member_client.post(JOIN, {"type": kind.pk}, follow=True)
    assert response.status_code == 200
    assert b"You are already a member of the hub" in response.content
    assert Membership.objects.count() == 1
    assert not MembershipEvent.objects.exists()  # the other click's join is the one dated


def test_a_signed_in_account_without_a_person_joins_by_email(kind):
    user = User.objects.create_user(email="admin@example.test", password="x", role=Role.MEMBER)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    client.force_login(user)
    page = client.get(JOIN)
    assert page.context["form"]["email"].value() == "admin@example.test"
    apply(client, kind, email="admin@example.test")
    press_confirm(client, confirm_link(JoinApplication.objects.get()))
    assert Person.objects.get().user == user
    assert client.get(reverse("organise:my_membership")).context["membership"].status == "active"
