"""Who may see and do what in Organise. Selectors apply the same rules to querysets, so a
list never holds what its viewer may not open.

* anyone may join the hub, confirm their email, answer a call to action from its link and
  read the published "You said, we did" page;
* a signed-in person sees and manages their own membership, profile and preferences, and may
  propose a group;
* staff manage membership types, members and contributions, and see the growth figures;
* staff and organisers build segments and send calls to action: staff to anyone the hub
  knows, an organiser only to the people of the groups they organise (their own segments);
* staff and organisers answer group proposals; the organisers of a group (whatever their
  role) run its meetings;
* members' meetings and the AGM, with their minutes and decisions, are open to every member
  of the hub (and staff and organisers); staff run them. A group's meetings are open to its
  members; its organisers and staff run them.
"""

from hubsite.people.models import GroupMembership, Role
from hubsite.people.rules import STAFF, STAFF_AND_ORGANISERS, has_role, is_group_organiser

SEGMENT_BUILDERS = STAFF_AND_ORGANISERS
PROPOSAL_DECIDERS = STAFF_AND_ORGANISERS
ORGANISING_ROLES = (GroupMembership.Role.ORGANISER, GroupMembership.Role.LEADER)


def is_staff(user) -> bool:
    return has_role(user, STAFF)


def can_build_segments(user) -> bool:
    return has_role(user, SEGMENT_BUILDERS)


def can_manage_segment(user, segment) -> bool:
    """Staff manage every segment; an organiser the segments they made."""
    if is_staff(user):
        return True
    return has_role(user, (Role.ORGANISER,)) and segment.created_by_id == user.pk


def can_manage_call(user, call) -> bool:
    return can_manage_segment(user, call.segment)


def can_decide_proposals(user) -> bool:
    return has_role(user, PROPOSAL_DECIDERS)


def is_hub_member(user) -> bool:
    """A signed-in person whose membership of the hub is active."""
    person = getattr(user, "person", None) if user.is_authenticated else None
    membership = getattr(person, "membership", None) if person else None
    return membership is not None and membership.status == "active"


def can_see_meeting(user, meeting) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if has_role(user, STAFF_AND_ORGANISERS) and (meeting.group_id is None or is_staff(user)):
        return True
    if meeting.group_id is None:
        return is_hub_member(user)
    return GroupMembership.objects.filter(group_id=meeting.group_id, person__user=user).exists()


def can_manage_meeting(user, meeting) -> bool:
    if is_staff(user):
        return True
    return meeting.group_id is not None and is_group_organiser(user, meeting.group)


def can_run_group_meetings(user, group) -> bool:
    return is_staff(user) or is_group_organiser(user, group)


def can_review_decision(user, decision) -> bool:
    """The owner reviews their decision; so do the people who run its meeting."""
    person = getattr(user, "person", None) if user.is_authenticated else None
    if person is not None and decision.owner_id == person.pk and user.is_active:
        return True
    return can_manage_meeting(user, decision.meeting)
