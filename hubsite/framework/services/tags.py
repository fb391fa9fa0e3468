"""Writes of the practice tags: tagging one record of an area with the practices it serves, and
taking tags off. Adding a tag it has, or removing one it has not, changes nothing, so a form
sent twice is harmless."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..models import PracticeTag
from ..selectors.tags import tag_target


@dataclass(frozen=True)
class TagChange:
    added: int
    removed: int


@transaction.atomic
def practice_tags_change(*, viewer, kind, object_id, add=(), remove=()):
    """Add the practices ``add`` to the record ``kind``/``object_id`` and take ``remove`` off
    (a practice in both is added). Only staff, organisers and volunteers tag, and only records
    their area says they may see; the record's label and link are refreshed on all its tags."""
    described = tag_target(viewer, kind, object_id)
    if described is None:
        raise PermissionDenied("You cannot tag this record.")
    label = described.label[: PracticeTag._meta.get_field("label").max_length]
    url = described.url[: PracticeTag._meta.get_field("url").max_length]
    tags = PracticeTag.objects.filter(kind=kind, object_id=object_id)
    existing = set(tags.values_list("practice_id", flat=True))
    wanted = {practice.pk for practice in add}
    to_add = wanted - existing
    to_remove = ({practice.pk for practice in remove} & existing) - wanted
    # ignore_conflicts: a tag added meanwhile by someone else is kept as it is.
    PracticeTag.objects.bulk_create(
        [
            PracticeTag(
                practice_id=practice_id,
                kind=kind,
                object_id=object_id,
                label=label,
                url=url,
                tagged_by=viewer,
            )
            for practice_id in sorted(to_add)
        ],
        ignore_conflicts=True,
    )
    if to_remove:
        tags.filter(practice_id__in=to_remove).delete()
    tags.exclude(label=label, url=url).update(label=label, url=url)
    return TagChange(added=len(to_add), removed=len(to_remove))
