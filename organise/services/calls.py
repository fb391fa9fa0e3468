"""Writes of calls to action: writing one to a segment (with at most one ask, an event or a
campaign), checking it (the recipients, the email as sent, a test to oneself), sending it
now or at a set time, stopping it; and the answers and unsubscribes from its links.

Sending is modelled on the updates to a campaign's supporters (action.services.updates):
Celery writes the copies in batches, one transaction each, in the order of the people's ids.
Each person's copy is a Delivery row (unique per call and person) and an outbox message
with a key naming both, so a batch run twice (a task delivered again, a worker that died
mid-batch, the beat tick starting a stalled call again) writes nothing twice. Each batch
moves the call's cursor (the last person id it went through) and stamps ``last_batch_at``;
the next batch, whichever task runs it, carries on from the cursor."""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue, site_url
from hubsite.people.models import Consent
from hubsite.people.selectors import consent_given
from hubsite.people.services import consent_record

from ..models import CallToAction, Delivery
from ..selectors.calls import (
    KEY_PREFIX,
    call_recipients,
    call_recipients_preview,
    campaigns_to_ask,
    events_to_ask,
)

log = logging.getLogger(__name__)

SUBJECT_MAX_LENGTH = CallToAction._meta.get_field("subject").max_length
BODY_MAX_LENGTH = 10_000
# People whose copies one task writes in one transaction.
BATCH_SIZE = 200
TEST_KEY_PREFIX = "organise:call-test:"
RESPOND_SALT = "organise.call-respond"
UNSUBSCRIBE_SALT = "organise.call-unsubscribe"
# How far ahead a call may be scheduled.
LONGEST_SCHEDULE_DAYS = 366


def call_key(call, person):
    return f"{KEY_PREFIX}{call.pk}:{person.pk}"


# Writing a call ------------------------------------------------------------------------------


def _clean(subject, body):
    """The rules of a call's words, whatever the form let through: a one-line subject (a
    line break would break the email's headers) and a body of bounded length."""
    subject = " ".join((subject or "").split())
    body = (body or "").strip().replace("\r\n", "\n")
    errors = {}
    if not subject:
        errors["subject"] = "Write a subject: it is what people see in their inbox."
    elif len(subject) > SUBJECT_MAX_LENGTH:
        errors["subject"] = f"Keep the subject to {SUBJECT_MAX_LENGTH} characters."
    if not body:
        errors["body"] = "Write the message itself."
    elif len(body) > BODY_MAX_LENGTH:
        errors["body"] = f"Keep the message to {BODY_MAX_LENGTH:,} characters."
    if errors:
        raise ValidationError(errors)
    return subject, body


def check_ask(event, campaign):
    """At most one ask, and one people can still act on: an event still to come whose page
    they can open, or a campaign still open to signatures."""
    if event is not None and campaign is not None:
        raise ValidationError({"campaign": "Ask for one thing: an event or a campaign, not both."})
    if event is not None and not events_to_ask().filter(pk=event.pk).exists():
        raise ValidationError(
            {
                "event": "This event cannot be asked for: it has started, was cancelled, or "
                "its page is only for its group."
            }
        )
    if campaign is not None and not campaigns_to_ask().filter(pk=campaign.pk).exists():
        raise ValidationError(
            {"campaign": "This campaign cannot be asked for: it is not open to signatures."}
        )


def _check_draft(call):
    if call.status != CallToAction.Status.DRAFT:
        raise ValidationError(
            "This call has already been sent or scheduled; it can no longer change."
        )


@transaction.atomic
def call_create(*, segment, created_by, subject, body, event=None, campaign=None):
    subject, body = _clean(subject, body)
    check_ask(event, campaign)
    return CallToAction.objects.create(
        segment=segment,
        subject=subject,
        body=body,
        event=event,
        campaign=campaign,
        created_by=created_by,
        reply_to=getattr(created_by, "email", "") or "",
    )


@transaction.atomic
def call_edit(*, call, subject, body, event=None, campaign=None):
    call = CallToAction.objects.select_for_update().get(pk=call.pk)
    _check_draft(call)
    call.subject, call.body = _clean(subject, body)
    check_ask(event, campaign)
    call.event, call.campaign = event, campaign
    call.save(update_fields=["subject", "body", "event", "campaign"])
    return call


