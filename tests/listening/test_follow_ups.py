"""Follow-ups: the promises made in a conversation, who may add, see and keep them, the
dashboard that shows them, and the reminder and digest emails about them."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Consent, Role
from hubsite.people.services import consent_record
from listening import services, tasks
from listening.models import FollowUp
from tests.conftest import make_user
from tests.listening.factories import (
    ConversationFactory,
    FollowUpFactory,
    ListeningRoundFactory,
    ThemeFactory,
)

LIST = reverse("listening:follow_up_list")
TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def conversation_by(user, **fields):
    """A conversation ``user`` logged with someone who agreed that the hub keeps a record
    (as logging one through the form always records)."""
    conversation = ConversationFactory(logged_by=user, **fields)
    consent(conversation.person, Consent.Purpose.KEEP_RECORD, given=True)
    return conversation


def consent(person, purpose, *, given):
    consent_record(person=person, purpose=purpose, given=given, method=Consent.Method.VERBAL)


@pytest.fixture
def volunteer_client(volunteer_user):
    return client_for(volunteer_user)


@pytest.fixture
def other_volunteer(db):
    return make_user(Role.VOLUNTEER, "olu@example.test", "Olu")


@pytest.fixture
def conversation(volunteer_user):
    return conversation_by(volunteer_user)


# Adding --------------------------------------------------------------------------------


def add_url(conversation):
    return reverse("listening:follow_up_add", args=[conversation.pk])


def test_volunteer_adds_a_follow_up_to_their_conversation(
    volunteer_client, volunteer_user, other_volunteer, conversation
):
    response = volunteer_client.post(
        add_url(conversation),
        {
            "action": "  Invite to the housing meeting ",
            "owner": other_volunteer.pk,
            "due_on": (TODAY() + 3 * DAY).isoformat(),
        },
    )
    assert response.status_code == 302
    assert response.url == conversation.get_absolute_url()
    follow_up = FollowUp.objects.get()
    assert (follow_up.conversation, follow_up.action, follow_up.owner) == (
        conversation,
        "Invite to the housing meeting",
        other_volunteer,
    )
    assert follow_up.due_on == TODAY() + 3 * DAY
    assert follow_up.is_open


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"due_on": "past"}, "due_on", "The due date cannot be in the past."),
        ({"action": "   "}, "action", "This field is required."),
        ({"owner": "member"}, "owner", "Select a valid choice."),
        ({"due_on": "next tuesday"}, "due_on", "Enter a valid date."),
    ],
)
def test_a_follow_up_with_bad_input_is_refused_with_a_clear_error(
    volunteer_client, volunteer_user, member_user, conversation, change, field, message
):
    data = {
        "action": "Call back about the food bank",
        "owner": volunteer_user.pk,
        "due_on": TODAY().isoformat(),
    }
    data.update(change)
    if data["due_on"] == "past":
        data["due_on"] = (TODAY() - DAY).isoformat()
    if data["owner"] == "member":
        data["owner"] = member_user.pk
    response = volunteer_client.post(add_url(conversation), data)
    assert response.status_code == 400
    assert "listening/follow_up_form.html" in [t.name for t in response.templates]
    assert list(response.context["form"].errors) == [field]
    assert message in response.context["form"].errors[field][0]
    content = response.content.decode()
    assert message in content
    assert f"conversation with {conversation.heard_from}" in content
    assert f'href="{conversation.get_absolute_url()}"' in content  # the way back
    assert FollowUp.objects.count() == 0


def test_the_service_refuses_a_member_as_owner(conversation, member_user):
    with pytest.raises(services.ValidationError) as error:
        services.follow_up_add(
            conversation=conversation, action="Call back", owner=member_user, due_on=TODAY()
        )
    assert error.value.message_dict == {
        "owner": ["Choose someone from the hub to keep this promise."]
    }
    assert FollowUp.objects.count() == 0


def test_nobody_adds_a_follow_up_to_a_conversation_they_cannot_see(
    other_volunteer, member_client, conversation
):
    data = {"action": "Call", "owner": other_volunteer.pk, "due_on": TODAY().isoformat()}
    assert client_for(other_volunteer).post(add_url(conversation), data).status_code == 404
    assert member_client.post(add_url(conversation), data).status_code == 403
    assert FollowUp.objects.count() == 0


# Marking done --------------------------------------------------------------------------


@pytest.fixture
def promise(volunteer_user, other_volunteer):
    """A promise made in the volunteer's conversation, kept by another volunteer."""
    return FollowUpFactory(conversation=conversation_by(volunteer_user), owner=other_volunteer)


