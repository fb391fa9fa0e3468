"""Writes of RSVPs: answer (a place, or the waiting list when full), cancel (by a signed link,
no login), promote the waiting list, and the emails that go with each. Also the "keep me
posted" link those emails (and a join request's) carry: consent ticked on a public form is
recorded only when confirmed from the address itself (double opt-in).

Capacity holds under concurrency: every change to an event's places first locks the event's
row (``select_for_update``), so two people racing for the last place are served one after
the other and never both get it."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue, site_url
from hubsite.people.models import Consent, Person
from hubsite.people.selectors import consent_given, person_by_email
from hubsite.people.services import consent_record, person_create

from ..models import Event, Rsvp
from ..selectors.events import event_visible

CANCEL_SALT = "connect.rsvp-cancel"
CONTACT_SALT = "connect.contact-confirm"
# How long a "keep me posted" link works.
CONTACT_MAX_AGE = 60 * 60 * 24 * 30
ANSWER_FORMAT = "%Y%m%d%H%M%S%f"
ONCE_PER_EVENT = {"reminder", "after"}

# What each email is about: subject and template. Answers a person asked for need no contact
# consent; reminders and the follow-up do (see ``notify``'s categories).
EMAILS = {
    "confirmed": ("Your place: {event}", OutboxMessage.Category.ACCOUNT),
    "waiting": ("You are on the waiting list: {event}", OutboxMessage.Category.ACCOUNT),
    "promoted": ("A place has come up for you: {event}", OutboxMessage.Category.ACCOUNT),
    "cancelled": ("Cancelled: {event}", OutboxMessage.Category.ACCOUNT),
    "reminder": ("Reminder: {event}", OutboxMessage.Category.CONTACT),
    "after": ("What happened next: {event}", OutboxMessage.Category.CONTACT),
}


def cancel_token(rsvp):
    """A signed token for the cancel link; it names the answer it was sent for, so a link
    from an earlier answer cannot cancel a later one."""
    return signing.dumps(
        {"rsvp": rsvp.pk, "at": rsvp.responded_at.isoformat()}, salt=CANCEL_SALT, compress=True
    )


def rsvp_from_token(token):
    """The RSVP a cancel link is for, or None when the link is broken or out of date."""
    try:
        data = signing.loads(token, salt=CANCEL_SALT)
    except signing.BadSignature:
        return None
    rsvp = (
        Rsvp.objects.select_related("event", "person").filter(pk=data.get("rsvp")).first()
        if isinstance(data, dict)
        else None
    )
    if rsvp is None or rsvp.responded_at.isoformat() != data.get("at"):
        return None
    return rsvp


# Keeping posted (double opt-in) ---------------------------------------------------------


def _address_mark(email):
    """Stands for an address in a link without showing it (links end up in logs)."""
    return salted_hmac(CONTACT_SALT, email.strip().lower(), algorithm="sha256").hexdigest()[:20]


def contact_confirm_token(person, about):
    """A signed token for the "Yes, keep me posted" link: it names the person, the consent
    asked for, the address it is sent to and what the email was about."""
    return signing.dumps(
        {
            "person": person.pk,
            "purpose": Consent.Purpose.CONTACT_EMAIL,
            "address": _address_mark(person.email),
            "about": about,
        },
        salt=CONTACT_SALT,
        compress=True,
    )


def contact_confirm_url(person, about):
    token = contact_confirm_token(person, about)
    return site_url() + reverse("connect:contact_confirm", args=[token])


def contact_from_token(token):
    """``(person, about)`` for a "keep me posted" link, or None when the link is broken, too
    old, or the person no longer has the address it was sent to (it must speak for them)."""
    try:
        data = signing.loads(token, salt=CONTACT_SALT, max_age=CONTACT_MAX_AGE)
    except signing.BadSignature:  # an expired link too (SignatureExpired)
        return None
    if not isinstance(data, dict) or data.get("purpose") != Consent.Purpose.CONTACT_EMAIL:
        return None
    pk, address = data.get("person"), data.get("address")
    if not isinstance(pk, int) or not isinstance(address, str) or not address:
        return None
    person = Person.objects.filter(pk=pk).exclude(email="").first()
    if person is None or not constant_time_compare(_address_mark(person.email), address):
        return None
    return person, str(data.get("about") or "")


@transaction.atomic
def contact_confirm(*, person, about):
    """Record the consent to be contacted by email that the person confirmed from the link
    sent to their address. Returns the new consent, or None when it was already given
    (confirming twice records once)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if consent_given(person, Consent.Purpose.CONTACT_EMAIL):
        return None
    return consent_record(
        person=person,
        purpose=Consent.Purpose.CONTACT_EMAIL,
        given=True,
        method=Consent.Method.ONLINE,
        note=f"Confirmed from the email about “{about}”",
    )


