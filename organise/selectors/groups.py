"""Read queries of self-organised groups: a person's own proposals, the proposals staff and
organisers answer (pending first), and what waits on them for the dashboard."""

from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.urls import reverse

from hubsite.people.models import Group, GroupMembership
from hubsite.people.rules import STAFF_AND_ORGANISERS, has_role

from ..models import GroupProposal
from ..rules import ORGANISING_ROLES, can_decide_proposals

# How many pending proposals the dashboard's "Waiting on you" lists.
DASHBOARD_PROPOSALS = 10


def proposals_of(person):
    """``person``'s own proposals, newest first, with the group made from each and
    ``is_organiser`` (whether they still organise it) computed in SQL."""
    if person is None:
        return GroupProposal.objects.none()
    organises = GroupMembership.objects.filter(
        group=OuterRef("group"), person=person, role__in=ORGANISING_ROLES
    )
    return (
        GroupProposal.objects.filter(proposed_by=person)
        .select_related("locality", "group")
        .annotate(is_organiser=Exists(organises))
        .order_by("-created_at", "-id")
    )


def proposal_list(viewer):
    """Every proposal for those who answer them (staff and organisers), none for anyone
    else: those waiting first (oldest first, the longest wait on top), then the answered,
    most recent first."""
    if not can_decide_proposals(viewer):
        return GroupProposal.objects.none()
    waiting = Case(
        When(status=GroupProposal.Status.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        GroupProposal.objects.select_related(
            "locality", "proposed_by", "proposed_by__locality", "decided_by__person", "group"
        )
        .annotate(waiting=waiting)
        .order_by("waiting", "created_at", "id")
    )


def proposals_waiting(viewer):
    """The proposals waiting for an answer from ``viewer`` (staff and organisers), oldest
    first."""
    return proposal_list(viewer).filter(status=GroupProposal.Status.PENDING)


def proposals_pending_of(person):
    return GroupProposal.objects.filter(proposed_by=person, status=GroupProposal.Status.PENDING)


def name_taken(name, *, exclude_pk=None):
    """What already holds ``name`` (case-insensitive): "group" (one with a public page),
    "private" (a group without one: its name is not told to whoever asks), "proposal" (a
    pending one), or None."""
    name = " ".join((name or "").split())
    group = Group.objects.filter(name__iexact=name).values_list("public", flat=True).first()
    if group is not None:
        return "group" if group else "private"
    pending = GroupProposal.objects.filter(
        status=GroupProposal.Status.PENDING, name__iexact=name
    ).exclude(pk=exclude_pk)
    return "proposal" if pending.exists() else None


def dashboard_tasks(viewer):
    """The dashboard's "Waiting on you": a task per proposal of a group to answer, for staff
    and organisers, in one query."""
    from hubsite.framework.registry import Task

    if not has_role(viewer, STAFF_AND_ORGANISERS):
        return []
    return [
        Task(
            area="organise",
            title=f"Answer the proposal of a group: {name}",
            url=reverse("organise:proposal_detail", args=[pk]),
        )
        for pk, name in proposals_waiting(viewer).values_list("pk", "name")[:DASHBOARD_PROPOSALS]
    ]
