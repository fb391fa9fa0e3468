"""Logging, reading, correcting and listing conversations."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hubsite.people.models import Consent, Person
from listening.models import Conversation, FollowUp, Theme
from listening.views import ListPaginator
from tests.conftest import make_user
from tests.listening.factories import ConversationFactory, ListeningRoundFactory, ThemeFactory
from tests.people.factories import LocalityFactory, PersonFactory

pytestmark = pytest.mark.django_db

LOG = reverse("listening:conversation_log")
LIST = reverse("listening:conversation_list")


@pytest.fixture
def volunteer_client(client, volunteer_user):
    client.force_login(volunteer_user)
    return client


@pytest.fixture
def place(db):
    return LocalityFactory(name="Riverside")


def answers(**overrides):
    data = {
        "who": "new",
        "first_name": "Amina",
        "last_name": "Yusuf",
        "email": "",
        "phone": "",
        "held_on": timezone.localdate().isoformat(),
        "locality": "",
        "place": "Canal Street",
        "method": "door_knock",
        "concerns": "Damp in the flats on Canal Street.",
        "hopes": "",
        "needs": "",
        "talents": "Sewing",
        "willingness": "2",
        "keep_record": "on",
        "new_themes": "",
        "sensitive_notes": "",
        "follow_up_action": "",
        "follow_up_due_on": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# Logging ------------------------------------------------------------------------------


def test_the_logging_form_opens_for_a_volunteer(volunteer_client):
    response = volunteer_client.get(LOG)
    assert response.status_code == 200
    assert b"Log a conversation" in response.content


def test_a_volunteer_logs_a_conversation_with_someone_new(volunteer_client, volunteer_user, place):
    theme = ThemeFactory(name="Housing")
    response = volunteer_client.post(
        LOG,
        answers(
            locality=place.pk,
            email="amina@example.test",
            phone="07700 900123",
            themes=[theme.pk],
            new_themes="Damp and mould, housing",
            contact_again="on",
            sensitive_notes="Her son is unwell.",
        ),
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == conversation.get_absolute_url()
    person = conversation.person
    assert (person.first_name, person.email, person.locality) == (
        "Amina",
        "amina@example.test",
        place,
    )
    assert conversation.logged_by == volunteer_user
    assert conversation.locality == place
    assert conversation.contact_again
    assert conversation.sensitive_notes == "Her son is unwell."
    assert sorted(t.name for t in conversation.themes.all()) == ["Damp and mould", "Housing"]
    assert Theme.objects.count() == 2  # "housing" matched the existing theme
    purposes = set(person.consents.filter(given=True).values_list("purpose", flat=True))
    assert purposes == {
        Consent.Purpose.KEEP_RECORD,
        Consent.Purpose.CONTACT_EMAIL,
        Consent.Purpose.CONTACT_PHONE,
    }
    assert person.consents.first().recorded_by == volunteer_user


def test_a_new_person_with_a_known_email_is_refused_without_naming_anyone(volunteer_client):
    known = PersonFactory(email="known@example.test", first_name="Knownname")
    response = volunteer_client.post(
        LOG, answers(first_name="Someone", email="KNOWN@example.test", contact_again="on")
    )
    assert response.status_code == 200
    assert "already has this address" in str(response.context["form"].errors["email"])
    assert "Knownname" not in response.content.decode()
    assert Person.objects.filter(email__iexact="known@example.test").count() == 1
    assert not Conversation.objects.exists()
    assert not known.consents.exists()  # nothing written into their record


def test_someone_new_met_on_the_doorstep_first_came_into_contact_there(volunteer_client):
    volunteer_client.post(LOG, answers())
    assert Conversation.objects.get().person.first_contact == Person.FirstContact.DOORSTEP


@pytest.mark.parametrize("value", ["²", "abc", "-1"])
def test_odd_ids_in_the_logging_form_are_refused_without_an_error_page(volunteer_client, value):
    assert volunteer_client.get(LOG, {"round": value}).status_code == 200
    response = volunteer_client.post(LOG, answers(who="existing", person=value))
    assert response.status_code == 200
    assert "person" in response.context["form"].errors


def test_a_very_long_email_is_refused_with_a_message(volunteer_client):
    response = volunteer_client.post(LOG, answers(email="a" * 250 + "@example.test"))
    assert "email" in response.context["form"].errors
    assert not Conversation.objects.exists()


def test_an_erased_conversation_cannot_be_filled_in_again(staff_client):
    conversation = ConversationFactory(person=None, concerns="", anonymised_at=timezone.now())
    url = reverse("listening:conversation_edit", args=[conversation.pk])
    data = {
        "held_on": conversation.held_on.isoformat(),
        "method": "phone",
        "willingness": "1",
        "concerns": "Typed back in",
        "locality": conversation.locality_id,
    }
    response = staff_client.post(url, data)
    assert response.status_code == 200
    conversation.refresh_from_db()
    assert conversation.concerns == ""


def test_an_organiser_searches_only_what_they_may_see(organiser_client, organiser_user):
    round_ = ListeningRoundFactory(organisers=[organiser_user])
    theirs = ConversationFactory(round=round_, concerns="Potholes on Mill Lane")
    ConversationFactory(concerns="Potholes on Station Road")
    assert listed(organiser_client, q="potholes") == [theirs]


def test_sensitive_notes_never_reach_other_pages(volunteer_client, volunteer_user, staff_client):
    round_ = ListeningRoundFactory(volunteers=[volunteer_user])
    conversation = ConversationFactory(
        round=round_, logged_by=volunteer_user, sensitive_notes="Secret-word-xyz"
    )
    from tests.listening.factories import FollowUpFactory

    FollowUpFactory(conversation=conversation)
    pages = [
        reverse("home"),
        round_.get_absolute_url(),
        reverse("listening:follow_up_list"),
        reverse("listening:theme_counts"),
        reverse("people:offer_list"),
        conversation.person.get_absolute_url(),
    ]
    for client in (volunteer_client, staff_client):
        for page in pages:
            response = client.get(page)
            assert b"Secret-word-xyz" not in response.content, page
    partial = staff_client.get(LIST, headers={"HX-Request": "true"})
    assert b"Secret-word-xyz" not in partial.content


def test_a_volunteer_logs_a_conversation_with_someone_the_hub_knows(volunteer_client, place):
    person = PersonFactory(locality=place)
    response = volunteer_client.post(LOG, answers(who="existing", person=person.pk))
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert conversation.person == person
    assert conversation.locality == place  # their own locality when none is chosen
    assert Person.objects.count() == 2  # the volunteer's own record and the person


def test_an_anonymous_conversation_needs_only_a_locality(volunteer_client, place):
    response = volunteer_client.post(
        LOG, answers(who="anonymous", first_name="", keep_record=None, locality=place.pk)
    )
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert conversation.person is None
    assert conversation.locality == place
    assert not Consent.objects.exists()


def test_save_and_log_another_comes_back_to_an_empty_form_in_the_same_round(
    volunteer_client, volunteer_user
):
    round_ = ListeningRoundFactory(volunteers=[volunteer_user])
    response = volunteer_client.post(LOG, answers(round=round_.pk, another="1"))
    assert response.status_code == 302
    assert response["Location"] == f"{LOG}?round={round_.pk}"
    assert Conversation.objects.get().round == round_


def test_a_follow_up_made_on_the_doorstep_is_saved_with_the_conversation(
    volunteer_client, volunteer_user
):
    due = timezone.localdate() + datetime.timedelta(days=3)
    volunteer_client.post(
        LOG,
        answers(follow_up_action="Send the food bank times", follow_up_due_on=due.isoformat()),
    )
    follow_up = FollowUp.objects.get()
    assert (follow_up.action, follow_up.due_on, follow_up.owner) == (
        "Send the food bank times",
        due,
        volunteer_user,
    )


BAD_ANSWERS = [
    ({"concerns": "", "talents": ""}, "concerns", "at least what they care about"),
    (
        {"held_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()},
        "held_on",
        "cannot be in the future",
    ),
    ({"held_on": "yesterday"}, "held_on", "Enter a valid date"),
    ({"who": "existing", "person": "999999"}, "person", "could not find this person"),
    ({"who": "existing", "person": "abc"}, "person", "could not find this person"),
    ({"who": "existing"}, "person", "pick them"),
    ({"first_name": "  "}, "first_name", "Enter their first name"),
    ({"keep_record": None}, "keep_record", "keep a record"),
    ({"who": "anonymous", "locality": ""}, "locality", "Choose where"),
    ({"who": "somebody"}, "who", "Select a valid choice"),
    ({"method": "carrier-pigeon"}, "method", "Select a valid choice"),
    ({"willingness": "9"}, "willingness", "Select a valid choice"),
    ({"email": "not-an-email"}, "email", "valid email"),
    ({"round": "999999"}, "round", "Choose one of your rounds"),
    ({"follow_up_action": "Call back"}, "follow_up_due_on", "when the promise is due"),
    (
        {"follow_up_action": "Call back", "follow_up_due_on": "2020-01-01"},
        "follow_up_due_on",
        "cannot be in the past",
    ),
    ({"new_themes": "x" * 81}, "new_themes", "under 80 characters"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_ANSWERS)
def test_bad_answers_get_a_clear_message_and_save_nothing(
    volunteer_client, overrides, field, message
):
    people_before = Person.objects.count()
    response = volunteer_client.post(LOG, answers(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in str(response.context["form"].errors[field])
    assert not Conversation.objects.exists()
    assert not FollowUp.objects.exists()
    assert Person.objects.count() == people_before
    assert not Consent.objects.exists()
    assert not Theme.objects.exists()


def test_a_volunteer_cannot_log_into_a_round_they_are_not_on(volunteer_client):
    other_round = ListeningRoundFactory()
    response = volunteer_client.post(LOG, answers(round=other_round.pk))
    assert "round" in response.context["form"].errors
    assert not Conversation.objects.exists()


def test_a_date_outside_the_round_is_refused(volunteer_client, volunteer_user):
    round_ = ListeningRoundFactory(
        volunteers=[volunteer_user], starts_on=timezone.localdate() - datetime.timedelta(days=5)
    )
    early = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    response = volunteer_client.post(LOG, answers(round=round_.pk, held_on=early))
    assert "outside the round" in str(response.context["form"].errors["held_on"])
    assert not Conversation.objects.exists()


def test_a_person_picked_before_an_error_stays_picked(volunteer_client):
    person = PersonFactory(first_name="Zainab")
    response = volunteer_client.post(
        LOG, answers(who="existing", person=person.pk, concerns="", talents="")
    )
    assert f'value="{person.pk}" checked' in response.content.decode()


def test_members_and_visitors_cannot_log(member_client, client):
    assert member_client.get(LOG).status_code == 403
    assert member_client.post(LOG, answers()).status_code == 403
    assert client.get(LOG).status_code == 302
    assert not Conversation.objects.exists()


# The quick pick -----------------------------------------------------------------------


def test_the_quick_pick_finds_people_by_name_and_shows_no_contact_details(volunteer_client):
    PersonFactory(first_name="Grace", last_name="Okafor", email="grace@example.test")
    PersonFactory(first_name="Tom", last_name="Hale")
    response = volunteer_client.get(reverse("listening:person_pick"), {"person_q": "grac"})
    content = response.content.decode()
    assert "Grace Okafor" in content
    assert "Tom Hale" not in content
    assert "grace@example.test" not in content


def test_the_quick_pick_needs_two_letters(volunteer_client):
    PersonFactory(first_name="Grace")
    response = volunteer_client.get(reverse("listening:person_pick"), {"person_q": "g"})
    assert "Grace" not in response.content.decode()


def test_members_cannot_search_people(member_client):
    response = member_client.get(reverse("listening:person_pick"), {"person_q": "gr"})
    assert response.status_code == 403


# Reading ------------------------------------------------------------------------------


def test_the_author_reads_their_sensitive_notes(volunteer_client, volunteer_user):
    conversation = ConversationFactory(logged_by=volunteer_user, sensitive_notes="Bereaved.")
    response = volunteer_client.get(conversation.get_absolute_url())
    assert b"Bereaved." in response.content


def test_staff_read_sensitive_notes(staff_client):
    conversation = ConversationFactory(sensitive_notes="Bereaved.")
    assert b"Bereaved." in staff_client.get(conversation.get_absolute_url()).content


def test_an_organiser_reads_their_rounds_conversations_without_the_sensitive_notes(
    organiser_client, organiser_user
):
    round_ = ListeningRoundFactory(organisers=[organiser_user])
    conversation = ConversationFactory(round=round_, sensitive_notes="Bereaved.")
    response = organiser_client.get(conversation.get_absolute_url())
    assert response.status_code == 200
    assert b"The bus to the hospital" in response.content
    assert b"Bereaved." not in response.content
    assert b"Sensitive notes" not in response.content


def test_nobody_else_opens_a_conversation(volunteer_client, organiser_client, member_client):
    conversation = ConversationFactory()
    assert volunteer_client.get(conversation.get_absolute_url()).status_code == 404
    assert organiser_client.get(conversation.get_absolute_url()).status_code == 404
    assert member_client.get(conversation.get_absolute_url()).status_code == 403


# Correcting ---------------------------------------------------------------------------


def test_the_author_corrects_a_conversation(volunteer_client, volunteer_user):
    conversation = ConversationFactory(logged_by=volunteer_user)
    url = reverse("listening:conversation_edit", args=[conversation.pk])
    data = {
        "held_on": conversation.held_on.isoformat(),
        "locality": conversation.locality_id,
        "place": "",
        "method": "phone",
        "concerns": "Corrected concerns",
        "hopes": "",
        "needs": "",
        "talents": "",
        "willingness": "3",
        "sensitive_notes": "",
        "new_themes": "Transport",
    }
    response = volunteer_client.post(url, data)
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.concerns == "Corrected concerns"
    assert conversation.method == "phone"
    assert conversation.sensitive_notes == ""
    assert [t.name for t in conversation.themes.all()] == ["Transport"]


def test_a_correction_with_a_future_date_saves_nothing(volunteer_client, volunteer_user):
    conversation = ConversationFactory(logged_by=volunteer_user)
    url = reverse("listening:conversation_edit", args=[conversation.pk])
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = volunteer_client.post(
        url, {"held_on": future, "method": "phone", "willingness": "1", "concerns": "New"}
    )
    assert response.status_code == 200
    assert "held_on" in response.context["form"].errors
    conversation.refresh_from_db()
    assert conversation.concerns != "New"


def test_an_organiser_cannot_correct_a_volunteers_conversation(organiser_client, organiser_user):
    round_ = ListeningRoundFactory(organisers=[organiser_user])
    conversation = ConversationFactory(round=round_)
    url = reverse("listening:conversation_edit", args=[conversation.pk])
    assert organiser_client.get(url).status_code == 403


# Listing and searching ----------------------------------------------------------------


def listed(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def test_a_volunteer_lists_only_the_conversations_they_logged(volunteer_client, volunteer_user):
    mine = ConversationFactory(logged_by=volunteer_user)
    ConversationFactory()
    assert listed(volunteer_client) == [mine]


def test_an_organiser_lists_their_rounds_and_their_own(organiser_client, organiser_user):
    round_ = ListeningRoundFactory(organisers=[organiser_user])
    in_round = ConversationFactory(round=round_)
    own = ConversationFactory(logged_by=organiser_user)
    ConversationFactory(round=ListeningRoundFactory())
    assert set(listed(organiser_client)) == {in_round, own}


def test_staff_list_every_conversation(staff_client):
    ConversationFactory.create_batch(3)
    assert len(listed(staff_client)) == 3


def test_the_list_never_shows_sensitive_notes_even_to_their_author(
    volunteer_client, volunteer_user, staff_client
):
    ConversationFactory(logged_by=volunteer_user, sensitive_notes="Secret-word-xyz")
    assert b"Secret-word-xyz" not in volunteer_client.get(LIST).content
    assert b"Secret-word-xyz" not in staff_client.get(LIST).content


def test_the_list_filters_by_round_locality_theme_method_volunteer_date_and_willingness(
    staff_client,
):
    round_ = ListeningRoundFactory()
    theme = ThemeFactory()
    volunteer = make_user("volunteer", "v2@example.test")
    target = ConversationFactory(
        round=round_,
        themes=[theme],
        method="phone",
        logged_by=volunteer,
        willingness=3,
        held_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    ConversationFactory(held_on=timezone.localdate() - datetime.timedelta(days=40))
    assert listed(staff_client, round=round_.pk) == [target]
    assert listed(staff_client, locality=target.locality_id) == [target]
    assert listed(staff_client, theme=theme.slug) == [target]
    assert listed(staff_client, method="phone") == [target]
    assert listed(staff_client, volunteer=volunteer.pk) == [target]
    assert listed(staff_client, willingness=3) == [target]
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert listed(staff_client, held_from=since) == [target]
    assert target not in listed(staff_client, held_to=since)


def test_text_search_finds_concerns_hopes_needs_and_talents(staff_client):
    damp = ConversationFactory(concerns="Damp and mould in the bedroom", hopes="", talents="")
    garden = ConversationFactory(concerns="", hopes="A community garden", talents="")
    ConversationFactory(concerns="Buses", hopes="", needs="", talents="")
    assert listed(staff_client, q="mould") == [damp]
    assert listed(staff_client, q="garden") == [garden]


def test_text_search_never_reads_sensitive_notes(staff_client):
    ConversationFactory(sensitive_notes="zebracrossing", concerns="Buses")
    assert listed(staff_client, q="zebracrossing") == []


def test_a_bad_filter_value_is_left_out_and_said_so(staff_client):
    ConversationFactory()
    response = staff_client.get(LIST, {"held_from": "not-a-date", "round": "abc"})
    assert response.status_code == 200
    assert b"Some filters were not understood" in response.content


def test_htmx_gets_only_the_results(staff_client):
    response = staff_client.get(LIST, headers={"HX-Request": "true"})
    assert b"<h1>" not in response.content
    assert b'id="results"' in response.content


def test_members_cannot_list_conversations(member_client):
    assert member_client.get(LIST).status_code == 403


def _queries_for_list(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"q": "bus"})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("viewer", ["staff", "organiser", "volunteer"])
def test_the_list_costs_the_same_queries_for_5_and_200_conversations(viewer, client):
    user = make_user(viewer, f"{viewer}-q@example.test")
    client.force_login(user)
    round_ = ListeningRoundFactory(organisers=[user] if viewer == "organiser" else [])
    themes = ThemeFactory.create_batch(3)
    people = PersonFactory.create_batch(5)
    place = LocalityFactory()

    def add(n):
        made = Conversation.objects.bulk_create(
            Conversation(
                person=people[i % 5],
                locality=place,
                round=round_,
                method="door_knock",
                concerns="The bus is late",
                logged_by=user,
            )
            for i in range(n)
        )
        Conversation.themes.through.objects.bulk_create(
            Conversation.themes.through(conversation_id=c.pk, theme_id=themes[i % 3].pk)
            for i, c in enumerate(made)
        )

    add(5)
    few = _queries_for_list(client)
    add(195)
    many = _queries_for_list(client)
    assert few == many


def test_a_large_total_is_kept_for_a_minute_and_the_page_says_so(
    staff_client, settings, monkeypatch
):
    settings.DASHBOARD_FIGURES_SECONDS = 60
    monkeypatch.setattr(ListPaginator, "LIVE_UP_TO", 3)  # "large" from 4 on
    round_ = ListeningRoundFactory()
    ConversationFactory.create_batch(4, round=round_)
    assert staff_client.get(LIST).context["page"].paginator.count == 4
    ConversationFactory(round=round_)  # logged since

    everything = staff_client.get(LIST)
    assert len(everything.context["page"].object_list) == 5  # the list itself is live
    assert everything.context["page"].paginator.count == 4
    assert b"counted again once a minute" in everything.content
    few = staff_client.get(LIST, {"round": ListeningRoundFactory().pk})
    assert few.context["page"].paginator.count == 0  # a small total is always counted
    assert b"counted again once a minute" not in few.content