def contact_to_confirm(person, *, ticked, signed_in, new=False):
    """Whether the email about to go should carry the "keep me posted" link: the box was
    ticked by someone not signed in (a visitor may type anyone's address), and the person
    has not agreed already (a ``new`` person, just added, has agreed to nothing yet)."""
    return bool(
        ticked
        and not signed_in
        and person.email
        and (new or not consent_given(person, Consent.Purpose.CONTACT_EMAIL))
    )


# Emails ----------------------------------------------------------------------------------


def notify(rsvp, purpose, *, keep_posted=False):
    """Queue the email for ``purpose`` about ``rsvp`` (once: the key names the answer);
    with ``keep_posted``, it carries the link to confirm consent to be contacted."""
    subject, category = EMAILS[purpose]
    event = rsvp.event
    person = rsvp.person
    if not person.email:
        return None
    context = {
        "person": person,
        "event": event,
        "rsvp": rsvp,
        "purpose": purpose,
        "event_url": site_url() + event.get_absolute_url(),
        "cancel_url": site_url() + reverse("connect:rsvp_cancel", args=[cancel_token(rsvp)]),
        "hub_name": settings.HUB_NAME,
        "keep_posted_url": contact_confirm_url(person, event.title) if keep_posted else "",
    }
    if purpose == "after":
        from ..selectors.events import next_event_after

        following = next_event_after(event)
        context["next_event"] = following
        context["next_url"] = site_url() + following.get_absolute_url() if following else ""
    # Answers are keyed by the moment of answering (a new answer after cancelling gets its
    # own confirmation); a reminder and a follow-up go once per person and event, whatever.
    answer = "once" if purpose in ONCE_PER_EVENT else rsvp.responded_at.strftime(ANSWER_FORMAT)
    return message_queue(
        key=f"connect:rsvp:{rsvp.pk}:{purpose}:{answer}",
        to_email=person.email,
        subject=f"[{settings.HUB_NAME}] " + subject.format(event=event.title),
        body_text=render_to_string("connect/email/rsvp.txt", context),
        person=person,
        category=category,
    )


def _person_for(*, user, first_name, last_name, email):
    """The person answering and whether they are new: the signed-in person, or the one the
    hub knows by this email, or a new one; never a duplicate."""
    person = getattr(user, "person", None) if user is not None and user.is_authenticated else None
    if person is not None:
        return person, False
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": "Enter your email address."})
    if not (first_name or "").strip():
        raise ValidationError({"first_name": "Enter your first name."})
    known = person_by_email(email)
    if known is not None:
        return known, False
    try:
        # Atomic itself: when it refuses, what it began is undone and our transaction goes on.
        person = person_create(
            first_name=first_name.strip(),
            last_name=(last_name or "").strip(),
            email=email,
            first_contact=Person.FirstContact.EVENT,
        )
    except ValidationError:  # the same address arrived a moment ago
        known = person_by_email(email)
        if known is None:
            raise
        return known, False
    return person, True


def _place_for(event):
    """A place, or the waiting list: places are counted only when they are limited."""
    if event.capacity is None:
        return Rsvp.Status.CONFIRMED
    confirmed = Rsvp.objects.filter(event=event, status=Rsvp.Status.CONFIRMED).count()
    return Rsvp.Status.CONFIRMED if confirmed < event.capacity else Rsvp.Status.WAITING


def _event_locked(event, user):
    """``event`` read again with its row locked to the end of the transaction. Given by its
    id, it is one ``user`` may see (``Event.DoesNotExist`` otherwise), found and locked in
    the same query."""
    if isinstance(event, Event):
        return Event.objects.select_for_update().get(pk=event.pk)
    return event_visible(user or AnonymousUser()).select_for_update().get(pk=event)


