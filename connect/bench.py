"""Connect's part of the benchmark hub (``manage.py seed_bench``, registered in ``apps.py``)
and the pages of Connect that the benchmark measures (``bench/run.py``).

Three years of gatherings: ``scale["events"]`` events (most in the past, some to come,
public, for members or for a group), ``scale["rsvps"]`` RSVPs with waiting lists, check-ins
and no-shows; volunteering (skills, offers, opportunities, shifts, hours); and requests to
join the groups that have a public page.
"""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from hubsite.notify.models import OutboxMessage
from hubsite.people.bench import bulk_insert, sample_ids
from hubsite.people.models import Group, Locality, Person, Role, User

from .models import (
    Availability,
    Event,
    JoinRequest,
    Opportunity,
    Rsvp,
    Shift,
    ShiftSignup,
    Skill,
    VolunteerOffer,
)

# The benchmark's public RSVPs come from these addresses; it removes them when it is done.
RSVP_DOMAIN = "rsvp.bench.example.org"
SKILLS = (
    "Cooking",
    "Driving",
    "First aid",
    "Gardening",
    "DIY and repairs",
    "Childcare",
    "Languages and interpreting",
    "Writing",
    "Photography",
    "Social media",
    "Computers and getting online",
    "Music",
    "Art and crafts",
    "Listening and befriending",
    "Door-knocking",
    "Public speaking",
    "Fundraising",
    "Accounts and bookkeeping",
    "Sport coaching",
    "Sewing",
    "Legal know-how",
    "Event setting up",
)
EVENTS = (
    (Event.Kind.GATHERING, "Coffee morning at {place}"),
    (Event.Kind.GATHERING, "Community lunch, {place}"),
    (Event.Kind.MEETING, "{place} residents' meeting"),
    (Event.Kind.MEETING, "Hub members' assembly"),
    (Event.Kind.WORKSHOP, "Community organising workshop"),
    (Event.Kind.WORKSHOP, "Know your rights as a tenant"),
    (Event.Kind.ACTION, "Litter pick in {place}"),
    (Event.Kind.ACTION, "Lobby the council about {place}"),
    (Event.Kind.LISTENING, "Listening session, {place}"),
    (Event.Kind.VOLUNTEERING, "Repair café"),
    (Event.Kind.ACTIVITY, "Family fun day, {place}"),
    (Event.Kind.ACTIVITY, "Walking group from {place}"),
)
OPPORTUNITIES = (
    "Food bank driver",
    "Lunch club cook",
    "Homework club helper",
    "Befriender for older neighbours",
    "Door-knocker for the listening round",
    "Repair café fixer",
    "Garden volunteer",
    "Welcome desk",
)
VISIBILITY = [Event.Visibility.PUBLIC] * 6 + [Event.Visibility.MEMBERS] * 3
VISIBILITY += [Event.Visibility.GROUP]
FORMATS = [Event.Format.IN_PERSON] * 15 + [Event.Format.ONLINE] * 3 + [Event.Format.HYBRID] * 2


