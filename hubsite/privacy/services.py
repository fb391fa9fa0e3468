"""Writes of the data-protection app: the audit log, data-protection requests (with the
reminders to staff before their statutory deadline), retention.

A request's form sent twice (a double click, a reload) logs one request, not two: an identical
one logged a moment before by the same member of staff is returned instead.

Reminders of a request's deadline go to every active member of staff, a week before, the day
before (or on the day) and once when it has passed. Each outbox key names the request, its due
date, the stage and the recipient, so the daily task may run as often as it likes, and a
deadline that is extended is reminded again. A reminder says what kind of request it is and
when it is due, never who made it or what they wrote."""

import calendar
import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue, site_url
from hubsite.people.models import Role, User

from .models import AuditEntry, DataRequest, RetentionPolicy, RetentionRun, add_one_month
from .registry import retention_kinds

log = logging.getLogger(__name__)

Action = AuditEntry.Action

# How long a request just logged counts as the same one sent again.
RESUBMIT_WINDOW = timedelta(minutes=1)
# How far back a request can be logged as received: older ones are long past their deadline.
OLDEST_RECEIVED = timedelta(days=365)
MAX_TEXT = 10_000
REMINDER_KEY_PREFIX = "privacy:request-due:"
# The reminder stages: (name, days left at most), the most urgent first.
WEEK, DAY, OVERDUE = "week", "day", "overdue"


def audit_record(*, actor=None, action, subject=None, target="", detail=""):
    """Add one entry to the audit log. ``subject`` is a Person (or its id); only its id is
    kept. ``detail`` must never hold personal data: say what kind of thing changed."""
    subject_id = getattr(subject, "pk", subject)
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        subject_id=subject_id,
        target=target[:80],
        detail=detail[:300],
    )


def months_before(moment, months):
    """``moment`` less ``months`` calendar months (the day clamped to the month's end)."""
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, clamped to the month's last day."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def due_date(received_on: date, *, extended: bool) -> date:
    """One calendar month after receipt; three when extended (counted from receipt in one
    step, so month ends never shorten it)."""
    return add_months(received_on, 3 if extended else 1)


def _text(value):
    return (value or "").strip().replace("\r\n", "\n")


def _lock_user(user):
    """Take the user's row for the rest of the transaction: a form sent twice at once by the
    same person runs its two requests one after the other, so the second sees the first."""
    if getattr(user, "pk", None):
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


@transaction.atomic
def data_request_create(
    *, kind, person=None, received_on=None, channel, details="", logged_by=None
):
    """Log a request with its statutory deadline (one month from receipt). The same request
    sent twice within a minute by the same person is logged once."""
    errors = {}
    if kind not in DataRequest.Kind.values:
        errors["kind"] = "Choose what the person asked for."
    if channel not in DataRequest.Channel.values:
        errors["channel"] = "Choose how the request came in."
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        errors["received_on"] = "A request cannot be received in the future."
    elif received_on < today - OLDEST_RECEIVED:
        errors["received_on"] = "Enter a date within the last year."
    details = _text(details)
    if len(details) > MAX_TEXT:
        errors["details"] = f"Keep the details to {MAX_TEXT:,} characters."
    if errors:
        raise ValidationError(errors)
    _lock_user(logged_by)
    just_logged = (
        DataRequest.objects.filter(
            kind=kind,
            person=person,
            channel=channel,
            received_on=received_on,
            details=details,
            logged_by=logged_by if getattr(logged_by, "pk", None) else None,
            logged_at__gte=timezone.now() - RESUBMIT_WINDOW,
        )
        .order_by("-id")
        .first()
    )
    if just_logged is not None:  # the same form sent twice: one request
        return just_logged
    request = DataRequest.objects.create(
        kind=kind,
        person=person,
        subject_id=getattr(person, "pk", None),
        channel=channel,
        received_on=received_on,
        due_on=due_date(received_on, extended=False),
        details=details,
        logged_by=logged_by if getattr(logged_by, "pk", None) else None,
    )
    audit_record(
        actor=logged_by,
        action=Action.REQUEST_LOGGED,
        subject=person,
        target=f"privacy.datarequest:{request.pk}",
        detail=f"{kind} request received {received_on}",
    )
    return request


@transaction.atomic
def data_request_update(*, request, updated_by, extended=None, status=None, outcome=None):
    """Extend a request's deadline, or close it (done, refused, withdrawn) with its outcome.
    A closed request is not reopened."""
    request = DataRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise ValidationError("This request is closed; log a new one if the person asks again.")
    changes = []
    if extended is not None and extended != request.extended:
        request.extended = extended
        request.due_on = due_date(request.received_on, extended=extended)
        changes.append(f"deadline {'extended to' if extended else 'back to'} {request.due_on}")
    if outcome is not None:
        request.outcome = outcome
    if status is not None and status != request.status:
        if status not in DataRequest.Status.values:
            raise ValidationError({"status": "Choose a status from the list."})
        if (
            status in (DataRequest.Status.DONE, DataRequest.Status.REFUSED)
            and not (request.outcome or "").strip()
        ):
            raise ValidationError({"outcome": "Say what was done, or why it was refused."})
        request.status = status
        request.closed_by = updated_by
        request.closed_on = timezone.localdate()
        changes.append(f"closed: {status}")
    request.save()
    audit_record(
        actor=updated_by,
        action=Action.REQUEST_UPDATED,
        subject=request.subject_id,
        target=f"privacy.datarequest:{request.pk}",
        detail="; ".join(changes) or "outcome noted",
    )
    return request


