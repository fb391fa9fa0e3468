"""Writes of community activities and enterprises. Who may make them: ``action.rules`` (the
views check it before calling here).

Who does what:

* anyone signed in proposes an activity, service or community business; they become its
  proposer and the first of its people, and it starts as an idea. They may put it under a
  group they belong to (staff under any group).
* its proposer, hub staff, and organisers of the group it is under run it: they edit it, move
  it through the stages, and take people off it. The proposer keeps that say while they are
  one of its people: stepping back (or being taken off) ends it.
* anyone else who joined it manages only themself: they step back. Joining gives no say over
  the activity or the other people in it.
* stages move forward or back freely (idea, planning, running, stopped), each move noting
  ``stage_changed_at``. Stopping asks why: the reason is added to the end of the description,
  dated, so that others learn from it (a reason given for any other move is kept the same way).
* only staff and organisers who run it add other people, found by name (the people search
  shows the hub's people, which members and volunteers do not see); a member adds themself
  with one click, "I'd like to help", which is safe to send twice and open at any stage
  (helping with a stopped one is how it starts again).
* only staff record what support the hub gives.

Every function runs in one transaction and raises a ValidationError a person can read;
nothing is half-saved.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone

from hubsite.people.services import person_link_user

from ..models import Activity
from ..rules import can_record_support, can_remove_from_activity
from ..selectors.activities import groups_to_choose

# Checks --------------------------------------------------------------------------------


def _one_line(value):
    return " ".join((value or "").split())


def _check_fields(fields):
    if "name" in fields:
        fields["name"] = _one_line(fields["name"])
        if not fields["name"]:
            raise ValidationError({"name": "Give the activity a name."})
    if "need" in fields:
        fields["need"] = (fields["need"] or "").strip()
        if not fields["need"]:
            raise ValidationError({"need": "Say what local need it meets."})
    if "kind" in fields and fields["kind"] not in Activity.Kind.values:
        raise ValidationError(
            {"kind": "Choose a community activity, a service or a community business."}
        )
    return fields


def _check_group(user, group, current=None):
    if group is not None and not groups_to_choose(user, current).filter(pk=group.pk).exists():
        raise ValidationError({"group": "Choose one of the groups you belong to."})


# Activities ----------------------------------------------------------------------------


@transaction.atomic
def activity_propose(*, user, name, need, group=None, **fields):
    """A new activity from ``user``, who becomes its proposer and one of its people."""
    fields = _check_fields({"name": name, "need": need, **fields})
    fields.pop("support", None)  # staff record the hub's support once it is agreed
    fields.pop("stage", None)  # everything starts as an idea
    _check_group(user, group)
    person = person_link_user(user=user)
    activity = Activity.objects.create(
        group=group,
        proposed_by=person,
        stage=Activity.Stage.IDEA,
        stage_changed_at=timezone.now(),
        **fields,
    )
    activity.people.add(person)
    return activity


@transaction.atomic
def activity_update(*, activity, edited_by, **fields):
    """Save what was edited. The stage moves only through ``activity_move``."""
    fields = _check_fields(dict(fields))
    fields.pop("stage", None)
    fields.pop("stage_changed_at", None)
    current = Activity.objects.select_related("group").get(pk=activity.pk)
    if "group" in fields:
        _check_group(edited_by, fields["group"], current.group)
    if (
        "support" in fields
        and fields["support"] != current.support
        and not can_record_support(edited_by)
    ):
        raise ValidationError({"support": "Only hub staff record the support the hub gives."})
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.save()
    return activity


@transaction.atomic
def activity_move(*, activity, stage, reason=""):
    """Move the activity to ``stage`` (forward or back). Stopping needs a reason, which is
    added, dated, to the end of the description."""
    if stage not in Activity.Stage.values:
        raise ValidationError(
            {"stage": "Choose one of the stages: idea, planning, running or stopped."}
        )
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    label = Activity.Stage(stage).label
    if locked.stage == stage:
        raise ValidationError({"stage": f"It is already at the “{label}” stage."})
    reason = (reason or "").strip()
    if stage == Activity.Stage.STOPPED and not reason:
        raise ValidationError({"reason": "Say why it stopped, so that others can learn from it."})
    now = timezone.now()
    activity.stage = stage
    activity.stage_changed_at = now
    activity.description = locked.description
    if reason:
        when = formats.date_format(timezone.localdate(now), "j F Y")
        if stage == Activity.Stage.STOPPED:
            note = f"Stopped on {when}: {reason}"
        else:
            note = f"Moved to {label.lower()} on {when}: {reason}"
        activity.description = (
            f"{activity.description.rstrip()}\n\n{note}" if activity.description.strip() else note
        )
    activity.save(update_fields=["stage", "stage_changed_at", "description"])
    return activity


# People involved -----------------------------------------------------------------------


@transaction.atomic
def activity_join(*, activity, user):
    """ "I'd like to help": ``user``'s person joins the activity's people. Returns whether
    they were new to it; sending it twice changes nothing."""
    return activity_person_add(activity=activity, person=person_link_user(user=user))


@transaction.atomic
def activity_person_add(*, activity, person):
    """Add ``person`` to the people involved. Returns whether they were new to it."""
    if activity.people.filter(pk=person.pk).exists():
        return False
    activity.people.add(person)
    return True


@transaction.atomic
def activity_person_remove(*, activity, person, by):
    """Take ``person`` off the people involved, for ``by``: who runs it takes anyone off,
    anyone else only themself. Returns whether they were on it."""
    if not can_remove_from_activity(by, activity, person):
        raise ValidationError("Only the people who run this activity can take others off it.")
    if not activity.people.filter(pk=person.pk).exists():
        return False
    activity.people.remove(person)
    return True