# The email -----------------------------------------------------------------------------------


def respond_token(delivery, answer):
    return signing.dumps({"delivery": delivery.pk, "answer": answer}, salt=RESPOND_SALT)


def unsubscribe_token(delivery):
    return signing.dumps({"delivery": delivery.pk}, salt=UNSUBSCRIBE_SALT)


def delivery_from_token(token, *, salt):
    """The Delivery a signed link names and what the link said (``{"answer": …}``), or
    ``(None, {})`` for a link that was not copied whole or was tampered with."""
    try:
        data = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None, {}
    pk = data.get("delivery") if isinstance(data, dict) else None
    if not isinstance(pk, int):
        return None, {}
    delivery = (
        Delivery.objects.select_related("call__event", "call__campaign", "person")
        .filter(pk=pk)
        .first()
    )
    return delivery, data if delivery else {}


def _subject(call):
    return f"[{settings.HUB_NAME}] {call.subject}"


def _links(respond, unsubscribe):
    base = site_url()
    return {
        "yes_url": base + reverse("organise:call_respond", args=[respond("yes")]),
        "no_url": base + reverse("organise:call_respond", args=[respond("no")]),
        "unsubscribe_url": base + reverse("organise:call_unsubscribe", args=[unsubscribe]),
    }


def _body(call, *, first_name, links, sender_name):
    return render_to_string(
        "organise/email/call.txt",
        {
            "call": call,
            "event": call.event,
            "campaign": call.campaign,
            "first_name": first_name,
            "ask_url": site_url() + call.ask.get_absolute_url() if call.ask else "",
            "sender_name": sender_name,
            "hub_name": settings.HUB_NAME,
            **links,
        },
    )


def _sender_name(call):
    person = getattr(call.created_by, "person", None) if call.created_by_id else None
    return person.full_name if person else ""


def _sample(call, viewer):
    """The email as a recipient gets it, greeting the viewer instead (their own name, no
    one else's), with links that only show where each person's own links go."""
    person = getattr(viewer, "person", None)
    return {
        "subject": _subject(call),
        "body": _body(
            call,
            first_name=person.first_name if person else "",
            links=_links(lambda answer: "sample", "sample"),
            sender_name=_sender_name(call),
        ),
    }


def call_preview(*, call, viewer):
    """What the sender checks before sending: how many it reaches, the first names, and
    the email itself."""
    return {
        "recipients": call_recipients(call).count(),
        "first_people": list(call_recipients_preview(call)),
        **_sample(call, viewer),
    }


@transaction.atomic
def call_send_test(*, call, sender):
    """Send the email to the person who asks, and only to them: once per wording (a second
    click on the same words sends nothing more)."""
    if not getattr(sender, "email", ""):
        raise ValidationError("Your account has no email address to send the test to.")
    sample = _sample(call, sender)
    wording = hashlib.sha256(
        f"{call.subject}\n{call.body}\n{call.event_id}\n{call.campaign_id}".encode()
    ).hexdigest()[:16]
    return message_queue(
        key=f"{TEST_KEY_PREFIX}{call.pk}:{sender.pk}:{wording}",
        to_email=sender.email,
        subject="[Test] " + sample["subject"],
        body_text=sample["body"],
        person=getattr(sender, "person", None),
        # They asked for it as part of the work they do for the hub.
        category=OutboxMessage.Category.WORK,
    )


# Sending -------------------------------------------------------------------------------------


def _check_reachable(call):
    if not call_recipients(call).exists():
        raise ValidationError(
            "No one in this segment can get this call: no one in it has an email address "
            "and agreed to hear from the hub by email. Change the segment's filters first."
        )


