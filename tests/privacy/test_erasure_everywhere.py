"""Erasure, end to end: one person seeded into every app through the apps' own services,
then erased; afterwards no table of any installed app (history, outbox, audit log, sessions,
accounts and the admin's log included) holds their name, email, phone or sensitive notes,
while the figures the hub counts stay as they were."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models.functions import Cast
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from action.models import Campaign, Signup
from action.selectors.asks import actions_count, ask_list
from action.selectors.campaigns import with_supporters
from action.services.asks import action_record
from action.services.campaigns import signup_confirm, signup_create
from action.services.stories import story_submit
from connect.models import Rsvp
from connect.selectors.checkin import checkin_counts
from connect.selectors.volunteering import hours_this_month, volunteering_counts
from connect.services.checkin import attendance_mark
from connect.services.groups import join_request_create
from connect.services.rsvps import rsvp_create
from connect.services.volunteering import hours_log, offer_save
from hubsite.framework.models import AssessmentAnswer, Learning, Practice, PromptDelivery
from hubsite.framework.selectors.assessments import trend
from hubsite.framework.services.assessments import answers_save, round_create
from hubsite.framework.services.learnings import learning_record
from hubsite.framework.services.prompts import prompt_answer, prompts_send_due, schedule_create
from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue
from hubsite.people import registry
from hubsite.people.models import Consent, GroupMembership, Person, Role
from hubsite.people.services import (
    consent_record,
    group_member_add,
    person_erase,
    person_update,
    personal_data_export,
    user_set_role,
)
from hubsite.privacy.models import AuditEntry, DataRequest
from hubsite.privacy.services import data_request_create, data_request_update
from listening.selectors import theme_counts
from listening.services import (
    conversation_log,
    conversation_update,
    follow_up_add,
    follow_up_digest,
    follow_up_remind,
    sensitive_notes_read,
)
from organise.models import CallToAction
from organise.selectors.members import growth
from organise.services.calls import call_deliver_batch, call_key, call_respond
from organise.services.groups import proposal_create
from organise.services.joining import application_submit
from organise.services.meetings import decision_review_remind
from organise.services.members import contribution_record
from organise.services.membership import membership_start
from tests.action.factories import AskFactory, CampaignFactory
from tests.conftest import make_user
from tests.connect.factories import EventFactory, ShiftFactory, ShiftSignupFactory, soon
from tests.listening.factories import ThemeFactory
from tests.organise.factories import (
    CallToActionFactory,
    DecisionFactory,
    MembershipTypeFactory,
    SegmentFactory,
)
from tests.organise.factories_calls import DeliveryFactory, reachable
from tests.people.factories import GroupFactory, LocalityFactory

FIRST, LAST = "Quillon", "Zarathustra-Pemberly"
EMAIL, PHONE = "quillon.zp@example.org", "07700 900123"
SENSITIVE = "SENSITIVE-MARKER-7731"
LOGIN = "q.zp.login@example.org"
MARKERS = (FIRST, LAST, EMAIL, LOGIN, PHONE, PHONE.replace(" ", ""), SENSITIVE)
PASSWORD = "a-long-test-password"

TEXT_FIELDS = (
    models.CharField,  # EmailField and SlugField are CharFields
    models.TextField,
    models.FileField,
)


def _text_columns(model):
    for field in model._meta.concrete_fields:
        if isinstance(field, (*TEXT_FIELDS, models.JSONField)):
            yield field


def markers_found():
    """Every (table, column, marker) where a marker is stored, in every table of every
    installed model; sessions are decoded first (their data is signed and encoded)."""
    found = set()
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        rows = model._base_manager.all()
        for field in _text_columns(model):
            column = field.column
            if isinstance(field, models.JSONField):
                text = rows.annotate(_as_text=Cast(field.name, models.TextField()))
                lookup = "_as_text__icontains"
            else:
                text, lookup = rows, f"{field.name}__icontains"
            for marker in MARKERS:
                if text.filter(**{lookup: marker}).exists():
                    found.add((table, column, marker))
    for session in Session.objects.all():
        decoded = str(SessionStore().decode(session.session_data)).lower()
        for marker in MARKERS:
            if marker.lower() in decoded:
                found.add((Session._meta.db_table, "session_data (decoded)", marker))
    return found


def image_upload(name):
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "teal").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), "image/jpeg")


def figures(seed):
    """The figures the hub counts, which outlive anyone's erasure."""
    campaign = with_supporters(Campaign.objects.filter(pk=seed["campaign"].pk)).get()
    shift_month = seed["shift"].starts_at  # the month the hours were given in
    return {
        "themes": {theme.name: theme.total for theme in theme_counts(seed["staff"]).themes},
        "supporters": campaign.supporter_count,
        "joined": [month.joined for month in growth().months],
        "actions": actions_count(campaign),
        "actions_per_ask": [ask.action_count for ask in ask_list(campaign)],
        "hours": hours_this_month(shift_month),
        "dashboard_hours": volunteering_counts(shift_month)["hours_this_month"],
    }


