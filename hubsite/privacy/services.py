"""Writes of the data-protection app: the audit log, data-protection requests, retention."""

import calendar
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import AuditEntry, DataRequest, RetentionPolicy, RetentionRun, add_one_month
from .registry import retention_kinds

Action = AuditEntry.Action


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


def due_date(received_on: date, *, extended: bool) -> date:
    due = add_one_month(received_on)
    if extended:
        due = add_one_month(add_one_month(due))
    return due


@transaction.atomic
def data_request_create(
    *, kind, person=None, received_on=None, channel, details="", logged_by=None
):
    if kind not in DataRequest.Kind.values:
        raise ValidationError({"kind": "Choose what the person asked for."})
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "A request cannot be received in the future."})
    request = DataRequest.objects.create(
        kind=kind,
        person=person,
        subject_id=getattr(person, "pk", None),
        channel=channel,
        received_on=received_on,
        due_on=due_date(received_on, extended=False),
        details=details,
        logged_by=logged_by,
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


def data_requests_forget_person(person):
    """Erasure: requests about ``person`` stay in the log (kind, dates, status, outcome)
    without the person or what they wrote."""
    DataRequest.objects.filter(person=person).update(person=None, details="")


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


def retention_run(*, started_by=None, now=None):
    """Apply every kind's retention period: each kind in its own transaction (one failing
    kind does not undo the others), the whole run reported in a ``RetentionRun``."""
    now = now or timezone.now()
    run = RetentionRun.objects.create(started_at=now, started_by=started_by)
    results = {}
    for kind, registered in sorted(retention_kinds().items()):
        months = retention_months(kind)
        if months is None:
            results[kind] = {"months": None, "cutoff": None, "count": 0}
            continue
        cutoff = months_before(now, months)
        with transaction.atomic():
            count = registered.apply(cutoff)
        results[kind] = {"months": months, "cutoff": cutoff.date().isoformat(), "count": count}
    run.results = results
    run.finished_at = timezone.now()
    run.save(update_fields=["results", "finished_at"])
    audit_record(
        actor=started_by,
        action=Action.RETENTION_RUN,
        target=f"privacy.retentionrun:{run.pk}",
        detail=", ".join(f"{k}: {v['count']}" for k, v in results.items() if v["count"])
        or "nothing past its time",
    )
    return run
