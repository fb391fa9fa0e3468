"""Read queries of the practice tags: what an area's records say about the practices the hub
lives (per practice, the records tagged lately and in all), the practices least served, and
the tags of one record for its page. Records are named by their registered kind and id
(``registry.register_taggable``), so nothing here knows an area; each function runs a fixed
number of queries whatever the number of tags.

A tag keeps the label and link its area gave when it was tagged. Areas give labels that name
no one (a conversation is "Conversation: 3 Mar 2026, door-knock"), because the area pages
list them."""

from dataclasses import dataclass, field
from datetime import timedelta
from itertools import groupby

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from hubsite.people.models import Role
from hubsite.people.rules import STAFF, has_role

from ..models import Practice, PracticeTag
from ..registry import Described, taggable_kinds

# Who tags records with practices: the people who run the hub's work, never members.
TAGGERS = (Role.STAFF, Role.ORGANISER, Role.VOLUNTEER)
# "Lately": a quarter, the rhythm of the self-assessment.
RECENT_DAYS = 90
# How many of the latest tagged records each practice shows.
LATEST = 3


def tag_target(viewer, kind: str, object_id: int) -> Described | None:
    """The record ``viewer`` wants to tag, as its area describes it, or None when the kind is
    not registered, the viewer may not tag, or the area says the viewer may not see it."""
    describe = taggable_kinds().get(kind)
    if describe is None or not has_role(viewer, TAGGERS):
        return None
    return describe(viewer, object_id)


def tag_form_context(viewer, kind: str, object_id: int) -> dict:
    """What ``framework/_practice_tags.html`` shows for one record: its tags, and the practices
    it is not tagged with yet grouped by area (two queries). Include it as
    ``{% include "framework/_practice_tags.html" with tags=practice_tags %}``."""
    current = list(
        PracticeTag.objects.filter(kind=kind, object_id=object_id)
        .select_related("practice__area")
        .order_by("practice__area__order", "practice__order")
    )
    tagged = {tag.practice_id for tag in current}
    practices = Practice.objects.select_related("area").order_by("area__order", "order")
    return {
        "kind": kind,
        "object_id": object_id,
        "current": current,
        "choices": [
            (area, untagged)
            for area, in_area in groupby(practices, key=lambda practice: practice.area)
            if (untagged := [practice for practice in in_area if practice.pk not in tagged])
        ],
        "can_tag": has_role(viewer, TAGGERS),
    }


# What the hub lives, practice by practice ----------------------------------------------------


@dataclass
class PracticeActivity:
    practice: Practice
    recent: int  # records tagged in the last RECENT_DAYS
    total: int
    latest: list = field(default_factory=list)  # the latest PracticeTag rows, newest first

    @property
    def lived_lately(self) -> bool:
        return self.recent > 0


def _since(now=None):
    return (now or timezone.now()) - timedelta(days=RECENT_DAYS)


def _with_counts(practices, since):
    return practices.annotate(
        tagged_recently=Count("tags", filter=Q(tags__tagged_at__gte=since)),
        tagged_in_all=Count("tags"),
    )


def area_page(slug: str, viewer, *, now=None) -> list[PracticeActivity]:
    """For each practice of the area ``slug``, in the card's order: the records tagged with it
    lately and in all, and, for staff (who may open every record), the latest few with their
    links. Everyone else sees the counts only: a record's label can name an event or a
    campaign they may not see."""
    since = _since(now)
    practices = list(
        _with_counts(Practice.objects.filter(area__slug=slug), since).order_by("order")
    )
    latest = {}
    if practices and has_role(viewer, STAFF):
        rows = (
            PracticeTag.objects.filter(practice__area__slug=slug)
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("practice_id")],
                    order_by=[F("tagged_at").desc(), F("id").desc()],
                )
            )
            .filter(rank__lte=LATEST)
            .order_by("practice_id", "rank")
        )
        for practice_id, tags in groupby(rows, key=lambda tag: tag.practice_id):
            latest[practice_id] = list(tags)
    return [
        PracticeActivity(
            practice=practice,
            recent=practice.tagged_recently,
            total=practice.tagged_in_all,
            latest=latest.get(practice.pk, []),
        )
        for practice in practices
    ]


def practices_least_served(limit: int = 5, *, now=None):
    """The practices with the fewest records tagged in the last RECENT_DAYS (none first), each
    with ``tagged_recently`` and ``tagged_in_all``, for the hub dashboard (one query)."""
    return _with_counts(Practice.objects.select_related("area"), _since(now)).order_by(
        "tagged_recently", "area__order", "order"
    )[:limit]
