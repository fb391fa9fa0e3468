"""How long Action keeps who signed a campaign and what they did for it: the retention rule
of sign-ups, applied nightly through the data-protection registry
(``hubsite.privacy.registry``)."""

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat, StrIndex, Substr

from hubsite.notify.models import OutboxMessage
from hubsite.notify.selectors import messages_keyed

from ..models import ActionTaken, Campaign, Signup, Story, SupporterUpdate

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


# Stories never published ----------------------------------------------------------------

STORIES_DESCRIPTION = (
    "A story that is not on the hub's website (turned down by staff, withdrawn by its teller, "
    "or never published: still waiting, or sent back for changes) is deleted this many months "
    "after anything last happened to it (it was told, or staff answered it), with its photo "
    "and the emails about it. Published stories are never deleted by this: they are the "
    "hub's public record, and only their teller can have them removed."
)

STORY_KEY_PREFIX = "action:story:"


def stories_not_published(cutoff):
    """Stories not public (``Story.is_public``: approved while the teller consents) whose last
    dated change is before ``cutoff``: when they were told, or an email about them was written
    (received, published, changes asked for, turned down: the outbox keeps a message's key
    and date after it empties it). Edits by the teller and changes of consent carry no date
    of their own, so they do not count."""
    start = len(STORY_KEY_PREFIX) + 1
    story_id = Substr(
        "key", start, StrIndex(Concat(Substr("key", start), Value(":")), Value(":")) - 1
    )
    recent_email = (
        OutboxMessage.objects.filter(key__startswith=STORY_KEY_PREFIX, created_at__gte=cutoff)
        .annotate(_story=story_id)
        .filter(_story=Cast(OuterRef("pk"), CharField()))
    )
    return (
        Story.objects.exclude(status=Story.Status.APPROVED, consent_to_publish=True)
        .filter(created_at__lt=cutoff)
        .exclude(Exists(recent_email))
    )


def stories_not_published_retain(cutoff):
    """Delete the stories not published and untouched since ``cutoff`` with their emails and,
    once the run is committed, their photos' files; returns how many stories went."""
    due = Story.objects.filter(pk__in=stories_not_published(cutoff).values("pk"))
    photos = [name for name in due.values_list("photo", flat=True) if name]
    messages_keyed(STORY_KEY_PREFIX, due).delete()
    _, deleted = due.delete()
    if photos:
        storage = Story._meta.get_field("photo").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in photos])
    return deleted.get(Story._meta.label, 0)
