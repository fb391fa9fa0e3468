"""Who may see and do what in Connect. Selectors apply the same rules to querysets
(``selectors.events.event_visible``), so a list never holds what its viewer may not open.

* anyone, signed in or not, sees public events; anyone signed in also sees members' events;
  an event for a group's members is seen by the group's members, its organisers, the host
  and staff;
* staff run every event; an organiser runs the events they host and those of the groups they
  organise, and creates events only for those groups;
* the meeting link of an online event is shown only to people with a confirmed place and to
  those who run the event.
"""

from hubsite.people.models import GroupMembership, Role
from hubsite.people.rules import STAFF, STAFF_AND_ORGANISERS, has_role, is_group_organiser

RUNNERS = STAFF_AND_ORGANISERS
ORGANISING_ROLES = (GroupMembership.Role.ORGANISER, GroupMembership.Role.LEADER)


def is_staff(user) -> bool:
    return has_role(user, STAFF)


def can_run_events(user) -> bool:
    return has_role(user, RUNNERS)


def can_manage_event(user, event) -> bool:
    if is_staff(user):
        return True
    if not has_role(user, (Role.ORGANISER,)):
        return False
    if event.host_id == user.pk:
        return True
    return event.group_id is not None and is_group_organiser(user, event.group)


def can_see_online_link(user, event, rsvp=None) -> bool:
    from .models import Rsvp

    if can_manage_event(user, event):
        return True
    return rsvp is not None and rsvp.status == Rsvp.Status.CONFIRMED


def can_manage_opportunity(user, opportunity) -> bool:
    """Staff manage every volunteering opportunity; an organiser manages those they posted
    and those of the groups they organise (their shifts, matches and hours too)."""
    if is_staff(user):
        return True
    if not has_role(user, (Role.ORGANISER,)):
        return False
    if opportunity.created_by_id == user.pk:
        return True
    return opportunity.group_id is not None and is_group_organiser(user, opportunity.group_id)
