"""Who may see and do what in Listening. The selectors apply the same rules to querysets
(``selectors.conversation_visible``), so a list never holds what its viewer may not open.

* staff see every round and conversation;
* an organiser sees the rounds they run or are on, the conversations of the rounds they
  run, and the conversations they logged;
* a volunteer sees the rounds they are on and the conversations they logged;
* members and the public see nothing of Listening;
* sensitive notes are for the conversation's author and staff only.
"""

from hubsite.people.models import Role
from hubsite.people.rules import STAFF, has_role

LISTENERS = (Role.STAFF, Role.ORGANISER, Role.VOLUNTEER)
ROUND_RUNNERS = (Role.STAFF, Role.ORGANISER)


def is_staff(user) -> bool:
    return has_role(user, STAFF)


def can_see_sensitive_notes(user, conversation) -> bool:
    if not has_role(user, LISTENERS):
        return False
    return is_staff(user) or (
        conversation.logged_by_id is not None and conversation.logged_by_id == user.pk
    )


def can_edit_conversation(user, conversation) -> bool:
    """The author corrects what they logged; staff correct anything."""
    return can_see_sensitive_notes(user, conversation)


def can_manage_round(user, round_) -> bool:
    if is_staff(user):
        return True
    return has_role(user, (Role.ORGANISER,)) and round_.organisers.filter(pk=user.pk).exists()


def can_manage_follow_up(user, follow_up) -> bool:
    """The owner, the conversation's author and staff may mark a promise kept."""
    if not has_role(user, LISTENERS):
        return False
    return is_staff(user) or user.pk in (
        follow_up.owner_id,
        follow_up.conversation.logged_by_id,
    )
