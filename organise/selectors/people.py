"""What Organise contributes to the core about a person and the hub: the person's timeline
(their membership, the calls to action they received, the decisions they own, the groups
they proposed), their data export, and the hub dashboard's figures. Each provider costs a
fixed number of queries, whatever the rows."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import CharField, Count, F, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from hubsite.framework.registry import Figure
from hubsite.people.models import Group, Role
from hubsite.people.registry import TimelineEntry, TimelineSource
from hubsite.people.rules import STAFF, has_role
from hubsite.people.selectors import timeline_read

from ..models import (
    CallToAction,
    Contribution,
    Decision,
    Delivery,
    GroupProposal,
    JoinApplication,
    Membership,
    MembershipEvent,
)
from .members import RENEW_SOON_DAYS

EVENT_TITLES = {
    MembershipEvent.Kind.JOINED: "Joined the hub",
    MembershipEvent.Kind.RENEWED: "Renewed their membership",
    MembershipEvent.Kind.LAPSED: "Their membership lapsed",
    MembershipEvent.Kind.REJOINED: "Joined the hub again",
    MembershipEvent.Kind.LEFT: "Left the hub",
}


def _moment(day):
    """A date as the start of that day, for a timeline ordered by moments."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _decisions_visible(viewer, staff, own):
    """``rules.can_see_meeting`` as a filter on decisions, for those who may read a
    person's timeline: staff and the person see every one; an organiser those of the hub's
    own meetings and of the groups they belong to."""
    if staff or own:
        return Q()
    groups = Group.objects.filter(memberships__person__user=viewer).values("pk")
    return Q(meeting__group__isnull=True) | Q(meeting__group__in=groups)


# The timeline ---------------------------------------------------------------------------


def person_timeline(person, viewer, *, read=None):
    """What Organise holds about ``person``, as far as ``viewer`` may see it: staff see it
    all; the person themselves sees their own; an organiser sees the calls to action they
    sent the person, the decisions of meetings open to them and the person's proposals of
    groups (organisers answer them). Sources of the core's timeline, read by ``read`` (by
    default now, in one query; see ``hubsite.people.registry``)."""
    if not viewer.is_authenticated or not viewer.is_active:
        return []
    staff = has_role(viewer, STAFF)
    own = person.user_id is not None and person.user_id == viewer.pk
    organiser = has_role(viewer, (Role.ORGANISER,))
    if not (staff or own or organiser):
        return []
    sources = _membership_sources(person, staff) if staff or own else []
    sources += [
        _delivery_source(person, viewer, staff, own),
        _decision_source(person, viewer, staff, own),
        _proposal_source(person, staff or organiser, own),
    ]
    return (read or timeline_read)(sources)


def _membership_url(membership_id, staff):
    if staff:
        return Membership(pk=membership_id).get_absolute_url()
    return reverse("organise:my_membership")


def _membership_sources(person, staff):
    def event_entry(row):
        return TimelineEntry(
            when=_moment(row["day"]),
            area="organise",
            title=EVENT_TITLES[row["code"]],
            url=_membership_url(row["ref"], staff),
            detail=row["name"] if row["other_ref"] is not None else "",
        )

    def contribution_entry(row):
        amount = row["number"].quantize(Decimal("0.01"))
        return TimelineEntry(
            when=_moment(row["day"]),
            area="organise",
            title=f"Contributed £{amount}",
            url=_membership_url(row["ref"], staff),
            detail=row["text"],
        )

    return [
        TimelineSource(
            rows=MembershipEvent.objects.filter(membership__person=person),
            columns={
                "day": F("on"),
                "ref": F("membership_id"),
                "code": F("kind"),
                "other_ref": F("type_id"),
                "name": F("type__name"),
            },
            entry=event_entry,
        ),
        TimelineSource(
            rows=Contribution.objects.filter(membership__person=person),
            columns={
                "day": F("received_on"),
                "ref": F("membership_id"),
                "number": F("amount"),
                "text": F("note"),
            },
            entry=contribution_entry,
        ),
    ]


def _delivery_source(person, viewer, staff, own):
    """Calls to action the person received. Staff and the person see them all; an
    organiser those they sent (to segments they made)."""
    deliveries = Delivery.objects.filter(person=person)
    if not (staff or own):
        deliveries = deliveries.filter(call__segment__created_by=viewer)

    def entry(row):
        call = CallToAction(pk=row["ref"], subject=row["name"])
        manages = staff or row["other_ref"] == viewer.pk
        response = Delivery(response=row["code"] or "")
        return TimelineEntry(
            when=row["when"],
            area="organise",
            title=f"Received the call to action “{call.subject}”",
            url=call.get_absolute_url() if manages else "",
            detail=f"Answered: {response.get_response_display()}" if response.response else "",
        )

    return TimelineSource(
        rows=deliveries,
        columns={
            "when": F("created_at"),
            "ref": F("call_id"),
            "other_ref": F("call__segment__created_by_id"),
            "name": F("call__subject"),
            "code": F("response"),
        },
        entry=entry,
    )


