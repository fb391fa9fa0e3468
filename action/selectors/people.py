"""What Action contributes to the core: a person's timeline and data export, and the hub
dashboard's figures. Each provider costs a fixed number of queries."""

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from hubsite.framework.registry import Figure
from hubsite.people.registry import TimelineEntry, TimelineSource
from hubsite.people.rules import has_role
from hubsite.people.selectors import timeline_read

from ..models import ActionTaken, Activity, Ask, Campaign, Signup, Story
from ..rules import RUNNERS


def person_timeline(person, viewer, *, read=None):
    """The campaigns the person signed, the actions they took, the stories they told and
    the activities they are part of: sources of the core's timeline, read by ``read`` (by
    default now, in one query; see ``hubsite.people.registry``)."""
    sources = [
        TimelineSource(
            rows=Signup.objects.filter(person=person),
            columns={
                "when": Coalesce("confirmed_at", "created_at"),
                "slug": F("campaign__slug"),
                "name": F("campaign__name"),
                "flag": ExpressionWrapper(
                    Q(unsubscribed_at__isnull=False), output_field=BooleanField()
                ),
            },
            entry=_signup_entry,
        ),
        TimelineSource(
            rows=ActionTaken.objects.filter(person=person),
            columns={
                "when": F("taken_at"),
                "name": F("ask__title"),
                "slug": F("ask__campaign__slug"),
                "other_name": F("ask__campaign__name"),
                "text": F("note"),
            },
            entry=_action_entry,
        ),
        TimelineSource(
            rows=Story.objects.filter(person=person),
            columns={
                "when": F("created_at"),
                "ref": F("pk"),
                "name": F("title"),
                "code": F("status"),
            },
            entry=_story_entry,
        ),
        TimelineSource(
            rows=Activity.objects.filter(people=person),
            columns={
                "when": F("created_at"),
                "ref": F("pk"),
                "name": F("name"),
                "code": F("stage"),
            },
            entry=_activity_entry,
        ),
    ]
    return (read or timeline_read)(sources)


def _signup_entry(row):
    campaign = Campaign(slug=row["slug"], name=row["name"])
    return TimelineEntry(
        when=row["when"],
        area="action",
        title=f"Signed {campaign}",
        url=campaign.get_absolute_url(),
        detail="Stopped the campaign's news" if row["flag"] else "",
    )


def _action_entry(row):
    campaign = Campaign(slug=row["slug"], name=row["other_name"])
    ask = Ask(title=row["name"])
    return TimelineEntry(
        when=row["when"],
        area="action",
        title=f"{ask} ({campaign})",
        url=campaign.get_absolute_url(),
        detail=row["text"],
    )


def _story_entry(row):
    story = Story(pk=row["ref"], title=row["name"], status=row["code"])
    return TimelineEntry(
        when=row["when"],
        area="leadership",
        title=f"Told a story: {story.title}",
        url=story.get_absolute_url(),
        detail=story.get_status_display(),
    )


def _activity_entry(row):
    activity = Activity(pk=row["ref"], name=row["name"], stage=row["code"])
    return TimelineEntry(
        when=row["when"],
        area="action",
        title=f"Involved in {activity.name}",
        url=activity.get_absolute_url(),
        detail=activity.get_stage_display(),
    )


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
    from hubsite.framework.selectors import aggregates_at_once

    if not has_role(viewer, RUNNERS):
        return []
    counts = aggregates_at_once(  # one query
        active=(Campaign.objects.filter(status=Campaign.Status.ACTIVE), Count("pk")),
        won=(Campaign.objects.filter(status=Campaign.Status.WON), Count("pk")),
        supporters=(
            Signup.objects.filter(status=Signup.Status.CONFIRMED),
            Count("person", distinct=True),
        ),
        stories=(Story.objects.filter(status=Story.Status.SUBMITTED), Count("pk")),
        running=(Activity.objects.filter(stage=Activity.Stage.RUNNING), Count("pk")),
    )
    campaigns_url = reverse("action:campaign_list")
    return [
        Figure("action", "Active campaigns", counts["active"], campaigns_url),
        Figure("action", "Campaigns won", counts["won"], campaigns_url),
        Figure("action", "Campaign supporters", counts["supporters"], campaigns_url),
        Figure("action", "Activities running", counts["running"], reverse("action:activity_list")),
        Figure(
            "leadership",
            "Stories waiting for review",
            counts["stories"],
            reverse("action:story_list"),
        ),
    ]
