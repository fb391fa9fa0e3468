"""Read queries of the core that views and the area apps use. Each returns a queryset with
what its pages need already joined, so a list costs the same few queries at any length."""

from datetime import datetime, time

from django.core.cache import cache
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Lower
from django.utils import timezone

from .models import Consent, Group, GroupMembership, Locality, Person, Role, Tag
from .rules import has_role


def people_matching(people, text, *, by_email=True, limit=10):
    """``people`` narrowed to those matching every word of ``text`` (four at most) in their
    first or last name, the start of their postcode or, ``by_email``, their address; none
    for fewer than two letters. For the person searches of pickers."""
    words = text.split()[:4]
    if not words or len(text.strip()) < 2:
        return people.none()
    for word in words:
        match = (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(postcode__istartswith=word)
        )
        if by_email:
            match |= Q(email__icontains=word)
        people = people.filter(match)
    return people.order_by("first_name", "last_name", "id")[:limit]


def person_list():
    return Person.objects.select_related("locality", "user").prefetch_related("tags")


# Up to this many people found by a search, the list reads them by the search's indexes and
# sorts them; with more, walking everyone in name order finds a page of them sooner.
SEARCH_SORTED_UP_TO = 5000


def person_list_searched(people, found):
    """``people`` (the list narrowed by a search, ``found`` of them) in the list's order, read
    the faster way for a search. The order is asked in a form the index in that order does
    not serve ("nulls first": names are never null, so the order is the same): PostgreSQL
    otherwise walks everyone in name order, testing each, until a page is found, which for
    a surname searched is half the hub."""
    if found > SEARCH_SORTED_UP_TO:
        return people
    return people.order_by(F("last_name").asc(nulls_first=True), "first_name", "id")


PEOPLE_TOTAL_KEY = "people:total"
# Forgotten when someone is added or removed (``signals.py``); bulk inserts send no signal,
# so the figure is also counted again after a minute at most.
PEOPLE_TOTAL_SECONDS = 60


def people_total():
    """How many people the hub knows: the count of the people list without filters, which
    would otherwise read every person on each page of it."""
    return cache.get_or_set(PEOPLE_TOTAL_KEY, Person.objects.count, PEOPLE_TOTAL_SECONDS)


def people_total_forget():
    cache.delete(PEOPLE_TOTAL_KEY)


def person_detail_queryset():
    return person_list().prefetch_related(
        Prefetch(
            "memberships",
            queryset=GroupMembership.objects.select_related("group").order_by("group__name"),
        ),
        Prefetch("consents", queryset=Consent.objects.select_related("recorded_by")),
    )


def person_by_email(email):
    if not email:
        return None
    # LOWER(email) is what the unique index holds: the lookup uses it (iexact would not).
    return (
        Person.objects.exclude(email="")
        .alias(email_lower=Lower("email"))
        .filter(email_lower=email.strip().lower())
        .first()
    )


def consent_current(person) -> dict[str, Consent]:
    """The consent that holds now for each purpose (the latest statement), by purpose."""
    current = {}
    for consent in person.consents.all():  # newest first; prefetched on detail pages
        current.setdefault(consent.purpose, consent)
    return current


def consent_given(person, purpose) -> bool:
    latest = (
        Consent.objects.filter(person=person, purpose=purpose)
        .order_by("-recorded_at", "-id")
        .values_list("given", flat=True)
        .first()
    )
    return bool(latest)


def people_with_consent(purpose, queryset=None):
    """People whose latest statement for ``purpose`` gives consent: the only ones reachable."""
    latest = Consent.objects.filter(person=OuterRef("pk"), purpose=purpose).order_by(
        "-recorded_at", "-id"
    )
    queryset = Person.objects.all() if queryset is None else queryset
    # Only someone who ever said yes can have a yes as their latest word: that cheap semi-join
    # first spares the latest-statement lookup for everyone else (a third as long on a hub's
    # segment of 12,000 people).
    ever_given = Consent.objects.filter(person=OuterRef("pk"), purpose=purpose, given=True)
    return (
        queryset.filter(Exists(ever_given))
        .annotate(_consent=Subquery(latest.values("given")[:1]))
        .filter(_consent=True)
    )


