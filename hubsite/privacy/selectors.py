"""Read queries of the data-protection app."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Concat, Trim
from django.utils import timezone

from hubsite.forms import is_plausible_id
from hubsite.people.models import Person
from hubsite.people.selectors import people_matching

from .models import AuditEntry, DataRequest, RetentionPolicy, RetentionRun
from .registry import retention_kinds


def data_requests_export(person, viewer=None):
    """Subject access: the data-protection requests the person made."""
    return [
        {
            "kind": r.get_kind_display(),
            "received_on": r.received_on.isoformat(),
            "due_on": r.due_on.isoformat(),
            "status": r.get_status_display(),
            "details": r.details,
            "outcome": r.outcome,
        }
        for r in DataRequest.objects.filter(person=person).order_by("received_on", "id")
    ]


# The requests log -------------------------------------------------------------------------


def data_request_list(*, status="", kind=""):
    """Requests for the log: the open ones first, the nearest deadline first; then the
    closed ones, the latest received first, each with ``person_name``. The name is read for
    the page's requests only, after they are sorted and cut (a join with the people would
    have PostgreSQL read everyone first)."""
    name = Person.objects.filter(pk=OuterRef("person_id")).values(
        full_name=Trim(Concat("first_name", Value(" "), "last_name"))
    )
    requests = DataRequest.objects.annotate(person_name=Subquery(name[:1]))
    if status:
        requests = requests.filter(status=status)
    if kind:
        requests = requests.filter(kind=kind)
    return requests.annotate(
        closed_rank=Case(When(status=DataRequest.Status.OPEN, then=0), default=1),
        open_due=Case(When(status=DataRequest.Status.OPEN, then=F("due_on")), default=None),
    ).order_by("closed_rank", "open_due", "-received_on", "-id")


def data_request_detail_queryset():
    return DataRequest.objects.select_related("person", "logged_by", "closed_by")


def data_request_counts(today):
    """How many requests are open, and how many of those are past their deadline (read from
    the open ones only, by the index on status and deadline, however many were answered)."""
    return DataRequest.objects.filter(status=DataRequest.Status.OPEN).aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today))
    )


def people_to_pick(text, limit=10):
    """People whose name, email or postcode matches ``text``, for the person search of
    "Log a request"."""
    return people_matching(Person.objects.select_related("locality"), text, limit=limit)


def person_to_pick(value):
    """The person chosen by id (from a link or the form), or None."""
    if not is_plausible_id(value or ""):
        return None
    return Person.objects.select_related("locality").filter(pk=value).first()


# The audit log ----------------------------------------------------------------------------


def _day_starts(day):
    """The moment ``day`` starts in the hub's time zone: days are compared as ranges of
    moments, which the index on ``at`` serves (``at__date`` converts every entry's moment)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_list(*, action="", actor="", subject_id=None, since=None, until=None):
    """Audit entries, the newest first, with who did each and ``subject_kept_id``: the id of
    the person each is about while the hub still holds them, else None. It is looked up for
    the entries of the page only, one by its key each (as EXISTS, PostgreSQL would hash
    every person's id first)."""
    kept = Person.objects.filter(pk=OuterRef("subject_id")).values("pk")[:1]
    entries = AuditEntry.objects.select_related("actor").annotate(subject_kept_id=Subquery(kept))
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor__email__icontains=actor)
    if subject_id is not None:
        entries = entries.filter(subject_id=subject_id)
    if since is not None:
        entries = entries.filter(at__gte=_day_starts(since))
    if until is not None and until < date.max:
        entries = entries.filter(at__lt=_day_starts(until + timedelta(days=1)))
    return entries.order_by("-at", "-id")


AUDIT_TOTAL_KEY = "privacy:audit-total"
# Forgotten whenever an entry is written (``apps.py``); entries inserted in bulk send no
# signal, so the figure is also counted again after a minute at most.
AUDIT_TOTAL_SECONDS = 60


def audit_total():
    """How many entries the audit log holds: the count of its first page without a search,
    which would otherwise read the whole log, years of it, on every visit."""
    return cache.get_or_set(AUDIT_TOTAL_KEY, AuditEntry.objects.count, AUDIT_TOTAL_SECONDS)


def audit_total_forget(**kwargs):
    # Now, and again once committed: a page asked in between would count the entries as
    # they were before this one and keep that figure.
    cache.delete(AUDIT_TOTAL_KEY)
    transaction.on_commit(lambda: cache.delete(AUDIT_TOTAL_KEY))


def audit_entries_on(day):
    return AuditEntry.objects.filter(
        at__gte=_day_starts(day), at__lt=_day_starts(day + timedelta(days=1))
    ).count()


# Retention ------------------------------------------------------------------------------


@dataclass
class RetentionSetting:
    kind: str
    label: str
    description: str
    default_months: int | None
    months: int | None
    is_default: bool
    updated_by: object = None
    updated_at: object = None


def retention_settings():
    """Every registered kind of record with how long it is kept now (one query)."""
    policies = {
        p.kind: p for p in RetentionPolicy.objects.select_related("updated_by").order_by("kind")
    }
    settings = []
    for kind, registered in sorted(retention_kinds().items(), key=lambda kv: kv[1].label):
        policy = policies.get(kind)
        settings.append(
            RetentionSetting(
                kind=kind,
                label=registered.label,
                description=registered.description,
                default_months=registered.default_months,
                months=policy.months if policy else registered.default_months,
                is_default=policy is None,
                updated_by=policy.updated_by if policy else None,
                updated_at=policy.updated_at if policy else None,
            )
        )
    return settings


def retention_run_list():
    return RetentionRun.objects.select_related("started_by").order_by("-started_at", "-id")


def retention_results(run):
    """A run's results, kind by kind, with each kind's label (a kind no longer registered
    keeps its own name)."""
    kinds = retention_kinds()
    return [
        {
            "kind": kind,
            "label": kinds[kind].label if kind in kinds else kind,
            "months": result.get("months"),
            "cutoff": result.get("cutoff"),
            "count": result.get("count", 0),
            "failed": result.get("failed", False),
        }
        for kind, result in sorted(run.results.items())
    ]