def _decision_source(person, viewer, staff, own):
    def entry(row):
        decision = Decision(
            pk=row["ref"], meeting_id=row["other_ref"], summary=row["name"], status=row["code"]
        )
        return TimelineEntry(
            when=_moment(row["day"]),
            area="organise",
            title=f"Took on the decision “{decision.summary}”",
            url=decision.get_absolute_url(),
            detail=f"{decision.get_status_display()}; review on "
            + date_format(row["other_day"], "j M Y"),
        )

    return TimelineSource(
        rows=Decision.objects.filter(owner=person).filter(_decisions_visible(viewer, staff, own)),
        columns={
            "day": F("meeting__held_on"),
            "ref": F("pk"),
            "other_ref": F("meeting_id"),
            "name": F("summary"),
            "code": F("status"),
            "other_day": F("review_on"),
        },
        entry=entry,
    )


def _proposal_source(person, decider, own):
    """Groups the person proposed: staff and organisers answer proposals."""

    def entry(row):
        proposal = GroupProposal(pk=row["ref"], name=row["name"], status=row["code"])
        return TimelineEntry(
            when=row["when"],
            area="organise",
            title=f"Proposed the group “{proposal.name}”",
            url=reverse("organise:proposal_detail", args=[proposal.pk])
            if decider
            else reverse("organise:proposal_mine")
            if own
            else "",
            detail=proposal.get_status_display(),
        )

    return TimelineSource(
        rows=GroupProposal.objects.filter(proposed_by=person),
        columns={"when": F("created_at"), "ref": F("pk"), "name": F("name"), "code": F("status")},
        entry=entry,
    )


# The data export ------------------------------------------------------------------------


def _iso(value):
    return value.isoformat() if value is not None else None


def join_applications_of(person):
    """Join applications made under the person's address (confirmed or not), and those that
    made their membership: what a visitor typed is theirs, matched on the address."""
    applications = JoinApplication.objects.filter(membership__person=person)
    if person.email:
        applications = applications | JoinApplication.objects.filter(email__iexact=person.email)
    return applications


def person_data_export(person, viewer=None):
    """Everything Organise holds about ``person``, for subject access. Nothing in it is for
    staff only, so ``viewer`` changes nothing."""
    membership = (
        Membership.objects.filter(person=person)
        .select_related("type")
        .prefetch_related("contributions")
        .first()
    )
    events = (
        MembershipEvent.objects.filter(membership=membership)
        .select_related("locality", "type")
        .order_by("on", "id")
        if membership
        else []
    )
    applications = (
        join_applications_of(person)
        .select_related("locality", "type")
        .prefetch_related("tags")
        .order_by("created_at", "id")
    )
    deliveries = (
        Delivery.objects.filter(person=person)
        .select_related("call__event", "call__campaign", "message")
        .order_by("created_at", "id")
    )
    decisions = (
        Decision.objects.filter(owner=person).select_related("meeting").order_by("review_on", "id")
    )
    proposals = (
        GroupProposal.objects.filter(proposed_by=person)
        .select_related("locality", "group")
        .order_by("created_at", "id")
    )
    return {
        "membership": {
            "kind": membership.type.name,
            "status": membership.get_status_display(),
            "first_joined": _iso(membership.joined_on),
            "current_term_started": _iso(membership.term_started_on),
            "renewal_date": _iso(membership.renews_on),
            "ended_on": _iso(membership.ended_on),
            "contributions": [
                {
                    "amount": str(contribution.amount),
                    "received_on": _iso(contribution.received_on),
                    "note": contribution.note,
                }
                for contribution in membership.contributions.all()
            ],
        }
        if membership
        else None,
        "membership_history": [
            {
                "what": event.get_kind_display(),
                "on": _iso(event.on),
                "kind": str(event.type) if event.type_id else None,
                "locality": str(event.locality) if event.locality_id else None,
            }
            for event in events
        ],
        "join_applications": [
            {
                "email": application.email,
                "first_name": application.first_name,
                "last_name": application.last_name,
                "postcode": application.postcode,
                "locality": str(application.locality) if application.locality_id else None,
                "kind": application.type.name,
                "communities_of_interest": [tag.name for tag in application.tags.all()],
                "agreed_to_hear_by_email": application.consent_contact,
                "applied_at": _iso(application.created_at),
                "confirmed_at": _iso(application.confirmed_at),
            }
            for application in applications
        ],
        "calls_to_action_received": [
            {
                "subject": delivery.call.subject,
                "ask": str(delivery.call.ask) if delivery.call.ask else None,
                "sent_at": _iso(delivery.created_at),
                "email": delivery.message.get_status_display() if delivery.message else None,
                "answer": delivery.get_response_display() if delivery.response else None,
                "answered_at": _iso(delivery.responded_at),
            }
            for delivery in deliveries
        ],
        "decisions_owned": [
            {
                "decision": decision.summary,
                "meeting": decision.meeting.title,
                "held_on": _iso(decision.meeting.held_on),
                "review_on": _iso(decision.review_on),
                "status": decision.get_status_display(),
                "outcome": decision.outcome,
            }
            for decision in decisions
        ],
        "groups_proposed": [
            {
                "name": proposal.name,
                "purpose": proposal.purpose,
                "locality": str(proposal.locality) if proposal.locality_id else None,
                "public_page": proposal.public,
                "status": proposal.get_status_display(),
                "answer": proposal.answer,
                "proposed_at": _iso(proposal.created_at),
                "answered_at": _iso(proposal.decided_at),
                "group": proposal.group.name if proposal.group_id else None,
            }
            for proposal in proposals
        ],
    }


