"""Who may see and do what in Action. Selectors apply the same rules to querysets.

* anyone sees a campaign's public page once it is out of planning, its confirmed supporters'
  count and the names of those who chose to show them, and approved stories whose teller
  still consents;
* staff run every campaign; an organiser runs the campaigns they started and those of the
  groups they organise, and starts campaigns only for those groups;
* staff moderate stories and see every activity; anyone signed in may propose an activity.
"""

from hubsite.people.models import GroupMembership, Role
from hubsite.people.rules import STAFF, STAFF_AND_ORGANISERS, has_role

RUNNERS = STAFF_AND_ORGANISERS
ORGANISING_ROLES = (GroupMembership.Role.ORGANISER, GroupMembership.Role.LEADER)


def is_staff(user) -> bool:
    return has_role(user, STAFF)


def can_manage_campaign(user, campaign) -> bool:
    if is_staff(user):
        return True
    if not has_role(user, (Role.ORGANISER,)):
        return False
    if campaign.created_by_id == user.pk:
        return True
    return GroupMembership.objects.filter(
        group__in=campaign.groups.all(), person__user=user, role__in=ORGANISING_ROLES
    ).exists()


# Community activities and enterprises ---------------------------------------------------
# Its proposer (while still one of its people), staff and organisers of the group it is under
# run an activity: they edit it, move its stage, and add or remove people. Anyone else who
# joined it ("I'd like to help") manages only themself: they may step back.


def is_involved(user, activity) -> bool:
    """``user``'s person is one of the activity's people (prefetched on its page)."""
    if not user.is_authenticated:
        return False
    return any(person.user_id == user.pk for person in activity.people.all())


def is_activity_proposer(user, activity) -> bool:
    """``user`` proposed it and has not stepped back (or been taken off) since."""
    proposer = activity.proposed_by
    return (
        proposer is not None
        and proposer.user_id is not None
        and proposer.user_id == user.pk
        and is_involved(user, activity)
    )


def can_manage_activity(user, activity) -> bool:
    """Edit it, move its stage, and add or remove people other than oneself."""
    if not (user.is_authenticated and user.is_active):
        return False
    if is_staff(user) or is_activity_proposer(user, activity):
        return True
    return (
        activity.group_id is not None
        and has_role(user, RUNNERS)
        and GroupMembership.objects.filter(
            group_id=activity.group_id, person__user=user, role__in=ORGANISING_ROLES
        ).exists()
    )


def can_add_people(user, activity) -> bool:
    """Adding others goes through the people search, which shows the hub's people: only staff
    and organisers who run the activity."""
    return has_role(user, RUNNERS) and can_manage_activity(user, activity)


def can_remove_from_activity(user, activity, person) -> bool:
    """Who runs it takes anyone involved off it; anyone else only themself (stepping back).
    Whether ``person`` is involved at all is the caller's check."""
    if not (user.is_authenticated and user.is_active):
        return False
    if person.user_id is not None and person.user_id == user.pk:
        return True
    return can_manage_activity(user, activity)


def can_record_support(user) -> bool:
    return is_staff(user)