@transaction.atomic
def data_request_extend(*, request, updated_by, reason):
    """Extend a request's deadline by two more months (a complex request, or many from the
    same person), with the reason noted in its details, which erasure empties."""
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": "Say why the request needs more time."})
    if len(reason) > MAX_TEXT:
        raise ValidationError({"reason": f"Keep the reason to {MAX_TEXT:,} characters."})
    locked = DataRequest.objects.select_for_update().get(pk=request.pk)
    if not locked.is_open:
        raise ValidationError("This request is closed; log a new one if the person asks again.")
    if locked.extended:
        raise ValidationError("The deadline was already extended; it cannot be extended again.")
    if timezone.localdate() > add_one_month(locked.received_on):
        # UK GDPR: the person must be told of an extension within the first month.
        raise ValidationError(
            "The first month since the request came in has passed; its deadline can no longer "
            "be extended."
        )
    note = f"Deadline extended on {timezone.localdate().isoformat()}: {reason}"
    locked.details = f"{locked.details}\n\n{note}" if locked.details else note
    locked.save(update_fields=["details"])
    return data_request_update(request=locked, updated_by=updated_by, extended=True)


CLOSING = (DataRequest.Status.DONE, DataRequest.Status.REFUSED, DataRequest.Status.WITHDRAWN)


@transaction.atomic
def data_request_close(*, request, closed_by, status, outcome=""):
    """Close a request as done, refused or withdrawn; done and refused say what was done or
    why it was refused."""
    if status not in CLOSING:
        raise ValidationError({"status": "Choose done, refused or withdrawn."})
    outcome = _text(outcome)
    if len(outcome) > MAX_TEXT:
        raise ValidationError({"outcome": f"Keep the outcome to {MAX_TEXT:,} characters."})
    if status != DataRequest.Status.WITHDRAWN and not outcome:
        raise ValidationError({"outcome": "Say what was done, or why it was refused."})
    return data_request_update(
        request=request, updated_by=closed_by, status=status, outcome=outcome
    )


# Reminders of the deadline ------------------------------------------------------------


def reminder_stage(due_on: date, today: date):
    """Which reminder a request due on ``due_on`` calls for ``today``: a week before, the day
    before or on the day, after it passed; None while more than a week is left."""
    left = (due_on - today).days
    if left < 0:
        return OVERDUE
    if left <= 1:
        return DAY
    if left <= 7:
        return WEEK
    return None


def reminder_key(request_id, due_on, stage, user_id):
    return f"{REMINDER_KEY_PREFIX}{request_id}:{due_on.isoformat()}:{stage}:{user_id}"


def _reminder(request, stage, today):
    kind = request.get_kind_display()
    due = date_format(request.due_on, "j F Y")
    left = (request.due_on - today).days
    if stage == OVERDUE:
        subject = f"Overdue: a data-protection request was due on {due}"
        when = f"was due on {due} and is overdue by {-left} day{'s' if -left != 1 else ''}"
    elif left == 0:
        subject = "Due today: a data-protection request"
        when = f"is due today, {due}"
    else:
        subject = f"Due in {left} day{'s' if left != 1 else ''}: a data-protection request"
        when = f"is due on {due}, in {left} day{'s' if left != 1 else ''}"
    subject = f"[{settings.HUB_NAME}] {subject}"
    link = site_url() + reverse("privacy:request_detail", args=[request.pk])
    body = (
        f"A data-protection request {when}.\n\n"
        f"Kind: {kind}\n"
        f"Received: {date_format(request.received_on, 'j F Y')}\n"
        f"Due: {due}{' (extended)' if request.extended else ''}\n\n"
        "The law gives the hub this long to answer. Answer it, extend it (with the reason) or "
        f"close it here:\n{link}\n"
    )
    return subject, body


