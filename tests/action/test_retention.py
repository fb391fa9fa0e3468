"""Action's retention period: the supporters of a campaign won or lost 24 months ago and
quiet since are anonymised (the campaign keeps its number of supporters), the actions they took
lose who took them and their note (each still counts), and sign-ups never confirmed go."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from action.models import ActionTaken, Campaign, Signup, Story, SupporterUpdate
from action.selectors.asks import actions_count
from action.selectors.campaigns import with_supporters
from action.services.retention import (
    ANONYMOUS_DOMAIN,
    campaign_signups_retain,
    stories_not_published_retain,
    unconfirmed_signups_retain,
)
from hubsite.notify.models import OutboxMessage
from hubsite.privacy.services import months_before
from tests.action.factories import AskFactory, CampaignFactory, SignupFactory, StoryFactory

pytestmark = pytest.mark.django_db

WON = Campaign.Status.WON


def cutoff():
    return months_before(timezone.now(), 24)


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def campaign(status=WON, days=900):
    """Created ``days + 100`` days ago; won or lost ``days - 100`` days ago."""
    ended = days_ago(days - 100) if status in (WON, Campaign.Status.LOST) else None
    return CampaignFactory(status=status, created_at=days_ago(days + 100), ended_at=ended)


def signed_pending(on, days=800):
    return signed(
        on,
        days=days,
        status=Signup.Status.PENDING,
        person=None,
        first_name="Pat",
        email=f"pat{Signup.objects.count()}@example.test",
    )


def signed(on, days=800, **fields):
    signup = SignupFactory(
        campaign=on,
        created_at=days_ago(days),
        confirmed_at=days_ago(days) if fields.get("status") != "pending" else None,
        comment="I use the lift to get to dialysis.",
        show_name=True,
        postcode="E1 6AN",
        **fields,
    )
    OutboxMessage.objects.create(
        key=f"action:signup:{signup.pk}:confirm",
        to_email=signup.email,
        subject="Please confirm",
        body_text=f"Dear {signup.first_name}",
        category="account",
    )
    return signup


def took_action(signup, days=800):
    ask = AskFactory(campaign=signup.campaign)
    return ActionTaken.objects.create(
        ask=ask, person=signup.person, note="Wrote to my councillor", taken_at=days_ago(days)
    )


def supporters(*campaigns):
    return {
        c.pk: c.supporter_count
        for c in with_supporters(Campaign.objects.filter(pk__in=[c.pk for c in campaigns]))
    }


def test_supporters_of_a_campaign_long_closed_are_anonymised_and_still_counted():
    won = campaign()
    signup = signed(won)
    other = signed(won)
    action = took_action(signup)
    pending = signed_pending(won)
    before = supporters(won)

    assert campaign_signups_retain(cutoff()) == 4  # two anonymised, one action, one pending

    signup.refresh_from_db()
    assert signup.person is None and signup.first_name == signup.last_name == ""
    assert signup.email == f"signup-{signup.pk}{ANONYMOUS_DOMAIN}"
    assert signup.comment == signup.postcode == ""
    assert not signup.show_name and not signup.consent_contact
    assert signup.status == Signup.Status.CONFIRMED
    assert Signup.objects.get(pk=other.pk).person is None
    action.refresh_from_db()
    assert (action.person, action.note) == (None, "")
    assert actions_count(won) == 1
    assert not Signup.objects.filter(pk=pending.pk).exists()
    assert not OutboxMessage.objects.exists()
    assert supporters(won) == before == {won.pk: 2}


def test_running_or_recently_active_campaigns_keep_their_supporters():
    active = campaign(status=Campaign.Status.ACTIVE)
    on_active = signed(active)
    lately_updated = campaign()
    on_updated = signed(lately_updated)
    SupporterUpdate.objects.create(
        campaign=lately_updated, subject="We won", body="Thank you", sent_at=days_ago(100)
    )
    lately_acted = campaign()
    on_acted = signed(lately_acted)
    took_action(on_acted, days=30)
    recent_signup = campaign()
    on_recent = signed(recent_signup, days=30)

    assert campaign_signups_retain(cutoff()) == 0

    kept = Signup.objects.filter(pk__in=[on_active.pk, on_updated.pk, on_acted.pk, on_recent.pk])
    assert all(signup.person_id and signup.first_name for signup in kept)
    assert ActionTaken.objects.count() == 1
    assert OutboxMessage.objects.count() == 4


def test_a_campaign_quiet_for_two_years_but_won_today_keeps_its_supporters():
    won_today = CampaignFactory(status=WON, created_at=days_ago(1500), ended_at=timezone.now())
    supporter = signed(won_today, days=1000)
    took_action(supporter, days=1000)

    assert campaign_signups_retain(cutoff()) == 0

    supporter.refresh_from_db()
    assert supporter.person_id and supporter.first_name
    assert ActionTaken.objects.get().note


def test_a_campaign_won_long_ago_and_quiet_since_loses_them_however_recently_created():
    # Only the end and the activity count: a campaign logged late, already won, is no exception.
    won = CampaignFactory(status=WON, created_at=days_ago(10), ended_at=days_ago(800))
    signed(won, days=800)

    assert campaign_signups_retain(cutoff()) == 1


def test_a_sign_up_never_confirmed_goes_a_month_on_whatever_the_campaign():
    active = campaign(status=Campaign.Status.ACTIVE)
    old = signed_pending(active, days=40)
    recent = signed_pending(active, days=10)

    assert unconfirmed_signups_retain(months_before(timezone.now(), 1)) == 1
    assert unconfirmed_signups_retain(months_before(timezone.now(), 1)) == 0

    assert list(Signup.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not OutboxMessage.objects.filter(key__startswith=f"action:signup:{old.pk}:").exists()


def test_a_second_run_changes_nothing():
    lost = campaign(status=Campaign.Status.LOST)
    took_action(signed(lost))
    signed(lost)

    assert campaign_signups_retain(cutoff()) == 3
    assert campaign_signups_retain(cutoff()) == 0
    assert ActionTaken.objects.filter(person=None, note="").count() == 1


def queries_to_retain(count):
    won = campaign()
    for _ in range(count):
        took_action(signed(won))
    with CaptureQueriesContext(connection) as queries:
        assert campaign_signups_retain(cutoff()) == 2 * count
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_rows():
    assert queries_to_retain(50) == queries_to_retain(3)


def test_the_updates_sent_to_supporters_of_a_campaign_long_closed_go():
    won = campaign()
    supporter = signed(won)
    update = SupporterUpdate.objects.create(
        campaign=won, subject="We won", body="Thank you", sent_at=days_ago(800)
    )
    OutboxMessage.objects.create(
        key=f"action:update:{update.pk}:{supporter.pk}",
        to_email=supporter.email,
        subject="We won",
        body_text=f"Dear {supporter.first_name}",
        category="contact",
    )

    campaign_signups_retain(cutoff())

    assert not OutboxMessage.objects.filter(key__startswith="action:update:").exists()


# Stories not published ----------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def story_cutoff():
    return months_before(timezone.now(), 12)


def told(days=400, status=Story.Status.REJECTED, photo=False, emailed=None, **fields):
    """A story told ``days`` ago, with an email about it written ``emailed`` days ago (by
    default when it was told)."""
    story = StoryFactory(status=status, created_at=days_ago(days), **fields)
    if photo:
        story.photo.save("lift.jpg", ContentFile(b"not really a photo"), save=True)
    message = OutboxMessage.objects.create(
        key=f"action:story:{story.pk}:received",
        person=story.person,
        to_email=story.person.email,
        subject=f"We have your story “{story.title}”",
        body_text=f"Dear {story.person.first_name}",
        category="account",
    )
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=days_ago(days if emailed is None else emailed)
    )
    return story


def test_stories_turned_down_withdrawn_or_never_published_go_with_photo_and_emails(
    media, django_capture_on_commit_callbacks
):
    rejected = told(status=Story.Status.REJECTED, photo=True)
    withdrawn = told(status=Story.Status.APPROVED, consent_to_publish=False)
    waiting = told(status=Story.Status.SUBMITTED)
    changes = told(status=Story.Status.CHANGES, consent_to_publish=False)
    photo = rejected.photo.name
    storage = rejected.photo.storage
    assert storage.exists(photo)

    with django_capture_on_commit_callbacks(execute=True):
        assert stories_not_published_retain(story_cutoff()) == 4

    assert not Story.objects.filter(pk__in=[rejected.pk, withdrawn.pk, waiting.pk, changes.pk])
    assert not OutboxMessage.objects.filter(key__startswith="action:story:").exists()
    assert not storage.exists(photo)
    rejected.person.refresh_from_db()  # the teller's record is not Action's to remove


def test_published_stories_and_recent_ones_stay(media):
    published = told(
        days=2000, status=Story.Status.APPROVED, published_at=days_ago(1990), photo=True
    )
    recent = told(days=100, status=Story.Status.REJECTED)
    answered_lately = told(days=600, status=Story.Status.REJECTED, emailed=30)
    OutboxMessage.objects.create(
        key="action:story-link:abc:2024010112", to_email="x@example.test", category="account"
    )

    assert stories_not_published_retain(story_cutoff()) == 0

    assert Story.objects.filter(pk__in=[published.pk, recent.pk, answered_lately.pk]).count() == 3
    assert OutboxMessage.objects.count() == 4
    assert published.photo.storage.exists(published.photo.name)


def test_a_second_run_deletes_no_more_stories():
    told()

    assert stories_not_published_retain(story_cutoff()) == 1
    assert stories_not_published_retain(story_cutoff()) == 0


def queries_to_retain_stories(count):
    for _ in range(count):
        told()
    with CaptureQueriesContext(connection) as queries:
        assert stories_not_published_retain(story_cutoff()) == count
    return len(queries)


def test_the_number_of_queries_for_stories_does_not_grow_with_the_rows():
    assert queries_to_retain_stories(30) == queries_to_retain_stories(3)
