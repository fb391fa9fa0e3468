"""Erasure of what Connect holds about a person (the core's personal-data registry)."""

from django.utils import timezone

from hubsite.notify.models import OutboxMessage

from ..models import JoinRequest, Rsvp, ShiftSignup, VolunteerOffer
from . import rsvps


def person_data_erase(person):
    """A person's offers and requests go, and their answers to events still to come (a place
    they held is given to the first in line first) and their places on shifts. Their answers
    to events now over stay without them, so each event's count of places and of who came is
    unchanged; so do their places on shifts with hours logged, so the hours given (this
    month's on the dashboard) are unchanged."""
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
    # Hours given stay as counts (only a place held, on a shift now over, has hours); places
    # on shifts to come, given back, or without hours go.
    shifts = ShiftSignup.objects.filter(person=person)
    shifts.filter(status=ShiftSignup.Status.SIGNED_UP, hours__isnull=False).update(person=None)
    shifts.delete()
    VolunteerOffer.objects.filter(person=person).delete()
    JoinRequest.objects.filter(person=person).delete()