def attendance(seed):
    return checkin_counts(seed["past_event"])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def seed(db, staff_user, volunteer_user, organiser_user):
    """Quillon, known to every app: an account with a session, consents, groups (organising
    one), conversations with a promise to call them back, events, volunteering, requests to
    join, a campaign, a story with a photo, a membership, a call to action, a group
    proposal, a decision, a reflection prompt answered, a self-assessment with notes, a
    learning they wrote (and one naming them), a data-protection request, and the emails,
    history rows, admin log entries and audit entries all of that left."""
    staff, volunteer = staff_user, volunteer_user
    today = timezone.localdate()
    locality = LocalityFactory()

    # The account, signed in for real (allauth keeps the address in the session).
    user = make_user(Role.MEMBER, email=EMAIL, first_name=FIRST)
    person = user.person
    person = person_update(
        person=person,
        last_name=LAST,
        phone=PHONE,
        locality=locality,
        accessibility_needs=f"{FIRST} uses a wheelchair",
    )
    client = Client()
    response = client.post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    assert Session.objects.exists()

    consent_record(
        person=person,
        purpose=Consent.Purpose.CONTACT_EMAIL,
        given=True,
        method=Consent.Method.VERBAL,
        recorded_by=staff,
        note=f"{FIRST} said yes at the summer fair",
    )
    consent_record(
        person=person,
        purpose=Consent.Purpose.SHOW_NAME,
        given=True,
        method=Consent.Method.ONLINE,
    )
    run = GroupFactory(name="Tenants of Marsh Court", public=True)
    group_member_add(group=run, person=person, role=GroupMembership.Role.ORGANISER)
    group_member_add(group=GroupFactory(), person=person)

    # Listening: what they said, a note only staff and the author read, promises to them.
    theme = ThemeFactory(name="Lifts")
    conversation = conversation_log(
        logged_by=volunteer,
        who="existing",
        person=person,
        keep_record=True,
        contact_again=True,
        themes=[theme],
        locality=locality,
        method="door_knock",
        concerns=f"{FIRST} is stuck on the ninth floor when the lift breaks",
        hopes=f"{FIRST} {LAST} hopes for a tenants' meeting",
        sensitive_notes=f"{SENSITIVE}: told us about their debts",
        follow_up={"action": f"call {FIRST} back on {PHONE}", "owner": volunteer, "due_on": today},
    )
    conversation_update(conversation=conversation, needs=f"{FIRST} needs a lift that works")
    follow_up_remind(follow_up_id=conversation.follow_ups.get().pk, today=today)
    overdue = follow_up_add(
        conversation=conversation,
        action=f"Ring {FIRST} about the meeting",
        owner=volunteer,
        due_on=today,
    )
    follow_up_digest(owner_id=volunteer.pk, today=overdue.due_on + timedelta(days=1))
    sensitive_notes_read(conversation=conversation, viewer=staff)

    # Connect: a place at an event, one on a waiting list, one attended; an offer and hours.
    rsvp_create(event=EventFactory(), user=user)
    full = EventFactory(capacity=1)
    rsvp_create(event=full, first_name="Other", email="other@example.test")
    rsvp_create(event=full, user=user)
    past_event = EventFactory(
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=2),
    )
    attended = Rsvp.objects.create(event=past_event, person=person, status="confirmed")
    attendance_mark(rsvp=attended, attended=True)
    offer_save(
        person=person,
        recorded_by=staff,
        description=f"{FIRST} can cook for forty",
        availability=["weekend_morning"],
    )
    shift = ShiftFactory(
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=3),
    )
    shift_signup = ShiftSignupFactory(shift=shift, person=person)
    hours_log(shift=shift, logged_by=staff, hours={shift_signup.pk: Decimal("2")})
    asked = GroupFactory(name="Allotment friends", public=True)
    group_member_add(group=asked, person=organiser_user.person, role=GroupMembership.Role.ORGANISER)
    join_request_create(group=asked, user=user, message=f"Hello, {FIRST} here")

    # Action: a confirmed sign-up, an action taken, a story with a photo.
    campaign = CampaignFactory()
    signup_create(
        campaign=campaign,
        first_name=FIRST,
        last_name=LAST,
        email=EMAIL,
        comment=f"{FIRST} wants working lifts",
        show_name=True,
        consent_contact=True,
    )
    signup_confirm(signup=Signup.objects.get(campaign=campaign, email=EMAIL))
    action_record(ask=AskFactory(campaign=campaign), person=person, note=f"{FIRST} wrote")
    story_submit(
        title=f"{FIRST}'s ninth floor",
        text=f"I am {FIRST} {LAST} and the lift has not worked for a month.",
        photo=image_upload("quillon-zarathustra-pemberly.jpg"),
        photo_alt=f"{FIRST} at the lift door",
        consent_to_publish=True,
        user=user,
    )

    # Organise: an application, then a membership with a contribution; a call answered; a
    # group proposed; a decision to review.
    kind = MembershipTypeFactory()
    application_submit(email=EMAIL, first_name=FIRST, last_name=LAST, type=kind)
    membership, _ = membership_start(person=person, type=kind)
    contribution_record(
        membership=membership,
        amount=Decimal("10.00"),
        received_on=today,
        note=f"Cash from {FIRST}",
        recorded_by=staff,
    )
    call = CallToActionFactory(reply_to=EMAIL)
    delivery = DeliveryFactory(call=call, person=person)
    message_queue(
        key=call_key(call, person),
        to_email=EMAIL,
        subject=call.subject,
        body_text=f"Hello {FIRST},\n\n{call.body}",
        person=person,
        reply_to=EMAIL,
    )
    call_respond(delivery=delivery, response="yes")
    # A call Quillon sent, as the organiser of their group: its copies are signed with
    # their name and answered to their address.
    group_member_add(group=run, person=reachable(first_name="Ada", email="ada@example.test"))
    sent = CallToActionFactory(
        segment=SegmentFactory(created_by=staff),
        created_by=user,
        reply_to=EMAIL,
        status=CallToAction.Status.SENDING,
    )
    call_deliver_batch(call_id=sent.pk)
    assert (
        OutboxMessage.objects.filter(
            key__startswith=f"organise:call:{sent.pk}:", body_text__contains=LAST
        )
        .exclude(person=person)
        .exists()
    )
    proposal_create(person=person, name="Knit and natter", purpose="Knitting with neighbours")
    decision = DecisionFactory(owner=person, review_on=today)
    decision_review_remind(decision_id=decision.pk, today=today)

    # The framework: as an organiser of the hub now, a reflection prompt answered, a
    # self-assessment rated with notes, a learning they wrote and one by staff naming them.
    user_set_role(user=user, role=Role.ORGANISER, changed_by=staff)
    prompt = schedule_create(
        by=staff, question="What did we hear this month?", audience="everyone", frequency="monthly"
    )
    prompts_send_due()
    prompt_answer(
        delivery=PromptDelivery.objects.get(schedule=prompt, recipient=user),
        answer=f"{FIRST} heard about the lifts again",
        by=user,
    )
    assessed = round_create(created_by=staff, name="Autumn", opens_on=today)
    answers_save(
        round=assessed,
        respondent=user,
        answers={
            practice.pk: (rating, f"{FIRST} runs the forum", f"Ask {FIRST} {LAST} to chair")
            for practice, rating in zip(Practice.objects.order_by("pk")[:2], (2, 4), strict=True)
        },
    )
    learning_record(
        author=user,
        title=f"{FIRST}'s meeting by the lift",
        happened=f"{FIRST} {LAST} chaired it; ring {PHONE} or write to {EMAIL}",
        learned="A meeting where the trouble is brings people down",
    )
    learning_record(
        author=staff,
        title="Tenants chair their own meetings",
        happened=f"{FIRST} {LAST} chaired the lift meeting",
        learned="Hand the chair over early",
    )

    # Data protection: a request logged about them, and an export made for them.
    data_request_create(
        kind="access",
        person=person,
        channel="email",
        details=f"{FIRST} asked by phone ({PHONE})",
        logged_by=staff,
    )
    personal_data_export(person=person, viewer=staff)
    # Their login's address, once another: mail to it before they changed it.
    message_queue(
        key="people:test:login-address",
        to_email=LOGIN,
        subject="Your sign-in",
        body_text="Hello,",
        category=OutboxMessage.Category.ACCOUNT,
    )
    type(user).objects.filter(pk=user.pk).update(email=LOGIN)
    user.refresh_from_db()

    # The admin's own log names what it changed.
    for obj in (person, user, conversation):
        LogEntry.objects.create(
            user=staff,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            action_flag=CHANGE,
            change_message='[{"changed": {"fields": ["Phone"]}}]',
        )

    return {
        "person": Person.objects.get(pk=person.pk),
        "user": user,
        "staff": staff,
        "campaign": campaign,
        "past_event": past_event,
        "shift": shift,
        "kind": kind,
    }


