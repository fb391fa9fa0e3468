"""Erasure of what Connect holds about a person (the core's personal-data registry)."""

from ..models import JoinRequest, Rsvp, ShiftSignup, VolunteerOffer
from . import rsvps


def person_data_erase(person):
    """A person's answers, attendance, offers, shifts and requests go. A place they held at
    an event still to come is given to the first in line first."""
    for rsvp in Rsvp.objects.filter(person=person, status=Rsvp.Status.CONFIRMED):
        rsvps.rsvp_cancel(rsvp=rsvp)
    Rsvp.objects.filter(person=person).delete()
    ShiftSignup.objects.filter(person=person).delete()
    VolunteerOffer.objects.filter(person=person).delete()
    JoinRequest.objects.filter(person=person).delete()