class Connect:
    def __init__(self, scale, rng):
        self.scale, self.rng = scale, rng
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.localities = list(Locality.objects.values_list("pk", "name").order_by("pk"))
        self.people = list(Person.objects.values_list("pk", flat=True).order_by("pk"))
        self.groups = list(Group.objects.values_list("pk", "public").order_by("pk"))
        self.hosts = list(
            User.objects.filter(role__in=[Role.STAFF, Role.ORGANISER])
            .values_list("pk", flat=True)
            .order_by("pk")
        )

    def events(self, count):
        rng, made = self.rng, []
        for n in range(count):
            # Three years in all: the last six months are still to come.
            starts_at = self.now + timedelta(
                days=int(1095 * n / max(1, count)) - 915, hours=rng.randint(-4, 4)
            )
            starts_at = starts_at.replace(hour=rng.choice((10, 11, 14, 18, 19)), minute=0)
            kind, pattern = rng.choice(EVENTS)
            locality_id, place = rng.choice(self.localities)
            title = pattern.format(place=place)
            group_id = rng.choice(self.groups)[0] if rng.random() < 0.5 else None
            visibility = rng.choice(VISIBILITY) if group_id else Event.Visibility.PUBLIC
            format_ = rng.choice(FORMATS)
            made.append(
                Event(
                    title=title,
                    slug=slugify(title)[:140] or "event",
                    description=f"{title}: everyone welcome. Tea, coffee and a warm room.",
                    purpose="Bring people together and hear what matters to them.",
                    kind=kind,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=rng.choice((1, 2, 2, 3))),
                    format=format_,
                    venue="" if format_ == Event.Format.ONLINE else f"Community centre, {place}",
                    locality_id=locality_id,
                    accessibility="Step-free access and a hearing loop.",
                    online_link=(
                        "" if format_ == Event.Format.IN_PERSON else "https://meet.example.net/hub"
                    ),
                    capacity=rng.choice((None, None, None, 20, 30, 50, 100)),
                    group_id=group_id,
                    host_id=rng.choice(self.hosts) if self.hosts else None,
                    visibility=visibility,
                    status=(
                        Event.Status.CANCELLED if rng.random() < 0.03 else Event.Status.SCHEDULED
                    ),
                    created_at=starts_at - timedelta(days=rng.randint(7, 60)),
                )
            )
        return bulk_insert(Event, made)

    def rsvps(self, events, total):
        """About ``total`` answers, more for some events than others; a full event's later
        answers wait; a past event's places are checked in or recorded as not come."""
        rng, rows = self.rng, []
        average = total / max(1, len(events))
        weights = [rng.uniform(0.2, 1.8) for _ in events]
        scale = total / max(1, sum(w * average for w in weights))
        for event, weight in zip(events, weights, strict=True):
            size = min(len(self.people), round(weight * average * scale))
            past = event.ends_at <= self.now
            confirmed = 0
            for n, person_id in enumerate(rng.sample(self.people, size)):
                responded_at = event.created_at + timedelta(minutes=1 + n * 7 + rng.randint(0, 5))
                responded_at = min(responded_at, event.starts_at - timedelta(minutes=5))
                cancelled = rng.random() < 0.08
                if cancelled:
                    status = Rsvp.Status.CANCELLED
                elif event.capacity is None or confirmed < event.capacity:
                    status, confirmed = Rsvp.Status.CONFIRMED, confirmed + 1
                else:
                    status = Rsvp.Status.WAITING
                attendance, checked_in_at = "", None
                if past and status == Rsvp.Status.CONFIRMED and not event.is_cancelled:
                    came = rng.random() < 0.75
                    attendance = Rsvp.Attendance.ATTENDED if came else Rsvp.Attendance.NO_SHOW
                    checked_in_at = event.starts_at + timedelta(minutes=rng.randint(-10, 20))
                    checked_in_at = checked_in_at if came else None
                rows.append(
                    Rsvp(
                        event_id=event.pk,
                        person_id=person_id,
                        status=status,
                        responded_at=responded_at,
                        attendance=attendance,
                        checked_in_at=checked_in_at,
                        walk_in=bool(checked_in_at) and rng.random() < 0.03,
                        cancelled_at=responded_at + timedelta(days=1) if cancelled else None,
                    )
                )
            if len(rows) >= 20_000:
                bulk_insert(Rsvp, rows, batch_size=5000)
                rows = []
        bulk_insert(Rsvp, rows, batch_size=5000)

    def volunteering(self, offers, opportunities):
        rng = self.rng
        existing = dict(Skill.objects.values_list("name", "pk"))
        bulk_insert(Skill, [Skill(name=s, slug=slugify(s)) for s in SKILLS if s not in existing])
        skills = list(Skill.objects.values_list("pk", flat=True).order_by("pk"))
        times = [value for value, _ in Availability.choices]

        made = bulk_insert(
            VolunteerOffer,
            [
                VolunteerOffer(
                    person_id=person_id,
                    description="Happy to help where I can, especially near home.",
                    availability=rng.sample(times, rng.randint(1, 3)),
                    locality_id=rng.choice(self.localities)[0],
                    active=rng.random() < 0.9,
                    created_at=self.now - timedelta(days=rng.randint(1, 1000)),
                )
                for person_id in rng.sample(self.people, min(offers, len(self.people)))
            ],
        )
        through = VolunteerOffer.skills.through
        bulk_insert(
            through,
            [
                through(volunteeroffer_id=offer.pk, skill_id=skill)
                for offer in made
                for skill in rng.sample(skills, rng.randint(1, 3))
            ],
        )

        roles = bulk_insert(
            Opportunity,
            [
                Opportunity(
                    title=f"{rng.choice(OPPORTUNITIES)} ({n + 1})",
                    description="Give a few hours a week with a friendly team.",
                    group_id=rng.choice(self.groups)[0] if rng.random() < 0.5 else None,
                    locality_id=rng.choice(self.localities)[0],
                    status=Opportunity.Status.OPEN
                    if rng.random() < 0.7
                    else Opportunity.Status.CLOSED,
                    created_by_id=rng.choice(self.hosts) if self.hosts else None,
                    created_at=self.now - timedelta(days=rng.randint(30, 900)),
                )
                for n in range(opportunities)
            ],
        )
        through = Opportunity.skills.through
        bulk_insert(
            through,
            [
                through(opportunity_id=role.pk, skill_id=skill)
                for role in roles
                for skill in rng.sample(skills, rng.randint(1, 2))
            ],
        )
        shifts = []
        for role in roles:
            for n in range(rng.randint(4, 15)):
                starts_at = role.created_at + timedelta(days=7 * (n + 1), hours=10)
                shifts.append(
                    Shift(
                        opportunity_id=role.pk,
                        starts_at=starts_at,
                        ends_at=starts_at + timedelta(hours=rng.choice((2, 3, 4))),
                        places=rng.randint(1, 6),
                    )
                )
        bulk_insert(Shift, shifts)
        signups = []
        for shift in shifts:
            past = shift.ends_at <= self.now
            for person_id in rng.sample(self.people, rng.randint(0, shift.places)):
                hours = (shift.ends_at - shift.starts_at).seconds / 3600
                signups.append(
                    ShiftSignup(
                        shift_id=shift.pk,
                        person_id=person_id,
                        status=ShiftSignup.Status.CANCELLED
                        if rng.random() < 0.05
                        else ShiftSignup.Status.SIGNED_UP,
                        hours=Decimal(f"{hours:.2f}") if past and rng.random() < 0.7 else None,
                        created_at=shift.starts_at - timedelta(days=rng.randint(1, 14)),
                    )
                )
        bulk_insert(ShiftSignup, signups)
        return len(made), len(roles), len(shifts), len(signups)

    def join_requests(self):
        rng, rows = self.rng, []
        public = [pk for pk, is_public in self.groups if is_public]
        for group_id in public:
            for person_id in rng.sample(self.people, min(len(self.people), rng.randint(0, 6))):
                status = rng.choice(
                    [JoinRequest.Status.PENDING]
                    + [JoinRequest.Status.APPROVED] * 2
                    + [JoinRequest.Status.DECLINED]
                )
                asked = self.now - timedelta(days=rng.randint(1, 400))
                rows.append(
                    JoinRequest(
                        group_id=group_id,
                        person_id=person_id,
                        message="I'd like to help.",
                        status=status,
                        created_at=asked,
                        decided_at=None if status == JoinRequest.Status.PENDING else asked,
                    )
                )
        bulk_insert(JoinRequest, rows)
        return len(rows)