@transaction.atomic
def call_send(*, call, sender, send_at=None, batch_size=BATCH_SIZE):
    """Send the call now (the first batch is queued once the transaction commits), or
    schedule it for ``send_at`` (the beat tick starts it then). Replies go to the sender.
    A call with no one to reach, or whose ask no longer stands, is refused and stays a
    draft; so is a second send."""
    # The segment is locked too: segment_edit refuses once the call is on its way, and
    # the two take turns so that neither reads the other half-done.
    call = (
        CallToAction.objects.select_for_update(of=("self", "segment"))
        .select_related("segment__created_by", "event", "campaign")
        .get(pk=call.pk)
    )
    _check_draft(call)
    check_ask(call.event, call.campaign)
    now = timezone.now()
    if send_at is not None:
        if send_at <= now:
            raise ValidationError({"send_at": "Choose a time still to come."})
        if send_at > now + timedelta(days=LONGEST_SCHEDULE_DAYS):
            raise ValidationError({"send_at": "Choose a time within the coming year."})
    _check_reachable(call)
    call.reply_to = getattr(sender, "email", "") or call.reply_to
    if send_at is not None:
        call.status, call.send_at = CallToAction.Status.SCHEDULED, send_at
        call.save(update_fields=["status", "send_at", "reply_to"])
        return call
    call.status, call.started_at = CallToAction.Status.SENDING, now
    call.save(update_fields=["status", "started_at", "reply_to"])
    transaction.on_commit(lambda: _enqueue(call.pk, 0, batch_size))
    return call


@transaction.atomic
def call_start(*, call_id, batch_size=BATCH_SIZE, now=None):
    """Start a scheduled call whose time has come (the beat tick). One whose event was
    cancelled or has started meanwhile is cancelled rather than sent: its ask would mislead.
    Returns the call, or None when it was not due (started already, stopped, or later)."""
    now = now or timezone.now()
    call = (
        CallToAction.objects.select_for_update(of=("self", "segment"))
        .select_related("segment", "event", "campaign")
        .filter(pk=call_id, status=CallToAction.Status.SCHEDULED, send_at__lte=now)
        .first()
    )
    if call is None:
        return None
    try:
        check_ask(call.event, call.campaign)
    except ValidationError:
        log.warning("Scheduled call %s cancelled: its ask no longer stands", call.pk)
        call.status = CallToAction.Status.CANCELLED
        call.save(update_fields=["status"])
        return call
    call.status, call.started_at = CallToAction.Status.SENDING, now
    call.save(update_fields=["status", "started_at"])
    transaction.on_commit(lambda: _enqueue(call.pk, 0, batch_size))
    return call


def _enqueue(call_id, after_person_id, batch_size):
    from ..tasks.calls import call_deliver

    try:
        call_deliver.delay(call_id, after_person_id, batch_size)
    except (OperationalError, OSError):  # broker down: the beat tick starts it again
        log.warning("Could not queue call %s; it will be resumed", call_id)


def call_deliver_batch(*, call_id, after_person_id=0, batch_size=BATCH_SIZE):
    """Write the copies of the next ``batch_size`` people the call reaches (by person id,
    after the call's cursor, or ``after_person_id`` if that is further) in one transaction,
    and move the cursor there. Returns the id to continue after, or None once the call is
    sent (or is not sending). People who already have their copy are skipped, so running a
    batch again writes nothing twice; and every batch, even one that writes nothing, stamps
    ``last_batch_at``, so the beat tick knows the chain is alive."""
    with transaction.atomic():
        # The lock makes two runs for the same call (a redelivered task) take turns.
        call = (
            CallToAction.objects.select_for_update(of=("self",))
            .select_related("segment__created_by", "event", "campaign", "created_by__person")
            .filter(pk=call_id)
            .first()
        )
        if call is None or call.status != CallToAction.Status.SENDING:
            return None
        after = max(after_person_id or 0, call.cursor)
        people = list(
            call_recipients(call)
            .filter(pk__gt=after)
            .only("pk", "first_name", "email")[:batch_size]
        )
        done = set(
            Delivery.objects.filter(call=call, person__in=[p.pk for p in people]).values_list(
                "person_id", flat=True
            )
        )
        subject, sender_name = _subject(call), _sender_name(call)
        deliveries = _deliveries_create(
            call, [person for person in people if person.pk not in done]
        )
        for delivery in deliveries:
            person = delivery.person
            delivery.message = message_queue(
                key=call_key(call, person),
                to_email=person.email,
                subject=subject,
                body_text=_body(
                    call,
                    first_name=person.first_name,
                    links=_links(
                        lambda answer, d=delivery: respond_token(d, answer),
                        unsubscribe_token(delivery),
                    ),
                    sender_name=sender_name,
                ),
                person=person,
                category=OutboxMessage.Category.CONTACT,
                reply_to=call.reply_to,
            )
        Delivery.objects.bulk_update(
            [delivery for delivery in deliveries if delivery.message is not None], ["message"]
        )
        call.cursor = people[-1].pk if people else after
        call.last_batch_at = timezone.now()
        if len(people) == batch_size:
            call.save(update_fields=["cursor", "last_batch_at"])
            return call.cursor
        call.status = CallToAction.Status.SENT
        call.recipients = Delivery.objects.filter(call=call).count()
        call.sent_at = call.last_batch_at
        call.save(update_fields=["status", "recipients", "sent_at", "cursor", "last_batch_at"])
        return None


