"""Read queries of the learning log: the log with its search and filters, and what a learning
may be about, gathered from every area's registered subjects provider (the framework names no
area). Each function runs a fixed number of queries whatever the number of learnings."""

from django.db.models import Prefetch, Q

from hubsite.people.models import Role
from hubsite.people.rules import has_role

from ..models import Learning, Practice
from ..registry import Described, Subject, subject_providers, taggable_kinds

SEARCH_FIELDS = ("title", "happened", "learned", "differently")


def learning_list(*, text="", area=None, practice=None, kind=""):
    """The learnings, newest first, with what their rows show already joined; ``text``
    searches the four texts word by word, ``area`` also matches learnings tagged with one of
    its practices, ``kind`` keeps those about a record of that kind ("connect.event")."""
    learnings = Learning.objects.select_related("author__person").prefetch_related(
        Prefetch("practices", queryset=Practice.objects.select_related("area")), "areas"
    )
    for word in text.split()[:8]:
        matches = Q()
        for name in SEARCH_FIELDS:
            matches |= Q(**{f"{name}__icontains": word})
        learnings = learnings.filter(matches)
    if area is not None:
        learnings = learnings.filter(
            Q(pk__in=Learning.objects.filter(areas=area).values("pk"))
            | Q(pk__in=Learning.objects.filter(practices__area=area).values("pk"))
        )
    if practice is not None:
        learnings = learnings.filter(
            pk__in=Learning.objects.filter(practices=practice).values("pk")
        )
    if kind:
        learnings = learnings.filter(subject_key__startswith=f"{kind}:")
    return learnings.order_by("-created_at", "-id")


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


def subject_kind(key: str) -> str:
    """The kind of a subject key: "connect.event" for "connect.event:42"."""
    return key.partition(":")[0]


def kind_label(kind: str) -> str:
    """A kind in words for the filters: "Connect event" for "connect.event"."""
    return kind.replace(".", " ").replace("_", " ").capitalize()


def subject_kinds(subjects) -> list[tuple[str, str]]:
    """The kinds among ``subjects`` as choices, in the order they first appear."""
    kinds = dict.fromkeys(subject_kind(subject.key) for subject in subjects)
    return [(kind, kind_label(kind)) for kind in kinds]


def subject_described(viewer, key: str) -> Described | None:
    """The record a learning is about, with its link, when its kind is registered as taggable
    and ``viewer`` may see it; None otherwise (the page then shows the label kept with it)."""
    kind, _, object_id = key.partition(":")
    describe = taggable_kinds().get(kind)
    if describe is None or not (object_id.isascii() and object_id.isdigit()):
        return None
    return describe(viewer, int(object_id))
