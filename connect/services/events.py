"""Writes of events: create (with the occurrences of a recurring gathering), change, cancel."""

import calendar
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Event, EventSeries, Rsvp
from ..rules import is_staff
from ..selectors.events import confirmed_places, groups_to_host
from . import rsvps

MAX_OCCURRENCES = 52
HORIZON = timedelta(days=5 * 366)


def _check(*, starts_at, ends_at, format, venue, online_link, capacity, visibility, group, **_):
    errors = {}
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = "The event must end after it starts."
    if format in (Event.Format.IN_PERSON, Event.Format.HYBRID) and not (venue or "").strip():
        errors["venue"] = "Say where people should come."
    if format in (Event.Format.ONLINE, Event.Format.HYBRID) and not online_link:
        errors["online_link"] = "Give the meeting link for people joining online."
    if capacity is not None and capacity < 1:
        errors["capacity"] = "Leave it empty for no limit, or allow at least one place."
    if visibility == Event.Visibility.GROUP and group is None:
        errors["group"] = "Choose the group whose members are invited."
    if errors:
        raise ValidationError(errors)


def _check_host(created_by, group):
    if is_staff(created_by):
        return
    if group is None or not groups_to_host(created_by).filter(pk=group.pk).exists():
        raise ValidationError({"group": "Choose one of the groups you organise."})


def _shift(moment, frequency, n):
    """The ``n``-th occurrence after ``moment``, at the same local time of day."""
    local = timezone.localtime(moment)
    if frequency == EventSeries.Frequency.WEEKLY:
        day = local.date() + timedelta(weeks=n)
    elif frequency == EventSeries.Frequency.FORTNIGHTLY:
        day = local.date() + timedelta(weeks=2 * n)
    else:
        month = local.month - 1 + n
        year, month = local.year + month // 12, month % 12 + 1
        day = local.date().replace(
            year=year, month=month, day=min(local.day, calendar.monthrange(year, month)[1])
        )
    naive = timezone.make_naive(local).replace(year=day.year, month=day.month, day=day.day)
    return timezone.make_aware(naive)


@transaction.atomic
def event_create(*, created_by, frequency="", occurrences=1, **fields):
    """Create an event, or every occurrence of a recurring gathering (``frequency`` and
    ``occurrences``). Returns the first."""
    _check(**fields)
    _check_host(created_by, fields.get("group"))
    occurrences = occurrences or 1
    if occurrences > 1 and frequency not in EventSeries.Frequency.values:
        raise ValidationError({"frequency": "Choose how often the gathering repeats."})
    if not 1 <= occurrences <= MAX_OCCURRENCES:
        raise ValidationError(
            {"occurrences": f"Between 1 and {MAX_OCCURRENCES} gatherings at a time."}
        )
    too_far = {"starts_at": "Plan events at most five years ahead."}
    if fields["starts_at"] > timezone.now() + HORIZON:
        raise ValidationError(too_far)
    if occurrences > 1 and _shift(fields["starts_at"], frequency, occurrences - 1) > (
        timezone.now() + HORIZON
    ):
        raise ValidationError(too_far)
    fields.setdefault("host", created_by)
    series = None
    if occurrences > 1:
        series = EventSeries.objects.create(frequency=frequency, occurrences=occurrences)
    events = []
    length = fields["ends_at"] - fields["starts_at"]
    for n in range(occurrences):
        starts_at = _shift(fields["starts_at"], frequency, n) if n else fields["starts_at"]
        event = Event(
            **dict(fields, starts_at=starts_at, ends_at=starts_at + length), series=series
        )
        event.save()
        events.append(event)
    return events[0]


@transaction.atomic
def event_update(*, event, **fields):
    """Change an event. The capacity cannot drop below the places already given; more places
    promote the waiting list, in order."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    values = {
        name: getattr(event, name)
        for name in (
            "starts_at",
            "ends_at",
            "format",
            "venue",
            "online_link",
            "capacity",
            "visibility",
            "group",
        )
    }
    values.update(fields)
    _check(**values)
    confirmed = confirmed_places(event)
    capacity = values["capacity"]
    lowered = capacity is not None and (event.capacity is None or capacity < event.capacity)
    if lowered and capacity < confirmed:
        raise ValidationError(
            {"capacity": f"{confirmed} people already have a place: allow at least {confirmed}."}
        )
    for name, value in fields.items():
        setattr(event, name, value)
    event.save()
    rsvps.promote_waiting(event)
    return event


@transaction.atomic
def event_cancel(*, event):
    """Cancel an event and tell everyone who had a place or was waiting (once each)."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status == Event.Status.CANCELLED:
        return event
    event.status = Event.Status.CANCELLED
    event.save(update_fields=["status"])
    answered = Rsvp.objects.filter(
        event=event, status__in=[Rsvp.Status.CONFIRMED, Rsvp.Status.WAITING]
    ).select_related("person", "event")
    for rsvp in answered:
        rsvps.notify(rsvp, "cancelled")
    return event
