"""Read queries of meetings and their decisions. Every list starts from what its viewer may
see (``meeting_visible``, ``decision_visible``): the predicates of ``organise.rules`` as
querysets, so a list never holds a meeting its viewer could not open."""

from datetime import datetime, time, timedelta

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone

from hubsite.people.models import Group, GroupMembership, Person
from hubsite.people.rules import STAFF_AND_ORGANISERS, has_role

from ..models import Decision, Meeting
from ..rules import ORGANISING_ROLES, is_hub_member, is_staff

# How far ahead a decision's review shows among the owner's tasks on the dashboard.
REVIEW_SOON_DAYS = 7
# How far ahead, and how many, meetings show on the dashboard's "Coming up".
COMING_UP_DAYS = 60
COMING_UP_LIMIT = 5


def _person_of(viewer):
    return getattr(viewer, "person", None) if viewer.is_authenticated else None


def _groups_of(viewer):
    return GroupMembership.objects.filter(person__user=viewer).values("group_id")


def _groups_organised_by(viewer):
    return GroupMembership.objects.filter(person__user=viewer, role__in=ORGANISING_ROLES).values(
        "group_id"
    )


# Meetings ------------------------------------------------------------------------------


def meeting_visible(viewer):
    """The meetings ``viewer`` may see (``rules.can_see_meeting``): every one for staff; the
    hub's own (members' meetings, AGMs) for organisers and active members of the hub; a
    group's meetings for the people in that group."""
    meetings = Meeting.objects.all()
    if not viewer.is_authenticated or not viewer.is_active:
        return meetings.none()
    if is_staff(viewer):
        return meetings
    in_their_groups = Q(group_id__in=_groups_of(viewer))
    if has_role(viewer, STAFF_AND_ORGANISERS) or is_hub_member(viewer):
        return meetings.filter(Q(group__isnull=True) | in_their_groups)
    return meetings.filter(in_their_groups)


def meeting_managed(viewer):
    """The meetings ``viewer`` runs (``rules.can_manage_meeting``): all for staff, their
    groups' meetings for a group's organisers, whatever their role on the hub."""
    meetings = Meeting.objects.all()
    if is_staff(viewer):
        return meetings
    if not viewer.is_authenticated or not viewer.is_active:
        return meetings.none()
    return meetings.filter(group_id__in=_groups_organised_by(viewer))


def groups_to_meet(viewer):
    """The groups ``viewer`` may call a meeting of (``rules.can_run_group_meetings``): every
    group for staff, the groups they organise for anyone else."""
    groups = Group.objects.order_by("name")
    if is_staff(viewer):
        return groups
    if not viewer.is_authenticated or not viewer.is_active:
        return groups.none()
    return groups.filter(pk__in=_groups_organised_by(viewer))