def data_requests_remind(today=None):
    """The daily round: for each open request a week from its deadline, a day from it or past
    it, one email per stage and due date to every active member of staff, through the
    outbox. Returns how many emails this run wrote (a second run writes none)."""
    today = today or timezone.localdate()
    staff = list(
        User.objects.filter(role=Role.STAFF, is_active=True)
        .exclude(email="")
        .select_related("person")
        .order_by("pk")
    )
    requests = DataRequest.objects.filter(
        status=DataRequest.Status.OPEN, due_on__lte=today + timedelta(days=7)
    ).order_by("due_on", "pk")
    due = []
    for request in requests:
        stage = reminder_stage(request.due_on, today)
        if stage is not None:
            due.extend(
                (request, stage, user, reminder_key(request.pk, request.due_on, stage, user.pk))
                for user in staff
            )
    written = set(
        OutboxMessage.objects.filter(key__in=[key for *_, key in due]).values_list("key", flat=True)
    )
    count = 0
    for request, stage, user, key in due:
        if key in written:
            continue
        subject, body = _reminder(request, stage, today)
        with transaction.atomic():
            message_queue(
                key=key,
                to_email=user.email,
                subject=subject,
                body_text=body,
                person=getattr(user, "person", None),
                category=OutboxMessage.Category.WORK,
            )
        written.add(key)
        count += 1
    return count


def reminder_still_wanted(message):
    """The outbox's last check before sending a deadline reminder (``notify.registry``, for
    the prefix ``privacy:request-due:``): the request is still open with the due date the
    key names, and its recipient is still active staff."""
    parts = message.key.removeprefix(REMINDER_KEY_PREFIX).split(":")
    if len(parts) != 4:
        return True
    try:
        pk, due_on, user_id = int(parts[0]), date.fromisoformat(parts[1]), int(parts[3])
    except ValueError:
        return True
    return (
        DataRequest.objects.filter(pk=pk, status=DataRequest.Status.OPEN, due_on=due_on).exists()
        and User.objects.filter(pk=user_id, role=Role.STAFF, is_active=True).exists()
    )


def data_requests_forget_person(person):
    """Erasure: requests about ``person`` stay in the log (kind, dates, status) without the
    person, what they wrote or what staff wrote back (which may name them)."""
    DataRequest.objects.filter(person=person).update(person=None, details="", outcome="")


def retention_months(kind: str):
    """The months ``kind`` is kept for: the hub's setting, else the app's default."""
    policy = RetentionPolicy.objects.filter(kind=kind).first()
    if policy is not None:
        return policy.months
    registered = retention_kinds().get(kind)
    return registered.default_months if registered else None


@transaction.atomic
def retention_set(*, kind, months, updated_by):
    if kind not in retention_kinds():
        raise ValidationError({"kind": "There is no such kind of record."})
    if months is not None and not 1 <= months <= 240:
        raise ValidationError({"months": "Keep records between 1 and 240 months, or leave empty."})
    before = retention_months(kind)
    RetentionPolicy.objects.update_or_create(
        kind=kind, defaults={"months": months, "updated_by": updated_by}
    )
    if before != months:
        audit_record(
            actor=updated_by,
            action=Action.RETENTION_CHANGED,
            target=kind,
            detail=f"{before or 'kept'} → {months or 'kept'} months",
        )


@transaction.atomic
def retention_default(*, kind, updated_by):
    """Go back to the app's default period for ``kind``."""
    registered = retention_kinds().get(kind)
    if registered is None:
        raise ValidationError({"kind": "There is no such kind of record."})
    before = retention_months(kind)
    deleted, _ = RetentionPolicy.objects.filter(kind=kind).delete()
    if deleted and before != registered.default_months:
        audit_record(
            actor=updated_by,
            action=Action.RETENTION_CHANGED,
            target=kind,
            detail=f"{before or 'kept'} → {registered.default_months or 'kept'} months (default)",
        )


def retention_run(*, started_by=None, now=None):
    """Apply every kind's retention period: each kind in its own transaction (one failing
    kind does not undo the others), the whole run reported in a ``RetentionRun``."""
    now = now or timezone.now()
    started_by = started_by if getattr(started_by, "is_authenticated", False) else None
    run = RetentionRun.objects.create(started_at=now, started_by=started_by)
    results = {}
    for kind, registered in sorted(retention_kinds().items()):
        months = retention_months(kind)
        if months is None:
            results[kind] = {"months": None, "cutoff": None, "count": 0}
            continue
        cutoff = months_before(now, months)
        result = {"months": months, "cutoff": cutoff.date().isoformat(), "count": 0}
        try:
            with transaction.atomic():
                result["count"] = registered.apply(cutoff)
        except Exception as error:  # noqa: BLE001 - one failing kind must not stop the others
            # The error's type only: its message could hold what the records hold.
            log.error("Retention of %s failed: %s", kind, type(error).__name__)
            result["failed"] = True
        results[kind] = result
    run.results = results
    run.finished_at = timezone.now()
    run.save(update_fields=["results", "finished_at"])
    audit_record(
        actor=started_by,
        action=Action.RETENTION_RUN,
        target=f"privacy.retentionrun:{run.pk}",
        detail=(
            ", ".join(f"{k}: {v['count']}" for k, v in results.items() if v["count"])
            or "nothing past its time"
        )
        + "".join(f"; {k} failed" for k, v in results.items() if v.get("failed")),
    )
    return run