def done_url(follow_up):
    return reverse("listening:follow_up_done", args=[follow_up.pk])


@pytest.mark.parametrize("who", ["owner", "author", "staff"])
def test_owner_author_and_staff_mark_a_promise_kept(
    who, promise, volunteer_user, other_volunteer, staff_user
):
    user = {"owner": other_volunteer, "author": volunteer_user, "staff": staff_user}[who]
    response = client_for(user).post(done_url(promise))
    assert response.status_code == 302
    promise.refresh_from_db()
    assert promise.done_at is not None
    if who == "owner":  # who cannot open the conversation goes back to their promises
        assert response.url == LIST + "?status=mine"
    else:
        assert response.url == promise.conversation.get_absolute_url()


def test_another_volunteer_cannot_mark_a_promise_kept(promise):
    stranger = make_user(Role.VOLUNTEER, "stranger@example.test")
    assert client_for(stranger).post(done_url(promise)).status_code == 404
    promise.refresh_from_db()
    assert promise.done_at is None


def test_an_organiser_who_sees_the_conversation_may_not_mark_anothers_promise_kept(
    promise, organiser_user, organiser_client
):
    round_ = ListeningRoundFactory(organisers=[organiser_user])
    promise.conversation.round = round_
    promise.conversation.save()
    assert organiser_client.get(promise.conversation.get_absolute_url()).status_code == 200
    assert organiser_client.post(done_url(promise)).status_code == 403
    promise.refresh_from_db()
    assert promise.done_at is None


def test_members_cannot_mark_a_promise_kept_or_list_follow_ups(promise, member_client):
    assert member_client.post(done_url(promise)).status_code == 403
    assert member_client.get(LIST).status_code == 403


def test_a_second_click_on_done_changes_nothing(promise, volunteer_client):
    volunteer_client.post(done_url(promise))
    promise.refresh_from_db()
    first = promise.done_at
    response = volunteer_client.post(done_url(promise))
    assert response.status_code == 302
    promise.refresh_from_db()
    assert promise.done_at == first


def test_done_needs_a_post(promise, volunteer_client):
    assert volunteer_client.get(done_url(promise)).status_code == 405
    promise.refresh_from_db()
    assert promise.done_at is None


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        (LIST + "?status=mine&page=1", LIST + "?status=mine&page=1"),
        ("//evil.example/", None),
        ("/\\evil.example/", None),
        ("https://evil.example/", None),
    ],
)
def test_done_goes_back_only_to_a_page_of_the_hub(promise, volunteer_client, next_url, lands_on):
    response = volunteer_client.post(done_url(promise), {"next": next_url})
    assert response.url == (lands_on or promise.conversation.get_absolute_url())


# The list ------------------------------------------------------------------------------


def test_a_volunteer_never_sees_another_volunteers_follow_ups(
    volunteer_user, volunteer_client, other_volunteer
):
    theirs = conversation_by(other_volunteer)
    FollowUpFactory(conversation=theirs, action="Ring about the damp survey")
    FollowUpFactory(
        conversation=theirs, action="Post the allotment leaflet", done_at=timezone.now()
    )
    FollowUpFactory(conversation=conversation_by(volunteer_user), action="Call about the bus")
    for status in ("open", "mine", "done"):
        content = volunteer_client.get(LIST, {"status": status}).content.decode()
        assert "damp survey" not in content
        assert "allotment leaflet" not in content
    assert "Call about the bus" in volunteer_client.get(LIST).content.decode()


def test_an_owner_sees_a_promise_made_in_a_conversation_they_cannot_open(
    volunteer_user, volunteer_client, other_volunteer
):
    theirs = conversation_by(other_volunteer)
    mine = FollowUpFactory(
        conversation=theirs, action="Invite to the housing meeting", owner=volunteer_user
    )
    FollowUpFactory(conversation=theirs, action="Olu keeps this one")
    content = volunteer_client.get(LIST, {"status": "mine"}).content.decode()
    assert mine.action in content
    assert theirs.heard_from in content
    assert theirs.get_absolute_url() not in content  # no link that would answer 404
    assert f'action="{done_url(mine)}"' in content
    assert "Olu keeps this one" not in volunteer_client.get(LIST).content.decode()


