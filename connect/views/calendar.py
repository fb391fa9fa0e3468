"""The calendar: upcoming events as a list and as a month, filtered by group, place and type;
iCalendar feeds of the public events (the whole hub's and each group's) and an ``.ics`` file
per event. All public: what a visitor sees is what ``event_visible`` gives them."""

import datetime
import re
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from hubsite.people.models import Group

from ..filters import EventFilter
from ..selectors import calendar as selectors

ICS_TYPE = "text/calendar; charset=utf-8"
MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
# The months the calendar shows: any other ?month= is not understood.
FIRST_YEAR, LAST_YEAR = 2000, 2100
WEEKDAYS = [
    ("Mon", "Monday"),
    ("Tue", "Tuesday"),
    ("Wed", "Wednesday"),
    ("Thu", "Thursday"),
    ("Fri", "Friday"),
    ("Sat", "Saturday"),
    ("Sun", "Sunday"),
]


class Feed(NamedTuple):
    label: str
    url: str  # to copy into a calendar app
    webcal: str  # opens the calendar app, subscribed


def _site_url(request):
    """The address links start with: SITE_URL when set, else this request's."""
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


def _swap(request):
    """An htmx request that replaces the results only (not a boosted page or history)."""
    htmx = request.htmx
    return bool(htmx and not htmx.boosted and not htmx.history_restore_request)


def _feeds(request, group=None):
    """The feeds to offer: the hub's, and the chosen group's; webcal:// opens a calendar app."""
    site = _site_url(request)
    paths = [("All public events", reverse("connect:events_ics"))]
    if group is not None:
        paths.append(
            (
                f"Public events of {group.name}",
                reverse("connect:group_events_ics", args=[group.slug]),
            )
        )
    webcal = re.sub(r"^https?://", "webcal://", site)
    return [Feed(label, site + path, webcal + path) for label, path in paths]


def _render(request, template, context):
    """The whole page, or only its results for an htmx request, from the same template."""
    swap = _swap(request)
    response = render(request, template + ("#results" if swap else ""), {**context, "swap": swap})
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_not_required
def event_list(request):
    events = EventFilter(
        request.GET, queryset=selectors.event_upcoming(request.user), viewer=request.user
    )
    page = Paginator(events.qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "connect/event_list.html",
        {"filter": events, "page": page, "feeds": _feeds(request, events.chosen_group)},
    )


def _month(value):
    """The first day of the month ``YYYY-MM``, or None when ``value`` is not one."""
    match = MONTH.fullmatch(value or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


def _add_months(first_day, months):
    """The first day of the month ``months`` away, or None outside the calendar's years."""
    index = first_day.year * 12 + first_day.month - 1 + months
    year, month = divmod(index, 12)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return datetime.date(year, month + 1, 1)


@login_not_required
def event_month(request):
    asked = request.GET.get("month", "")
    first_day = _month(asked)
    not_understood = bool(asked) and first_day is None
    this_month = timezone.localdate().replace(day=1)
    first_day = first_day or this_month
    events = EventFilter(
        request.GET, queryset=selectors.event_month(request.user, first_day), viewer=request.user
    )
    weeks = selectors.month_weeks(events.qs, first_day)
    return _render(
        request,
        "connect/event_month.html",
        {
            "filter": events,
            "month": first_day,
            "previous": _add_months(first_day, -1),
            "next": _add_months(first_day, 1),
            "this_month": this_month,
            "not_understood": not_understood,
            "weekdays": WEEKDAYS,
            "weeks": weeks,
            "count": len(events.qs),  # already fetched for the weeks
            "feeds": _feeds(request, events.chosen_group),
        },
    )


# iCalendar ------------------------------------------------------------------------------


def _location(event):
    """The venue, with its locality when the venue does not name it; "Online" for an event
    held only online."""
    place = event.venue
    locality = event.locality.name if event.locality else ""
    if locality and locality.lower() not in place.lower():
        place = f"{place}, {locality}" if place else locality
    if not event.in_person or not place:
        return "Online" if event.online else place
    return f"{place} (and online)" if event.online else place


def _description(event, url):
    parts = [event.purpose, event.description]
    if event.group:
        parts.append(f"Hosted by {event.group.name}.")
    if event.accessibility:
        parts.append(f"Accessibility: {event.accessibility}")
    if event.online:
        parts.append("The link to join online is sent to people with a place.")
    parts.append(f"Details and RSVP: {url}")
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def _calendar_event(event, site, stamp):
    """One event as a VEVENT: its times in UTC, never its meeting link."""
    url = site + event.get_absolute_url()
    entry = CalendarEvent()
    entry.add("uid", f"event-{event.pk}@{urlsplit(site).hostname or 'hub'}")
    entry.add("dtstamp", stamp)
    entry.add("dtstart", event.starts_at.astimezone(datetime.UTC))
    entry.add("dtend", event.ends_at.astimezone(datetime.UTC))
    entry.add("summary", event.title)
    entry.add("description", _description(event, url))
    if location := _location(event):
        entry.add("location", location)
    entry.add("url", url)
    entry.add("categories", [event.get_kind_display()])
    entry.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    return entry


def _ics(request, name, events, filename, attachment=False):
    site = _site_url(request)
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    feed = Calendar()
    feed.add("prodid", f"-//{settings.HUB_NAME}//Connect calendar//EN")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", name)
    for event in events:
        feed.add_component(_calendar_event(event, site, stamp))
    response = HttpResponse(feed.to_ical(), content_type=ICS_TYPE)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@login_not_required
def events_ics(request):
    return _ics(request, settings.HUB_NAME, selectors.feed_events(), "events.ics")


@login_not_required
def group_events_ics(request, slug):
    group = get_object_or_404(Group, slug=slug, public=True)
    return _ics(
        request,
        f"{group.name} · {settings.HUB_NAME}",
        selectors.feed_events(group),
        f"{group.slug}-events.ics",
    )


@login_not_required
def event_ics(request, pk):
    event = get_object_or_404(selectors.event_for_download(request.user), pk=pk)
    return _ics(request, event.title, [event], f"{event.slug}.ics", attachment=True)


urlpatterns = [
    path("events/", event_list, name="event_list"),
    path("events/month/", event_month, name="event_month"),
    path("events.ics", events_ics, name="events_ics"),
    path("events/<int:pk>/event.ics", event_ics, name="event_ics"),
    path("groups/<slug:slug>/events.ics", group_events_ics, name="group_events_ics"),
]
