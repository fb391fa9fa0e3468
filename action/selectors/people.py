"""What Action contributes to the core: a person's timeline and data export, and the hub
dashboard's figures. Each provider costs a fixed number of queries."""

from django.db.models import Count, Q
from django.urls import reverse

from hubsite.framework.registry import Figure
from hubsite.people.registry import TimelineEntry
from hubsite.people.rules import has_role

from ..models import ActionTaken, Activity, Campaign, Signup, Story
from ..rules import RUNNERS


def person_timeline(person, viewer):
    entries = []
    for signup in Signup.objects.filter(person=person).select_related("campaign"):
        entries.append(
            TimelineEntry(
                when=signup.confirmed_at or signup.created_at,
                area="action",
                title=f"Signed {signup.campaign}",
                url=signup.campaign.get_absolute_url(),
                detail="Stopped the campaign's news" if signup.unsubscribed_at else "",
            )
        )
    for action in ActionTaken.objects.filter(person=person).select_related("ask__campaign"):
        entries.append(
            TimelineEntry(
                when=action.taken_at,
                area="action",
                title=f"{action.ask} ({action.ask.campaign})",
                url=action.ask.campaign.get_absolute_url(),
                detail=action.note,
            )
        )
    for story in Story.objects.filter(person=person):
        entries.append(
            TimelineEntry(
                when=story.created_at,
                area="leadership",
                title=f"Told a story: {story.title}",
                url=story.get_absolute_url(),
                detail=story.get_status_display(),
            )
        )
    for activity in Activity.objects.filter(people=person):
        entries.append(
            TimelineEntry(
                when=activity.created_at,
                area="action",
                title=f"Involved in {activity.name}",
                url=activity.get_absolute_url(),
                detail=activity.get_stage_display(),
            )
        )
    return entries


def _signups_of(person):
    """Sign-ups of the person, and those still waiting for confirmation under their address."""
    signups = Signup.objects.filter(person=person)
    if person.email:
        signups = signups | Signup.objects.filter(person=None, email__iexact=person.email)
    return signups.select_related("campaign").order_by("created_at", "id")


def person_data_export(person, viewer=None):
    return {
        "campaigns_signed": [
            {
                "campaign": signup.campaign.name,
                "status": signup.get_status_display(),
                "signed_at": signup.created_at.isoformat(),
                "confirmed_at": signup.confirmed_at.isoformat() if signup.confirmed_at else None,
                "comment": signup.comment,
                "show_name": signup.show_name,
                "news_by_email": signup.consent_contact and not signup.unsubscribed_at,
            }
            for signup in _signups_of(person)
        ],
        "actions_taken": [
            {
                "ask": action.ask.title,
                "campaign": action.ask.campaign.name,
                "note": action.note,
                "taken_at": action.taken_at.isoformat(),
            }
            for action in ActionTaken.objects.filter(person=person).select_related("ask__campaign")
        ],
        "stories": [
            {
                "title": story.title,
                "text": story.text,
                "photo": story.photo.name or None,
                "photo_alt": story.photo_alt,
                "credit": story.get_credit_display(),
                "consent_to_publish": story.consent_to_publish,
                "status": story.get_status_display(),
                "told_at": story.created_at.isoformat(),
            }
            for story in Story.objects.filter(person=person)
        ],
        "activities": [
            {"activity": activity.name, "stage": activity.get_stage_display()}
            for activity in Activity.objects.filter(people=person)
        ],
    }


def dashboard_figures(viewer):
    if not has_role(viewer, RUNNERS):
        return []
    campaigns = Campaign.objects.aggregate(
        active=Count("id", filter=Q(status=Campaign.Status.ACTIVE)),
        won=Count("id", filter=Q(status=Campaign.Status.WON)),
    )
    supporters = Signup.objects.filter(status=Signup.Status.CONFIRMED).aggregate(
        n=Count("person", distinct=True)
    )["n"]
    stories = Story.objects.filter(status=Story.Status.SUBMITTED).count()
    running = Activity.objects.filter(stage=Activity.Stage.RUNNING).count()
    campaigns_url = reverse("action:campaign_list")
    return [
        Figure("action", "Active campaigns", campaigns["active"], campaigns_url),
        Figure("action", "Campaigns won", campaigns["won"], campaigns_url),
        Figure("action", "Campaign supporters", supporters, campaigns_url),
        Figure("action", "Activities running", running, reverse("action:activity_list")),
        Figure("leadership", "Stories waiting for review", stories, reverse("action:story_list")),
    ]
