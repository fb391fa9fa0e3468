"""Listening's part of the demo hub, added by ``manage.py seed_demo`` (listening/demo.py)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from hubsite.people.models import Consent, Locality, User
from hubsite.people.selectors import consent_given
from listening.demo import ROUND_NAME
from listening.models import Conversation, FollowUp, ListeningRound, Theme


def seed():
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)  # pytest-django runs with DEBUG off
    return out.getvalue()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (ListeningRound, Conversation, Theme, FollowUp, Consent)
    } | {"conversation themes": Conversation.themes.through.objects.count()}


@pytest.fixture
def demo_hub(db):
    return seed()


def test_seed_demo_runs_a_listening_round_in_every_demo_place(demo_hub):
    round_ = ListeningRound.objects.get(name=ROUND_NAME)
    today = timezone.localdate()

    assert round_.starts_on < today < round_.ends_on, "the round is under way"
    assert round_.target == 400
    assert 4 <= len(round_.prompt_list) <= 5
    assert set(round_.localities.all()) == set(Locality.objects.all())
    assert list(round_.organisers.values_list("email", flat=True)) == ["organiser@example.org"]
    assert "volunteer@example.org" in round_.volunteers.values_list("email", flat=True)
    assert 12 <= Theme.objects.count() <= 15
    assert "Listening:" in demo_hub


def test_seed_demo_logs_a_few_hundred_conversations_in_the_past(demo_hub):
    conversations = Conversation.objects.filter(round__name=ROUND_NAME)
    today = timezone.localdate()

    assert 250 <= conversations.count() <= 350
    assert not conversations.filter(held_on__gt=today).exists()
    assert not conversations.filter(created_at__gt=timezone.now()).exists()
    assert conversations.filter(held_on__gte=today - timedelta(days=7)).exists()
    assert conversations.filter(person__isnull=True).count() > 50, "some are anonymous"
    assert conversations.filter(person__isnull=False).count() > conversations.count() / 2
    assert not conversations.filter(person__isnull=True, locality__isnull=True).exists()
    assert conversations.values("method").distinct().count() >= 5
    assert conversations.values("locality").distinct().count() == Locality.objects.count()
    assert conversations.values("willingness").distinct().count() == 5
    assert conversations.filter(contact_again=True).exists()
    assert not conversations.filter(person__isnull=True, contact_again=True).exists()
    assert 1 <= conversations.exclude(sensitive_notes="").count() <= 12
    assert not conversations.filter(concerns="").exists()
    assert conversations.values("concerns").distinct().count() > 100, "varied, not one text"


def test_seed_demo_gives_every_conversation_its_themes(demo_hub):
    themes = Conversation.objects.annotate(n=Count("themes")).values_list("n", flat=True)

    assert set(themes) <= {1, 2, 3}
    assert set(themes) >= {1, 2}
    busiest = Theme.objects.annotate(n=Count("conversations")).order_by("-n").first()
    assert busiest.n < Conversation.objects.count() / 2, "no theme drowns out the rest"


def test_seed_demo_records_consent_from_everyone_named(demo_hub):
    spoken_with = {c.person for c in Conversation.objects.filter(person__isnull=False)}

    for person in spoken_with:
        assert consent_given(person, Consent.Purpose.KEEP_RECORD), person
    for conversation in Conversation.objects.filter(person__isnull=False):
        assert Consent.objects.filter(
            person=conversation.person,
            purpose=Consent.Purpose.KEEP_RECORD,
            given=True,
            method=Consent.Method.VERBAL,
            recorded_by=conversation.logged_by,
            recorded_at=conversation.created_at,
        ).exists()


def test_seed_demo_leaves_follow_ups_for_the_demo_volunteer_and_organiser(demo_hub):
    today = timezone.localdate()
    follow_ups = FollowUp.objects.select_related("conversation")
    volunteer = User.objects.get(email="volunteer@example.org")

    assert 10 <= follow_ups.count() <= 14
    assert set(follow_ups.values_list("owner__email", flat=True)) == {
        "volunteer@example.org",
        "organiser@example.org",
    }
    assert follow_ups.filter(done_at__isnull=False).exists()
    assert follow_ups.filter(done_at__isnull=True, due_on__lt=today, owner=volunteer).exists()
    assert follow_ups.filter(done_at__isnull=True, due_on=today, owner=volunteer).exists()
    assert follow_ups.filter(due_on__gt=today).exists()
    for follow_up in follow_ups:
        assert follow_up.due_on >= follow_up.conversation.held_on
        assert follow_up.conversation.contact_again
        assert follow_up.owner_id == follow_up.conversation.logged_by_id


def test_seed_demo_twice_adds_no_more_listening(demo_hub):
    first = counts()

    seed()

    assert counts() == first
