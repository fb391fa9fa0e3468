"""Read queries of the learning log: the log with its search and filters, and what a learning
may be about, gathered from every area's registered subjects provider (the framework names no
area). Each function runs a fixed number of queries whatever the number of learnings."""

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Prefetch, Q

from hubsite.people.models import Role
from hubsite.people.rules import has_role

from ..models import Learning, Practice
from ..registry import Described, Subject, subject_providers, taggable_kinds

SEARCH_FIELDS = ("title", "happened", "learned", "differently")


def learning_list(*, text="", area=None, practice=None, kind=""):
    """The learnings, newest first, with what their rows show already joined; ``text``
    searches the four texts (``_matching``), ``area`` also matches learnings tagged with one of
    its practices, ``kind`` keeps those about a record of that kind ("connect.event")."""
    learnings = Learning.objects.select_related("author__person").prefetch_related(
        Prefetch("practices", queryset=Practice.objects.select_related("area")), "areas"
    )
    learnings = _matching(learnings, text)
    # Read from the tags alone (the through tables), not joined back to the learnings.
    areas, practices = Learning.areas.through.objects, Learning.practices.through.objects
    if area is not None:
        learnings = learnings.filter(
            Q(pk__in=areas.filter(area=area).values("learning_id"))
            | Q(pk__in=practices.filter(practice__area=area).values("learning_id"))
        )
    if practice is not None:
        learnings = learnings.filter(
            pk__in=practices.filter(practice=practice).values("learning_id")
        )
    if kind:
        learnings = learnings.filter(subject_key__startswith=f"{kind}:")
    return learnings.order_by("-created_at", "-id")


def _matching(learnings, text):
    """The learnings whose four texts match ``text``: PostgreSQL's full-text search (stemmed
    English, web-search syntax, on ``learning_search_idx``) there, so the log is searched
    through an index however long it grows; word by word elsewhere."""
    text = text.strip()
    if not text:
        return learnings
    if connection.vendor == "postgresql":
        # An alias, not an annotation: the words are matched on the index, never selected.
        return learnings.alias(search=SearchVector(*SEARCH_FIELDS, config="english")).filter(
            search=SearchQuery(text, search_type="websearch", config="english")
        )
    for word in text.split()[:8]:
        matches = Q()
        for name in SEARCH_FIELDS:
            matches |= Q(**{f"{name}__icontains": word})
        learnings = learnings.filter(matches)
    return learnings


def can_edit_learning(viewer, learning) -> bool:
    """The author corrects what they wrote; staff correct anything."""
    if has_role(viewer, (Role.STAFF,)):
        return True
    return has_role(viewer, tuple(Role.values)) and learning.author_id == viewer.pk


# What a learning is about -------------------------------------------------------------------


def subjects_for(viewer) -> list[Subject]:
    """Every record a learning by ``viewer`` may be about, from every registered provider (each
    gives only what the viewer may see), in the providers' order."""
    return [subject for provider in subject_providers().values() for subject in provider(viewer)]


def kind_label(kind: str) -> str:
    """A kind in words for the filters: "Connect event" for "connect.event"."""
    return kind.replace(".", " ").replace("_", " ").capitalize()


def subject_kinds() -> list[tuple[str, str]]:
    """The kinds a learning can be about, as choices for the log's filter: one per registered
    subjects provider (registered under its kind), in their order. No query: the log is
    filtered by kind whatever records of it the viewer may see now."""
    return [(kind, kind_label(kind)) for kind in subject_providers()]


def subject_described(viewer, key: str) -> Described | None:
    """The record a learning is about, with its link, when its kind is registered as taggable
    and ``viewer`` may see it; None otherwise (the page then shows the label kept with it)."""
    kind, _, object_id = key.partition(":")
    describe = taggable_kinds().get(kind)
    if describe is None or not (object_id.isascii() and object_id.isdigit()):
        return None
    return describe(viewer, int(object_id))
