"""Read queries of the reflection prompts: the schedules staff keep, the prompts waiting on a
person, and the answers gathered per schedule and period."""

import calendar
import re

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from hubsite.people.rules import STAFF_AND_ORGANISERS, has_role

from ..models import AssessmentRound, PromptDelivery, PromptSchedule

# What the dashboard lists of a person's open prompts; the rest are on "My prompts".
DASHBOARD_PROMPTS = 10


def schedule_list():
    """Every schedule, the active first, with how many prompts went out and were answered:
    counted for each schedule on the page from ``prompt_period_idx`` alone, not by joining
    every prompt ever sent to the schedules."""
    sent = PromptDelivery.objects.filter(schedule=OuterRef("pk")).order_by().values("schedule")

    def counted(deliveries):
        return Coalesce(Subquery(deliveries.annotate(n=Count("*")).values("n")), 0)

    return (
        PromptSchedule.objects.select_related("created_by__person")
        .annotate(
            sent_count=counted(sent),
            answered_count=counted(sent.filter(answered_at__isnull=False)),
        )
        .order_by("-active", "question", "id")
    )


def prompt_list_mine(viewer):
    """Every prompt that reached ``viewer``: the open ones first (newest first), then the
    answered ones, the latest answer first."""
    if not viewer.is_authenticated:
        return PromptDelivery.objects.none()
    return (
        PromptDelivery.objects.filter(recipient=viewer)
        .select_related("schedule")
        .order_by(F("answered_at").desc(nulls_first=True), "-sent_at", "-id")
    )


def prompts_open(viewer):
    """The prompts waiting on ``viewer``'s answer (of schedules still sent, to an audience
    they are still part of: someone whose role changed is not asked as their old role),
    newest first."""
    from ..services.prompts import AUDIENCE_ROLES

    if not viewer.is_authenticated:
        return PromptDelivery.objects.none()
    audiences = [audience for audience, roles in AUDIENCE_ROLES.items() if viewer.role in roles]
    return (
        PromptDelivery.objects.filter(
            recipient=viewer,
            answered_at__isnull=True,
            schedule__active=True,
            schedule__audience__in=audiences,
        )
        .select_related("schedule")
        .order_by("-sent_at", "-id")
    )


def schedule_answers(schedule):
    """Who was asked what in each period and what they answered, the latest period first
    (a period's rows together, even when a newcomer got it later in the period), for the
    paginator: see ``ScheduleAnswers``."""
    return ScheduleAnswers(schedule)


class ScheduleAnswers:
    """A schedule's deliveries in the order of ``schedule_answers``, as a sequence that the
    paginator cuts. A period's place comes from when it began (its first delivery), which no
    index can hold, so instead of ordering every delivery by it the periods are read first,
    with when each began and how many it reached (one query on ``prompt_period_idx``, index
    only), and a page then reads the rows of the one or two periods it spans (one query, their
    people joined): the same two queries, and the same few rows, on any page of any schedule."""

    def __init__(self, schedule):
        self.schedule = schedule
        self._periods = None

    @property
    def periods(self):
        if self._periods is None:
            self._periods = list(
                PromptDelivery.objects.filter(schedule=self.schedule)
                .values_list("period")
                .annotate(began=Min("sent_at"), reached=Count("*"))
                .order_by("-began", "period")
            )
        return self._periods

    def count(self):
        return sum(reached for _, _, reached in self.periods)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        spanned, first, offset = [], 0, 0
        for period, _, reached in self.periods:
            if offset + reached > start and offset < stop:
                if not spanned:
                    first = offset
                spanned.append(period)
            offset += reached
            if offset >= stop:
                break
        if not spanned:
            return []
        rank = Case(
            *(When(period=period, then=Value(n)) for n, period in enumerate(spanned)),
            output_field=IntegerField(),
        )
        rows = (
            PromptDelivery.objects.filter(schedule=self.schedule, period__in=spanned)
            .select_related("recipient__person")
            .annotate(period_rank=rank)
            .order_by(
                "period_rank",
                "recipient__person__first_name",
                "recipient__person__last_name",
                "recipient__email",
                "pk",
            )
        )
        return list(rows[start - first : stop - first])


def dashboard_tasks(viewer):
    """The dashboard's "Waiting on you": one task per open prompt, in one query."""
    from ..registry import Task

    return [
        Task(
            area="framework",
            # The occasion tells apart the same question asked after two events.
            title=delivery.schedule.question
            + (f" (after {delivery.about})" if delivery.about else ""),
            url=delivery.get_absolute_url(),
        )
        for delivery in prompts_open(viewer)[:DASHBOARD_PROMPTS]
    ]


def open_round_url(viewer):
    """The open self-assessment round's page, or "" when no round is open, ``viewer`` does
    not take part in the self-assessment, or its page is not there to link to."""
    if not has_role(viewer, STAFF_AND_ORGANISERS):
        return ""
    today = timezone.localdate()
    round_ = (
        AssessmentRound.objects.filter(opens_on__lte=today)
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=today))
        .order_by("-opens_on", "-id")
        .first()
    )
    if round_ is None:
        return ""
    try:
        return reverse("framework:assessment_detail", args=[round_.pk])
    except NoReverseMatch:
        return ""


_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def period_label(period):
    """A period as people say it: "week 48 of 2026", "November 2026", "Oct–Dec 2026"."""
    if match := _WEEK.match(period):
        return f"week {int(match[2])} of {match[1]}"
    if (match := _MONTH.match(period)) and 1 <= int(match[2]) <= 12:
        return f"{calendar.month_name[int(match[2])]} {match[1]}"
    if match := _QUARTER.match(period):
        first = (int(match[2]) - 1) * 3 + 1
        return f"{calendar.month_abbr[first]}–{calendar.month_abbr[first + 2]} {match[1]}"
    return period


def with_labels(deliveries):
    """Give each delivery (of a page) ``when``: its occasion, or its period in words."""
    for delivery in deliveries:
        delivery.when = delivery.about or period_label(delivery.period)
    return deliveries
