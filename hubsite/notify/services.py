"""Writes of the outbox: queue a message in the caller's transaction, deliver it once."""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from hubsite.people.models import Consent
from hubsite.people.selectors import consent_given

from .models import OutboxMessage
from .registry import still_wanted

log = logging.getLogger(__name__)

# A failed send is retried with a growing wait (5 min, 10, 20, … up to 6 h between tries),
# so a provider outage of about a day delays mail but does not lose it.
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=5)
LONGEST_WAIT = timedelta(hours=6)


def site_url():
    """The hub's address for links in emails: SITE_URL, or the development server's when it
    is not set (a deploy check warns about that in production)."""
    return settings.SITE_URL or "http://localhost:8000"


def retry_wait(attempts):
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def _may_contact(person, category):
    if category in (OutboxMessage.Category.ACCOUNT, OutboxMessage.Category.WORK):
        return True
    return person is not None and consent_given(person, Consent.Purpose.CONTACT_EMAIL)


def message_queue(
    *,
    key,
    to_email,
    subject,
    body_text,
    body_html="",
    person=None,
    category=OutboxMessage.Category.CONTACT,
    reply_to="",
):
    """Write an outbox row (once per ``key``) and deliver it after the transaction commits.

    Returns the row, or None when the person has not consented to be contacted by email.
    A second call with the same key returns the first row and queues nothing more.
    """
    if not _may_contact(person, category):
        return None
    existing = OutboxMessage.objects.filter(key=key).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                key=key,
                person=person,
                to_email=to_email,
                reply_to=reply_to,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                category=category,
            )
    except IntegrityError:  # a concurrent call for the same purpose won
        return OutboxMessage.objects.get(key=key)
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _enqueue(message_id):
    from .tasks import outbox_deliver

    try:
        outbox_deliver.delay(message_id)
    except (
        OperationalError,
        OSError,
    ):  # broker down: the row stays pending and the beat tick retries it
        log.warning("Could not queue outbox message %s; it will be retried", message_id)


# How long a worker holds a message it is sending before another may try it.
SEND_LEASE = timedelta(minutes=10)


def message_deliver(*, message_id):
    """Send one pending message that is due and mark it sent. Safe to run twice, or at the
    same time: a short transaction claims the row (a lease in ``next_attempt_at``) before
    sending, so no other worker sends it meanwhile, and a sent row is never sent again.
    The send holds no database lock, so a slow mail server never blocks the hub's writes."""
    message = _claim(message_id)
    if message is None or message.status != OutboxMessage.Status.PENDING:
        return message
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers={"X-Hub-Message": message.key[:100], "Message-ID": message_id_header(message)},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    try:
        mail.mailers.default.send_messages([email])
    except Exception as error:  # noqa: BLE001 - any transport failure is retried later
        log.warning("Outbox message %s failed: %s", message.pk, type(error).__name__)
        message.last_error = str(error)[:500]
        message.next_attempt_at = timezone.now() + retry_wait(message.attempts)
        if message.attempts >= MAX_ATTEMPTS:
            message.status = OutboxMessage.Status.FAILED
            _forget_secrets(message)
    else:
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        _forget_secrets(message)
    message.save(
        update_fields=[
            "status",
            "sent_at",
            "last_error",
            "next_attempt_at",
            "body_text",
            "body_html",
        ]
    )
    return message


def message_id_header(message):
    """The same Message-ID for every try of one outbox row: if a worker dies after the mail
    server took a message but before the row was marked sent, the retry carries the same id,
    and mail servers and clients drop the repeat."""
    digest = hashlib.sha256(f"{message.pk}:{message.key}".encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
    return f"<{digest}@{domain}>"


def _claim(message_id):
    """Take a due, pending message for sending, or cancel it if consent has gone or the app
    that wrote it says it is no longer wanted (``registry.register_send_check``)."""
    with transaction.atomic():
        now = timezone.now()
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return None
        if not _may_contact(message.person, message.category) or not still_wanted(message):
            message.status = OutboxMessage.Status.CANCELLED
            message.save(update_fields=["status"])
            return message
        message.attempts += 1
        message.next_attempt_at = now + SEND_LEASE
        message.save(update_fields=["attempts", "next_attempt_at"])
        return message


def _forget_secrets(message):
    """Sign-in links and keys are secrets: once an account message is done with (sent, or
    given up on), the hub keeps only its subject."""
    if message.category == OutboxMessage.Category.ACCOUNT:
        message.body_text = message.body_html = ""


def pending_message_ids(*, older_than_seconds=60):
    """Pending messages the beat tick should try now: written a minute ago or more (the
    task queued on commit normally has them by then) and due for their next attempt."""
    now = timezone.now()
    return list(
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING,
            created_at__lte=now - timedelta(seconds=older_than_seconds),
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )


def person_data_erase(person):
    """Erasure: the messages to a person hold their name and address, so they go: those to
    their record's address and those to their login's, where it is another."""
    from .selectors import messages_to

    messages_to(person).delete()
    login = getattr(person.user, "email", "")
    if login:
        OutboxMessage.objects.filter(to_email__iexact=login).delete()
