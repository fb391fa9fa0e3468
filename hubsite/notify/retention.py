"""How long the outbox keeps what it sent."""

from django.db.models import Q
from django.db.models.functions import Coalesce

from .models import OutboxMessage

DESCRIPTION = (
    "Emails sent, failed or not sent more than this many months ago keep only what was sent "
    "and when (so the counts of sent calls to action stay right): the address, the subject, "
    "the words and the person they went to are emptied. Emails still waiting are never touched."
)

DONE = [
    OutboxMessage.Status.SENT,
    OutboxMessage.Status.FAILED,
    OutboxMessage.Status.CANCELLED,
]


def sent_messages_retain(cutoff):
    """Empty the messages finished (sent, failed or not sent) before ``cutoff``. The row
    stays with its key, category, status and dates: a key still refuses a second message for
    the same purpose, and what was sent is still counted."""
    finished = OutboxMessage.objects.filter(status__in=DONE).alias(
        finished_at=Coalesce("sent_at", "created_at")
    )
    due = finished.filter(finished_at__lt=cutoff).exclude(
        Q(person=None, to_email="", reply_to="", subject="", body_text="", body_html="")
    )
    return due.update(
        person=None,
        to_email="",
        reply_to="",
        subject="",
        body_text="",
        body_html="",
        last_error="",
    )
