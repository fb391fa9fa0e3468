"""Writes of the learning log: recording a learning and correcting it. What a learning is about
must be one of the subjects its writer may see (from the areas' registered providers); its label
is taken from the provider, never from the request."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from hubsite.people.models import Role
from hubsite.people.rules import has_role

from ..models import Learning
from ..selectors.learnings import can_edit_learning, subjects_for

SUBJECT_UNKNOWN = (
    "That is not something you can link a learning to. Choose what it is about from the list, "
    "or “Nothing in particular”."
)


def _subject_label(viewer, subject_key):
    if not subject_key:
        return ""
    for subject in subjects_for(viewer):
        if subject.key == subject_key:
            return subject.label[: Learning._meta.get_field("subject_label").max_length]
    raise ValidationError({"subject_key": SUBJECT_UNKNOWN})


def _save(learning, *, practices, areas):
    learning.full_clean(exclude=["author"])
    learning.save()
    learning.practices.set(practices)
    # A practice belongs to an area: a learning tagged with it is about that area too.
    learning.areas.set({area.pk for area in areas} | {practice.area_id for practice in practices})
    return learning


@transaction.atomic
def learning_record(
    *,
    author,
    title,
    happened,
    learned,
    differently="",
    practices=(),
    areas=(),
    subject_key="",
):
    """Record what happened, what we learned and what we'll do differently; anyone signed in
    may."""
    if not has_role(author, tuple(Role.values)):
        raise PermissionDenied("Sign in to record a learning.")
    learning = Learning(
        title=title,
        happened=happened,
        learned=learned,
        differently=differently,
        subject_key=subject_key,
        subject_label=_subject_label(author, subject_key),
        author=author,
    )
    return _save(learning, practices=list(practices), areas=list(areas))


@transaction.atomic
def learning_update(
    *,
    learning,
    editor,
    title,
    happened,
    learned,
    differently="",
    practices=(),
    areas=(),
    subject_key="",
):
    """Correct a learning: its author or staff. A subject it already had stays valid even if
    the editor no longer finds it among the recent ones."""
    if not can_edit_learning(editor, learning):
        raise PermissionDenied(
            "Only the person who wrote this learning, or hub staff, can edit it."
        )
    if subject_key != learning.subject_key:
        learning.subject_label = _subject_label(editor, subject_key)
        learning.subject_key = subject_key
    learning.title = title
    learning.happened = happened
    learning.learned = learned
    learning.differently = differently
    return _save(learning, practices=list(practices), areas=list(areas))
