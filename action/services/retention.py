"""How long Action keeps who signed a campaign and what they did for it: the retention rule
of sign-ups, applied nightly through the data-protection registry
(``hubsite.privacy.registry``)."""

from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat

from hubsite.notify.selectors import messages_keyed

from ..models import ActionTaken, Campaign, Signup, SupporterUpdate

DESCRIPTION = (
    "When a campaign has been won or lost and nothing has happened on it for this many "
    "months (no sign-up, action or update to supporters), its supporters are anonymised: "
    "their names, addresses, comments and the link to their record go, while each sign-up "
    "still counts in the campaign's number of supporters. The actions they said they took "
    "lose who took them and their notes, and still count as actions taken; every email about "
    "their sign-up, and the updates sent to them, are deleted."
)
UNCONFIRMED_DESCRIPTION = (
    "A sign-up never confirmed holds only what someone typed (a name, an address that may not "
    "be theirs, a postcode, a comment): it is deleted with its emails this many months after "
    "it was made, whatever the campaign."
)

# An anonymised sign-up keeps an address no one holds, unique as the campaign requires.
ANONYMOUS_DOMAIN = "@anonymised.invalid"


def campaigns_ended(cutoff):
    """Campaigns won or lost before ``cutoff`` (``ended_at``, set when the status changed)
    and untouched since: one marked won today keeps its supporters for the whole period."""
    since = {"campaign": OuterRef("pk")}
    return Campaign.objects.filter(
        status__in=[Campaign.Status.WON, Campaign.Status.LOST], ended_at__lt=cutoff
    ).exclude(
        Exists(
            Signup.objects.filter(Q(created_at__gte=cutoff) | Q(confirmed_at__gte=cutoff), **since)
        )
        | Exists(ActionTaken.objects.filter(ask__campaign=OuterRef("pk"), taken_at__gte=cutoff))
        | Exists(SupporterUpdate.objects.filter(sent_at__gte=cutoff, **since))
    )


def unconfirmed_signups_retain(cutoff):
    """Delete the sign-ups never confirmed made before ``cutoff``, with their emails;
    returns how many went."""
    unconfirmed = Signup.objects.filter(status=Signup.Status.PENDING, created_at__lt=cutoff)
    messages_keyed("action:signup:", unconfirmed).delete()
    deleted, _ = Signup.objects.filter(pk__in=unconfirmed.values("pk")).delete()
    return deleted


def campaign_signups_retain(cutoff):
    """Anonymise the sign-ups of campaigns ended before ``cutoff`` and the actions taken on
    them (each still counts), delete the sign-ups of those campaigns never confirmed and the
    updates sent to their supporters; returns how many rows changed."""
    ended = campaigns_ended(cutoff).values("pk")
    signups = Signup.objects.exclude(email__endswith=ANONYMOUS_DOMAIN)
    unconfirmed = signups.filter(status=Signup.Status.PENDING, campaign__in=ended)
    supporters = signups.filter(status=Signup.Status.CONFIRMED, campaign__in=ended)
    messages_keyed("action:signup:", unconfirmed | supporters).delete()
    # The updates to supporters (keyed by update, then sign-up) greeted them by name.
    messages_keyed("action:update:", SupporterUpdate.objects.filter(campaign__in=ended)).delete()
    actions = ActionTaken.objects.filter(ask__campaign__in=ended, person__isnull=False).update(
        person=None, note=""
    )
    deleted, _ = Signup.objects.filter(pk__in=unconfirmed.values("pk")).delete()
    anonymised = supporters.update(
        person=None,
        first_name="",
        last_name="",
        email=Concat(
            Value("signup-"),
            Cast("pk", CharField()),
            Value(ANONYMOUS_DOMAIN),
            output_field=CharField(),
        ),
        postcode="",
        comment="",
        show_name=False,
        consent_contact=False,
    )
    return actions + deleted + anonymised
