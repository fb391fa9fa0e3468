"""How long Organise keeps a former member's membership: the retention rule of lapsed and
left memberships, applied nightly through the data-protection registry
(``hubsite.privacy.registry``)."""

from django.db.models.functions import Coalesce
from django.utils import timezone

from hubsite.notify.selectors import messages_keyed

from ..models import (
    Contribution,
    Delivery,
    GroupProposal,
    JoinApplication,
    Membership,
    MembershipEvent,
)
from .groups import KEY_PREFIX as PROPOSAL_KEY_PREFIX
from .members import LAPSED_KEY_PREFIX, RENEWAL_KEY_PREFIX

DESCRIPTION = (
    "A membership that lapsed or ended this many months ago is deleted, with its "
    "contributions, its join applications and the emails about them. The dated joins, "
    "renewals, lapses and leavings stay without the person, so the growth figures do not "
    "change; the person's record itself stays."
)


def memberships_ended(cutoff):
    return Membership.objects.filter(
        status__in=[Membership.Status.LAPSED, Membership.Status.LEFT],
        ended_on__lt=timezone.localtime(cutoff).date(),
    )


def former_members_retain(cutoff):
    """Delete the memberships that ended before ``cutoff`` as erasing their person does
    (``people.person_data_erase``, its membership part), in a fixed number of queries;
    returns how many memberships went."""
    ended = memberships_ended(cutoff).values("pk")
    applications = JoinApplication.objects.filter(membership__in=ended)
    messages_keyed("organise:join:", applications).delete()
    memberships = Membership.objects.filter(pk__in=ended)
    messages_keyed(RENEWAL_KEY_PREFIX, memberships).delete()
    messages_keyed(LAPSED_KEY_PREFIX, memberships).delete()
    # The dated changes stay, anonymous, for the growth figures.
    MembershipEvent.objects.filter(membership__in=ended).update(membership=None)
    Contribution.objects.filter(membership__in=ended).delete()
    applications.delete()
    _, deleted = memberships.delete()
    return deleted.get(Membership._meta.label, 0)


# Answers to calls to action ----------------------------------------------------------------

CALL_ANSWERS_DESCRIPTION = (
    "Who a call to action went to, and what each person answered, lose the person this many "
    "months after the call was sent. The call stays with its counts: how many it went to, "
    "how many were sent, and how many said yes or not this time. The emails themselves are "
    "emptied after the period set for emails sent."
)


def call_answers_retain(cutoff):
    """Take the person off the copies of the calls sent before ``cutoff`` (a call that was
    stopped counts from when it started); returns how many copies changed. The rows stay,
    with their answer and their email's status, so each call's totals
    (``selectors.calls.call_totals``) are unchanged."""
    due = Delivery.objects.alias(
        sent=Coalesce("call__sent_at", "call__started_at", "created_at")
    ).filter(sent__lt=cutoff, person__isnull=False)
    return due.update(person=None)


# Group proposals declined -----------------------------------------------------------------

DECLINED_PROPOSALS_DESCRIPTION = (
    "A proposal of a group that was declined is deleted, with the emails about it, this many "
    "months after it was declined. A proposal that was approved became a group: it stays."
)


def declined_proposals_retain(cutoff):
    """Delete the proposals declined before ``cutoff`` with their emails; returns how many
    went."""
    due = GroupProposal.objects.alias(last=Coalesce("decided_at", "created_at")).filter(
        status=GroupProposal.Status.DECLINED, last__lt=cutoff
    )
    messages_keyed(PROPOSAL_KEY_PREFIX, due).delete()
    _, deleted = GroupProposal.objects.filter(pk__in=due.values("pk")).delete()
    return deleted.get(GroupProposal._meta.label, 0)
