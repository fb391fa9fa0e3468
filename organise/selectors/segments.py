"""Read queries of segments: who a segment's filters match, within what its owner may reach;
who of them a channel may reach (consent and an address); and the figures of its page.

Every filter is an ``id IN (subquery)`` over Person, never a join, so a person matched
through two groups or three conversations is still one row: the querysets need no DISTINCT
and count, order and paginate like any list of people."""

import operator
from functools import reduce

from django.db.models import CharField, Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from action.models import Campaign, Signup
from action.selectors.campaigns import campaign_managed
from connect.models import Event, Rsvp
from connect.selectors.events import event_managed
from hubsite.people.models import Consent, Group, GroupMembership, Locality, Person, Role, Tag
from hubsite.people.rules import has_role
from hubsite.people.selectors import people_with_consent
from listening.models import Theme
from listening.selectors import conversation_visible

from ..models import CallToAction, Membership, Segment
from ..rules import ORGANISING_ROLES, is_staff

# The kinds of filter a segment holds, each a list in ``Segment.filters``: ids of the
# related rows, or membership statuses. AND across kinds, OR within one kind.
# The leadership stage (DESIGN.md: "leadership stage when it exists") is left out on
# purpose: the leadership area has no models yet. When its pathway lands, its stages become
# one more kind here, a field of the builder's form and a subquery in ``segment_people``.
FILTER_KINDS = (
    "localities",
    "tags",
    "groups",
    "membership_status",
    "themes",
    "campaigns",
    "events",
)
# The kinds whose values are ids of rows the owner may choose (``filter_choices``).
ID_KINDS = tuple(kind for kind in FILTER_KINDS if kind != "membership_status")
# "Not a member": people without a membership of the hub at all (not even a pending one).
NOT_A_MEMBER = "none"
MEMBERSHIP_STATUSES = (*Membership.Status.values, NOT_A_MEMBER)

# What a channel needs of a person to reach them: the consent to be contacted by it, and
# the field that holds their address on it. A new channel (SMS) adds its line.
CHANNELS = {
    Segment.Channel.EMAIL: (Consent.Purpose.CONTACT_EMAIL, "email"),
}


# Who a viewer may segment ------------------------------------------------------------------


def _organised_groups(viewer):
    return GroupMembership.objects.filter(person__user=viewer, role__in=ORGANISING_ROLES).values(
        "group_id"
    )


def people_in_scope(viewer):
    """Everyone the hub knows for staff; the people of the groups they organise (as an
    organiser or leader) for an organiser; no one for anyone else, nor for a segment whose
    author's account is gone (``viewer`` None)."""
    if viewer is None:
        return Person.objects.none()
    if is_staff(viewer):
        return Person.objects.all()
    if has_role(viewer, (Role.ORGANISER,)):
        return Person.objects.filter(
            pk__in=GroupMembership.objects.filter(group_id__in=_organised_groups(viewer)).values(
                "person_id"
            )
        )
    return Person.objects.none()


def filter_choices(viewer):
    """What ``viewer`` may filter by, for each kind of id filter: any place, community of
    interest and theme; the groups they organise, and the campaigns and events they run
    (all of them for staff): an organiser learns nothing of other groups' members, other
    campaigns' supporters or other events' guests. Events are those already started, the
    only ones anyone can have attended."""
    if viewer is None:
        groups, campaigns, events = (
            Group.objects.none(),
            Campaign.objects.none(),
            Event.objects.none(),
        )
    else:
        if is_staff(viewer):
            groups = Group.objects.all()
        elif has_role(viewer, (Role.ORGANISER,)):
            groups = Group.objects.filter(pk__in=_organised_groups(viewer))
        else:
            groups = Group.objects.none()
        campaigns, events = campaign_managed(viewer), event_managed(viewer)
    return {
        "localities": Locality.objects.order_by("name"),
        "tags": Tag.objects.order_by("name"),
        "groups": groups.order_by("name"),
        "themes": Theme.objects.order_by("name"),
        "campaigns": campaigns.order_by("name"),
        "events": events.filter(starts_at__lte=timezone.now()).order_by("-starts_at", "-id"),
    }


# Who a segment holds -------------------------------------------------------------------------


def filter_ids(filters, kind):
    """The ids of one kind of filter, ignoring anything that is not one."""
    values = (filters or {}).get(kind) or []
    if not isinstance(values, list):
        return []
    return [value for value in values if isinstance(value, int) and not isinstance(value, bool)]


def filter_statuses(filters):
    values = (filters or {}).get("membership_status") or []
    if not isinstance(values, list):
        return []
    return [value for value in values if value in MEMBERSHIP_STATUSES]