def test_the_list_shows_status_who_and_when_and_a_done_button(
    volunteer_user, volunteer_client, other_volunteer
):
    conversation = conversation_by(volunteer_user)
    late = FollowUpFactory(conversation=conversation, due_on=TODAY() - 2 * DAY, action="Late one")
    FollowUpFactory(
        conversation=conversation, due_on=TODAY() + DAY, action="Soon one", owner=other_volunteer
    )
    response = volunteer_client.get(LIST)
    content = response.content.decode()
    assert response.status_code == 200
    assert 'href="?status=open" aria-current="page"' in content
    assert "Overdue</strong>, was due " + f"{late.due_on:%-d %b %Y}" in content
    assert "Soon one" in content and "Olu" in content
    assert f'href="{conversation.get_absolute_url()}"' in content
    assert f'action="{done_url(late)}"' in content
    assert '<input type="hidden" name="next" value="/listening/follow-ups/">' in content
    assert "csrfmiddlewaretoken" in content
    assert conversation.person.email not in content


def test_the_done_tab_lists_only_promises_kept(volunteer_user, volunteer_client):
    conversation = conversation_by(volunteer_user)
    FollowUpFactory(conversation=conversation, action="Still to do")
    FollowUpFactory(conversation=conversation, action="Kept it", done_at=timezone.now())
    response = volunteer_client.get(LIST, {"status": "done"})
    content = response.content.decode()
    assert 'href="?status=done" aria-current="page"' in content
    assert "Kept it" in content and "Still to do" not in content
    assert "/done/" not in content  # nothing left to mark done


def test_the_list_says_so_when_there_is_nothing(volunteer_client):
    assert (
        "You have no promises to keep"
        in volunteer_client.get(LIST, {"status": "mine"}).content.decode()
    )
    assert "No open follow-ups." in volunteer_client.get(LIST, {"status": "?"}).content.decode()


def test_the_list_costs_the_same_queries_at_any_length(volunteer_user, volunteer_client):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert volunteer_client.get(LIST).status_code == 200
        return len(context.captured_queries)

    conversation = conversation_by(volunteer_user)
    FollowUpFactory.create_batch(2, conversation=conversation)
    few = queries()
    for _ in range(6):
        FollowUpFactory(conversation=conversation_by(volunteer_user))
    assert queries() == few


def test_staff_list_every_follow_up_in_the_same_queries_for_3_and_30(
    staff_client, django_assert_num_queries
):
    FollowUpFactory.create_batch(3)
    staff_client.get(LIST)  # the first request of a client fills its caches

    # The session, the user, the count, the page (with a link to each conversation).
    with CaptureQueriesContext(connection) as few, django_assert_num_queries(4):
        response = staff_client.get(LIST)
    FollowUpFactory.create_batch(27)
    with django_assert_num_queries(4):
        staff_client.get(LIST)

    assert all(f.can_open_conversation for f in response.context["page"].object_list)
    said = [f'"listening_conversation"."{name}"' for name in ("concerns", "sensitive_notes")]
    assert not [q for q in few.captured_queries for column in said if column in q["sql"]]


def test_the_done_tab_lists_the_latest_kept_first(staff_client):
    now = timezone.now()
    for days, action in ((3, "Kept first"), (1, "Kept last"), (2, "Kept between")):
        FollowUpFactory(action=action, done_at=now - days * DAY)

    response = staff_client.get(LIST, {"status": "done"})

    listed = [f.action for f in response.context["page"].object_list]
    assert listed == ["Kept last", "Kept between", "Kept first"]


def test_the_list_has_pages(volunteer_user, volunteer_client, settings):
    settings.PAGE_SIZE = 2
    FollowUpFactory.create_batch(3, conversation=conversation_by(volunteer_user))
    content = volunteer_client.get(LIST, {"page": "2"}).content.decode()
    assert "Page 2 of 2" in content
    assert volunteer_client.get(LIST, {"page": "nonsense"}).status_code == 200


# The dashboard -------------------------------------------------------------------------