def meeting_list(viewer):
    """The meetings ``viewer`` may see, those coming first (soonest first), then those past
    (latest first), with their group and ``decision_count``: one query for a page."""
    today = timezone.localdate()
    return (
        meeting_visible(viewer)
        .select_related("group")
        .annotate(
            decision_count=Count("decisions"),
            is_past=Case(
                When(held_on__lt=today, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            coming_on=Case(
                When(held_on__gte=today, then=F("held_on")), default=None, output_field=DateField()
            ),
        )
        .order_by("is_past", F("coming_on").asc(nulls_last=True), "-held_on", "-id")
    )


def meeting_detail_queryset(viewer):
    """A meeting as its page shows it: with its group and its decisions (each with its
    owner) by review date."""
    decisions = Decision.objects.select_related("owner").order_by("review_on", "id")
    return (
        meeting_visible(viewer)
        .select_related("group")
        .prefetch_related(Prefetch("decisions", queryset=decisions))
    )


# Decisions -----------------------------------------------------------------------------


def decision_visible(viewer):
    """The decisions ``viewer`` may see: those of the meetings they see, and those they own
    (an owner sees a decision through even when its meeting is not theirs to open)."""
    decisions = Decision.objects.all()
    if is_staff(viewer):
        return decisions
    if not viewer.is_authenticated or not viewer.is_active:
        return decisions.none()
    visible = Q(meeting__in=meeting_visible(viewer).values("pk"))
    person = _person_of(viewer)
    if person is not None:
        visible |= Q(owner=person)
    return decisions.filter(visible)


def _can_open_meeting(viewer):
    if is_staff(viewer):
        return Value(True, output_field=BooleanField())
    return Exists(meeting_visible(viewer).filter(pk=OuterRef("meeting_id")))


def _can_manage_meeting(viewer):
    if is_staff(viewer):
        return Value(True, output_field=BooleanField())
    return Exists(meeting_managed(viewer).filter(pk=OuterRef("meeting_id")))


def decision_list(viewer, *, mine=False):
    """The open decisions ``viewer`` follows, by review date: all they may see for staff and
    organisers, their own to see through for everyone (or with ``mine``). Each comes with
    ``is_overdue``, ``can_open_meeting`` and ``can_manage_meeting``, its meeting and owner
    joined: one query for a page."""
    decisions = decision_visible(viewer).filter(status=Decision.Status.OPEN)
    if mine or not has_role(viewer, STAFF_AND_ORGANISERS):
        person = _person_of(viewer)
        decisions = decisions.filter(owner=person) if person else decisions.none()
    return (
        decisions.select_related("meeting__group", "owner")
        .annotate(
            is_overdue=ExpressionWrapper(
                Q(review_on__lt=timezone.localdate()), output_field=BooleanField()
            ),
            can_open_meeting=_can_open_meeting(viewer),
            can_manage_meeting=_can_manage_meeting(viewer),
        )
        .order_by("review_on", "id")
    )


def decision_detail_queryset(viewer):
    return decision_visible(viewer).select_related("meeting__group", "owner")


def owner_choices(meeting, *, current=None):
    """Who may own a decision of ``meeting``: for a meeting of the hub, the people with an
    account (staff, organisers, volunteers, members); for a group's meeting, the people of
    the group; and whoever owns it now. Each comes with ``role_label`` (their role on the
    hub or in the group), in one query whatever their number."""
    if meeting.group_id is None:
        people = Person.objects.filter(user__isnull=False, user__is_active=True)
        role = F("user__role")
    else:
        in_group = GroupMembership.objects.filter(group_id=meeting.group_id)
        people = Person.objects.filter(pk__in=in_group.values("person_id"))
        role = Subquery(in_group.filter(person=OuterRef("pk")).values("role")[:1])
    if current is not None:
        people = Person.objects.filter(Q(pk__in=people.values("pk")) | Q(pk=current.pk))
    return people.annotate(role_label=role).order_by("first_name", "last_name", "id")


def decisions_due_review(today):
    """Open decisions whose review date has come (today or before), with an owner who has
    an email address: the ones whose owner the reminder task writes to."""
    return (
        Decision.objects.filter(
            status=Decision.Status.OPEN, review_on__lte=today, owner__isnull=False
        )
        .exclude(owner__email="")
        .order_by("review_on", "id")
    )


# Contributions to the core -------------------------------------------------------------


def dashboard_tasks(viewer):
    """The viewer's own open decisions whose review falls within a week (or has passed),
    for the dashboard (``hubsite.framework.registry.register_tasks``): one query."""
    from hubsite.framework.registry import Task

    person = _person_of(viewer)
    if person is None or not viewer.is_active:
        return []
    soon = timezone.localdate() + timedelta(days=REVIEW_SOON_DAYS)
    decisions = (
        Decision.objects.filter(owner=person, status=Decision.Status.OPEN, review_on__lte=soon)
        .annotate(can_open_meeting=_can_open_meeting(viewer))
        .order_by("review_on", "id")[:20]
    )
    return [
        Task(
            area="organise",
            title=f"Review the decision: {decision.summary}",
            url=decision_link(decision, can_open_meeting=decision.can_open_meeting),
            due_on=decision.review_on,
        )
        for decision in decisions
    ]


def coming_up(viewer):
    """The next meetings ``viewer`` may see, within COMING_UP_DAYS, soonest first, for the
    dashboard (``hubsite.framework.registry.register_coming_up``): one query once the
    viewer's membership is known (``meeting_visible`` asks whether they are a member; on the
    dashboard the decisions' tasks have asked already). A meeting has a day but no hour, so
    it comes at the start of its day."""
    from hubsite.framework.registry import ComingUp

    today = timezone.localdate()
    meetings = (
        meeting_visible(viewer)
        .filter(held_on__gte=today, held_on__lte=today + timedelta(days=COMING_UP_DAYS))
        .select_related("group")
        .order_by("held_on", "id")[:COMING_UP_LIMIT]
    )
    return [
        ComingUp(
            area="organise",
            when=timezone.make_aware(datetime.combine(meeting.held_on, time.min)),
            title=f"{meeting.title} ({meeting.group})" if meeting.group_id else meeting.title,
            url=meeting.get_absolute_url(),
        )
        for meeting in meetings
    ]


def decision_link(decision, *, can_open_meeting):
    """Where a decision's owner goes to see it through: its place on the meeting's page
    when they may open the meeting, else the page where they review it."""
    if can_open_meeting:
        return decision.get_absolute_url()
    return reverse("organise:decision_review", args=[decision.pk])
