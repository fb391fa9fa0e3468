"""Writes of the updates organisers send to a campaign's supporters. An update goes only to
confirmed supporters who agreed to hear from the campaign and have not left it; Celery writes
its emails to the outbox in batches, one key per supporter, so a batch run twice (a worker
that died mid-send, a task delivered again) writes nothing twice."""

import hashlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue, site_url

from ..models import Signup, SupporterUpdate
from ..selectors.updates import KEY_PREFIX, recipients_count, update_recipients
from .campaigns import unsubscribe_token

log = logging.getLogger(__name__)

SUBJECT_MAX_LENGTH = SupporterUpdate._meta.get_field("subject").max_length
BODY_MAX_LENGTH = 10_000
# Supporters whose emails one task writes in one transaction.
BATCH_SIZE = 200
TEST_KEY_PREFIX = "action:update-test:"


def update_key(update, signup):
    return f"{KEY_PREFIX}{update.pk}:{signup.pk}"


def _clean(subject, body):
    """The rules of an update's words, whatever the form let through: a one-line subject
    (a line break in it would break the email's headers) and a body of bounded length."""
    subject = " ".join((subject or "").split())
    body = (body or "").strip().replace("\r\n", "\n")
    errors = {}
    if not subject:
        errors["subject"] = "Write a subject: it is what supporters see in their inbox."
    elif len(subject) > SUBJECT_MAX_LENGTH:
        errors["subject"] = f"Keep the subject to {SUBJECT_MAX_LENGTH} characters."
    if not body:
        errors["body"] = "Write the update itself."
    elif len(body) > BODY_MAX_LENGTH:
        errors["body"] = f"Keep the update to {BODY_MAX_LENGTH:,} characters."
    if errors:
        raise ValidationError(errors)
    return subject, body


def _check_draft(update):
    if update.status != SupporterUpdate.Status.DRAFT:
        raise ValidationError("This update has already been sent; it can no longer change.")


@transaction.atomic
def update_create(*, campaign, created_by, subject, body):
    subject, body = _clean(subject, body)
    return SupporterUpdate.objects.create(
        campaign=campaign, subject=subject, body=body, created_by=created_by
    )


@transaction.atomic
def update_edit(*, update, subject, body):
    update = SupporterUpdate.objects.select_for_update().get(pk=update.pk)
    _check_draft(update)
    update.subject, update.body = _clean(subject, body)
    update.save(update_fields=["subject", "body"])
    return update


# The email --------------------------------------------------------------------------------


def _subject(update):
    return f"[{settings.HUB_NAME}] {update.subject}"


def _body(update, *, first_name, unsubscribe_url):
    return render_to_string(
        "action/email/update.txt",
        {
            "update": update,
            "campaign": update.campaign,
            "first_name": first_name,
            "campaign_url": site_url() + update.campaign.get_absolute_url(),
            "unsubscribe_url": unsubscribe_url,
            "hub_name": settings.HUB_NAME,
        },
    )


def _sample(update, viewer):
    """The email as a supporter gets it, greeting the organiser instead (their own name,
    no one else's) and with a link that only shows where each supporter's own link goes."""
    person = getattr(viewer, "person", None)
    return {
        "subject": _subject(update),
        "body": _body(
            update,
            first_name=person.first_name if person else "",
            unsubscribe_url=site_url() + reverse("action:unsubscribe", args=["sample"]),
        ),
    }


def update_preview(*, update, viewer):
    """What the organiser checks before sending: how many people it goes to, and the
    email itself."""
    return {"recipients": recipients_count(update.campaign), **_sample(update, viewer)}


@transaction.atomic
def update_send_test(*, update, sender):
    """Send the email to the organiser who asks, and only to them: once per wording (a
    second click on the same words sends nothing more)."""
    if not sender.email:
        raise ValidationError("Your account has no email address to send the test to.")
    sample = _sample(update, sender)
    wording = hashlib.sha256(f"{update.subject}\n{update.body}".encode()).hexdigest()[:16]
    return message_queue(
        key=f"{TEST_KEY_PREFIX}{update.pk}:{sender.pk}:{wording}",
        to_email=sender.email,
        subject="[Test] " + sample["subject"],
        body_text=sample["body"],
        person=getattr(sender, "person", None),
        # The organiser asked for it as part of running the campaign.
        category=OutboxMessage.Category.WORK,
    )


