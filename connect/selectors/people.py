"""What Connect contributes to the core: a person's timeline and data export, the hub
dashboard's figures, and what waits on the signed-in person (their next events and shifts).
Each provider costs a fixed number of queries."""

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from hubsite.framework.registry import ComingUp, Figure, Task
from hubsite.people.registry import TimelineEntry
from hubsite.people.rules import has_role

from ..models import JoinRequest, Rsvp, ShiftSignup, VolunteerOffer
from ..rules import RUNNERS
from .events import event_visible
from .volunteering import hours_this_month


def _rsvps(person):
    return Rsvp.objects.filter(person=person).select_related("event").order_by("responded_at")


def _signups(person):
    return (
        ShiftSignup.objects.filter(person=person)
        .select_related("shift__opportunity")
        .order_by("shift__starts_at")
    )


def person_timeline(person, viewer):
    entries = []
    visible = set(event_visible(viewer).filter(rsvps__person=person).values_list("pk", flat=True))
    for rsvp in _rsvps(person):
        if rsvp.event_id not in visible:
            continue
        event = rsvp.event
        entries.append(
            TimelineEntry(
                when=rsvp.responded_at,
                area="connect",
                title={
                    Rsvp.Status.CONFIRMED: f"Has a place at {event}",
                    Rsvp.Status.WAITING: f"On the waiting list for {event}",
                    Rsvp.Status.CANCELLED: f"Cancelled their place at {event}",
                }[rsvp.status]
                if not rsvp.walk_in
                else f"Walked in to {event}",
                url=event.get_absolute_url(),
                detail=rsvp.get_attendance_display() if rsvp.attendance else "",
            )
        )
    for offer in VolunteerOffer.objects.filter(person=person):
        entries.append(
            TimelineEntry(
                when=offer.created_at,
                area="connect",
                title="Offered to volunteer",
                detail=offer.description[:200],
            )
        )
    for signup in _signups(person):
        hours = f"{signup.hours.normalize():f} hours given" if signup.hours is not None else ""
        entries.append(
            TimelineEntry(
                when=signup.shift.starts_at,
                area="connect",
                title=f"Volunteering: {signup.shift.opportunity}"
                + (" (cancelled)" if signup.status == ShiftSignup.Status.CANCELLED else ""),
                url=signup.shift.opportunity.get_absolute_url(),
                detail=hours,
            )
        )
    for request in JoinRequest.objects.filter(person=person).select_related("group"):
        entries.append(
            TimelineEntry(
                when=request.created_at,
                area="connect",
                title=f"Asked to join {request.group}",
                detail=request.get_status_display(),
            )
        )
    return entries


def person_data_export(person, viewer=None):
    return {
        "events": [
            {
                "event": rsvp.event.title,
                "starts_at": rsvp.event.starts_at.isoformat(),
                "answer": rsvp.get_status_display(),
                "answered_at": rsvp.responded_at.isoformat(),
                "attendance": rsvp.get_attendance_display(),
                "walk_in": rsvp.walk_in,
            }
            for rsvp in _rsvps(person)
        ],
        "volunteering_offers": [
            {
                "what": offer.description,
                "skills": [skill.name for skill in offer.skills.all()],
                "availability": offer.availability,
                "locality": str(offer.locality) if offer.locality_id else None,
                "active": offer.active,
                "offered_at": offer.created_at.isoformat(),
            }
            for offer in VolunteerOffer.objects.filter(person=person)
            .select_related("locality")
            .prefetch_related("skills")
        ],
        "shifts": [
            {
                "opportunity": signup.shift.opportunity.title,
                "starts_at": signup.shift.starts_at.isoformat(),
                "status": signup.get_status_display(),
                "hours": str(signup.hours) if signup.hours is not None else None,
            }
            for signup in _signups(person)
        ],
        "requests_to_join_groups": [
            {
                "group": request.group.name,
                "message": request.message,
                "status": request.get_status_display(),
                "asked_at": request.created_at.isoformat(),
            }
            for request in JoinRequest.objects.filter(person=person).select_related("group")
        ],
    }


