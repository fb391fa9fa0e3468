"""Action's part of the demo hub, added by ``manage.py seed_demo`` (action/demo.py)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from action import demo
from action.models import ActionTaken, Activity, Ask, Campaign, Signup, Story, SupporterUpdate
from action.selectors.stories import story_public
from action.selectors.updates import recipients_count
from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Consent, Person

CONFIRMED, PENDING = Signup.Status.CONFIRMED, Signup.Status.PENDING


def seed():
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)  # pytest-django runs with DEBUG off
    return out.getvalue()


def counts():
    models = (Campaign, Signup, Ask, ActionTaken, SupporterUpdate, Story, Activity, Consent)
    return {model.__name__: model.objects.count() for model in models} | {
        "endorsements": Campaign.endorsements.through.objects.count(),
        "activity people": Activity.people.through.objects.count(),
        "people": Person.objects.count(),
    }


@pytest.fixture
def demo_hub(db):
    return seed()


def test_seed_demo_runs_five_campaigns_from_what_listening_heard(demo_hub):
    campaigns = Campaign.objects.prefetch_related("groups", "themes")
    statuses = sorted(campaigns.values_list("status", flat=True))

    assert statuses == sorted(
        [Campaign.Status.ACTIVE] * 2
        + [Campaign.Status.WON, Campaign.Status.PAUSED, Campaign.Status.PLANNING]
    )
    for campaign in campaigns:
        assert campaign.summary and campaign.need and campaign.demand, campaign
        assert campaign.decision_maker_list, campaign
        assert campaign.groups.all(), f"{campaign} has no group behind it"
        assert campaign.themes.all(), f"{campaign} is not linked to what listening heard"
        assert campaign.created_at < timezone.now()
    dry_homes = campaigns.get(name=demo.DRY_HOMES)
    assert {theme.name for theme in dry_homes.themes.all()} >= {"Damp and mould"}
    assert set(dry_homes.endorsements.all()) == {Campaign.objects.get(name=demo.BUS)}
    assert set(dry_homes.endorsed_by.all()) == {Campaign.objects.get(name=demo.BUS)}
    assert Campaign.objects.filter(partners__isnull=False).exists(), "a partner group backs one"
    assert "Action:" in demo_hub


def test_seed_demo_confirmed_signups_have_a_person_and_pending_ones_do_not(demo_hub):
    signups = Signup.objects.all()
    confirmed = signups.filter(status=CONFIRMED)
    pending = signups.filter(status=PENDING)
    people_emails = {email.lower() for email in Person.objects.values_list("email", flat=True)}

    assert not confirmed.filter(person__isnull=True).exists()
    assert not confirmed.filter(confirmed_at__isnull=True).exists()
    assert not confirmed.filter(confirmed_at__gt=timezone.now()).exists()
    assert not confirmed.exclude(email__iexact=F("person__email")).exists()
    assert not confirmed.filter(confirmed_at__lt=F("person__created_at")).exists()
    assert 4 <= pending.count() <= 8
    assert not pending.filter(person__isnull=False).exists()
    assert not pending.filter(confirmed_at__isnull=False).exists()
    for signup in pending:
        assert signup.email.endswith("@example.org")
        assert signup.email.lower() not in people_emails, "nobody confirmed it yet"
    supporters = Campaign.objects.annotate(n=Count("signups", filter=Q(signups__status=CONFIRMED)))
    for campaign in supporters:
        if campaign.status == Campaign.Status.ACTIVE:
            assert 150 <= campaign.n <= 400, campaign
        else:
            assert campaign.n < 150, campaign
    assert supporters.filter(status=Campaign.Status.WON, n__gt=0).exists()
    assert not Signup.objects.filter(campaign__status=Campaign.Status.PLANNING).exists()
    assert confirmed.filter(show_name=True).exists() and confirmed.filter(show_name=False).exists()
    assert confirmed.filter(consent_contact=True).count() > confirmed.count() / 2
    assert confirmed.filter(person__email="member@example.org", campaign__name=demo.BUS).exists()


def test_seed_demo_records_supporters_consent_as_signing_does(demo_hub):
    confirmed = Signup.objects.filter(status=CONFIRMED).select_related("campaign")

    for signup in confirmed:
        for purpose, chosen in (
            (Consent.Purpose.CONTACT_EMAIL, signup.consent_contact),
            (Consent.Purpose.SHOW_NAME, signup.show_name),
        ):
            recorded = Consent.objects.filter(
                person_id=signup.person_id,
                purpose=purpose,
                given=True,
                method=Consent.Method.ONLINE,
                recorded_at=signup.confirmed_at,
                note=f"Signing “{signup.campaign}”",
            ).exists()
            assert recorded == chosen, (signup, purpose)


def test_seed_demo_asks_supporters_to_act_and_they_do(demo_hub):
    now = timezone.now()

    for campaign in Campaign.objects.filter(status=Campaign.Status.ACTIVE):
        asks = campaign.asks.filter(active=True)
        assert 2 <= asks.count() <= 4, campaign
        write = asks.get(kind=Ask.Kind.WRITE)
        assert write.suggested_text and write.target
        assert ActionTaken.objects.filter(ask__campaign=campaign).count() > 50
    assert not Ask.objects.filter(active=True).exclude(campaign__status=Campaign.Status.ACTIVE)
    for action in ActionTaken.objects.select_related("ask"):
        signup = Signup.objects.get(
            campaign_id=action.ask.campaign_id, person_id=action.person_id, status=CONFIRMED
        )
        assert signup.confirmed_at <= action.taken_at <= now, action


def test_seed_demo_sent_one_update_to_the_supporters_it_could_reach(demo_hub):
    (update,) = SupporterUpdate.objects.select_related("campaign")

    assert update.status == SupporterUpdate.Status.SENT
    assert update.campaign.status == Campaign.Status.ACTIVE
    assert update.recipients == recipients_count(update.campaign) > 0
    assert update.created_at <= update.sent_at <= timezone.now()
    assert not OutboxMessage.objects.filter(key__startswith="action:").exists(), "no emails"


def test_seed_demo_public_stories_are_exactly_the_approved_ones_with_consent(demo_hub):
    stories = Story.objects.all()
    Status = Story.Status

    assert stories.count() == 6
    public = story_public()
    assert set(public) == set(stories.filter(status=Status.APPROVED, consent_to_publish=True))
    assert public.count() == 3
    assert set(public.values_list("credit", flat=True)) == set(Story.Credit.values)
    assert not public.filter(published_at__isnull=True).exists()
    assert stories.filter(status=Status.SUBMITTED).count() == 1
    (changes,) = stories.filter(status=Status.CHANGES)
    assert changes.moderation_note and changes.moderated_by is not None
    (withdrawn,) = stories.filter(status=Status.APPROVED, consent_to_publish=False)
    assert not withdrawn.is_public and withdrawn.published_at is None
    assert not stories.exclude(photo="").exists()
    for story in stories:
        assert Signup.objects.filter(
            campaign=story.campaign, person=story.person, status=CONFIRMED
        ).exists(), f"{story.person} tells a story of a campaign they signed"


def test_seed_demo_runs_community_activities_at_each_stage(demo_hub):
    activities = Activity.objects.prefetch_related("people")

    assert activities.count() == 5
    assert set(activities.values_list("stage", flat=True)) == set(Activity.Stage.values)
    assert set(activities.values_list("kind", flat=True)) == set(Activity.Kind.values)
    for activity in activities:
        people = set(activity.people.all())
        assert people, f"nobody is involved in {activity}"
        assert activity.proposed_by in people
        assert activity.created_at <= activity.stage_changed_at <= timezone.now()
    (stopped,) = activities.filter(stage=Activity.Stage.STOPPED)
    assert "Stopped on " in stopped.description
    assert activities.filter(people__email="volunteer@example.org").exists()


def test_seed_demo_twice_adds_no_more_action(demo_hub):
    first = counts()

    out = seed()

    assert counts() == first
    assert "Action: the demo campaigns" in out and "already there" in out
