"""Read queries of the data-protection app."""

from dataclasses import dataclass

from django.db.models import Case, Count, F, Q, When

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
    closed ones, the latest received first."""
    requests = DataRequest.objects.select_related("person")
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
    """How many requests are open, and how many of those are past their deadline."""
    return DataRequest.objects.aggregate(
        open=Count("id", filter=Q(status=DataRequest.Status.OPEN)),
        overdue=Count("id", filter=Q(status=DataRequest.Status.OPEN, due_on__lt=today)),
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


def audit_list(*, action="", actor="", subject_id=None, since=None, until=None):
    """Audit entries, the newest first, with who did each."""
    entries = AuditEntry.objects.select_related("actor")
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor__email__icontains=actor)
    if subject_id is not None:
        entries = entries.filter(subject_id=subject_id)
    if since is not None:
        entries = entries.filter(at__date__gte=since)
    if until is not None:
        entries = entries.filter(at__date__lte=until)
    return entries.order_by("-at", "-id")


def people_still_here(ids):
    """Which of ``ids`` are people the hub still holds (one query for a page of entries)."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return set()
    return set(Person.objects.filter(pk__in=ids).values_list("pk", flat=True))


def audit_entries_on(day):
    return AuditEntry.objects.filter(at__date=day).count()


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
