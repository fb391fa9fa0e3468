"""How long Connect keeps who answered an event and who came: the retention rule of RSVPs,
applied nightly through the data-protection registry (``hubsite.privacy.registry``)."""

from hubsite.notify.selectors import messages_keyed

from ..models import Rsvp

DESCRIPTION = (
    "The answers to an event (places, waiting list, cancellations) and who came or checked "
    "in are deleted this many months after the event ended, with the emails about them. The "
    "event itself stays, with its date, place and details."
)


def event_answers_retain(cutoff):
    """Delete the RSVPs of events that ended before ``cutoff`` and their emails; returns how
    many RSVPs went. An RSVP must name its person, so it cannot stay without them: the
    counts of those past events go with the rows."""
    due = Rsvp.objects.filter(event__ends_at__lt=cutoff)
    messages_keyed("connect:rsvp:", due).delete()
    count, _ = due.delete()
    return count
