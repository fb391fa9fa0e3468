"""Erasure of what Connect holds about a person (the core's personal-data registry)."""

from django.utils import timezone

from hubsite.notify.models import OutboxMessage

from ..models import JoinRequest, Rsvp, ShiftSignup, VolunteerOffer
from . import rsvps


def person_data_erase(person):
    """A person's answers, attendance, offers, shifts and requests go. A place they held at
    an event still to come is given to the first in line first."""
    upcoming = Rsvp.objects.filter(
        person=person, status=Rsvp.Status.CONFIRMED, event__ends_at__gt=timezone.now()
    )
    for rsvp in upcoming:
        rsvps.rsvp_cancel(rsvp=rsvp)
    # What organisers were told about their requests named them: those emails go too.
    for pk in JoinRequest.objects.filter(person=person).values_list("pk", flat=True):
        OutboxMessage.objects.filter(key__startswith=f"connect:join:{pk}:").delete()
    Rsvp.objects.filter(person=person).delete()
    ShiftSignup.objects.filter(person=person).delete()
    VolunteerOffer.objects.filter(person=person).delete()
    JoinRequest.objects.filter(person=person).delete()