def group_list(viewer):
    """The groups ``viewer`` may manage (``rules.can_manage_group``): every group for staff,
    the ones they organise for organisers, and for anyone else signed in the self-organised
    groups they organise."""
    # Counted for the groups of the page only (a correlated subquery on the memberships'
    # group index), not by joining every membership of every group before the page is cut.
    members = (
        GroupMembership.objects.filter(group=OuterRef("pk"))
        .order_by()
        .values("group_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    groups = (
        Group.objects.select_related("locality")
        .annotate(member_count=Coalesce(Subquery(members, output_field=IntegerField()), Value(0)))
        .order_by("name")
    )
    if has_role(viewer, (Role.STAFF,)):
        return groups
    if not has_role(viewer, tuple(Role.values)):
        return groups.none()
    organised = GroupMembership.objects.filter(
        person__user=viewer,
        role__in=[GroupMembership.Role.ORGANISER, GroupMembership.Role.LEADER],
    )
    if not has_role(viewer, (Role.ORGANISER,)):
        organised = organised.filter(group__kind=Group.Kind.SELF_ORGANISED)
    return groups.filter(pk__in=organised.values("group_id"))


def group_members(group):
    return (
        GroupMembership.objects.filter(group=group)
        .select_related("person", "person__locality")
        .order_by("person__last_name", "person__first_name", "person__id")
    )


def groups_of(person):
    return GroupMembership.objects.filter(person=person).select_related("group")


def locality_list():
    return Locality.objects.annotate(
        people_count=Count("people", distinct=True),
        group_count=Count("groups", distinct=True),
    ).order_by("name")


def tag_list():
    return Tag.objects.annotate(people_count=Count("people")).order_by("name")


def people_counts():
    """Figures for the hub dashboard, in one query."""
    return Person.objects.aggregate(
        total=Count("id"),
        with_account=Count("id", filter=Q(user__isnull=False)),
    )


def timeline_read(sources, *, limit=None):
    """The entries of ``sources`` (``registry.TimelineSource``), the newest first, at most
    ``limit``: one query, a union of one select per source, whatever they hold (none when
    there is no source)."""
    from .registry import TIMELINE_COLUMNS

    sources = list(sources)
    selects = []
    for n, source in enumerate(sources):
        given = dict(source.columns)
        if "when" not in given:
            given["when"] = Cast(given["day"], DateTimeField())
        columns = {
            f"tl_{name}": given[name] if name in given else Cast(Value(None), output_field)
            for name, output_field in TIMELINE_COLUMNS.items()
        }
        rows = source.rows.order_by().values(tl_source=Cast(Value(n), IntegerField()), **columns)
        selects.append(rows)
    if not selects:
        return []
    first, *rest = selects
    rows = (first.union(*rest, all=True) if rest else first).order_by("-tl_when", "tl_source")
    if limit is not None:
        rows = rows[:limit]
    entries = []
    for row in rows:
        values = {name.removeprefix("tl_"): value for name, value in row.items()}
        entries.append(sources[values.pop("source")].entry(values))
    return entries


def timeline_of(person, viewer, *, limit=50):
    """``person``'s timeline across every app (the registry's providers), as far as
    ``viewer`` may see it, the newest first, at most ``limit`` entries: every app's sources
    are read in one query, so the page costs the same for someone the hub barely knows and
    for someone active in every area."""
    from .registry import TimelineEntry, timeline_providers

    found = []
    for provider in timeline_providers().values():
        found.extend(provider(person, viewer, read=list))
    sources = [item for item in found if not isinstance(item, TimelineEntry)]
    ready = [item for item in found if isinstance(item, TimelineEntry)]
    entries = ready + timeline_read(sources, limit=limit)
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


def person_timeline(person, viewer, *, read=None):
    """The core's own entries on a person's timeline (consents and groups joined), made from
    what ``person_detail_queryset`` prefetched: ready entries, with no source for ``read``."""
    from .registry import TimelineEntry

    entries = [
        TimelineEntry(when=person.created_at, area="core", title="First known to the hub", url="")
    ]
    for consent in person.consents.all():
        state = "given" if consent.given else "withdrawn"
        entries.append(
            TimelineEntry(
                when=consent.recorded_at,
                area="core",
                title=f"Consent {state}: {consent.get_purpose_display()}",
                detail=consent.get_method_display(),
            )
        )
    for membership in person.memberships.all():
        entries.append(
            TimelineEntry(
                when=timezone.make_aware(datetime.combine(membership.joined_on, time())),
                area="connect",
                title=f"Joined {membership.group} as {membership.get_role_display().lower()}",
                url=membership.group.get_absolute_url(),
            )
        )
    return entries


def person_data_export(person, viewer=None):
    """The core's part of a subject access export."""
    return {
        "person": {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "phone": person.phone,
            "postcode": person.postcode,
            "locality": str(person.locality) if person.locality_id else None,
            "communities_of_interest": [tag.name for tag in person.tags.all()],
            "first_contact": person.get_first_contact_display(),
            "languages": person.languages,
            "accessibility_needs": person.accessibility_needs,
            "created_at": person.created_at.isoformat(),
            "account_role": person.user.role if person.user_id else None,
        },
        "consents": [
            {
                "purpose": consent.get_purpose_display(),
                "given": consent.given,
                "method": consent.get_method_display(),
                "recorded_at": consent.recorded_at.isoformat(),
                "note": consent.note,
            }
            for consent in person.consents.order_by("recorded_at", "id")
        ],
        "groups": [
            {
                "group": membership.group.name,
                "role": membership.get_role_display(),
                "joined_on": membership.joined_on.isoformat(),
            }
            for membership in person.memberships.select_related("group")
        ],
    }


def dashboard_figures(viewer):
    """The core's figures on the hub dashboard, as far as ``viewer`` may see them."""
    from django.urls import reverse

    from hubsite.framework.registry import Figure
    from hubsite.framework.selectors import aggregates_at_once

    if not has_role(viewer, (Role.STAFF,)):
        return []
    counts = aggregates_at_once(  # one query
        total=(Person.objects.all(), Count("pk")),
        with_account=(Person.objects.filter(user__isnull=False), Count("pk")),
        groups=(Group.objects.all(), Count("pk")),
        localities=(Locality.objects.all(), Count("pk")),
    )
    return [
        Figure(
            "organise", "People known to the hub", counts["total"], reverse("people:person_list")
        ),
        Figure(
            "organise",
            "People with an account",
            counts["with_account"],
            reverse("people:person_list") + "?role=any",
        ),
        Figure("connect", "Groups", counts["groups"], reverse("people:group_list")),
        Figure("reach", "Localities", counts["localities"], reverse("people:locality_list")),
    ]


def invitation_pending(user):
    """An account opened by invitation that nobody has used yet."""
    return bool(user and user.last_login is None and not user.has_usable_password())


def offer_list(viewer, *, person=None, text=""):
    """The skills, time and talents people offered, from every app that records them, newest
    first, as rows of ``person_id``, ``what`` and ``offered_on``: one query for a page."""
    from .registry import offer_providers

    querysets = [
        provider(viewer, person=person, text=text) for provider in offer_providers().values()
    ]
    if not querysets:
        return []
    first, *rest = querysets
    offers = first.union(*rest, all=True) if rest else first
    return offers.order_by("-offered_on", "person_id")