def test_the_seed_reaches_every_app(seed):
    """The test proves something only if the person really is everywhere first."""
    tables = {table for table, _, _ in markers_found()}
    for table in (
        "people_person",
        "people_historicalperson",
        "people_user",
        "people_historicaluser",
        "people_consent",
        "account_emailaddress",
        "django_session",
        "django_admin_log",
        "listening_conversation",
        "listening_historicalconversation",
        "listening_followup",
        "connect_volunteeroffer",
        "connect_joinrequest",
        "action_signup",
        "action_actiontaken",
        "action_story",
        "organise_contribution",
        "organise_joinapplication",
        "organise_calltoaction",
        "notify_outboxmessage",
        "privacy_datarequest",
    ):
        assert table in tables, f"{table} holds none of the person's data before erasure"
    sent_to_others = OutboxMessage.objects.exclude(person=seed["person"]).exclude(to_email=EMAIL)
    assert sent_to_others.filter(body_text__contains=FIRST).exists()
    assert AuditEntry.objects.filter(subject_id=seed["person"].pk).count() >= 2


def test_after_erasure_no_table_holds_the_person(seed):
    person_id = seed["person"].pk
    person_erase(person=seed["person"], erased_by=seed["staff"], reason="Asked by letter")

    left = sorted(markers_found())
    assert not left, "Still held after erasure:\n" + "\n".join(
        f"  {table}.{column}: {marker}" for table, column, marker in left
    )
    assert not Person.objects.filter(pk=person_id).exists()
    assert not EmailAddress.objects.filter(user=seed["user"]).exists()
    assert AuditEntry.objects.filter(subject_id=person_id, action=AuditEntry.Action.ERASED).exists()


