"""How long Organise keeps a former member's membership: the retention rule of lapsed and
left memberships, applied nightly through the data-protection registry
(``hubsite.privacy.registry``)."""

from django.utils import timezone

from hubsite.notify.selectors import messages_keyed

from ..models import Contribution, JoinApplication, Membership, MembershipEvent
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