# Sending ----------------------------------------------------------------------------------


@transaction.atomic
def update_send(*, update, batch_size=BATCH_SIZE):
    """Start sending: the update no longer changes, and the first batch is queued once the
    transaction commits. Sending twice is refused."""
    update = (
        SupporterUpdate.objects.select_for_update().select_related("campaign").get(pk=update.pk)
    )
    _check_draft(update)
    if not recipients_count(update.campaign):
        raise ValidationError(
            "No one can get this update yet: no confirmed supporter has agreed to hear "
            "from the campaign."
        )
    update.status = SupporterUpdate.Status.SENDING
    update.save(update_fields=["status"])
    transaction.on_commit(lambda: _enqueue(update.pk, 0, batch_size))
    return update


def _enqueue(update_id, after_signup_id, batch_size):
    from ..tasks import update_deliver

    try:
        update_deliver.delay(update_id, after_signup_id, batch_size)
    except (OperationalError, OSError):  # broker down: the beat tick resumes the sending
        log.warning("Could not queue update %s; it will be resumed", update_id)


def update_deliver_batch(*, update_id, after_signup_id=0, batch_size=BATCH_SIZE):
    """Write the emails of the next ``batch_size`` reachable supporters (by sign-up id,
    after ``after_signup_id``) in one transaction. Returns the id to continue after, or
    None once the update is sent (or was not sending). Supporters who already have their
    email for this update are skipped, so running a batch again writes nothing twice."""
    with transaction.atomic():
        # The lock makes two runs for the same update (a redelivered task) take turns.
        update = (
            SupporterUpdate.objects.select_for_update()
            .select_related("campaign")
            .filter(pk=update_id)
            .first()
        )
        if update is None or update.status != SupporterUpdate.Status.SENDING:
            return None
        signups = list(
            update_recipients(update.campaign)
            .filter(pk__gt=after_signup_id)
            .select_related("person")
            .order_by("pk")[:batch_size]
        )
        keys = {signup.pk: update_key(update, signup) for signup in signups}
        written = set(
            OutboxMessage.objects.filter(key__in=keys.values()).values_list("key", flat=True)
        )
        subject = _subject(update)
        for signup in signups:
            if keys[signup.pk] not in written:
                message_queue(
                    key=keys[signup.pk],
                    to_email=signup.person.email or signup.email,
                    subject=subject,
                    body_text=_body(
                        update,
                        first_name=signup.first_name,
                        unsubscribe_url=site_url()
                        + reverse("action:unsubscribe", args=[unsubscribe_token(signup)]),
                    ),
                    person=signup.person,
                    category=OutboxMessage.Category.CONTACT,
                )
        if len(signups) == batch_size:
            return signups[-1].pk
        update.status = SupporterUpdate.Status.SENT
        update.recipients = OutboxMessage.objects.filter(
            key__startswith=f"{KEY_PREFIX}{update.pk}:"
        ).count()
        update.sent_at = timezone.now()
        update.save(update_fields=["status", "recipients", "sent_at"])
        return None


def message_still_wanted(message):
    """The outbox's last check before sending an update (``notify.registry``): the
    supporter is still confirmed, still agrees to hear from the campaign and has not
    unsubscribed since the email was written."""
    try:
        _, _, update_pk, signup_pk = message.key.split(":")
        update_pk, signup_pk = int(update_pk), int(signup_pk)
    except ValueError:
        return True
    return Signup.objects.filter(
        pk=signup_pk,
        campaign__updates__pk=update_pk,
        status=Signup.Status.CONFIRMED,
        consent_contact=True,
        unsubscribed_at__isnull=True,
    ).exists()