# The hub dashboard ----------------------------------------------------------------------


def dashboard_figures(viewer):
    """Membership and mobilisation for staff; an organiser's own calls and decisions.
    Members and volunteers see no hub figures (as in every area)."""
    if has_role(viewer, STAFF):
        return _staff_figures()
    if has_role(viewer, (Role.ORGANISER,)):
        return _organiser_figures(viewer)
    return []


def _month_start(today):
    return _moment(today.replace(day=1))


def _counts(**querysets):
    """The number of rows of each queryset, in one query: a union of one count per part.
    The dashboard composes every area's figures, so each area keeps to few queries."""
    parts = [
        queryset.order_by()
        .annotate(part=Value(name, output_field=CharField()))
        .values("part")
        .annotate(n=Count("pk"))
        .values_list("part", "n")
        for name, queryset in querysets.items()
    ]
    found = dict(parts[0].union(*parts[1:], all=True).order_by())
    return {name: found.get(name, 0) for name in querysets}


def _staff_figures():
    today = timezone.localdate()
    active = Membership.objects.filter(status=Membership.Status.ACTIVE)
    lately = MembershipEvent.objects.filter(on__gt=today - timedelta(days=30))
    counts = _counts(
        active=active,
        due=active.filter(renews_on__lte=today + timedelta(days=RENEW_SOON_DAYS)),
        joined=lately.filter(kind__in=[MembershipEvent.Kind.JOINED, MembershipEvent.Kind.REJOINED]),
        lapsed=lately.filter(kind=MembershipEvent.Kind.LAPSED),
        calls=CallToAction.objects.filter(
            status=CallToAction.Status.SENT, sent_at__gte=_month_start(today)
        ),
        decisions=Decision.objects.filter(status=Decision.Status.OPEN, review_on__lte=today),
    )
    members_url, growth_url = reverse("organise:member_list"), reverse("organise:growth")
    # Each figure opens the member list filtered to the same members (``MembershipFilter``).
    active_url = f"{members_url}?{urlencode({'status': Membership.Status.ACTIVE})}"
    due_url = f"{members_url}?{urlencode({'renews_within': RENEW_SOON_DAYS})}"
    return [
        Figure("organise", "Active members", counts["active"], active_url),
        Figure("organise", "Joined in the last 30 days", counts["joined"], growth_url),
        Figure("organise", "Renewals due within 30 days", counts["due"], due_url),
        Figure("organise", "Lapsed in the last 30 days", counts["lapsed"], growth_url),
        Figure(
            "organise",
            "Calls to action sent this month",
            counts["calls"],
            reverse("organise:call_list"),
        ),
        Figure(
            "organise",
            "Decisions due for review",
            counts["decisions"],
            reverse("organise:decision_list"),
        ),
    ]


def _organiser_figures(viewer):
    today = timezone.localdate()
    counts = _counts(
        calls=CallToAction.objects.filter(
            created_by=viewer, status=CallToAction.Status.SENT, sent_at__gte=_month_start(today)
        ),
        decisions=Decision.objects.filter(
            owner__user=viewer, status=Decision.Status.OPEN, review_on__lte=today
        ),
    )
    return [
        Figure(
            "organise",
            "Calls to action you sent this month",
            counts["calls"],
            reverse("organise:call_list"),
        ),
        Figure(
            "organise",
            "Your decisions due for review",
            counts["decisions"],
            reverse("organise:decision_list"),
        ),
    ]
