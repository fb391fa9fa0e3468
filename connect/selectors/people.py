"""What Connect contributes to the core: a person's timeline and data export, the hub
dashboard's figures, and what waits on the signed-in person (their next events and shifts).
Each provider costs a fixed number of queries."""

from datetime import timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from hubsite.framework.registry import ComingUp, Figure, Task
from hubsite.people.registry import TimelineEntry, TimelineSource
from hubsite.people.rules import has_role
from hubsite.people.selectors import timeline_read

from ..models import Event, JoinRequest, Opportunity, Rsvp, ShiftSignup, VolunteerOffer
from ..rules import RUNNERS, is_staff
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


def person_timeline(person, viewer, *, read=None):
    """The person's answers to the events ``viewer`` may see, their offers to volunteer,
    their shifts and their requests to join groups: sources of the core's timeline, read by
    ``read`` (by default now, in one query; see ``hubsite.people.registry``)."""
    rsvps = Rsvp.objects.filter(person=person)
    if not is_staff(viewer):
        rsvps = rsvps.filter(event__in=event_visible(viewer))
    sources = [
        TimelineSource(
            rows=rsvps,
            columns={
                "when": F("responded_at"),
                "ref": F("event_id"),
                "slug": F("event__slug"),
                "name": F("event__title"),
                "code": F("status"),
                "other_code": F("attendance"),
                "flag": F("walk_in"),
            },
            entry=_rsvp_entry,
        ),
        TimelineSource(
            rows=VolunteerOffer.objects.filter(person=person),
            columns={"when": F("created_at"), "text": Substr("description", 1, 200)},
            entry=_offer_entry,
        ),
        TimelineSource(
            rows=ShiftSignup.objects.filter(person=person),
            columns={
                "when": F("shift__starts_at"),
                "ref": F("shift__opportunity_id"),
                "name": F("shift__opportunity__title"),
                "code": F("status"),
                "number": F("hours"),
            },
            entry=_shift_entry,
        ),
        TimelineSource(
            rows=JoinRequest.objects.filter(person=person),
            columns={"when": F("created_at"), "name": F("group__name"), "code": F("status")},
            entry=_join_request_entry,
        ),
    ]
    return (read or timeline_read)(sources)


def _rsvp_entry(row):
    event = Event(pk=row["ref"], slug=row["slug"], title=row["name"])
    rsvp = Rsvp(status=row["code"], attendance=row["other_code"] or "")
    return TimelineEntry(
        when=row["when"],
        area="connect",
        title={
            Rsvp.Status.CONFIRMED: f"Has a place at {event}",
            Rsvp.Status.WAITING: f"On the waiting list for {event}",
            Rsvp.Status.CANCELLED: f"Cancelled their place at {event}",
        }[rsvp.status]
        if not row["flag"]
        else f"Walked in to {event}",
        url=event.get_absolute_url(),
        detail=rsvp.get_attendance_display() if rsvp.attendance else "",
    )


def _offer_entry(row):
    return TimelineEntry(
        when=row["when"], area="connect", title="Offered to volunteer", detail=row["text"]
    )


def _shift_entry(row):
    opportunity = Opportunity(pk=row["ref"], title=row["name"])
    hours = row["number"]
    return TimelineEntry(
        when=row["when"],
        area="connect",
        title=f"Volunteering: {opportunity}"
        + (" (cancelled)" if row["code"] == ShiftSignup.Status.CANCELLED else ""),
        url=opportunity.get_absolute_url(),
        detail=f"{hours.normalize():f} hours given" if hours is not None else "",
    )


def _join_request_entry(row):
    request = JoinRequest(status=row["code"])
    return TimelineEntry(
        when=row["when"],
        area="connect",
        title=f"Asked to join {row['name']}",
        detail=request.get_status_display(),
    )


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
    from hubsite.framework.selectors import aggregates_at_once

    if not has_role(viewer, RUNNERS):
        return []
    now = timezone.now()
    events = event_visible(viewer)
    upcoming = events.filter(starts_at__gte=now, status="scheduled")
    confirmed = Rsvp.objects.filter(status=Rsvp.Status.CONFIRMED)
    lately = confirmed.filter(
        event__in=events.filter(ends_at__lt=now, ends_at__gte=now - timedelta(days=90))
    )
    counts = aggregates_at_once(  # one query, and one for the hours
        events=(upcoming, Count("pk")),
        places=(confirmed.filter(event__in=upcoming), Count("pk")),
        came=(lately.filter(attendance=Rsvp.Attendance.ATTENDED), Count("pk")),
        recorded=(lately.exclude(attendance=""), Count("pk")),
    )
    hours = hours_this_month(now)
    calendar = reverse("connect:event_list")
    rate = round(100 * counts["came"] / counts["recorded"]) if counts["recorded"] else 0
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
    """The signed-in person's next events (a place or waiting) and volunteering shifts, the
    next ten of each, in one query: a union of the two."""
    from django.db.models import BooleanField, CharField, ExpressionWrapper, Subquery, Value

    person = getattr(viewer, "person", None) if viewer.is_authenticated else None
    if person is None:
        return []
    now = timezone.now()
    rsvps = Rsvp.objects.filter(
        person=person,
        status__in=[Rsvp.Status.CONFIRMED, Rsvp.Status.WAITING],
        event__starts_at__gte=now,
        event__status="scheduled",
    ).order_by("event__starts_at")
    shifts = ShiftSignup.objects.filter(
        person=person, status=ShiftSignup.Status.SIGNED_UP, shift__starts_at__gte=now
    ).order_by("shift__starts_at")
    # Each part keeps its next ten by ``pk__in`` (not every database cuts a union's parts).
    events = Rsvp.objects.filter(pk__in=Subquery(rsvps.values("pk")[:10])).values(
        kind=Value("event", output_field=CharField()),
        starts=F("event__starts_at"),
        ref=F("event_id"),
        slug=F("event__slug"),
        name=F("event__title"),
        waiting=ExpressionWrapper(Q(status=Rsvp.Status.WAITING), output_field=BooleanField()),
    )
    volunteering = ShiftSignup.objects.filter(pk__in=Subquery(shifts.values("pk")[:10])).values(
        kind=Value("shift", output_field=CharField()),
        starts=F("shift__starts_at"),
        ref=F("shift__opportunity_id"),
        slug=Value("", output_field=CharField()),
        name=F("shift__opportunity__title"),
        waiting=Value(False, output_field=BooleanField()),
    )
    rows = events.order_by().union(volunteering.order_by(), all=True).order_by()
    tasks = []
    # The events first, then the shifts, each soonest first.
    for row in sorted(rows, key=lambda row: (row["kind"] != "event", row["starts"])):
        at = timezone.localtime(row["starts"])
        if row["kind"] == "event":
            event = Event(pk=row["ref"], slug=row["slug"], title=row["name"])
            title = f"{event} at {at:%H:%M}" + (" (waiting list)" if row["waiting"] else "")
            url = event.get_absolute_url()
        else:
            opportunity = Opportunity(pk=row["ref"], title=row["name"])
            title = f"Volunteering: {opportunity} at {at:%H:%M}"
            url = opportunity.get_absolute_url()
        tasks.append(Task(area="connect", title=title, url=url, due_on=at.date()))
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