def dashboard_figures(viewer):
    if not has_role(viewer, RUNNERS):
        return []
    now = timezone.now()
    events = event_visible(viewer)
    upcoming = events.filter(starts_at__gte=now, status="scheduled")
    counts = upcoming.aggregate(
        events=Count("id", distinct=True),
        places=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.CONFIRMED)),
    )
    recent = Rsvp.objects.filter(
        event__in=events.filter(ends_at__lt=now, ends_at__gte=now - timedelta(days=90)),
        status=Rsvp.Status.CONFIRMED,
    ).aggregate(
        came=Count("id", filter=Q(attendance=Rsvp.Attendance.ATTENDED)),
        recorded=Count("id", filter=~Q(attendance="")),
    )
    hours = hours_this_month(now)
    calendar = reverse("connect:event_list")
    rate = round(100 * recent["came"] / recent["recorded"]) if recent["recorded"] else 0
    return [
        Figure("connect", "Upcoming events", counts["events"], calendar),
        Figure("connect", "Places taken at upcoming events", counts["places"], calendar),
        Figure("connect", "% attendance (last 90 days)", rate, calendar),
        Figure(
            "connect",
            "Volunteer hours this month",
            int(hours),
            reverse("connect:opportunity_list"),
        ),
    ]


def dashboard_tasks(viewer):
    """The signed-in person's next events (a place or waiting) and volunteering shifts."""
    person = getattr(viewer, "person", None) if viewer.is_authenticated else None
    if person is None:
        return []
    now = timezone.now()
    rsvps = (
        Rsvp.objects.filter(
            person=person,
            status__in=[Rsvp.Status.CONFIRMED, Rsvp.Status.WAITING],
            event__starts_at__gte=now,
            event__status="scheduled",
        )
        .select_related("event")
        .order_by("event__starts_at")[:10]
    )
    shifts = (
        ShiftSignup.objects.filter(
            person=person, status=ShiftSignup.Status.SIGNED_UP, shift__starts_at__gte=now
        )
        .select_related("shift__opportunity")
        .order_by("shift__starts_at")[:10]
    )
    tasks = [
        Task(
            area="connect",
            title=(
                f"{rsvp.event} at {timezone.localtime(rsvp.event.starts_at):%H:%M}"
                + (" (waiting list)" if rsvp.status == Rsvp.Status.WAITING else "")
            ),
            url=rsvp.event.get_absolute_url(),
            due_on=timezone.localtime(rsvp.event.starts_at).date(),
        )
        for rsvp in rsvps
    ]
    tasks += [
        Task(
            area="connect",
            title=f"Volunteering: {signup.shift.opportunity} at "
            f"{timezone.localtime(signup.shift.starts_at):%H:%M}",
            url=signup.shift.opportunity.get_absolute_url(),
            due_on=timezone.localtime(signup.shift.starts_at).date(),
        )
        for signup in shifts
    ]
    return tasks


def volunteering_offered(viewer, *, person=None, text=""):
    """Active volunteering offers, for the core's list of skills and time offered (read from
    the offers, never copied)."""
    from django.db.models import F
    from django.db.models.functions import TruncDate

    if not has_role(viewer, RUNNERS):
        return VolunteerOffer.objects.none().values("person_id")
    offers = VolunteerOffer.objects.filter(active=True)
    if person is not None:
        offers = offers.filter(person=person)
    for word in text.split()[:5]:
        offers = offers.filter(description__icontains=word)
    return offers.order_by().values(
        "person_id", what=F("description"), offered_on=TruncDate("created_at")
    )


def coming_up(viewer):
    """The next events the viewer may see, for the dashboard of those who run the hub."""
    if not has_role(viewer, RUNNERS):
        return []
    events = (
        event_visible(viewer)
        .filter(starts_at__gte=timezone.now(), status="scheduled")
        .order_by("starts_at", "id")[:8]
    )
    return [
        ComingUp(
            area="connect", when=event.starts_at, title=event.title, url=event.get_absolute_url()
        )
        for event in events
    ]