def test_the_dashboard_shows_my_open_follow_ups_and_listening_figures(
    volunteer_user, volunteer_client, other_volunteer
):
    housing = ThemeFactory(name="Housing")
    conversation = conversation_by(volunteer_user, themes=[housing])
    FollowUpFactory(conversation=conversation, action="Call back about the food bank")
    FollowUpFactory(conversation=conversation, action="Chase the council", due_on=TODAY() - 3 * DAY)
    FollowUpFactory(conversation=conversation, action="Kept already", done_at=timezone.now())
    FollowUpFactory(conversation=conversation, action="Olu's promise", owner=other_volunteer)
    theirs = conversation_by(other_volunteer)
    FollowUpFactory(
        conversation=theirs, action="Invite to the housing meeting", owner=volunteer_user
    )
    FollowUpFactory(conversation=theirs, action="Olu's own promise")

    response = volunteer_client.get(reverse("home"))
    content = response.content.decode()
    tasks_ = {task.title.split(" (")[0]: task for task in response.context["tasks"]}
    assert set(tasks_) == {
        "Call back about the food bank",
        "Chase the council",
        "Invite to the housing meeting",
    }
    assert "Waiting on you" in content
    assert "overdue, was due" in content
    assert "due today" in content  # the food bank call
    assert tasks_["Chase the council"].url == conversation.get_absolute_url()
    # A promise in someone else's conversation links where its owner can act on it.
    assert tasks_["Invite to the housing meeting"].url == LIST + "?status=mine"

    figures = {f.label: f.value for f in response.context["figures"] if f.area == "listening"}
    assert figures == {
        "Conversations this month": 1,
        "People heard": 1,
        "Open follow-ups": 4,  # the three of the volunteer's conversation, and their own
        "Conversations about housing": 1,
    }
    assert "Conversations this month" in content


def test_a_member_sees_nothing_of_listening_on_the_dashboard(member_user, member_client):
    FollowUpFactory(conversation=conversation_by(member_user))  # even one they somehow own
    response = member_client.get(reverse("home"))
    assert response.status_code == 200
    assert [f for f in response.context["figures"] if f.area == "listening"] == []
    assert [t for t in response.context["tasks"] if t.area == "listening"] == []
    assert "Waiting on you" not in response.content.decode()


# Reminders and digests -----------------------------------------------------------------


def outbox_texts():
    return [m.subject + "\n" + m.body_text for m in OutboxMessage.objects.all()]


def test_a_reminder_is_written_once_per_follow_up(volunteer_user, conversation):
    follow_up = FollowUpFactory(conversation=conversation, action="Call back about the food bank")
    first = services.follow_up_remind(follow_up_id=follow_up.pk)
    second = services.follow_up_remind(follow_up_id=follow_up.pk)
    assert first is not None and second == first
    assert OutboxMessage.objects.count() == 1
    assert first.to_email == volunteer_user.email
    assert first.category == OutboxMessage.Category.WORK
    assert "Call back about the food bank" in first.subject
    assert conversation.get_absolute_url() in first.body_text


def test_a_reminder_to_an_owner_who_cannot_open_the_conversation_links_to_their_list(
    conversation, other_volunteer
):
    follow_up = FollowUpFactory(conversation=conversation, owner=other_volunteer)
    message = services.follow_up_remind(follow_up_id=follow_up.pk)
    assert LIST + "?status=mine" in message.body_text
    assert conversation.get_absolute_url() not in message.body_text


def test_a_reminder_subject_stays_on_one_line(conversation):
    follow_up = FollowUpFactory(conversation=conversation, action="Call back\r\nabout rent")
    message = services.follow_up_remind(follow_up_id=follow_up.pk)
    assert message.subject.endswith("Due today: Call back about rent")


def test_no_reminder_for_a_promise_kept_or_not_due_today(conversation):
    kept = FollowUpFactory(conversation=conversation, done_at=timezone.now())
    later = FollowUpFactory(conversation=conversation, due_on=TODAY() + DAY)
    assert services.follow_up_remind(follow_up_id=kept.pk) is None
    assert services.follow_up_remind(follow_up_id=later.pk) is None
    assert services.follow_up_remind(follow_up_id=later.pk + 100) is None
    assert OutboxMessage.objects.count() == 0


@pytest.mark.parametrize("withdrawn", [Consent.Purpose.KEEP_RECORD, Consent.Purpose.CONTACT_EMAIL])
def test_no_reminder_or_digest_once_the_person_withdrew_consent(conversation, withdrawn):
    person = conversation.person
    consent(person, Consent.Purpose.CONTACT_EMAIL, given=True)
    due = FollowUpFactory(conversation=conversation)
    late = FollowUpFactory(conversation=conversation, due_on=TODAY() - DAY)
    consent(person, withdrawn, given=False)
    assert services.follow_up_remind(follow_up_id=due.pk) is None
    assert services.follow_up_digest(owner_id=late.owner_id) is None
    assert OutboxMessage.objects.count() == 0


def test_a_reminder_is_written_while_another_way_of_contact_stays_agreed(conversation):
    person = conversation.person
    consent(person, Consent.Purpose.CONTACT_EMAIL, given=True)
    consent(person, Consent.Purpose.CONTACT_PHONE, given=True)
    consent(person, Consent.Purpose.CONTACT_EMAIL, given=False)
    due = FollowUpFactory(conversation=conversation)
    assert services.follow_up_remind(follow_up_id=due.pk) is not None