def segment_people(filters, viewer):
    """The people ``filters`` match among those ``viewer`` may segment (``people_in_scope``):
    AND across kinds of filter, OR within one. Each id filter reads only the rows the viewer
    may choose (``filter_choices``), so a filter saved earlier never reaches past what its
    owner may see now. No filter at all: everyone in scope."""
    people = people_in_scope(viewer)
    if viewer is None:
        return people
    choices = filter_choices(viewer)
    if ids := filter_ids(filters, "localities"):
        people = people.filter(locality_id__in=ids)
    if ids := filter_ids(filters, "tags"):
        people = people.filter(
            pk__in=Person.tags.through.objects.filter(tag_id__in=ids).values("person_id")
        )
    if ids := filter_ids(filters, "groups"):
        people = people.filter(
            pk__in=GroupMembership.objects.filter(
                group_id__in=choices["groups"].filter(pk__in=ids).values("pk")
            ).values("person_id")
        )
    if statuses := filter_statuses(filters):
        wanted = []
        if held := [status for status in statuses if status != NOT_A_MEMBER]:
            wanted.append(Q(pk__in=Membership.objects.filter(status__in=held).values("person_id")))
        if NOT_A_MEMBER in statuses:
            wanted.append(~Q(pk__in=Membership.objects.values("person_id")))
        people = people.filter(reduce(operator.or_, wanted))
    if ids := filter_ids(filters, "themes"):
        # Only the conversations the viewer may open say who spoke about what.
        people = people.filter(
            pk__in=conversation_visible(viewer)
            .filter(themes__in=ids, person__isnull=False)
            .values("person_id")
        )
    if ids := filter_ids(filters, "campaigns"):
        people = people.filter(
            pk__in=Signup.objects.filter(
                campaign_id__in=choices["campaigns"].filter(pk__in=ids).values("pk"),
                status=Signup.Status.CONFIRMED,
                person__isnull=False,
            ).values("person_id")
        )
    if ids := filter_ids(filters, "events"):
        people = people.filter(
            pk__in=Rsvp.objects.filter(
                Q(attendance=Rsvp.Attendance.ATTENDED) | Q(checked_in_at__isnull=False),
                event_id__in=choices["events"].filter(pk__in=ids).values("pk"),
            ).values("person_id")
        )
    return people


def segment_reachable(queryset, channel=Segment.Channel.EMAIL):
    """Those of ``queryset`` the channel may reach: an address on it, and their latest word
    on being contacted by it a yes (never given, or withdrawn since, is a no)."""
    purpose, field = CHANNELS[channel]
    return people_with_consent(purpose, queryset.exclude(**{field: ""}))


def _reaches(channel):
    """``segment_reachable`` as a condition on one person, to count those it reaches in the
    same pass as the other figures: an address on the channel, and their latest word on
    being contacted by it a yes (the rule of ``people_with_consent``; no word at all is no
    yes). One look-up of the consent index per person of the segment, whatever the size
    of the hub."""
    purpose, field = CHANNELS[channel]
    latest = Consent.objects.filter(person=OuterRef("pk"), purpose=purpose).order_by(
        "-recorded_at", "-id"
    )
    return ~Q(**{field: ""}) & Q(Subquery(latest.values("given")[:1]))


def segment_counts(people, channel=Segment.Channel.EMAIL):
    """How many ``people`` a segment matches, how many the channel reaches, and why the
    others are not reached (no address; no consent): figures only, in one query that reads
    the segment's people once (a segment of half the hub is its page's dearest query)."""
    _, field = CHANNELS[channel]
    figures = people.aggregate(
        matching=Count("pk"),
        no_address=Count("pk", filter=Q(**{field: ""})),
        reachable=Count("pk", filter=_reaches(channel)),
    )
    figures["no_consent"] = figures["matching"] - figures["no_address"] - figures["reachable"]
    return figures


# Segments ----------------------------------------------------------------------------------


def segment_visible(viewer):
    """The segments ``viewer`` may open: all for staff, their own for an organiser."""
    segments = Segment.objects.select_related("created_by__person")
    if is_staff(viewer):
        return segments
    if has_role(viewer, (Role.ORGANISER,)):
        return segments.filter(created_by=viewer)
    return segments.none()


def segment_calls_in_flight(segment):
    """The calls to ``segment`` that are scheduled or still sending: they go to the people
    it matches when their batches run, so while there are any the segment must not change."""
    return CallToAction.objects.filter(
        segment=segment,
        status__in=[CallToAction.Status.SCHEDULED, CallToAction.Status.SENDING],
    )


