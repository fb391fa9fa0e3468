"""Read queries of the data-protection app."""

from .models import DataRequest


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
