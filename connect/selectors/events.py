"""Read queries of events and RSVPs. Every list starts from ``event_visible(viewer)``."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from hubsite.people.models import Group, GroupMembership, Role
from hubsite.people.rules import has_role

from ..models import Event, Rsvp
from ..rules import ORGANISING_ROLES, is_staff


def _person_of(viewer):
    return getattr(viewer, "person", None) if viewer.is_authenticated else None


def event_visible(viewer):
    """The events ``viewer`` (possibly anonymous) may see (see ``rules``)."""
    events = Event.objects.all()
    if is_staff(viewer):
        return events
    if not viewer.is_authenticated or not viewer.is_active:
        return events.filter(visibility=Event.Visibility.PUBLIC)
    their_groups = GroupMembership.objects.filter(person__user=viewer).values("group_id")
    return events.filter(
        Q(visibility__in=[Event.Visibility.PUBLIC, Event.Visibility.MEMBERS])
        | Q(group_id__in=their_groups)
        | Q(host=viewer)
    )


def event_managed(viewer):
    """The events ``viewer`` runs: all for staff; an organiser's hosted and groups' events."""
    events = Event.objects.all()
    if is_staff(viewer):
        return events
    if not has_role(viewer, (Role.ORGANISER,)):
        return events.none()
    organised = GroupMembership.objects.filter(
        person__user=viewer, role__in=ORGANISING_ROLES
    ).values("group_id")
    return events.filter(Q(host=viewer) | Q(group_id__in=organised))


def groups_to_host(viewer):
    """The groups ``viewer`` may host an event for: every group for staff, their own for
    organisers."""
    groups = Group.objects.order_by("name")
    if is_staff(viewer):
        return groups
    if not has_role(viewer, (Role.ORGANISER,)):
        return groups.none()
    return groups.filter(
        memberships__person__user=viewer, memberships__role__in=ORGANISING_ROLES
    ).distinct()


def with_counts(events):
    """Events with ``confirmed_count`` and ``waiting_count`` computed in SQL, per event on
    the page (correlated subqueries on the RSVP index), never over every RSVP at once."""

    def count(status):
        return Coalesce(
            Subquery(
                Rsvp.objects.filter(event=OuterRef("pk"), status=status)
                .order_by()
                .values("event")
                .annotate(n=Count("id"))
                .values("n")[:1]
            ),
            0,
        )

    return events.annotate(
        confirmed_count=count(Rsvp.Status.CONFIRMED), waiting_count=count(Rsvp.Status.WAITING)
    )


def event_list(viewer, *, upcoming=True):
    events = with_counts(event_visible(viewer)).select_related("locality", "group")
    if upcoming:
        events = events.filter(ends_at__gte=timezone.now())
    return events.order_by("starts_at", "id")


def event_detail_queryset(viewer):
    return with_counts(event_visible(viewer)).select_related(
        "locality", "group", "host__person", "series"
    )


def rsvp_of(event, person):
    if person is None:
        return None
    return Rsvp.objects.filter(event=event, person=person).first()


def rsvp_for_viewer(event, viewer):
    return rsvp_of(event, _person_of(viewer))


def waiting_position(rsvp):
    """Where an RSVP stands on the waiting list (1 is next), or None."""
    if rsvp is None or rsvp.status != Rsvp.Status.WAITING:
        return None
    return (
        Rsvp.objects.filter(event_id=rsvp.event_id, status=Rsvp.Status.WAITING)
        .filter(
            Q(responded_at__lt=rsvp.responded_at)
            | Q(responded_at=rsvp.responded_at, id__lt=rsvp.id)
        )
        .count()
        + 1
    )


def next_event_after(event):
    """The next gathering to point people to after ``event``: the series' next occurrence,
    else the hosting group's next public event."""
    later = Event.objects.filter(
        starts_at__gt=event.ends_at, status=Event.Status.SCHEDULED
    ).order_by("starts_at", "id")
    if event.series_id:
        found = later.filter(series_id=event.series_id).first()
        if found:
            return found
    if event.group_id:
        return later.filter(group_id=event.group_id, visibility=Event.Visibility.PUBLIC).first()
    return None


