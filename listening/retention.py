"""How long Listening keeps what people said: the retention rule of conversations, applied
nightly through the data-protection registry (``hubsite.privacy.registry``)."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from hubsite.people.models import Consent

from .models import Conversation
from .services import conversations_anonymise

DESCRIPTION = (
    "A person's conversations are anonymised when the hub has not spoken with them for this "
    "many months (their latest conversation was before then), unless since then they have "
    "said again that the hub may keep a record of what they shared. Anonymous conversations "
    "older than this lose their words too. What they said, their notes, the place and the "
    "link to the person go, with the follow-ups promised to them; the date, area, method, "
    "willingness and themes stay, so the theme counts do not change."
)

KEEP_RECORD = Consent.Purpose.KEEP_RECORD


def _consent_renewed(cutoff):
    """The conversation's person said "keep my record" after ``cutoff`` and has not
    withdrawn it since."""
    withdrawn_after = Consent.objects.filter(
        person=OuterRef("person"),
        purpose=KEEP_RECORD,
        given=False,
        recorded_at__gt=OuterRef("recorded_at"),
    )
    return Exists(
        Consent.objects.filter(
            person=OuterRef("person"), purpose=KEEP_RECORD, given=True, recorded_at__gte=cutoff
        ).exclude(Exists(withdrawn_after))
    )


def conversations_due(cutoff):
    """Conversations not yet anonymised whose time ran out before ``cutoff``."""
    day = timezone.localtime(cutoff).date()
    spoken_since = Conversation.objects.filter(person=OuterRef("person"), held_on__gte=day)
    return Conversation.objects.filter(anonymised_at__isnull=True, held_on__lt=day).filter(
        Q(person__isnull=True) | (~Exists(spoken_since) & ~_consent_renewed(cutoff))
    )


def conversations_retain(cutoff):
    """Anonymise the conversations past their time, as erasing their person does, in a
    fixed number of queries; returns how many."""
    return conversations_anonymise(conversations_due(cutoff))
