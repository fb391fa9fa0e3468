"""Read queries of calls to action: who may open which, who a call reaches (its segment's
people its channel may reach), what became of each person's copy, and the calls the beat
tick must start or start again."""

from datetime import timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from action.models import Campaign
from connect.models import Event
from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Role
from hubsite.people.rules import has_role

from ..models import CallToAction, Delivery
from ..rules import is_staff
from .segments import segment_of, segment_reachable

KEY_PREFIX = "organise:call:"
# How many of the people a call reaches its preview names.
PREVIEW_NAMES = 20
# A call still sending with no batch through for this long has lost its chain of batches.
STALLED_MINUTES = 10


def call_visible(viewer):
    """The calls ``viewer`` may open: all for staff; for an organiser, those written to the
    segments they own (``rules.can_manage_call``)."""
    calls = CallToAction.objects.select_related(
        "segment__created_by", "created_by__person", "event", "campaign"
    )
    if is_staff(viewer):
        return calls
    if has_role(viewer, (Role.ORGANISER,)):
        return calls.filter(segment__created_by=viewer)
    return calls.none()


def call_list(viewer):
    return call_visible(viewer).order_by("-created_at", "-id")


def call_recipients(call):
    """The people a call sent now would go to: the people of its segment its channel may
    reach, by id (the order batches take them in)."""
    return segment_reachable(segment_of(call.segment), call.segment.channel).order_by("pk")


def call_recipients_preview(call, limit=PREVIEW_NAMES):
    return (
        call_recipients(call)
        .select_related("locality")
        .order_by("last_name", "first_name", "id")[:limit]
    )


# The ask -----------------------------------------------------------------------------------


def events_to_ask():
    """Events a call may ask people to come to: going ahead, not yet started, and with a
    page its readers can open (public, or for people signed in to the hub)."""
    return Event.objects.filter(
        status=Event.Status.SCHEDULED,
        starts_at__gt=timezone.now(),
        visibility__in=[Event.Visibility.PUBLIC, Event.Visibility.MEMBERS],
    ).order_by("starts_at", "id")


def campaigns_to_ask():
    """Campaigns a call may ask people to sign: public and still open to sign-ups."""
    return Campaign.objects.filter(
        status__in=[Campaign.Status.ACTIVE, Campaign.Status.PAUSED]
    ).order_by("name")


# Delivery ------------------------------------------------------------------------------------


def call_deliveries(call):
    """Each person's copy of a call, with the state of its email and their answer: one
    query for a page."""
    return (
        Delivery.objects.filter(call=call)
        .select_related("person__locality", "message")
        .only(
            "id",
            "call_id",
            "response",
            "responded_at",
            "created_at",
            "person__id",
            "person__first_name",
            "person__last_name",
            "person__locality__name",
            "message__id",
            "message__status",
            "message__sent_at",
        )
        .order_by("id")
    )


def call_totals(call):
    """What became of a call's copies, in one query: written, sent, waiting to go, not sent
    (the person withdrew their consent or their address failed, or the call was stopped),
    and the answers to its ask. Each copy's email is looked up by its key, so the count
    reads the call's copies and their messages only, never the whole outbox."""
    email = Subquery(OutboxMessage.objects.filter(pk=OuterRef("message_id")).values("status"))
    rows = (
        Delivery.objects.filter(call=call)
        .order_by()
        .annotate(email=email)
        .values_list("email", "response")
        .annotate(n=Count("pk"))
    )
    Status = OutboxMessage.Status
    totals = dict.fromkeys(("written", "sent", "waiting", "not_sent", "yes", "no"), 0)
    for status, response, n in rows:
        totals["written"] += n
        if status == Status.SENT:
            totals["sent"] += n
        elif status == Status.PENDING:
            totals["waiting"] += n
        elif status in (None, Status.CANCELLED, Status.FAILED):  # None: no message
            totals["not_sent"] += n
        if response in (Delivery.Response.YES, Delivery.Response.NO):
            totals[response] += n
    return totals


# For the beat tick ---------------------------------------------------------------------------


def calls_due(now=None):
    """Ids of scheduled calls whose time has come."""
    return list(
        CallToAction.objects.filter(
            status=CallToAction.Status.SCHEDULED, send_at__lte=now or timezone.now()
        )
        .order_by("send_at", "id")
        .values_list("pk", flat=True)
    )


def calls_stalled(now=None, quiet_minutes=STALLED_MINUTES):
    """``(id, cursor)`` of the calls still sending whose last batch (or their start, before
    any batch) went through ``quiet_minutes`` ago or more: their chain of batches broke (a
    lost worker, a broker outage). Every batch stamps ``last_batch_at``, even one that wrote
    nothing, so a chain that is only slow is not taken for a broken one; and a chain
    started again while the first was only slow takes turns with it from the same cursor,
    writing nothing twice."""
    since = (now or timezone.now()) - timedelta(minutes=quiet_minutes)
    return list(
        CallToAction.objects.filter(status=CallToAction.Status.SENDING)
        .alias(last_seen=Coalesce("last_batch_at", "started_at"))
        .filter(Q(last_seen__lte=since) | Q(last_seen__isnull=True))
        .order_by("id")
        .values_list("pk", "cursor")
    )
