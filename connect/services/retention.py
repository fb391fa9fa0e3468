"""How long Connect keeps who answered an event and who came: the retention rule of RSVPs,
applied nightly through the data-protection registry (``hubsite.privacy.registry``)."""

from hubsite.notify.selectors import messages_keyed

from ..models import Rsvp

DESCRIPTION = (
    "The answers to an event (places, waiting list, cancellations) and who came or checked "
    "in lose the person this many months after the event ended, and the emails about them "
    "go. The event stays, with its date, place, details and its counts of places and of who "
    "came."
)


def event_answers_retain(cutoff):
    """Take the person off the RSVPs of events that ended before ``cutoff``, and delete the
    emails about them; returns how many RSVPs changed. The rows stay, as counts."""
    due = Rsvp.objects.filter(event__ends_at__lt=cutoff, person__isnull=False)
    messages_keyed("connect:rsvp:", due).delete()
    return due.update(person=None)