def segment_list(viewer):
    """The segments ``viewer`` may open by name, each with ``call_count``: counted for the
    page's segments only, on the index of the calls' segment."""
    calls = (
        CallToAction.objects.filter(segment=OuterRef("pk"))
        .order_by()
        .values("segment")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        segment_visible(viewer)
        .annotate(call_count=Coalesce(Subquery(calls), 0))
        .order_by("name", "id")
    )


def segment_of(segment):
    """The people of a saved segment: its filters, within what its author may reach (the
    same people whoever looks at it, and whoever sends a call to it)."""
    return segment_people(segment.filters, segment.created_by)


def segment_members(segment):
    """The people of a segment its channel reaches, by name, with their place joined."""
    return (
        segment_reachable(segment_of(segment), segment.channel)
        .select_related("locality")
        .order_by("last_name", "first_name", "id")
    )


# What each kind of filter is called on a segment's page, and the rows its ids name.
DESCRIBED = {
    "localities": ("Place", Locality),
    "tags": ("Community of interest", Tag),
    "groups": ("Group", Group),
    "membership_status": ("Membership", None),
    "themes": ("Spoke about", Theme),
    "campaigns": ("Signed", Campaign),
    "events": ("Came to", Event),
}


# The field that names the rows of each kind of id filter (what their ``__str__`` shows).
NAMED_BY = {
    "localities": "name",
    "tags": "name",
    "groups": "name",
    "themes": "name",
    "campaigns": "name",
    "events": "title",
}


def _names(filters):
    """The names of the rows ``filters`` hold, by kind (``{kind: [name…]}``, by name), in
    one query whatever the filters: a union of one part per kind of id filter. A kind not
    used asks for no row but still takes part (Django would leave out an empty ``IN``, and
    a union of nothing but those), so that every segment's page costs the same queries."""
    parts = []
    for kind in ID_KINDS:
        rows = DESCRIBED[kind][1].objects.order_by()
        ids = filter_ids(filters, kind)
        rows = rows.filter(pk__in=ids) if ids else rows.filter(pk__isnull=True)
        parts.append(
            rows.annotate(filter_kind=Value(kind, output_field=CharField())).values_list(
                "filter_kind", NAMED_BY[kind]
            )
        )
    names = {}
    for kind, name in parts[0].union(*parts[1:], all=True):
        names.setdefault(kind, []).append(name)
    return {kind: sorted(found) for kind, found in names.items()}


def filters_described(filters):
    """A segment's filters in words, kind by kind: ``[(label, [names…]), …]``, in one
    query. For a page whose viewer may open the segment (its owner, or staff)."""
    statuses = {**dict(Membership.Status.choices), NOT_A_MEMBER: "Not a member"}
    names = _names(filters)
    described = []
    for kind in FILTER_KINDS:
        label, model = DESCRIBED[kind]
        if model is None:
            found = [statuses[status] for status in filter_statuses(filters)]
        else:
            found = names.get(kind, [])
        if found:
            described.append((label, found))
    return described


# What each kind of filter is called when one of its rows is gone.
GONE = {
    "localities": "a place",
    "tags": "a community of interest",
    "groups": "a group",
    "membership_status": "a kind of membership",
    "themes": "a Listening theme",
    "campaigns": "a campaign",
    "events": "an event",
}


def filters_out_of_reach(filters, owner):
    """The saved filters ``owner`` can no longer choose, kind by kind (``{kind: [values]}``):
    rows deleted since, groups they no longer organise, campaigns and events no longer
    theirs, statuses that no longer exist. ``segment_people`` reads them as matching no one;
    dropping them would widen the segment, so they go only when someone asks."""
    choices = filter_choices(owner)
    lost = {}
    for kind in ID_KINDS:
        if ids := filter_ids(filters, kind):
            kept = set(choices[kind].filter(pk__in=ids).values_list("pk", flat=True))
            if missing := [pk for pk in ids if pk not in kept]:
                lost[kind] = missing
    statuses = (filters or {}).get("membership_status") or []
    if isinstance(statuses, list) and (
        unknown := [value for value in statuses if value not in MEMBERSHIP_STATUSES]
    ):
        lost["membership_status"] = unknown
    return lost


def filters_lost_described(lost):
    """``filters_out_of_reach`` in words, for its owner or staff: “Group: Garden club”, or
    “a place that no longer exists”; one query per kind."""
    described = []
    for kind in FILTER_KINDS:
        if not (values := lost.get(kind)):
            continue
        label, model = DESCRIBED[kind]
        rows = {row.pk: str(row) for row in model.objects.filter(pk__in=values)} if model else {}
        described += [
            f"{label}: {rows[value]}" if value in rows else f"{GONE[kind]} that no longer exists"
            for value in values
        ]
    return described
