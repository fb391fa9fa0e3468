"""Read queries of the updates sent to a campaign's supporters: the list, how many people
an update would reach, and what became of the emails of one sent."""

from datetime import timedelta

from django.db.models import CharField, Count, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Consent
from hubsite.people.selectors import people_with_consent

from ..models import SupporterUpdate
from .campaigns import supporters_reachable

KEY_PREFIX = "action:update:"


def update_list(campaign):
    return (
        SupporterUpdate.objects.filter(campaign=campaign)
        .select_related("created_by__person")
        .order_by("-created_at", "-id")
    )


def update_recipients(campaign):
    """The sign-ups an update of ``campaign`` goes to: confirmed supporters who agreed to
    hear from the campaign, have not left it, and have not since withdrawn their consent to
    email from the hub (the outbox would refuse those anyway)."""
    return supporters_reachable(campaign).filter(
        person__in=people_with_consent(Consent.Purpose.CONTACT_EMAIL).values("pk")
    )


def recipients_count(campaign):
    """How many people an update of ``campaign`` sent now would go to."""
    return update_recipients(campaign).count()


def _emails_of(update):
    return OutboxMessage.objects.filter(key__startswith=f"{KEY_PREFIX}{update.pk}:")


def update_delivery(update):
    """What became of an update's emails: written, sent, waiting, and not sent (the
    supporter left or withdrew their consent before it went)."""
    counts = {
        row["status"]: row["n"]
        for row in _emails_of(update).values("status").annotate(n=Count("id"))
    }
    return {
        "written": sum(counts.values()),
        "sent": counts.get(OutboxMessage.Status.SENT, 0),
        "waiting": counts.get(OutboxMessage.Status.PENDING, 0),
        "not_sent": counts.get(OutboxMessage.Status.CANCELLED, 0)
        + counts.get(OutboxMessage.Status.FAILED, 0),
    }


def updates_stalled(*, quiet_minutes=15):
    """Ids of updates still sending with no email written for a while: their chain of
    batches broke (a broker outage, a lost worker) and should be started again."""
    recent = OutboxMessage.objects.filter(
        key__startswith=Concat(
            Value(KEY_PREFIX),
            Cast(OuterRef("pk"), CharField()),
            Value(":"),
            output_field=CharField(),
        ),
        created_at__gte=timezone.now() - timedelta(minutes=quiet_minutes),
    )
    return list(
        SupporterUpdate.objects.filter(status=SupporterUpdate.Status.SENDING)
        .filter(~Exists(recent))
        .values_list("pk", flat=True)
    )
