"""What Listening contributes to the core about a person: their timeline, their data export
and their erasure."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from hubsite.people import services as people_services
from hubsite.people.models import Person
from listening.models import Conversation, FollowUp
from tests.listening.factories import ConversationFactory, FollowUpFactory, ThemeFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_a_conversation_appears_on_the_persons_timeline(staff_client):
    person = PersonFactory()
    conversation = ConversationFactory(person=person, themes=[ThemeFactory(name="Housing")])
    response = staff_client.get(person.get_absolute_url())
    entries = [entry for entry in response.context["timeline"] if entry.area == "listening"]
    assert [entry.url for entry in entries] == [conversation.get_absolute_url()]
    assert "Housing" in entries[0].detail
    assert conversation.sensitive_notes not in response.content.decode()


def test_the_staff_export_holds_the_conversations_and_their_sensitive_notes(
    staff_client, staff_user
):
    person = PersonFactory()
    ConversationFactory(person=person, sensitive_notes="Bereaved last month.")
    response = staff_client.get(reverse("people:person_export", args=[person.pk]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))["holdings"]["listening"]["data"]
    assert data[0]["concerns"] == "The bus to the hospital stopped running."
    assert data[0]["sensitive_notes"] == "Bereaved last month."


def test_an_export_for_anyone_but_staff_leaves_the_sensitive_notes_out(volunteer_user):
    person = PersonFactory()
    ConversationFactory(person=person, logged_by=volunteer_user, sensitive_notes="Bereaved.")
    for viewer in (None, volunteer_user, person.user):
        export = people_services.personal_data_export(person=person, viewer=viewer)
        dumped = json.dumps(export)
        assert "Bereaved." not in dumped
        assert "sensitive_notes" not in dumped
        assert export["listening"]["data"][0]["concerns"]


def test_erasure_keeps_only_an_anonymous_count(db):
    person = PersonFactory(first_name="Erin", last_name="Erasable")
    theme = ThemeFactory()
    conversation = ConversationFactory(
        person=person,
        themes=[theme],
        place="12 Erasable Road",
        concerns="Erin's landlord",
        sensitive_notes="Erin is unwell",
    )
    FollowUpFactory(conversation=conversation, action="Call Erin back")
    other = ConversationFactory()
    people_services.person_erase(person=person)
    assert not Person.objects.filter(last_name="Erasable").exists()
    conversation.refresh_from_db()
    assert conversation.person is None
    assert conversation.anonymised_at is not None
    for field in ("place", "concerns", "hopes", "needs", "talents", "sensitive_notes"):
        assert getattr(conversation, field) == ""
    assert list(conversation.themes.all()) == [theme]  # the count by theme survives
    assert conversation.locality is not None
    assert not FollowUp.objects.filter(conversation=conversation).exists()
    other.refresh_from_db()
    assert other.concerns and other.person is not None
    assert not Conversation.objects.filter(concerns__contains="Erin").exists()


def test_talents_offered_in_a_conversation_are_the_hubs_offers(staff_client):
    person = PersonFactory(first_name="Bakes")
    ConversationFactory(person=person, talents="Baking for big groups")
    ConversationFactory(talents="Fixing bikes")
    ConversationFactory(person=None, talents="Anonymous juggling")  # no one to ask
    response = staff_client.get(reverse("people:offer_list"))
    offered = {offer["what"] for offer in response.context["offers"]}
    assert offered == {"Baking for big groups", "Fixing bikes"}
    searched = staff_client.get(reverse("people:offer_list"), {"q": "bak"})
    assert [offer["person"] for offer in searched.context["offers"]] == [person]
    detail = staff_client.get(person.get_absolute_url())
    assert [offer["what"] for offer in detail.context["offers"]] == ["Baking for big groups"]
    # Read from the conversation, not copied: a correction shows at once.
    Conversation.objects.filter(person=person).update(talents="Baking bread")
    response = staff_client.get(reverse("people:offer_list"), {"q": "bread"})
    assert [offer["what"] for offer in response.context["offers"]] == ["Baking bread"]


def test_the_offers_page_costs_the_same_queries_at_any_length(
    staff_client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ConversationFactory.create_batch(2)
    with CaptureQueriesContext(connection) as few:
        staff_client.get(reverse("people:offer_list"))
    ConversationFactory.create_batch(30)
    with CaptureQueriesContext(connection) as many:
        staff_client.get(reverse("people:offer_list"))
    assert len(few) == len(many)


def test_only_staff_see_the_offers_page(organiser_client, member_client):
    assert organiser_client.get(reverse("people:offer_list")).status_code == 403
    assert member_client.get(reverse("people:offer_list")).status_code == 403
