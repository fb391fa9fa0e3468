"""Writes of segments: saving a set of filters under a name, changing it (never while a
call to it is on its way, never dropping a filter without being asked), deleting it while no
call to action uses it. The filters are checked here whatever the form let through: ids of
rows that exist and that the segment's owner may filter by, known membership statuses."""

from django.core.exceptions import ValidationError
from django.db import transaction

from hubsite.forms import LARGEST_ID

from ..models import Segment
from ..rules import can_build_segments
from ..selectors.segments import (
    FILTER_KINDS,
    MEMBERSHIP_STATUSES,
    filter_choices,
    filters_lost_described,
    filters_out_of_reach,
    segment_calls_in_flight,
)

NAME_MAX_LENGTH = Segment._meta.get_field("name").max_length
DESCRIPTION_MAX_LENGTH = Segment._meta.get_field("description").max_length

CHOOSE_AMONG = {
    "localities": "Choose among the hub's places.",
    "tags": "Choose among the communities of interest.",
    "groups": "Choose among the groups you organise.",
    "themes": "Choose among the Listening themes.",
    "campaigns": "Choose among the campaigns you run.",
    "events": "Choose among the events you ran that have started.",
    "membership_status": "Choose among the kinds of membership status.",
}


def _clean_words(name, description):
    name = " ".join((name or "").split())
    description = " ".join((description or "").split())
    errors = {}
    if not name:
        errors["name"] = "Give the segment a name, so that you find it again."
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = f"Keep the name to {NAME_MAX_LENGTH} characters."
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = f"Keep the description to {DESCRIPTION_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)
    return name, description


def _is_id(value):
    # Within what the database compares: SQLite cannot even compare a larger integer.
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= LARGEST_ID


def clean_filters(filters, owner):
    """The filters as stored: for each kind used, its sorted distinct values. Refuses an
    unknown kind, a value of the wrong type, an id of a row that does not exist or that
    ``owner`` may not filter by."""
    if filters is None:
        filters = {}
    if not isinstance(filters, dict):
        raise ValidationError("The filters could not be read.")
    unknown = set(filters) - set(FILTER_KINDS)
    if unknown:
        raise ValidationError(f"Unknown filters: {', '.join(sorted(map(str, unknown)))}.")
    choices = filter_choices(owner)
    cleaned, errors = {}, {}
    for kind in FILTER_KINDS:
        values = filters.get(kind) or []
        if not isinstance(values, list | tuple | set):
            errors[kind] = CHOOSE_AMONG[kind]
            continue
        if kind == "membership_status":
            chosen = set(values)
            if not chosen <= set(MEMBERSHIP_STATUSES):
                errors[kind] = CHOOSE_AMONG[kind]
                continue
            values = [status for status in MEMBERSHIP_STATUSES if status in chosen]
        else:
            values = [getattr(value, "pk", value) for value in values]
            if not all(_is_id(value) for value in values):
                errors[kind] = CHOOSE_AMONG[kind]
                continue
            values = sorted(set(values))
            if values and choices[kind].filter(pk__in=values).count() != len(values):
                errors[kind] = CHOOSE_AMONG[kind]
                continue
        if values:
            cleaned[kind] = values
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_builder(user):
    if user is None or not can_build_segments(user):
        raise ValidationError("Only hub staff and organisers build segments.")


@transaction.atomic
def segment_create(*, created_by, name, description="", filters=None):
    _check_builder(created_by)
    name, description = _clean_words(name, description)
    return Segment.objects.create(
        name=name,
        description=description,
        filters=clean_filters(filters, created_by),
        created_by=created_by,
    )


@transaction.atomic
def segment_edit(*, segment, edited_by, name, description="", filters=None, remove_lost=False):
    """Change a segment's name or filters. A segment whose author's account is gone
    becomes the editor's (staff's: only they may open it then), so it reaches people
    again, within the editor's reach.

    Refused while a call to it is scheduled or sending: the call was checked against the
    people it matched, and its batches read the segment as they go (``call_send`` locks the
    segment too, so the two take turns). Refused too while it holds filters its owner can
    no longer choose, unless ``remove_lost``: the form cannot show them, so saving would
    drop them quietly, and a segment of one lost group would widen to everyone."""
    _check_builder(edited_by)
    segment = (
        Segment.objects.select_for_update(of=("self",))
        .select_related("created_by")
        .get(pk=segment.pk)
    )
    if segment_calls_in_flight(segment).exists():
        raise ValidationError(in_flight_message(segment))
    owner = segment.created_by or edited_by
    if not remove_lost and (lost := filters_out_of_reach(segment.filters, owner)):
        raise ValidationError(lost_filters_message(filters_lost_described(lost)))
    segment.name, segment.description = _clean_words(name, description)
    segment.filters = clean_filters(filters, owner)
    segment.created_by = owner
    segment.save(update_fields=["name", "description", "filters", "created_by", "updated_at"])
    return segment


def lost_filters_message(described):
    return (
        f"This segment holds filters that can no longer be used: {'; '.join(described)}. "
        "Saving it would drop them, and it could then reach more people. Tick “Remove the "
        "filters I can no longer use” to save it without them."
    )


def in_flight_message(segment):
    return (
        f"“{segment.name}” cannot change while a call to it is scheduled or still sending: "
        "the call would reach other people than those you checked it for. Stop the call, or "
        "change the segment once it has gone out."
    )


@transaction.atomic
def segment_delete(*, segment):
    """Delete a segment no call to action was written to: a call keeps the segment it went
    to, so that who it reached can still be read."""
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    calls = segment.calls.count()
    if calls:
        written = "1 call to action was" if calls == 1 else f"{calls} calls to action were"
        raise ValidationError(
            f"“{segment.name}” cannot be deleted: {written} written to it, and each keeps "
            "the segment it went to. Change its name or filters instead."
        )
    segment.delete()
