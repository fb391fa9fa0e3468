"""Read queries of joining the hub and of a member's own pages: their person, membership,
contributions and communication preferences, each in a fixed number of queries."""

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from hubsite.people.models import Person, User

from ..models import Contribution, Membership, MembershipType
from ..services.membership import RENEW_MONTHS_AHEAD, add_months


def types_open_to_join():
    return MembershipType.objects.filter(open_to_join=True).order_by("order", "name")


def types_to_choose(membership):
    """The kinds a member may move to: those offered now, and the one they hold."""
    return MembershipType.objects.filter(Q(open_to_join=True) | Q(pk=membership.type_id)).order_by(
        "order", "name"
    )


def account_for(email):
    """The account that signs in with ``email``, if any."""
    if not email:
        return None
    return (
        User.objects.alias(email_lower=Lower("email"))
        .filter(email_lower=email.strip().lower())
        .first()
    )


def own_person(user):
    """The signed-in user's own person, with what their profile shows, or None."""
    if not user.is_authenticated:
        return None
    return Person.objects.select_related("locality", "membership__type").filter(user=user).first()


def membership_of(person):
    return Membership.objects.select_related("type").filter(person=person).first()


def contributions_of(membership):
    """What staff recorded the member gave, newest first."""
    return Contribution.objects.filter(membership=membership).order_by("-received_on", "-id")


def renewal_open(membership, today=None):
    """Whether the member may renew now: lapsed, or active and due within the months ahead
    that renewing early allows."""
    if membership is None:
        return False
    today = today or timezone.localdate()
    if membership.status == Membership.Status.LAPSED:
        return True
    return membership.status == Membership.Status.ACTIVE and membership.renews_on <= add_months(
        today, RENEW_MONTHS_AHEAD
    )