def test_the_digest_lists_only_overdue_promises_once_per_owner_and_day(
    volunteer_user, other_volunteer, conversation
):
    FollowUpFactory(conversation=conversation, action="Late A", due_on=TODAY() - DAY)
    FollowUpFactory(conversation=conversation, action="Late B", due_on=TODAY() - 5 * DAY)
    FollowUpFactory(conversation=conversation, action="Due today")
    FollowUpFactory(conversation=conversation, action="Next week", due_on=TODAY() + 7 * DAY)
    FollowUpFactory(
        conversation=conversation, action="Kept", due_on=TODAY() - DAY, done_at=timezone.now()
    )
    FollowUpFactory(
        conversation=conversation,
        action="Olu's late one",
        owner=other_volunteer,
        due_on=TODAY() - DAY,
    )

    assert tasks.follow_ups_digest_overdue() == 2
    assert tasks.follow_ups_digest_overdue() == 2  # the same rows, nothing new
    digests = {m.to_email: m for m in OutboxMessage.objects.all()}
    assert set(digests) == {volunteer_user.email, other_volunteer.email}
    mine = digests[volunteer_user.email]
    assert mine.subject.endswith("2 overdue follow-ups")
    assert "Late A" in mine.body_text and "Late B" in mine.body_text
    for action in ("Due today", "Next week", "Kept", "Olu's"):
        assert action not in mine.body_text
    assert "Olu's late one" in digests[other_volunteer.email].body_text
    assert digests[other_volunteer.email].subject.endswith("1 overdue follow-up")

    # The next morning brings a new digest.
    tomorrow = TODAY() + DAY
    assert services.follow_up_digest(owner_id=volunteer_user.pk, today=tomorrow) != mine
    assert OutboxMessage.objects.count() == 3


def test_the_beat_tick_reminds_every_follow_up_due_today_once(
    volunteer_user, other_volunteer, conversation
):
    FollowUpFactory(conversation=conversation)
    FollowUpFactory(conversation=conversation, owner=other_volunteer)
    FollowUpFactory(conversation=conversation, due_on=TODAY() - DAY)
    assert tasks.follow_ups_remind_due() == 2
    assert tasks.follow_ups_remind_due() == 2
    assert OutboxMessage.objects.count() == 2


def test_emails_hold_no_sensitive_notes_nor_what_was_said_nor_contact_details(
    volunteer_user, other_volunteer
):
    conversation = conversation_by(
        volunteer_user,
        concerns="Worried about the eviction notice.",
        sensitive_notes="Lives with an abusive partner.",
    )
    conversation.person.phone = "07700 900123"
    conversation.person.save()
    FollowUpFactory(conversation=conversation, action="Call back about the food bank")
    FollowUpFactory(conversation=conversation, due_on=TODAY() - DAY)
    FollowUpFactory(conversation=conversation, owner=other_volunteer, due_on=TODAY() - DAY)
    tasks.follow_ups_remind_due()
    tasks.follow_ups_digest_overdue()
    texts = outbox_texts()
    assert len(texts) == 3
    for text in texts:
        for secret in (
            "eviction",
            "abusive",
            "bereavement",
            conversation.person.email,
            "07700 900123",
        ):
            assert secret not in text


def test_a_reminder_queued_before_the_promise_was_kept_is_not_sent(db):
    from django.core import mail

    from hubsite.notify.models import OutboxMessage
    from hubsite.notify.services import message_deliver

    follow_up = FollowUpFactory()
    consent(follow_up.conversation.person, Consent.Purpose.KEEP_RECORD, given=True)
    message = services.follow_up_remind(follow_up_id=follow_up.pk)
    services.follow_up_done(follow_up=follow_up)
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.CANCELLED
    assert mail.outbox == []


def test_erasing_the_person_removes_the_reminders_that_quoted_the_promise(db):
    from hubsite.notify.models import OutboxMessage
    from hubsite.people.services import person_erase

    follow_up = FollowUpFactory(action="Call Alice Erasable back", due_on=TODAY())
    consent(follow_up.conversation.person, Consent.Purpose.KEEP_RECORD, given=True)
    services.follow_up_remind(follow_up_id=follow_up.pk)
    assert OutboxMessage.objects.filter(body_text__contains="Alice Erasable").exists()
    person_erase(person=follow_up.conversation.person)
    assert not OutboxMessage.objects.filter(body_text__contains="Alice Erasable").exists()
