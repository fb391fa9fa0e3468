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
