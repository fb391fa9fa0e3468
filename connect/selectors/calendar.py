"""Read queries of the calendar: the upcoming-events list, the month grid and the iCalendar
feeds. Each is one query for its events, whatever their number; visibility comes from
``events.event_visible``, so the calendar never shows what the event page would refuse."""

import calendar
import datetime
from collections import defaultdict
from typing import NamedTuple

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from hubsite.people.models import Group

from .events import event_list, event_visible, with_counts

# A subscribed calendar keeps what people went to recently, not only what is to come.
FEED_PAST_DAYS = 90


def with_places_left(events):
    """Events (already ``with_counts``) with ``places_left``: None when there is no limit."""
    return events.annotate(
        places_left=Case(
            When(capacity__isnull=True, then=Value(None)),
            default=Greatest(F("capacity") - F("confirmed_count"), Value(0)),
            output_field=IntegerField(),
        )
    )


def event_upcoming(viewer):
    """The events ``viewer`` may see that have not ended, soonest first."""
    return with_places_left(event_list(viewer, upcoming=True))


def event_groups(viewer):
    """The groups hosting an event ``viewer`` may see: the calendar's choice of groups, which
    names no group that only holds events the viewer may not see."""
    return Group.objects.filter(pk__in=event_visible(viewer).values("group_id")).order_by("name")


def month_bounds(first_day):
    """The first moment of the month of ``first_day`` and of the next, in local time."""
    following = (first_day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    start = datetime.datetime.combine(first_day, datetime.time())
    end = datetime.datetime.combine(following, datetime.time())
    return timezone.make_aware(start), timezone.make_aware(end)


def event_month(viewer, first_day):
    """The events ``viewer`` may see that take place (at least in part) in the month of
    ``first_day``, past ones included: a month is shown whole."""
    start, end = month_bounds(first_day)
    events = with_counts(event_visible(viewer)).filter(starts_at__lt=end, ends_at__gt=start)
    return with_places_left(events).select_related("locality", "group").order_by("starts_at", "id")


class Day(NamedTuple):
    date: datetime.date
    in_month: bool
    today: bool
    events: list


def month_weeks(events, first_day):
    """The month of ``first_day`` as weeks from Monday to Sunday, each day with the
    ``events`` on it (an event over several days is on each of them). Runs ``events`` once.
    Each event gets its ``start_day`` (local date): the grid says which day it starts on."""
    month_start, month_end = (timezone.localdate(moment) for moment in month_bounds(first_day))
    last_day = month_end - datetime.timedelta(days=1)
    on_day = defaultdict(list)
    for event in events:
        event.start_day = timezone.localdate(event.starts_at)
        day = max(event.start_day, month_start)
        # An event that ends at midnight is not on the next day.
        until = timezone.localdate(event.ends_at - datetime.timedelta(microseconds=1))
        while day <= min(until, last_day):
            on_day[day].append(event)
            day += datetime.timedelta(days=1)
    today = timezone.localdate()
    weeks = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(
        first_day.year, first_day.month
    )
    return [
        [
            Day(date, date.month == first_day.month, date == today, on_day.get(date, []))
            for date in week
        ]
        for week in weeks
    ]


def feed_events(group=None):
    """Public events for the iCalendar feeds (of the whole hub, or of one ``group``): those
    still to come and those of the last ``FEED_PAST_DAYS`` days, cancelled ones included so
    that subscribed calendars learn of the cancellation."""
    since = timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
    events = event_visible(AnonymousUser()).filter(ends_at__gte=since)
    if group is not None:
        events = events.filter(group=group)
    return events.select_related("locality", "group").order_by("starts_at", "id")


def event_for_download(viewer):
    """The events ``viewer`` may download one at a time as an ``.ics`` file."""
    return event_visible(viewer).select_related("locality", "group")
