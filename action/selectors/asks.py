"""Read queries of asks, the actions supporters took, and solidarity between campaigns.
Counts come from SQL; the only name shown of someone who acted is their first name, and
only when they agreed to show their name."""

from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Lower

from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Consent
from hubsite.people.selectors import people_with_consent

from ..models import ActionTaken, Ask, Campaign, Signup
from .campaigns import campaign_public, supporters_reachable

# How many of the latest actions the campaign's page lists.
RECENT_ACTIONS = 10
# The campaigns whose supporters may be invited to sign: those taking sign-ups.
OPEN_FOR_SIGNUPS = (Campaign.Status.ACTIVE, Campaign.Status.PAUSED)


def ask_list(campaign, *, viewer=None, person=None, active_only=True):
    """The campaign's asks with how many people did each; with ``viewer`` (a user) or
    ``person``, whether they did it (``done``)."""
    asks = Ask.objects.filter(campaign=campaign).annotate(action_count=Count("actions"))
    if active_only:
        asks = asks.filter(active=True)
    mine = None
    if person is not None:
        mine = Q(person=person)
    elif viewer is not None and viewer.is_authenticated:
        mine = Q(person__user=viewer)
    if mine is not None:
        asks = asks.annotate(done=Exists(ActionTaken.objects.filter(mine, ask=OuterRef("pk"))))
    return asks.order_by("order", "id")


def actions_recent(campaign, limit=RECENT_ACTIONS):
    """The latest actions taken, as plain rows: ``name`` is the first name of those who
    chose to show it when signing this campaign and whose latest word on showing their name
    is still yes; empty for everyone else. The latest are found first (on the actions' ids
    and dates alone), so that names and choices are looked up for those few only, however
    many actions the campaign has."""
    latest = (
        ActionTaken.objects.filter(ask__campaign=campaign)
        .order_by("-taken_at", "-id")
        .values("pk")[:limit]
    )
    shows_name = Consent.objects.filter(
        person=OuterRef("person_id"), purpose=Consent.Purpose.SHOW_NAME
    ).order_by("-recorded_at", "-id")
    chose_here = Signup.objects.filter(
        campaign=campaign, person=OuterRef("person_id"), show_name=True
    )
    return (
        ActionTaken.objects.filter(pk__in=latest)
        .annotate(shown=Subquery(shows_name.values("given")[:1]), here=Exists(chose_here))
        .annotate(
            name=Case(When(shown=True, here=True, then=F("person__first_name")), default=Value(""))
        )
        .order_by("-taken_at", "-id")
        .values("pk", "taken_at", "name", ask_title=F("ask__title"))
    )


def actions_count(campaign):
    return ActionTaken.objects.filter(ask__campaign=campaign).count()


def campaigns_related(campaign):
    """Campaigns taking sign-ups that ``campaign`` stands with, or that stand with it: where
    its supporters may be invited."""
    return (
        campaign_public()
        .filter(Q(endorsed_by=campaign) | Q(endorsements=campaign), status__in=OPEN_FOR_SIGNUPS)
        .exclude(pk=campaign.pk)
        .distinct()
        .order_by("name")
    )


def campaign_page_context(campaign, viewer):
    """What the campaign's public page shows of this part: the asks, how many actions were
    taken (counted in the query that loaded the campaign, ``campaign_page_queryset``, when
    it did) and the latest of them. The campaigns it stands with and its partner groups come
    with the rest of what it is tied to (``campaigns.campaign_related``)."""
    count = getattr(campaign, "actions_count", None)
    return {
        "asks": ask_list(campaign, viewer=viewer),
        "actions_count": actions_count(campaign) if count is None else count,
        "recent_actions": actions_recent(campaign),
    }


# Solidarity ------------------------------------------------------------------------------


def solidarity_key_prefix(from_campaign_id, to_campaign_id):
    return f"action:solidarity:{from_campaign_id}:{to_campaign_id}:"


def solidarity_recipients(from_campaign, to_campaign):
    """Sign-ups of ``from_campaign`` whose person may be invited to ``to_campaign``: they
    agreed to hear from it and to be emailed, have not signed the other (under their person
    or their address, confirmed or not) and were not invited to it from here before. A
    person with two sign-ups appears twice; the outbox key (one per person) makes them one
    invitation."""
    signed = Signup.objects.filter(campaign=to_campaign)
    invited = OutboxMessage.objects.filter(
        key__startswith=solidarity_key_prefix(from_campaign.pk, to_campaign.pk)
    )
    return (
        supporters_reachable(from_campaign)
        .filter(person__in=people_with_consent(Consent.Purpose.CONTACT_EMAIL).values("pk"))
        .exclude(person__in=signed.filter(person__isnull=False).values("person"))
        .exclude(person__in=invited.filter(person__isnull=False).values("person"))
        .annotate(email_lower=Lower("email"))
        .exclude(email_lower__in=signed.annotate(lower=Lower("email")).values("lower"))
        .order_by("person_id", "id")
    )


def solidarity_preview(from_campaign, to_campaign):
    """What inviting would do: how many people it would email now, and how many had the
    invitation before (they never get it twice)."""
    return {
        "to_invite": solidarity_recipients(from_campaign, to_campaign)
        .order_by()
        .values("person_id")
        .distinct()
        .count(),
        "invited_before": OutboxMessage.objects.filter(
            key__startswith=solidarity_key_prefix(from_campaign.pk, to_campaign.pk)
        ).count(),
    }
