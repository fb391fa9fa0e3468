"""Consent to be contacted, ticked on a public RSVP or join form by someone not signed in, is
confirmed from the address itself (double opt-in): the email carries a "Yes, keep me posted"
link, its page confirms nothing until its button is pressed, and a broken link says so."""

import time

import pytest
from django.core import signing
from django.urls import reverse

from connect.services import rsvps as services
from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Consent, Person
from hubsite.people.services import consent_record
from tests.connect.factories import EventFactory
from tests.people.factories import GroupFactory, PersonFactory

pytestmark = pytest.mark.django_db

LINK = "Yes, keep me posted: http://localhost:8000"


def answer(client, event, **data):
    fields = {"first_name": "Amina", "last_name": "Yusuf", "email": "amina@example.test"}
    fields.update(data)
    return client.post(reverse("connect:rsvp", args=[event.pk]), fields)


def ask(client, group, **data):
    fields = {"first_name": "Amina", "email": "amina@example.test", "message": ""}
    fields.update(data)
    return client.post(reverse("connect:group_join", args=[group.slug]), fields)


def link_in(email):
    """The path of the "keep me posted" link in the outbox message to ``email``."""
    body = OutboxMessage.objects.get(to_email=email).body_text
    (line,) = [line for line in body.splitlines() if line.startswith(LINK)]
    return line.removeprefix(LINK)


def contact_consents(email="amina@example.test"):
    return Consent.objects.filter(
        person__email=email, purpose=Consent.Purpose.CONTACT_EMAIL
    ).order_by("id")


@pytest.fixture
def event():
    return EventFactory(title="Spring clean-up")


@pytest.fixture
def group():
    return GroupFactory(name="Growing Together", public=True)


# The RSVP --------------------------------------------------------------------------------


def test_a_strangers_ticked_rsvp_records_nothing_and_the_email_holds_the_link(client, event):
    assert answer(client, event, consent_contact="on").status_code == 302
    assert not Consent.objects.exists()
    assert link_in("amina@example.test").startswith("/connect/keep-posted/")


def test_the_links_page_shows_a_button_and_confirms_nothing(client, event):
    answer(client, event, consent_contact="on")
    page = client.get(link_in("amina@example.test"))
    assert page.status_code == 200
    assert "Yes, keep me posted" in page.text and 'method="post"' in page.text
    assert "Spring clean-up" in page.text
    assert not Consent.objects.exists()


def test_pressing_the_button_records_one_consent_and_twice_still_one(client, event):
    answer(client, event, consent_contact="on")
    path = link_in("amina@example.test")
    first = client.post(path)
    assert first.status_code == 200
    assert "You will hear from us" in first.text
    (consent,) = contact_consents()
    assert (consent.given, consent.method) == (True, Consent.Method.ONLINE)
    assert consent.note == "Confirmed from the email about “Spring clean-up”"

    assert client.post(path).status_code == 200
    assert client.get(path).status_code == 200
    assert contact_consents().count() == 1


def test_an_unticked_rsvp_sends_no_link(client, event):
    answer(client, event)
    assert "keep-posted" not in OutboxMessage.objects.get().body_text
    assert not Consent.objects.exists()


def test_someone_who_already_agreed_gets_no_link(client, event):
    person = PersonFactory(email="amina@example.test")
    consent_record(person=person, purpose="contact_email", given=True, method="paper")
    answer(client, event, consent_contact="on")
    assert "keep-posted" not in OutboxMessage.objects.get().body_text
    assert contact_consents().count() == 1


def test_a_known_address_typed_by_a_stranger_changes_nothing_until_its_owner_confirms(
    client, event
):
    bo = PersonFactory(email="bo@example.test", first_name="Bo")
    consent_record(person=bo, purpose="contact_email", given=False, method="online")
    answer(client, event, email="BO@example.test", consent_contact="on")
    assert [c.given for c in contact_consents("bo@example.test")] == [False]
    # Bo, from their own inbox, says yes: that is theirs to say.
    client.post(link_in("bo@example.test"))
    assert [c.given for c in contact_consents("bo@example.test")] == [False, True]


def test_a_signed_in_members_tick_still_records_consent_at_once(member_client, member_user, event):
    response = member_client.post(
        reverse("connect:rsvp", args=[event.pk]), {"consent_contact": "on"}
    )
    assert response.status_code == 302
    (consent,) = Consent.objects.filter(person=member_user.person)
    assert consent.given and consent.purpose == Consent.Purpose.CONTACT_EMAIL
    assert "keep-posted" not in OutboxMessage.objects.get().body_text