def _deliveries_create(call, people):
    """The Delivery rows of ``people`` for ``call``, in one query, with their ids."""
    if not people:
        return []
    deliveries = Delivery.objects.bulk_create(
        [Delivery(call=call, person=person) for person in people]
    )
    if deliveries[0].pk is None:  # a database that does not return the new ids
        by_person = {person.pk: person for person in people}
        deliveries = list(Delivery.objects.filter(call=call, person_id__in=by_person))
        for delivery in deliveries:
            delivery.person = by_person[delivery.person_id]
    return deliveries


@transaction.atomic
def call_cancel(*, call):
    """Stop a scheduled call, or one still sending: no more copies are written, and those
    written but not yet sent are not sent (here, and again by the outbox's last check)."""
    call = CallToAction.objects.select_for_update().get(pk=call.pk)
    if call.status not in (CallToAction.Status.SCHEDULED, CallToAction.Status.SENDING):
        raise ValidationError("Only a call that is scheduled or still sending can be stopped.")
    call.status = CallToAction.Status.CANCELLED
    call.recipients = Delivery.objects.filter(call=call).count()
    call.save(update_fields=["status", "recipients"])
    OutboxMessage.objects.filter(
        key__startswith=f"{KEY_PREFIX}{call.pk}:", status=OutboxMessage.Status.PENDING
    ).update(status=OutboxMessage.Status.CANCELLED)
    return call


def message_still_wanted(message):
    """The outbox's last check before sending a call's copy (register it for the prefix
    ``organise:call:``): the call was not stopped, the person still has their copy (their
    record was not erased since), and the copy still goes to their address (not to one
    they have changed since it was written)."""
    try:
        call_pk, person_pk = message.key.removeprefix(KEY_PREFIX).split(":")
        call_pk, person_pk = int(call_pk), int(person_pk)
    except ValueError:
        return True
    return (
        Delivery.objects.filter(
            call_id=call_pk, person_id=person_pk, person__email__iexact=message.to_email
        )
        .exclude(call__status=CallToAction.Status.CANCELLED)
        .exists()
    )


# The answers ---------------------------------------------------------------------------------


@transaction.atomic
def call_respond(*, delivery, response):
    """Record a person's answer to the ask; they may change it later."""
    if response not in Delivery.Response.values:
        raise ValidationError("Choose yes or not this time.")
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.response != response:
        delivery.response, delivery.responded_at = response, timezone.now()
        delivery.save(update_fields=["response", "responded_at"])
    return delivery


@transaction.atomic
def call_unsubscribe(*, delivery):
    """The person asks for no more email from the hub: their consent to be contacted by
    email is withdrawn (the outbox then sends them nothing more that needs it). Returns
    True when it was withdrawn now, False when there was nothing to withdraw."""
    person = delivery.person
    if person is None or not consent_given(person, Consent.Purpose.CONTACT_EMAIL):
        return False
    subject = delivery.call.subject
    note = f"Unsubscribed from the call to action “{subject}”"
    if len(note) > 200:
        note = note[:197] + "…”"
    consent_record(
        person=person,
        purpose=Consent.Purpose.CONTACT_EMAIL,
        given=False,
        method=Consent.Method.ONLINE,
        note=note,
    )
    return True
