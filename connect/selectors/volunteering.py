"""Read queries of volunteering: the skills and time people offer, opportunities with their
shifts and places left, the people to ask for an opportunity, and the hours given.

Every list brings what its page shows already joined or annotated in SQL, so a page costs
the same few queries however many rows it has."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from hubsite.people.models import GroupMembership, Person, Role
from hubsite.people.rules import STAFF_AND_ORGANISERS, has_role

from ..models import Availability, Opportunity, Shift, ShiftSignup, VolunteerOffer
from ..rules import ORGANISING_ROLES, is_staff

SIGNED_UP = ShiftSignup.Status.SIGNED_UP

# Parts of the day in the hub's local time (Europe/London): mornings end at noon, afternoons
# at five, and evenings run to midnight.
MORNING_ENDS = datetime.time(12)
AFTERNOON_ENDS = datetime.time(17)

# How a suggestion is ranked: each skill shared with the role, then living in its locality,
# then being free when at least one of its shifts happens.
SKILL_POINTS = 3
LOCALITY_POINTS = 2
TIME_POINTS = 1
# The most offers scored in Python for one opportunity (the best first by SQL's measure).
MATCH_CANDIDATES = 500
# Hours logged may run a little over a shift: setting up and clearing away.
HOURS_GRACE = datetime.timedelta(hours=1)


# Offers --------------------------------------------------------------------------------


def offer_of(person):
    """The person's offer (the latest, should there be more than one), or None."""
    if person is None:
        return None
    return (
        VolunteerOffer.objects.filter(person=person)
        .select_related("locality")
        .prefetch_related("skills")
        .order_by("-created_at", "-id")
        .first()
    )


def offer_list(viewer, *, skill=None, locality=None):
    """Active offers, newest first, with their person, locality and skills: for staff and
    organisers only (others get none)."""
    if not has_role(viewer, STAFF_AND_ORGANISERS):
        return VolunteerOffer.objects.none()
    offers = VolunteerOffer.objects.filter(active=True)
    if skill is not None:
        offers = offers.filter(pk__in=VolunteerOffer.objects.filter(skills=skill).values("pk"))
    if locality is not None:
        offers = offers.filter(locality=locality)
    return (
        offers.select_related("person", "locality")
        .prefetch_related("skills")
        .order_by("-created_at", "-id")
    )


# Opportunities -------------------------------------------------------------------------


def opportunity_visible(viewer):
    """Staff and organisers see every opportunity; anyone else signed in sees the open ones
    and those they have a shift in."""
    opportunities = Opportunity.objects.all()
    if has_role(viewer, STAFF_AND_ORGANISERS):
        return opportunities
    if not (viewer.is_authenticated and viewer.is_active):
        return opportunities.none()
    theirs = ShiftSignup.objects.filter(person__user=viewer).values("shift__opportunity_id")
    return opportunities.filter(Q(status=Opportunity.Status.OPEN) | Q(pk__in=theirs))


def opportunity_managed(viewer):
    """The opportunities ``viewer`` manages (``rules.can_manage_opportunity`` as a queryset):
    all for staff; for an organiser those they posted and those of the groups they organise."""
    opportunities = Opportunity.objects.all()
    if is_staff(viewer):
        return opportunities
    if not has_role(viewer, (Role.ORGANISER,)):
        return opportunities.none()
    organised = GroupMembership.objects.filter(
        person__user=viewer, role__in=ORGANISING_ROLES
    ).values("group_id")
    return opportunities.filter(Q(created_by=viewer) | Q(group_id__in=organised))


def with_places(shifts):
    """Shifts with ``signed_up_count`` and ``places_left`` computed in SQL."""
    return shifts.annotate(
        signed_up_count=Count("signups", filter=Q(signups__status=SIGNED_UP)),
    ).annotate(places_left=Greatest(F("places") - F("signed_up_count"), Value(0)))