@transaction.atomic
def rsvp_create(*, event, first_name="", last_name="", email="", consent_contact=False, user=None):
    """Answer an event (an Event, or the id of one ``user`` may see). Returns ``(rsvp,
    created)``: answering again while holding a place or waiting changes nothing
    (``created`` is False). The event's row is locked first, so a cancelled or past event
    is refused before anyone is added."""
    signed_in = bool(user is not None and user.is_authenticated and getattr(user, "person", None))
    event = _event_locked(event, user)
    if event.status == Event.Status.CANCELLED:
        raise ValidationError("This event has been cancelled.")
    if event.ends_at <= timezone.now():
        raise ValidationError("This event has already happened.")
    person, new = _person_for(user=user, first_name=first_name, last_name=last_name, email=email)
    # Only the person themself can agree to be contacted. Signed in, they have; anyone else
    # may have typed someone else's address, so the email asks its owner to confirm.
    if consent_contact and signed_in:
        consent_record(
            person=person,
            purpose=Consent.Purpose.CONTACT_EMAIL,
            given=True,
            method=Consent.Method.ONLINE,
            note=f"When answering “{event.title}”",
        )
    # Someone just added has never answered.
    rsvp = None if new else Rsvp.objects.filter(event=event, person=person).first()
    if rsvp is not None and rsvp.status != Rsvp.Status.CANCELLED:
        rsvp.event = event
        return rsvp, False
    status = _place_for(event)
    if rsvp is None:
        rsvp = Rsvp.objects.create(event=event, person=person, status=status)
    else:  # back after cancelling: the end of the queue
        rsvp.status, rsvp.responded_at, rsvp.cancelled_at = status, timezone.now(), None
        rsvp.save(update_fields=["status", "responded_at", "cancelled_at"])
    rsvp.event = event
    notify(
        rsvp,
        "confirmed" if status == Rsvp.Status.CONFIRMED else "waiting",
        keep_posted=contact_to_confirm(
            person, ticked=consent_contact, signed_in=signed_in, new=new
        ),
    )
    return rsvp, True


@transaction.atomic
def rsvp_cancel(*, rsvp):
    """Give up a place (or leave the waiting list); the first in line gets the place."""
    event = Event.objects.select_for_update().get(pk=rsvp.event_id)
    rsvp = Rsvp.objects.select_related("person").get(pk=rsvp.pk)
    if rsvp.status == Rsvp.Status.CANCELLED:
        return rsvp
    if event.ends_at <= timezone.now():
        raise ValidationError("This event has already happened: there is nothing to cancel.")
    rsvp.status, rsvp.cancelled_at = Rsvp.Status.CANCELLED, timezone.now()
    rsvp.save(update_fields=["status", "cancelled_at"])
    rsvp.event = event
    promote_waiting(event)
    return rsvp


def promote_waiting(event):
    """Give free places to the waiting list, first come first served, each with an email.
    Call with the event's row locked (inside the caller's transaction)."""
    if event.status == Event.Status.CANCELLED or event.ends_at <= timezone.now():
        return []
    waiting = Rsvp.objects.filter(event=event, status=Rsvp.Status.WAITING).select_related("person")
    if event.capacity is not None:
        confirmed = Rsvp.objects.filter(event=event, status=Rsvp.Status.CONFIRMED).count()
        waiting = waiting.order_by("responded_at", "id")[: max(event.capacity - confirmed, 0)]
    promoted = list(waiting)
    for rsvp in promoted:
        rsvp.status = Rsvp.Status.CONFIRMED
        rsvp.save(update_fields=["status"])
        rsvp.event = event
        notify(rsvp, "promoted")
    return promoted


def rsvp_remind(*, rsvp_id):
    """The reminder before the event, to a person with a place (once; consent checked)."""
    rsvp = (
        Rsvp.objects.select_related("event", "person")
        .filter(pk=rsvp_id, status=Rsvp.Status.CONFIRMED, event__status=Event.Status.SCHEDULED)
        .first()
    )
    if rsvp is None or rsvp.event.starts_at <= timezone.now():
        return None
    return notify(rsvp, "reminder")


def rsvp_follow_up(*, rsvp_id):
    """ "What happened next", after the event, to those who had a place and did not miss it."""
    rsvp = (
        Rsvp.objects.select_related("event", "person")
        .filter(pk=rsvp_id, status=Rsvp.Status.CONFIRMED, event__status=Event.Status.SCHEDULED)
        .exclude(attendance=Rsvp.Attendance.NO_SHOW)
        .first()
    )
    if rsvp is None or rsvp.event.ends_at > timezone.now():
        return None
    return notify(rsvp, "after")


def message_still_wanted(message):
    """The outbox's last check before sending an RSVP email (``notify.registry``): nothing
    goes to an answer cancelled since, and reminders only to a place at an event still on."""
    try:
        _, _, pk, purpose, answer = message.key.split(":")
        rsvp = Rsvp.objects.select_related("event").filter(pk=int(pk)).first()
    except ValueError:
        return True
    if rsvp is None:
        return False
    if purpose == "cancelled":
        return True
    if rsvp.status == Rsvp.Status.CANCELLED or rsvp.event.status == Event.Status.CANCELLED:
        return False
    if purpose not in ONCE_PER_EVENT and answer != rsvp.responded_at.strftime(ANSWER_FORMAT):
        return False  # about an earlier answer
    if purpose == "waiting":
        return rsvp.status == Rsvp.Status.WAITING
    if purpose in ("reminder", "after", "promoted"):
        return rsvp.status == Rsvp.Status.CONFIRMED
    return True