# The join request ------------------------------------------------------------------------


def test_a_strangers_ticked_join_request_records_nothing_until_confirmed(client, group):
    assert ask(client, group, consent_contact="on").status_code == 302
    assert not Consent.objects.exists()
    path = link_in("amina@example.test")
    assert client.get(path).status_code == 200
    assert not Consent.objects.exists()

    client.post(path)
    client.post(path)
    (consent,) = contact_consents()
    assert consent.given
    assert consent.note == "Confirmed from the email about “Growing Together”"


def test_an_unticked_join_request_sends_no_link(client, group):
    ask(client, group)
    assert "keep-posted" not in OutboxMessage.objects.get(to_email="amina@example.test").body_text


def test_a_signed_in_members_join_tick_still_records_consent_at_once(
    member_client, member_user, group
):
    member_client.post(
        reverse("connect:group_join", args=[group.slug]),
        {"message": "", "consent_contact": "on"},
    )
    (consent,) = Consent.objects.filter(person=member_user.person)
    assert consent.given
    assert "keep-posted" not in OutboxMessage.objects.get(to_email=member_user.email).body_text


# Broken links ----------------------------------------------------------------------------


def url(token):
    return reverse("connect:contact_confirm", args=[token])


def test_a_tampered_link_says_it_does_not_work_and_records_nothing(client, event):
    answer(client, event, consent_contact="on")
    path = link_in("amina@example.test")
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    for method in (client.get, client.post):
        for target in (tampered, url("nonsense"), url("a:b:c")):
            response = method(target)
            assert response.status_code == 400
            assert "This link does not work" in response.text
    assert not Consent.objects.exists()


def test_an_expired_link_says_it_does_not_work(client, monkeypatch):
    person = PersonFactory(email="amina@example.test")
    long_ago = time.time() - services.CONTACT_MAX_AGE - 60
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: long_ago)
        token = services.contact_confirm_token(person, "Spring clean-up")
    response = client.post(url(token))
    assert response.status_code == 400
    assert "This link does not work" in response.text
    assert not Consent.objects.exists()


def test_a_link_for_another_purpose_or_salt_does_not_work(client):
    person = PersonFactory(email="amina@example.test")
    good = signing.loads(services.contact_confirm_token(person, "x"), salt=services.CONTACT_SALT)
    wrong_purpose = signing.dumps({**good, "purpose": "show_name"}, salt=services.CONTACT_SALT)
    wrong_salt = signing.dumps(good, salt="connect.rsvp-cancel")
    for token in (wrong_purpose, wrong_salt):
        assert client.post(url(token)).status_code == 400
    assert not Consent.objects.exists()


def test_the_link_does_not_show_the_address_it_was_sent_to():
    person = PersonFactory(email="amina@example.test")
    data = signing.loads(services.contact_confirm_token(person, "x"), salt=services.CONTACT_SALT)
    assert "amina" not in str(data)


def test_a_link_sent_to_an_address_the_person_no_longer_has_does_not_work(client):
    person = PersonFactory(email="amina@example.test")
    token = services.contact_confirm_token(person, "Spring clean-up")
    Person.objects.filter(pk=person.pk).update(email="amina@elsewhere.test")
    assert client.post(url(token)).status_code == 400
    person.delete()
    assert client.get(url(token)).status_code == 400
    assert not Consent.objects.exists()


# The page --------------------------------------------------------------------------------


def test_the_page_renders_for_an_anonymous_visitor_with_one_heading(client):
    person = PersonFactory(email="amina@example.test", first_name="Amina")
    response = client.get(url(services.contact_confirm_token(person, "Spring clean-up")))
    assert response.status_code == 200
    assert response.templates[0].name == "connect/contact_confirm.html"
    assert response.text.count("<h1") == 1
    assert "Amina" in response.text and "Spring clean-up" in response.text


def test_confirming_is_rate_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "contact_confirm": "1/h/ip"}
    person = PersonFactory(email="amina@example.test")
    path = url(services.contact_confirm_token(person, "Spring clean-up"))
    assert client.post(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 429
    assert "Please try again later" in response.text
    assert contact_consents().count() == 1
