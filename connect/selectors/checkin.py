"""Read queries of check-in: the list at the door and its counts."""

from django.db.models import Count, Q
from django.db.models.functions import Lower

from ..models import Rsvp

# Words of a search that count; more would only slow the query down.
MAX_SEARCH_WORDS = 5


def checkin_list(event, *, search=""):
    """Everyone with a place at ``event`` (walk-ins included), with their person, by name.
    ``search`` keeps those whose name or email holds every word of it."""
    rsvps = (
        Rsvp.objects.filter(event=event, status=Rsvp.Status.CONFIRMED)
        .exclude(person=None)  # answers kept only as counts
        .select_related("person")
    )
    for word in search.split()[:MAX_SEARCH_WORDS]:
        rsvps = rsvps.filter(
            Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(person__email__icontains=word)
        )
    return rsvps.order_by(Lower("person__last_name"), Lower("person__first_name"), "id")


def checkin_counts(event):
    """Among those with a place, in one query: ``expected`` (answered before the day),
    ``arrived``, ``no_show``, ``walk_ins`` and ``unrecorded`` (neither arrived nor not come)."""
    places = Q(status=Rsvp.Status.CONFIRMED)
    return Rsvp.objects.filter(event=event).aggregate(
        expected=Count("pk", filter=places & Q(walk_in=False)),
        arrived=Count("pk", filter=places & Q(attendance=Rsvp.Attendance.ATTENDED)),
        no_show=Count("pk", filter=places & Q(attendance=Rsvp.Attendance.NO_SHOW)),
        walk_ins=Count("pk", filter=places & Q(walk_in=True)),
        unrecorded=Count("pk", filter=places & Q(attendance=Rsvp.Attendance.UNKNOWN)),
    )
