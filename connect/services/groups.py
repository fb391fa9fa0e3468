"""Writes of joining groups: someone asks from a group's public page (with or without an
account), the group's organisers are told, and an organiser or hub staff welcome or decline.

Asking again while a request waits changes nothing: the database holds one pending request
per group and person, and a second ask returns the first. Every email is an outbox row with
a key naming the request, so none is ever written twice."""

from contextlib import suppress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue, site_url
from hubsite.people.models import Consent, GroupMembership, Person
from hubsite.people.rules import can_manage_group
from hubsite.people.selectors import consent_given, person_by_email
from hubsite.people.services import consent_record, group_member_add, person_create

from ..models import JoinRequest
from ..rules import ORGANISING_ROLES
from .rsvps import contact_confirm_url, contact_to_confirm

# Subject, category and template of each email. The answers to a person's own request need
# no contact consent; telling organisers is part of the role they hold.
EMAILS = {
    "received": (
        "Your request to join {group}",
        OutboxMessage.Category.ACCOUNT,
        "connect/email/join_received.txt",
    ),
    "approved": (
        "Welcome to {group}",
        OutboxMessage.Category.ACCOUNT,
        "connect/email/join_answer.txt",
    ),
    "declined": (
        "Your request to join {group}",
        OutboxMessage.Category.ACCOUNT,
        "connect/email/join_answer.txt",
    ),
    "organiser": (
        "{person} asks to join {group}",
        OutboxMessage.Category.WORK,
        "connect/email/join_organiser.txt",
    ),
}


def _email(join_request, purpose, recipient, *, keep_posted=False):
    """Queue one email; with ``keep_posted``, it carries the link that confirms consent to
    be contacted (see ``rsvps.contact_confirm``)."""
    if not recipient.email:
        return None
    subject, category, template = EMAILS[purpose]
    group = join_request.group
    context = {
        "recipient": recipient,
        "join_request": join_request,
        "person": join_request.person,
        "group": group,
        "purpose": purpose,
        "group_url": site_url() + reverse("connect:group_page", args=[group.slug]),
        "groups_url": site_url() + reverse("connect:group_list"),
        "requests_url": site_url() + reverse("connect:join_requests"),
        "hub_name": settings.HUB_NAME,
        "keep_posted_url": contact_confirm_url(recipient, group.name) if keep_posted else "",
    }
    subject = subject.format(group=group.name, person=join_request.person.full_name)
    subject = " ".join(subject.split())  # a name typed with a line break must not break a header
    return message_queue(
        key=f"connect:join:{join_request.pk}:{purpose}:{recipient.pk}",
        to_email=recipient.email,
        subject=f"[{settings.HUB_NAME}] {subject}",
        body_text=render_to_string(template, context),
        person=recipient,
        category=category,
    )


def _tell_organisers(join_request):
    organisers = Person.objects.filter(
        memberships__group=join_request.group, memberships__role__in=ORGANISING_ROLES
    ).exclude(email="")
    for organiser in organisers.order_by("pk"):
        _email(join_request, "organiser", organiser)


def _person_for(*, user, first_name, last_name, email):
    """Who is asking: the signed-in person, or the one the hub knows by this email, or a new
    one; never a duplicate."""
    person = getattr(user, "person", None) if user is not None and user.is_authenticated else None
    if person is not None:
        return person
    email = (email or "").strip().lower()
    errors = {}
    if not (first_name or "").strip():
        errors["first_name"] = "Enter your first name."
    if not email:
        errors["email"] = "Enter your email address."
    if errors:
        raise ValidationError(errors)
    known = person_by_email(email)
    if known is not None:
        return known
    try:
        with transaction.atomic():
            return person_create(
                first_name=first_name.strip(),
                last_name=(last_name or "").strip(),
                email=email,
                first_contact=Person.FirstContact.ONLINE,
            )
    except ValidationError:  # the same address arrived a moment ago
        known = person_by_email(email)
        if known is None:
            raise
        return known


@transaction.atomic
def join_request_create(
    *, group, first_name="", last_name="", email="", message="", consent_contact=False, user=None
):
    """Ask to join a public group. Returns the pending request: a new one (the organisers are
    emailed and the person gets an acknowledgement), or the one already waiting."""
    if not group.public:
        raise ValidationError("This group does not take requests to join.")
    signed_in = bool(user is not None and user.is_authenticated and getattr(user, "person", None))
    person = _person_for(user=user, first_name=first_name, last_name=last_name, email=email)
    if GroupMembership.objects.filter(group=group, person=person).exists():
        raise ValidationError("You are already in this group.", code="already_member")
    # Only the person themself can agree to be contacted. Signed in, they have; anyone else
    # may have typed someone else's address, so the acknowledgement asks its owner to confirm.
    if signed_in and consent_contact and not consent_given(person, Consent.Purpose.CONTACT_EMAIL):
        consent_record(
            person=person,
            purpose=Consent.Purpose.CONTACT_EMAIL,
            given=True,
            method=Consent.Method.ONLINE,
            note=f"When asking to join “{group.name}”",
        )
    pending = JoinRequest.objects.filter(
        group=group, person=person, status=JoinRequest.Status.PENDING
    )
    existing = pending.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(
                group=group, person=person, message=(message or "").strip()
            )
    except IntegrityError:  # the same person asked a moment ago, in another request
        return pending.get()
    join_request.group, join_request.person = group, person
    keep_posted = contact_to_confirm(person, ticked=consent_contact, signed_in=signed_in)
    _email(join_request, "received", person, keep_posted=keep_posted)
    _tell_organisers(join_request)
    return join_request


@transaction.atomic
def join_request_decide(*, request, approve, decided_by):
    """Welcome (the person becomes a member of the group) or decline a request, and tell the
    person. A request already answered is returned as it is."""
    join_request = (
        JoinRequest.objects.select_for_update().select_related("group", "person").get(pk=request.pk)
    )
    if not can_manage_group(decided_by, join_request.group):
        raise ValidationError("Only the group's organisers or hub staff can answer this request.")
    if join_request.status != JoinRequest.Status.PENDING:
        return join_request
    group, person = join_request.group, join_request.person
    if approve and not GroupMembership.objects.filter(group=group, person=person).exists():
        # Added to the group a moment ago by someone else: they are welcome all the same.
        with suppress(ValidationError):
            group_member_add(group=group, person=person, role=GroupMembership.Role.MEMBER)
    join_request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    join_request.decided_at = timezone.now()
    join_request.decided_by = decided_by
    join_request.save(update_fields=["status", "decided_at", "decided_by"])
    _email(join_request, "approved" if approve else "declined", person)
    return join_request
