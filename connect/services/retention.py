"""How long Connect keeps who answered an event and who came: the retention rule of RSVPs,
applied nightly through the data-protection registry (``hubsite.privacy.registry``)."""

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce

from hubsite.notify.selectors import messages_keyed

from ..models import JoinRequest, Rsvp, ShiftSignup, VolunteerOffer

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


# Offers to volunteer ---------------------------------------------------------------------

OFFERS_DESCRIPTION = (
    "What a person offered to do as a volunteer (their skills, when they are free, where) is "
    "deleted this many months after it was recorded, unless they have signed up for a shift "
    "since: an offer that old is out of date, and they can make a new one. The hours "
    "volunteers gave on shifts stay, and so do the hub's counts of them."
)


def volunteer_offers_retain(cutoff):
    """Delete the offers recorded before ``cutoff`` whose person has not signed up for a
    shift since; returns how many went. An offer has no date of its last change (saving it
    again keeps its ``created_at``), so a recent place on a shift is what shows it is still
    meant."""
    active_since = ShiftSignup.objects.filter(person=OuterRef("person"), created_at__gte=cutoff)
    due = VolunteerOffer.objects.filter(created_at__lt=cutoff).exclude(Exists(active_since))
    _, deleted = VolunteerOffer.objects.filter(pk__in=due.values("pk")).delete()
    return deleted.get(VolunteerOffer._meta.label, 0)


# Requests to join a group ----------------------------------------------------------------

JOIN_REQUESTS_DESCRIPTION = (
    "A request to join a group is deleted, with the emails about it, this many months after "
    "an organiser welcomed or declined it, or after it was made if nobody ever answered it. "
    "Whoever was welcomed stays in the group: only the request goes."
)


def join_requests_retain(cutoff):
    """Delete the requests to join answered before ``cutoff``, and those still waiting made
    before it, with their emails; returns how many went."""
    answered = [JoinRequest.Status.APPROVED, JoinRequest.Status.DECLINED]
    due = JoinRequest.objects.alias(last=Coalesce("decided_at", "created_at")).filter(
        Q(status__in=answered, last__lt=cutoff)
        | Q(status=JoinRequest.Status.PENDING, created_at__lt=cutoff)
    )
    messages_keyed("connect:join:", due).delete()
    _, deleted = JoinRequest.objects.filter(pk__in=due.values("pk")).delete()
    return deleted.get(JoinRequest._meta.label, 0)
