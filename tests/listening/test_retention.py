"""Listening's retention period: conversations with someone the hub has not spoken with for
24 months are anonymised, unless they renewed their consent; the theme counts stay."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Consent
from hubsite.privacy.services import months_before
from listening import selectors
from listening.models import Conversation, FollowUp
from listening.retention import conversations_retain
from tests.listening.factories import ConversationFactory, FollowUpFactory, ThemeFactory
from tests.people.factories import ConsentFactory

pytestmark = pytest.mark.django_db

WORDS = ("concerns", "hopes", "needs", "talents", "sensitive_notes", "place")


def cutoff():
    return months_before(timezone.now(), 24)


def months_ago(months):
    return timezone.localdate() - timedelta(days=round(months * 30.5))


def queued(key, body="A reminder"):
    return OutboxMessage.objects.create(
        key=key, to_email="owner@example.test", subject="Reminder", body_text=body, category="work"
    )


def counts_of(staff_user):
    counts = selectors.theme_counts(staff_user)
    return (
        [(theme.name, theme.total) for theme in counts.themes],
        counts.by_month,
        counts.by_locality,
    )


def test_old_conversation_is_anonymised_with_its_history_and_follow_ups(staff_user):
    theme = ThemeFactory()
    old = ConversationFactory(held_on=months_ago(30), place="Flat 3, Tower Road", themes=[theme])
    old.concerns = "Damp in the bedroom."
    old.save()  # a second history row
    person = old.person
    follow_up = FollowUpFactory(conversation=old, action="Ring Mrs Example about the damp")
    reminder = queued(f"listening:follow-up:{follow_up.pk}:due:2024-01-01")
    owner = follow_up.owner_id
    digest = queued(
        f"listening:follow-up-digest:{owner}:2024-01-02", body="- Ring Mrs Example about the damp"
    )
    other_digest = queued(f"listening:follow-up-digest:{owner}:2024-01-03", body="- Something else")
    assert Conversation.history.filter(id=old.pk).count() == 2

    assert conversations_retain(cutoff()) == 1

    old.refresh_from_db()
    assert old.person is None and old.anonymised_at is not None
    assert all(getattr(old, field) == "" for field in WORDS)
    assert old.contact_again is False
    assert list(old.themes.all()) == [theme]  # still counted
    assert old.held_on == months_ago(30) and old.locality_id and old.method
    assert not Conversation.history.filter(id=old.pk).exists()
    assert not FollowUp.objects.filter(pk=follow_up.pk).exists()
    assert not OutboxMessage.objects.filter(pk__in=[reminder.pk, digest.pk]).exists()
    assert OutboxMessage.objects.filter(pk=other_digest.pk).exists()
    person.refresh_from_db()  # the person's record itself is another kind's business


def test_someone_spoken_with_recently_keeps_every_conversation():
    recent = ConversationFactory(held_on=months_ago(3))
    older = ConversationFactory(person=recent.person, held_on=months_ago(30))

    assert conversations_retain(cutoff()) == 0

    older.refresh_from_db()
    assert older.person == recent.person and older.concerns and older.anonymised_at is None


def test_consent_renewed_since_the_cutoff_keeps_the_record():
    old = ConversationFactory(held_on=months_ago(30))
    ConsentFactory(person=old.person, purpose=Consent.Purpose.KEEP_RECORD, given=True)

    assert conversations_retain(cutoff()) == 0

    old.refresh_from_db()
    assert old.person_id and old.concerns and old.sensitive_notes


def test_consent_renewed_then_withdrawn_or_given_long_ago_does_not_keep_it():
    now = timezone.now()
    withdrawn = ConversationFactory(held_on=months_ago(30))
    ConsentFactory(
        person=withdrawn.person,
        purpose=Consent.Purpose.KEEP_RECORD,
        given=True,
        recorded_at=now - timedelta(days=60),
    )
    ConsentFactory(
        person=withdrawn.person,
        purpose=Consent.Purpose.KEEP_RECORD,
        given=False,
        recorded_at=now - timedelta(days=30),
    )
    long_ago = ConversationFactory(held_on=months_ago(30))
    ConsentFactory(
        person=long_ago.person,
        purpose=Consent.Purpose.KEEP_RECORD,
        given=True,
        recorded_at=now - timedelta(days=900),
    )
    other_purpose = ConversationFactory(held_on=months_ago(30))
    ConsentFactory(person=other_purpose.person, purpose=Consent.Purpose.CONTACT_EMAIL)

    assert conversations_retain(cutoff()) == 3
    assert not Conversation.objects.filter(person__isnull=False).exists()


def test_anonymous_old_conversation_loses_its_words_too():
    anonymous = ConversationFactory(person=None, held_on=months_ago(30))
    recent_anonymous = ConversationFactory(person=None, held_on=months_ago(1))

    assert conversations_retain(cutoff()) == 1

    anonymous.refresh_from_db()
    recent_anonymous.refresh_from_db()
    assert anonymous.concerns == "" and anonymous.anonymised_at is not None
    assert recent_anonymous.concerns and recent_anonymous.anonymised_at is None


def test_a_second_run_changes_nothing():
    ConversationFactory(held_on=months_ago(30))
    ConversationFactory(person=None, held_on=months_ago(40))

    assert conversations_retain(cutoff()) == 2
    assert conversations_retain(cutoff()) == 0


def test_theme_counts_are_the_same_after_retention(staff_user):
    themes = ThemeFactory.create_batch(3)
    for months, chosen in ((30, themes[:2]), (40, themes[1:]), (2, themes[:1])):
        ConversationFactory(held_on=months_ago(months), themes=chosen)
    ConversationFactory(person=None, held_on=months_ago(50), themes=themes)
    before = counts_of(staff_user)

    assert conversations_retain(cutoff()) == 3

    assert counts_of(staff_user) == before


def queries_to_retain(count):
    themes = ThemeFactory.create_batch(2)
    for _ in range(count):
        conversation = ConversationFactory(held_on=months_ago(30), themes=themes)
        follow_up = FollowUpFactory(conversation=conversation)
        queued(f"listening:follow-up:{follow_up.pk}:due:2024-01-01")
    ConversationFactory(person=None, held_on=months_ago(30))
    with CaptureQueriesContext(connection) as queries:
        assert conversations_retain(cutoff()) == count + 1
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_rows():
    few = queries_to_retain(3)
    Conversation.objects.all().delete()
    assert queries_to_retain(50) == few


def test_another_owners_digest_with_a_like_promise_stays(staff_user):
    old = ConversationFactory(held_on=months_ago(30))
    follow_up = FollowUpFactory(conversation=old, action="Ring")
    mine = queued(f"listening:follow-up-digest:{follow_up.owner_id}:2024-01-02", body="- Ring")
    theirs = queued(
        f"listening:follow-up-digest:{follow_up.owner_id + 1000}:2024-01-02",
        body="- Ring the council about the bins",
    )

    assert conversations_retain(cutoff()) == 1

    assert not OutboxMessage.objects.filter(pk=mine.pk).exists()
    assert OutboxMessage.objects.filter(pk=theirs.pk).exists()