def confirmed_places(event):
    return Rsvp.objects.filter(event=event, status=Rsvp.Status.CONFIRMED).count()


def rsvps_due_reminder(now):
    """Confirmed answers to scheduled events whose reminder time has come and that have not
    started: the reminder hours are per event (at most a week), so the window is a week."""
    from datetime import timedelta

    rows = (
        Rsvp.objects.filter(
            status=Rsvp.Status.CONFIRMED,
            event__status=Event.Status.SCHEDULED,
            event__starts_at__gt=now,
            event__starts_at__lte=now + timedelta(hours=168),
        )
        .values_list("pk", "event__starts_at", "event__reminder_hours")
        .order_by("pk")
    )
    return [pk for pk, starts_at, hours in rows if starts_at - timedelta(hours=hours) <= now]


def rsvps_due_follow_up(now):
    """Confirmed answers to events that ended between an hour and three days ago."""
    from datetime import timedelta

    return list(
        Rsvp.objects.filter(
            status=Rsvp.Status.CONFIRMED,
            event__status=Event.Status.SCHEDULED,
            event__ends_at__lte=now - timedelta(hours=1),
            event__ends_at__gt=now - timedelta(days=3),
        )
        .exclude(attendance=Rsvp.Attendance.NO_SHOW)
        .values_list("pk", flat=True)
        .order_by("pk")
    )


def occasions_ended(since, until):
    """Events that went ahead and ended after ``since`` and by ``until``, each with the
    accounts that ran it (its host, the hosting group's organisers and leaders): the
    framework sends its "after each event" reflection prompts to them. Two queries."""
    from hubsite.framework.registry import Occasion

    events = list(
        Event.objects.filter(ends_at__gt=since, ends_at__lte=until)
        .exclude(status=Event.Status.CANCELLED)
        .order_by("ends_at", "id")
    )
    organisers = {}
    for group_id, user_id in GroupMembership.objects.filter(
        group_id__in={event.group_id for event in events if event.group_id},
        role__in=ORGANISING_ROLES,
        person__user__isnull=False,
    ).values_list("group_id", "person__user"):
        organisers.setdefault(group_id, set()).add(user_id)
    return [
        Occasion(
            key=f"event:{event.pk}",
            label=f"{event.title}, {_day(event.starts_at)}",
            url=event.get_absolute_url(),
            user_ids=tuple(sorted({event.host_id, *organisers.get(event.group_id, ())} - {None})),
        )
        for event in events
    ]


def _day(moment):
    local = timezone.localtime(moment)
    return f"{local.day} {local:%b %Y}"


# The framework's registries: events tagged with practices, and as what a learning is about --


def _event_label(event):
    from django.utils.formats import date_format

    return f"Event: {event.title} ({date_format(timezone.localtime(event.starts_at), 'j M Y')})"


def event_described(viewer, object_id):
    """An event as the framework names it on tags, if ``viewer`` runs it: those who run an
    event tag it with the practices it serves."""
    from hubsite.framework.registry import Described

    event = event_managed(viewer).filter(pk=object_id).only("pk", "title", "slug", "starts_at")
    event = event.first()
    if event is None:
        return None
    return Described(label=_event_label(event), url=event.get_absolute_url())


def event_subjects(viewer, limit=50):
    """The events ``viewer`` may see from the last half year to the next month, latest first,
    for a learning to be about."""
    from datetime import timedelta

    from hubsite.framework.registry import Subject

    now = timezone.now()
    events = (
        event_visible(viewer)
        .filter(starts_at__gte=now - timedelta(days=183), starts_at__lte=now + timedelta(days=31))
        .only("pk", "title", "starts_at")
        .order_by("-starts_at", "-id")[:limit]
    )
    return [Subject(key=f"connect.event:{event.pk}", label=_event_label(event)) for event in events]
