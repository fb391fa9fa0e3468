"""Erasure of what Connect holds about a person (the core's personal-data registry)."""

from django.utils import timezone

from hubsite.notify.models import OutboxMessage

from ..models import JoinRequest, Rsvp, ShiftSignup, VolunteerOffer
from . import rsvps


def person_data_erase(person):
    """A person's offers, shifts and requests go, and their answers to events still to come
    (a place they held is given to the first in line first). Their answers to events now over
    stay without them, so each event's count of places and of who came is unchanged."""
    upcoming = Rsvp.objects.filter(
        person=person, status=Rsvp.Status.CONFIRMED, event__ends_at__gt=timezone.now()
    )
    for rsvp in upcoming:
        rsvps.rsvp_cancel(rsvp=rsvp)
    # What organisers were told about their requests named them: those emails go too.
    for pk in JoinRequest.objects.filter(person=person).values_list("pk", flat=True):
        OutboxMessage.objects.filter(key__startswith=f"connect:join:{pk}:").delete()
    # Answers to events now over stay as anonymous counts (places taken, who came); those to
    # events still to come go.
    answers = Rsvp.objects.filter(person=person)
    answers.filter(event__ends_at__lte=timezone.now()).update(person=None)
    answers.delete()
    ShiftSignup.objects.filter(person=person).delete()
    VolunteerOffer.objects.filter(person=person).delete()
    JoinRequest.objects.filter(person=person).delete()
