"""Read queries of interest groups: the public groups and their pages (figures only, never
who is in them), and the requests to join that wait for a viewer's answer."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from hubsite.people.models import Group, GroupMembership, Role
from hubsite.people.rules import has_role

from ..models import Event, JoinRequest
from ..rules import ORGANISING_ROLES, is_staff

# How many of a group's coming gatherings its public page lists.
UPCOMING_ON_PAGE = 10


def _upcoming_public(prefix=""):
    return Q(
        **{
            f"{prefix}visibility": Event.Visibility.PUBLIC,
            f"{prefix}status": Event.Status.SCHEDULED,
            f"{prefix}ends_at__gte": timezone.now(),
        }
    )


def _count(rows):
    """How many of ``rows`` (filtered on ``OuterRef("pk")``, the group) there are, as a
    correlated subquery: counted for the groups of the page only, never for every group."""
    return Coalesce(
        Subquery(
            rows.order_by().values("group_id").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def public_group_list():
    """Groups with a public page, with ``member_count`` and ``upcoming_count`` (their coming
    public events) computed in SQL and their locality joined: one query for a page."""
    return (
        Group.objects.filter(public=True)
        .select_related("locality")
        .annotate(
            member_count=_count(GroupMembership.objects.filter(group=OuterRef("pk"))),
            upcoming_count=_count(Event.objects.filter(_upcoming_public(), group=OuterRef("pk"))),
        )
        .order_by("name")
    )


def public_group_detail_queryset():
    """What a group's public page shows of it: the same figures as the list. A group without
    a public page is not in it, so its page is not found."""
    return public_group_list()


def group_upcoming_events(group, limit=UPCOMING_ON_PAGE):
    """The group's coming public events, soonest first."""
    return (
        Event.objects.filter(_upcoming_public(), group=group)
        .select_related("locality")
        .order_by("starts_at", "id")[:limit]
    )


def viewer_standing(group, viewer):
    """Where a signed-in viewer stands with ``group``: "member", "pending" (asked and
    waiting), or None. Anonymous visitors are strangers to every group."""
    person = getattr(viewer, "person", None) if viewer.is_authenticated else None
    if person is None:
        return None
    if GroupMembership.objects.filter(group=group, person=person).exists():
        return "member"
    if JoinRequest.objects.filter(
        group=group, person=person, status=JoinRequest.Status.PENDING
    ).exists():
        return "pending"
    return None


def join_requests_managed(viewer):
    """Every request to join the groups ``viewer`` answers for: all groups for staff, the
    groups they organise for organisers, none for anyone else."""
    requests = JoinRequest.objects.select_related("group", "person", "person__locality")
    if is_staff(viewer):
        return requests
    if not has_role(viewer, tuple(Role.values)):
        return requests.none()
    organised = GroupMembership.objects.filter(person__user=viewer, role__in=ORGANISING_ROLES)
    if not has_role(viewer, (Role.ORGANISER,)):
        # A self-organised group is run by its organisers whatever their account role.
        organised = organised.filter(group__kind=Group.Kind.SELF_ORGANISED)
    return requests.filter(group_id__in=organised.values("group_id"))


def join_requests_pending(viewer):
    """The requests waiting for ``viewer``'s answer, oldest first."""
    return (
        join_requests_managed(viewer)
        .filter(status=JoinRequest.Status.PENDING)
        .order_by("created_at", "id")
    )


def join_requests_pending_count(group):
    return JoinRequest.objects.filter(group=group, status=JoinRequest.Status.PENDING).count()