def generate(*, scale, rng, stdout):
    factor = scale.get("factor", 1)
    connect = Connect(scale, rng)
    if not (connect.people and connect.localities):
        stdout.write("connect: no people or places from the core; nothing made.")
        return
    events = connect.events(scale.get("events", 2_000 * factor))
    connect.rsvps(events, scale.get("rsvps", 60_000 * factor))
    offers, roles, shifts, signups = connect.volunteering(
        scale.get("offers", len(connect.people) // 20),
        scale.get("opportunities", max(2, len(events) // 20)),
    )
    asked = connect.join_requests()
    stdout.write(
        f"connect: {len(events)} events, {Rsvp.objects.count()} RSVPs, {offers} volunteering "
        f"offers, {roles} opportunities with {shifts} shifts and {signups} sign-ups, "
        f"{asked} requests to join groups."
    )


# Pages the benchmark measures ---------------------------------------------------------


def pages(rng):
    """Connect's main pages, as ``bench/run.py`` reads them: a name, who asks (a bench
    login's role, or "public"), the paths it cycles through, and for a POST the form."""
    now = timezone.now()
    upcoming = Event.objects.filter(starts_at__gt=now, status=Event.Status.SCHEDULED)
    public = upcoming.filter(visibility=Event.Visibility.PUBLIC)
    public_events = list(public.filter(pk__in=sample_ids(public, rng)).values_list("pk", "slug"))
    events = sample_ids(Event.objects.all(), rng)
    open_ = sample_ids(public.filter(capacity__isnull=True), rng, k=1)
    opportunities = sample_ids(Opportunity.objects.all(), rng)
    stamp = int(now.timestamp())

    def rsvp_form(n):
        return {
            "first_name": "Bench",
            "last_name": f"Visitor {n}",
            "email": f"visitor-{stamp}-{n}@{RSVP_DOMAIN}",
            "consent_contact": "on",
            "website": "",
        }

    def rsvp_cleanup():
        # Their answers and emails too: deleting the people alone would keep them, anonymous,
        # and each run would leave the event a few dozen places fuller.
        visitors = Person.objects.filter(email__iendswith=f"@{RSVP_DOMAIN}")
        Rsvp.objects.filter(person__in=visitors).delete()
        OutboxMessage.objects.filter(person__in=visitors).delete()
        visitors.delete()

    event_paths = [reverse("connect:event_detail", args=[pk, slug]) for pk, slug in public_events]
    return [
        {"name": "connect: events", "as": "staff", "paths": [reverse("connect:event_list")]},
        {
            "name": "connect: events (public)",
            "as": "public",
            "paths": [reverse("connect:event_list")],
        },
        {"name": "connect: month", "as": "staff", "paths": [reverse("connect:event_month")]},
        {"name": "connect: event (public)", "as": "public", "paths": event_paths},
        {"name": "connect: event (staff)", "as": "staff", "paths": event_paths},
        {
            "name": "connect: check-in",
            "as": "staff",
            "paths": [reverse("connect:checkin", args=[pk]) for pk in events],
        },
        {
            "name": "connect: volunteering",
            "as": "staff",
            "paths": [reverse("connect:opportunity_list")],
        },
        {
            "name": "connect: opportunity",
            "as": "staff",
            "paths": [reverse("connect:opportunity_detail", args=[pk]) for pk in opportunities],
        },
        {"name": "connect: offers", "as": "staff", "paths": [reverse("connect:offer_list")]},
        {
            "name": "connect: groups (public)",
            "as": "public",
            "paths": [reverse("connect:group_list")],
        },
        {
            "name": "connect: RSVP (public POST)",
            "as": "public",
            "method": "POST",
            "paths": [reverse("connect:rsvp", args=[pk]) for pk in open_],
            "form": rsvp_form,
            "expect": 302,
            "cleanup": rsvp_cleanup,
        },
    ]
