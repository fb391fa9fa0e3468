"""Writes of check-in: who came to an event, recorded apart from their RSVP's status (a place,
the waiting list, cancelled), so that "had a place" and "came" can be counted separately."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from hubsite.people.models import Consent, Person
from hubsite.people.selectors import person_by_email
from hubsite.people.services import consent_record, person_create

from ..models import Event, Rsvp


def _locked_event(event):
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status == Event.Status.CANCELLED:
        raise ValidationError("This event has been cancelled.")
    return event


def _arrived(rsvp, now):
    if rsvp.attendance != Rsvp.Attendance.ATTENDED:
        rsvp.attendance, rsvp.checked_in_at = Rsvp.Attendance.ATTENDED, now


@transaction.atomic
def attendance_mark(*, rsvp, attended: bool):
    """Mark a person with a place as arrived, or undo it (back to "not recorded", so a slip
    of the finger costs nothing). Marking twice keeps the first arrival time."""
    rsvp = Rsvp.objects.select_for_update(of=("self",)).select_related("person").get(pk=rsvp.pk)
    if rsvp.status != Rsvp.Status.CONFIRMED:
        raise ValidationError(
            f"{rsvp.person} no longer has a place: add them as a walk-in if they are here."
        )
    if attended:
        _arrived(rsvp, timezone.now())
    else:
        rsvp.attendance, rsvp.checked_in_at = Rsvp.Attendance.UNKNOWN, None
    rsvp.save(update_fields=["attendance", "checked_in_at"])
    return rsvp


def _walk_in_person(*, first_name, last_name, email):
    """The person the hub knows by this email, or a new one; never a duplicate. Without an
    email there is nothing to match on, so a new person is added."""
    known = person_by_email(email)
    if known is not None:
        return known
    try:
        with transaction.atomic():
            return person_create(
                first_name=first_name,
                last_name=last_name,
                email=email,
                first_contact=Person.FirstContact.EVENT,
            )
    except ValidationError:  # the same address arrived a moment ago
        known = person_by_email(email)
        if known is None:
            raise
        return known


@transaction.atomic
def walk_in_add(
    *, event, first_name, last_name="", email="", consent_contact=False, recorded_by=None
):
    """Someone at the door without a place: find them by email (or add them), give them a
    place and mark them arrived. Returns ``(rsvp, created)``.

    A person who had already answered keeps their one RSVP: it becomes a place, marked
    arrived (``walk_in`` is set only if they had no place). Capacity does not block a walk-in:
    they are already in the room, so the event may end up with more places taken than it
    offered. No email is sent; ``consent_contact`` records that they agreed, in person, to
    hear from the hub."""
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    email = (email or "").strip().lower()
    errors = {}
    if not first_name:
        errors["first_name"] = "Enter their first name."
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = (
                "Enter a valid email address, like name@example.com, or leave it empty."
            )
    elif consent_contact:
        errors["email"] = "Give their email address, so the hub can write to them."
    if errors:
        raise ValidationError(errors)
    event = _locked_event(event)
    person = _walk_in_person(first_name=first_name, last_name=last_name, email=email)
    if consent_contact:
        consent_record(
            person=person,
            purpose=Consent.Purpose.CONTACT_EMAIL,
            given=True,
            method=Consent.Method.VERBAL,
            recorded_by=recorded_by,
            note=f"At the door of “{event.title}”",
        )
    now = timezone.now()
    rsvp = Rsvp.objects.select_for_update().filter(event=event, person=person).first()
    created = rsvp is None
    if created:
        rsvp = Rsvp(event=event, person=person, status=Rsvp.Status.CONFIRMED, walk_in=True)
    elif rsvp.status != Rsvp.Status.CONFIRMED:  # waiting, or cancelled, and came anyway
        rsvp.status, rsvp.walk_in, rsvp.cancelled_at = Rsvp.Status.CONFIRMED, True, None
        rsvp.responded_at = now  # an old cancel link no longer applies
    _arrived(rsvp, now)
    rsvp.save()
    rsvp.event, rsvp.person = event, person
    return rsvp, created


@transaction.atomic
def no_shows_record(*, event):
    """Once the event has started, record everyone with a place who has not arrived as not
    come. Safe to run again (only the unrecorded change); a late arrival is still marked
    arrived over it. Returns how many were recorded."""
    event = _locked_event(event)
    if event.starts_at > timezone.now():
        raise ValidationError("You can record who did not come once the event has started.")
    return Rsvp.objects.filter(
        event=event, status=Rsvp.Status.CONFIRMED, attendance=Rsvp.Attendance.UNKNOWN
    ).update(attendance=Rsvp.Attendance.NO_SHOW)