def test_erasure_keeps_the_figures_the_hub_counts(seed):
    before = figures(seed)
    assert before["themes"] == {"Lifts": 1}
    assert before["supporters"] == 1
    assert sum(before["joined"]) == 1
    assert (before["actions"], before["actions_per_ask"]) == (1, [1])
    assert before["hours"] == before["dashboard_hours"] == Decimal("2")

    person_erase(person=seed["person"], erased_by=seed["staff"])

    assert figures(seed) == before


def test_a_request_closed_with_words_naming_the_person_forgets_them(seed):
    request = DataRequest.objects.get(person=seed["person"])
    data_request_update(
        request=request, updated_by=seed["staff"], status="done", outcome=f"Sent {FIRST} a copy"
    )

    person_erase(person=seed["person"], erased_by=seed["staff"])

    assert not markers_found()


def test_erasure_keeps_who_came_to_past_events(seed):
    before = attendance(seed)
    assert before["arrived"] == 1

    person_erase(person=seed["person"], erased_by=seed["staff"])

    assert attendance(seed) == before


def test_erasure_is_all_or_nothing(seed, monkeypatch):
    """If the last provider (the core's) fails, nothing any provider did is kept."""
    before, person_id = markers_found(), seed["person"].pk
    core = registry.personal_data_providers()["people"]

    def fail(person):
        core.erase(person)
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(
        registry._registry.personal_data,
        "people",
        registry.PersonalDataProvider("people", core.label, core.export, fail),
    )
    outbox, audit = OutboxMessage.objects.count(), AuditEntry.objects.count()

    with pytest.raises(RuntimeError):
        person_erase(person=seed["person"], erased_by=seed["staff"])

    assert markers_found() == before
    assert Person.objects.filter(pk=person_id).exists()
    assert (OutboxMessage.objects.count(), AuditEntry.objects.count()) == (outbox, audit)


