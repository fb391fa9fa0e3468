"""How long the log of data-protection requests keeps what a closed request was about: the
retention rule of requests, applied nightly through the registry (``registry``)."""

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import DataRequest

DESCRIPTION = (
    "A data-protection request closed (done, refused or withdrawn) this many months ago "
    "keeps only its kind, how it came, its dates and how it ended: what the person asked, "
    "what was done or why it was refused, and who the person was are removed. Six years is "
    "how long a claim about the way a request was handled can be brought."
)

CLOSED = [DataRequest.Status.DONE, DataRequest.Status.REFUSED, DataRequest.Status.WITHDRAWN]


def closed_requests_retain(cutoff):
    """Empty the requests closed before ``cutoff`` (the day, in the hub's time) of their
    details, outcome and person (their record and their id); returns how many changed."""
    # A request closed without its day recorded (by the admin) counts from its deadline.
    due = (
        DataRequest.objects.alias(closed=Coalesce("closed_on", "due_on"))
        .filter(status__in=CLOSED, closed__lt=timezone.localtime(cutoff).date())
        .exclude(Q(person=None, subject_id=None, details="", outcome=""))
    )
    return due.update(person=None, subject_id=None, details="", outcome="")