def _count(queryset, group_by, aggregate):
    """A correlated subquery giving one number per outer row (0 when there are no rows)."""
    return Coalesce(
        Subquery(
            queryset.order_by().values(group_by).annotate(n=aggregate).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def opportunity_list(viewer, *, now=None):
    """What ``viewer`` may see, open ones first, soonest shift first, each with its
    ``upcoming_shift_count``, ``places_left`` on those shifts and ``next_shift_at``."""
    now = now or timezone.now()
    upcoming = Shift.objects.filter(opportunity=OuterRef("pk"), starts_at__gt=now)
    taken = ShiftSignup.objects.filter(
        shift__opportunity=OuterRef("pk"), shift__starts_at__gt=now, status=SIGNED_UP
    )
    return (
        opportunity_visible(viewer)
        .annotate(
            upcoming_shift_count=_count(upcoming, "opportunity", Count("id")),
            places_left=_count(upcoming, "opportunity", Sum("places"))
            - _count(taken, "shift__opportunity", Count("id")),
            next_shift_at=Subquery(upcoming.order_by("starts_at").values("starts_at")[:1]),
            closed=Case(
                When(status=Opportunity.Status.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .select_related("group", "locality")
        .prefetch_related("skills")
        .order_by("closed", F("next_shift_at").asc(nulls_last=True), "-created_at", "-id")
    )


def opportunity_detail_queryset(viewer):
    """Opportunities ``viewer`` may open, with skills and every shift (``places_left``)."""
    return (
        opportunity_visible(viewer)
        .select_related("group", "locality", "created_by__person")
        .prefetch_related(
            "skills",
            Prefetch("shifts", queryset=with_places(Shift.objects.order_by("starts_at", "id"))),
        )
    )


def shift_ids_signed_up(viewer, opportunity):
    """The shifts of ``opportunity`` that the person of ``viewer`` (an account) holds a place
    on: one query, without loading the person."""
    if not viewer.is_authenticated:
        return set()
    return set(
        ShiftSignup.objects.filter(
            person__user=viewer, shift__opportunity=opportunity, status=SIGNED_UP
        ).values_list("shift_id", flat=True)
    )


def signups_by_shift(opportunity):
    """Who holds a place on each shift of ``opportunity``: ``{shift_id: [signup, …]}``. On a
    shift gone by, a place kept for its hours after its person was erased has no ``person``."""
    people = {}
    signups = (
        ShiftSignup.objects.filter(shift__opportunity=opportunity, status=SIGNED_UP)
        .select_related("person")
        .order_by("person__first_name", "person__last_name", "id")
    )
    for signup in signups:
        people.setdefault(signup.shift_id, []).append(signup)
    return people


def shift_queryset():
    return Shift.objects.select_related("opportunity")


def shift_signups(shift):
    """The people with a place on ``shift`` and the hours logged for them, by name. The hours
    of someone since erased stay counted but are not listed: there is nobody to name."""
    return (
        ShiftSignup.objects.filter(shift=shift, status=SIGNED_UP, person__isnull=False)
        .select_related("person", "hours_logged_by__person")
        .order_by("person__first_name", "person__last_name", "id")
    )


def shift_signups_of(person, *, upcoming=True, now=None):
    """A person's places on shifts: those to come (soonest first) or those gone by (latest
    first), with their opportunity."""
    if person is None:
        return ShiftSignup.objects.none()
    now = now or timezone.now()
    signups = ShiftSignup.objects.filter(person=person, status=SIGNED_UP).select_related(
        "shift__opportunity__locality"
    )
    if upcoming:
        return signups.filter(shift__ends_at__gt=now).order_by("shift__starts_at", "id")
    return signups.filter(shift__ends_at__lte=now).order_by("-shift__starts_at", "-id")


# Matching offers to an opportunity -----------------------------------------------------


def shift_times(starts_at, ends_at):
    """The ``Availability`` codes a shift falls in, in the hub's local time: a Tuesday shift
    from 10:00 to 14:00 is ``{"weekday_morning", "weekday_afternoon"}``."""
    zone = timezone.get_default_timezone()
    moment, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    codes = set()
    while moment < end and len(codes) < len(Availability.values):
        day = "weekend" if moment.weekday() >= 5 else "weekday"
        clock = moment.time()
        if clock < MORNING_ENDS:
            part, next_day, boundary = "morning", moment.date(), MORNING_ENDS
        elif clock < AFTERNOON_ENDS:
            part, next_day, boundary = "afternoon", moment.date(), AFTERNOON_ENDS
        else:
            part = "evening"
            next_day, boundary = moment.date() + datetime.timedelta(days=1), datetime.time(0)
        codes.add(f"{day}_{part}")
        moment = datetime.datetime.combine(next_day, boundary, tzinfo=zone)
    return codes


def availability_labels(codes):
    """The words for availability codes, in the list's own order."""
    codes = set(codes or ())
    return [label for code, label in Availability.choices if code in codes]


def _points(shared_skills, same_locality, shifts_free):
    return (
        SKILL_POINTS * shared_skills
        + LOCALITY_POINTS * same_locality
        + TIME_POINTS * bool(shifts_free)
    )


@dataclass
class Match:
    """An offer suggested for an opportunity, with why."""

    offer: VolunteerOffer
    shared_skills: list = field(default_factory=list)  # names
    same_locality: bool = False
    shifts_free: int = 0  # upcoming shifts that fall when they said they are free

    @property
    def person(self):
        return self.offer.person

    @property
    def score(self):
        return _points(len(self.shared_skills), self.same_locality, self.shifts_free)

    @property
    def free_at(self):
        return availability_labels(self.offer.availability)

    @property
    def reasons(self):
        reasons = []
        if self.shared_skills:
            reasons.append("Skills: " + ", ".join(self.shared_skills))
        if self.same_locality:
            reasons.append("Lives or offers in the same place")
        if self.shifts_free:
            reasons.append(
                f"Free for {self.shifts_free} shift{'s' if self.shifts_free != 1 else ''}"
            )
        return reasons


def opportunity_matches(opportunity, limit=20, *, now=None):
    """The people to ask first for ``opportunity``: active offers that share a skill with it
    or are in its locality (every active offer when it names neither), best first by shared
    skills, same locality, then being free at the time of a shift to come. People who
    already hold a place on one of its shifts to come are left out.

    Five queries whatever the numbers, three when the opportunity's skills and shifts are
    prefetched (``opportunity_detail_queryset``): SQL picks, counts the shared skills of and
    pre-orders the candidates, Python scores them (availability is a list in a JSON field,
    compared with each shift's times); then the people and skills of the few suggested are
    fetched, not those of every candidate."""
    now = now or timezone.now()
    skill_ids = {skill.pk for skill in opportunity.skills.all()}
    shift_codes = [
        shift_times(shift.starts_at, shift.ends_at)
        for shift in opportunity.shifts.all()
        if shift.starts_at > now
    ]
    placed = ShiftSignup.objects.filter(
        shift__opportunity=opportunity, shift__starts_at__gt=now, status=SIGNED_UP
    ).values("person_id")
    offers = VolunteerOffer.objects.filter(active=True).exclude(person_id__in=placed)
    relevant = Q()
    if skill_ids:
        relevant |= Q(pk__in=VolunteerOffer.objects.filter(skills__in=skill_ids).values("pk"))
    if opportunity.locality_id:
        relevant |= Q(locality_id=opportunity.locality_id)
    if relevant:
        offers = offers.filter(relevant)
    shared = (
        Count("skills", filter=Q(skills__in=skill_ids), distinct=True)
        if skill_ids
        else Value(0, output_field=IntegerField())
    )
    local = (
        Case(
            When(locality_id=opportunity.locality_id, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        if opportunity.locality_id
        else Value(0, output_field=IntegerField())
    )
    # The name breaks ties; read for each candidate by its id (joining the people to the
    # offers, the database read every person of the hub).
    first_name = Subquery(
        Person.objects.filter(pk=OuterRef("person_id")).order_by().values("first_name")[:1]
    )
    candidates = (
        offers.annotate(shared=shared, local=local, first_name=first_name)
        .select_related("locality")
        .order_by("-shared", "-local", "-created_at", "-id")[:MATCH_CANDIDATES]
    )
    here = opportunity.locality_id
    ranked = []
    for offer in candidates:
        free = set(offer.availability or ())
        match = Match(
            offer=offer,
            same_locality=bool(here) and offer.locality_id == here,
            shifts_free=sum(1 for codes in shift_codes if codes & free),
        )
        score = _points(offer.shared, match.same_locality, match.shifts_free)
        if score:
            tie = (-match.same_locality, -match.shifts_free, (offer.first_name or "").lower())
            ranked.append(((-score, -offer.shared, *tie, offer.pk), match))
    ranked.sort(key=lambda row: row[0])
    best, seen = [], set()
    for _, match in ranked:  # one line per person, should they have more than one offer
        if match.offer.person_id not in seen:
            seen.add(match.offer.person_id)
            best.append(match)
        if len(best) == limit:
            break
    prefetch_related_objects([match.offer for match in best], "person", "skills")
    for match in best:
        match.shared_skills = [s.name for s in match.offer.skills.all() if s.pk in skill_ids]
    return best


# Hours ---------------------------------------------------------------------------------


def month_bounds(now=None):
    """The start of this month and of the next, in the hub's local time."""
    zone = timezone.get_default_timezone()
    today = (now or timezone.now()).astimezone(zone).date()
    first = today.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return (
        datetime.datetime.combine(first, datetime.time(0), tzinfo=zone),
        datetime.datetime.combine(following, datetime.time(0), tzinfo=zone),
    )


def _hours_logged(start=None, end=None):
    signups = ShiftSignup.objects.filter(status=SIGNED_UP, hours__isnull=False)
    if start is not None:
        signups = signups.filter(shift__starts_at__gte=start)
    if end is not None:
        signups = signups.filter(shift__starts_at__lt=end)
    return signups


def hours_this_month(now=None):
    """Hours given on shifts that started this month (local time), on places still held."""
    start, end = month_bounds(now)
    return _hours_logged(start, end).aggregate(total=Sum("hours"))["total"] or Decimal("0")


def hours_limit(shift):
    """The most hours anyone can have given on ``shift``: its length and a little more."""
    seconds = (shift.ends_at - shift.starts_at + HOURS_GRACE).total_seconds()
    return (Decimal(seconds) / 3600).quantize(Decimal("0.01"))


def hours_of(person):
    """Every hour ``person`` has given (Decimal)."""
    total = _hours_logged().filter(person=person).aggregate(total=Sum("hours"))["total"]
    return total or Decimal("0")


def hours_by_person(*, start=None, end=None):
    """People who gave time (on shifts that started in ``[start, end)`` when given), with
    ``volunteer_hours``, most first."""
    given = _hours_logged(start, end)
    return (
        Person.objects.filter(shift_signups__in=given)
        .annotate(volunteer_hours=Sum("shift_signups__hours"))
        .order_by("-volunteer_hours", "first_name", "last_name", "id")
    )


def volunteering_counts(now=None):
    """The figures for the hub dashboard, in four queries: ``hours_this_month`` (Decimal, on
    shifts that started this month, local time), ``volunteers_this_month`` (people with hours
    logged for those shifts), ``open_opportunities`` and ``places_left`` on their shifts to
    come."""
    now = now or timezone.now()
    start, end = month_bounds(now)
    given = _hours_logged(start, end).aggregate(
        hours=Sum("hours"), people=Count("person", distinct=True)
    )
    upcoming = Shift.objects.filter(starts_at__gt=now, opportunity__status=Opportunity.Status.OPEN)
    places = upcoming.aggregate(n=Sum("places"))["n"] or 0
    taken = ShiftSignup.objects.filter(shift__in=upcoming, status=SIGNED_UP).count()
    return {
        "hours_this_month": given["hours"] or Decimal("0"),
        "volunteers_this_month": given["people"],
        "open_opportunities": Opportunity.objects.filter(status=Opportunity.Status.OPEN).count(),
        "places_left": max(places - taken, 0),
    }