def test_an_erased_person_signed_in_elsewhere_is_signed_out(seed):
    person_erase(person=seed["person"], erased_by=seed["staff"])

    for session in Session.objects.all():
        data = SessionStore().decode(session.session_data)
        assert data.get("_auth_user_id") != str(seed["user"].pk)


def test_an_event_still_to_come_gives_the_place_to_the_first_in_line(seed):
    """Erasing someone with a place at a full event moves the waiting list on."""
    event = EventFactory(capacity=1, starts_at=soon(days=9))
    rsvp_create(event=event, user=seed["user"])
    waiting, _ = rsvp_create(event=event, first_name="Next", email="next@example.test")
    assert waiting.status == "waiting"

    person_erase(person=seed["person"], erased_by=seed["staff"])

    waiting.refresh_from_db()
    assert waiting.status == "confirmed"


def test_the_seed_reaches_the_framework(seed):
    """Their prompt answer, self-assessment notes and learnings are there, and exported."""
    tables = {table for table, _, _ in markers_found()}
    for table in ("framework_promptdelivery", "framework_assessmentanswer", "framework_learning"):
        assert table in tables, f"{table} holds none of the person's data before erasure"
    data = personal_data_export(person=seed["person"], viewer=seed["staff"])["framework"]["data"]
    assert [prompt["answer"] for prompt in data["reflection_prompts"]] == [
        f"{FIRST} heard about the lifts again"
    ]
    assert [row["what_we_are_doing"] for row in data["self_assessment"]] == [
        f"{FIRST} runs the forum"
    ] * 2
    assert [learning["title"] for learning in data["learnings_written"]] == [
        f"{FIRST}'s meeting by the lift"
    ]


def test_erasure_keeps_the_self_assessment_ratings_and_the_learnings(seed):
    ratings = sorted(AssessmentAnswer.objects.values_list("rating", flat=True))
    means = trend().rows
    counts = (PromptDelivery.objects.count(), Learning.objects.count())

    person_erase(person=seed["person"], erased_by=seed["staff"])

    assert sorted(AssessmentAnswer.objects.values_list("rating", flat=True)) == ratings
    assert trend().rows == means
    assert (PromptDelivery.objects.count(), Learning.objects.count()) == counts
    assert Learning.objects.filter(learned="Hand the chair over early").exists()
