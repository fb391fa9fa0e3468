"""Organise's part of the demo hub (``manage.py seed_demo``, registered in ``apps.py``): three
kinds of membership and about 150 members who joined over the last two years, with the
history the growth page counts (renewals, lapses, departures, a few who came back) and the
contributions staff recorded; join applications waiting for their email to be confirmed;
saved segments and a call to action already sent, with people's answers; a group proposed
and approved (the demo member among its organisers) and another waiting; the AGM and a
members' meeting with their decisions; and the public "You said, we did" page, linking what
Listening heard to Action's campaigns, Connect's events and the members' decisions.

Organise is layer 3: it runs after the core, Listening, Connect and Action (installed, hence
registered and seeded, before it) and reads their rows from the database. The only outbox rows
are the sent call's copies, already sent, so the demo never queues an email. Memberships, their
history, contributions, deliveries and their outbox rows are saved in bulk.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from action.models import Campaign
from connect.models import Event
from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Consent, Group, GroupMembership, Locality, Person, Role, User
from hubsite.people.selectors import people_with_consent
from hubsite.people.services import group_create, group_member_add
from listening.models import Theme

from .models import (
    CallToAction,
    Contribution,
    Decision,
    Delivery,
    GroupProposal,
    JoinApplication,
    Meeting,
    Membership,
    MembershipEvent,
    MembershipType,
    Segment,
    YouSaidWeDid,
)
from .selectors.meetings import owner_choices
from .services.calls import call_key
from .services.membership import GRACE_DAYS, add_months

DEMO_DOMAIN = "example.org"
Status, Kind = Membership.Status, MembershipEvent.Kind

MEMBERS = 150  # with the demo accounts of the organiser, the volunteer and the member
LAPSED = 15
LAPSED_LATELY = 2  # of them, in the last 30 days
LEFT = 6
REJOINED = 4
HUB = "The Old Library (the hub), 3 Market Street, Kelmington KL1 2MS"
LARKRISE = "Larkrise Estate"
MILLBROOK = "Millbrook Estate"
LARKRISE_TRA = "Larkrise Tenants' and Residents' Association"


class TypeSpec(NamedTuple):
    name: str
    slug: str
    description: str
    suggested_contribution: Decimal | None
    weight: int  # how often a new member chooses it


TYPES = (
    TypeSpec(
        "Individual",
        "individual",
        "For anyone who lives, works or studies in Kelmington. Free: a vote at members' "
        "meetings and the AGM, and news of what the hub is doing.",
        None,
        6,
    ),
    TypeSpec(
        "Household",
        "household",
        "Everyone at one address, with a vote each at members' meetings. A suggested £10 a "
        "year helps pay for the hall and the tea; give what you can, or nothing.",
        Decimal("10.00"),
        2,
    ),
    TypeSpec(
        "Member of a local group",
        "group-member",
        "For members of a residents' association, campaign team or interest group that works "
        "with the hub. Free.",
        None,
        0,  # chosen by those in a group, below
    ),
)
CONTRIBUTION_NOTES = (
    "Cash at the Tuesday coffee morning",
    "Standing order",
    "Bank transfer",
    "Cash at the hub's front desk",
    "Put in the tin at the AGM",
    "",
)

# Visitors who filled in the join page and have not confirmed their email yet.
WAITING = (
    ("Bethany", "Holloway", "KL2 4PD", "Brookside", "individual", True),
    ("Kwabena", "Ofori", "KL3 2JT", LARKRISE, "household", True),
    ("Ruth", "Abernethy", "KL1 6QS", "Kelmington Central", "individual", False),
    ("Dariusz", "Sobczak", "KL5 7LW", MILLBROOK, "group-member", True),
)


def seed(*, rng, stdout):
    """Organise's demo data, once: nothing when the hub already has members."""
    if Membership.objects.exists():
        stdout.write("Organise: the hub already has members, so no demo membership.")
        return
    staff, organiser = _demo_account(Role.STAFF), _demo_account(Role.ORGANISER)
    if staff is None or not Person.objects.exists():
        stdout.write("Organise: no demo staff account or people, so no demo membership.")
        return
    demo = DemoOrganise(rng, staff=staff, organiser=organiser)
    demo.create()
    statuses = [membership.status for membership in demo.memberships]
    stdout.write(
        f"Organise: {len(demo.memberships)} members ({statuses.count(Status.ACTIVE)} active, "
        f"{statuses.count(Status.LAPSED)} lapsed, {statuses.count(Status.LEFT)} left) with "
        f"{len(demo.events)} dated changes and {len(demo.contributions)} contributions, "
        f"{len(WAITING)} join applications waiting for confirmation, {len(demo.segments)} "
        f"segments, a call to action sent to {len(demo.deliveries)} people, "
        f"{len(demo.proposals)} group proposals, {len(demo.meetings)} meetings with "
        f"{len(demo.decisions)} decisions and {demo.published} published lines of "
        "“You said, we did”."
    )


def _demo_account(role):
    """The demo login for ``role`` (role@example.org), or else the first active one."""
    users = User.objects.filter(is_active=True, role=role).order_by("pk")
    return users.filter(email=f"{role}@{DEMO_DOMAIN}").first() or users.first()


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


class History(NamedTuple):
    """A membership as the services would have left it, and the dated changes on the way."""

    status: str
    term_started_on: object
    renews_on: object
    ended_on: object
    events: list  # (kind, on)
    terms: list  # the day each term was paid for: joining, renewing, rejoining


class DemoOrganise:
    """Builds Organise's rows from one random stream and saves them in bulk."""

    def __init__(self, rng, *, staff, organiser):
        self.rng = rng
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.staff, self.organiser = staff, organiser
        self.staff_person = Person.objects.filter(user=staff).first()
        self.organiser_person = Person.objects.filter(user=organiser).first() if organiser else None
        self.localities = {locality.name: locality for locality in Locality.objects.all()}
        self.memberships, self.events, self.contributions = [], [], []
        self.segments, self.deliveries, self.proposals = [], [], []
        self.meetings, self.decisions, self.published = [], [], 0

    def create(self):
        self._types()
        self._members()
        self._applications()
        self._segments_and_call()
        self._proposals()
        self._meetings()
        self._you_said_we_did()

    def _moment(self, day, hour=12):
        """A time on ``day`` (local), never in the future."""
        moment = timezone.make_aware(
            datetime.combine(day, time(hour, self.rng.choice((0, 10, 20, 30, 40, 50))))
        )
        return min(moment, self.now)

    # Membership ---------------------------------------------------------------------------

    def _types(self):
        self.types = {}
        for order, spec in enumerate(TYPES, start=1):
            self.types[spec.slug], _ = MembershipType.objects.get_or_create(
                slug=spec.slug,
                defaults={
                    "name": spec.name,
                    "description": spec.description,
                    "suggested_contribution": spec.suggested_contribution,
                    "term_months": 12,
                    "order": order,
                },
            )

    def _members(self):
        rng, today = self.rng, self.today
        people = list(Person.objects.select_related("user").order_by("pk"))
        in_groups = set(GroupMembership.objects.values_list("person_id", flat=True))
        # The demo logins (but staff) are members, so each sees their own membership.
        accounts = {
            person.user.email: person
            for person in people
            if person.user_id and person.user.email.endswith(f"@{DEMO_DOMAIN}")
        }
        joined = {
            f"member@{DEMO_DOMAIN}": today - timedelta(days=240),
            f"volunteer@{DEMO_DOMAIN}": today - timedelta(days=460),
            f"organiser@{DEMO_DOMAIN}": today - timedelta(days=650),
        }
        chosen = {accounts[email].pk: day for email, day in joined.items() if email in accounts}
        others = [person for person in people if person.pk not in chosen and not person.user_id]
        weight = {p.pk: (3 if p.email else 1) * (2 if p.pk in in_groups else 1) for p in others}
        keyed = sorted(others, key=lambda p: rng.random() ** (1 / weight[p.pk]), reverse=True)
        for person in keyed[: MEMBERS - len(chosen)]:
            since = max(timezone.localtime(person.created_at).date(), today - timedelta(days=725))
            span = (today - since).days - 1
            chosen[person.pk] = since + timedelta(days=rng.randint(0, max(min(span, 120), 0)))
        members = sorted((p for p in people if p.pk in chosen), key=lambda p: p.pk)
        fates = self._fates(members, chosen, {person.pk for person in accounts.values()})

        histories = {}
        for person in members:
            kind = self._kind(person, in_groups)
            histories[person.pk] = (kind, self._history(chosen[person.pk], fates[person.pk]))
        self.memberships = Membership.objects.bulk_create(
            Membership(
                person=person,
                type=self.types[histories[person.pk][0]],
                status=history.status,
                joined_on=chosen[person.pk],
                term_started_on=history.term_started_on,
                renews_on=history.renews_on,
                ended_on=history.ended_on,
                created_at=self._moment(chosen[person.pk]),
            )
            for person in members
            for history in [histories[person.pk][1]]
        )
        by_person = {person.pk: person for person in members}
        for membership in self.memberships:
            person = by_person[membership.person_id]
            history = histories[person.pk][1]
            self.events += [
                MembershipEvent(
                    membership=membership,
                    kind=kind,
                    on=on,
                    locality_id=person.locality_id,
                    type_id=membership.type_id,
                )
                for kind, on in history.events
            ]
            self.contributions += self._contributions(membership, history)
        self.events = MembershipEvent.objects.bulk_create(self.events)
        self.contributions = Contribution.objects.bulk_create(self.contributions)

    def _fates(self, members, joined, accounts):
        """Who lapsed, left or came back: drawn among those who had been members long enough
        for it to happen. The demo logins stay active members."""
        rng, today = self.rng, self.today
        fates = {person.pk: "active" for person in members}
        free = [person.pk for person in members if person.pk not in accounts]

        recently = today - timedelta(days=30 + GRACE_DAYS + 1)
        can_come_back = [pk for pk in free if self._lapse_points(joined[pk], margin=40)]
        for pk in rng.sample(can_come_back, min(REJOINED, len(can_come_back))):
            fates[pk] = "rejoined"
        can_lapse = [pk for pk in free if fates[pk] == "active" and self._lapse_points(joined[pk])]
        # A couple lapsed in the last 30 days (for the dashboard), at their latest renewal.
        lately = [pk for pk in can_lapse if self._lapse_points(joined[pk])[-1] > recently]
        for pk in rng.sample(lately, min(LAPSED_LATELY, len(lately))):
            fates[pk] = "lapsed lately"
        can_lapse = [pk for pk in can_lapse if fates[pk] == "active"]
        for pk in rng.sample(can_lapse, min(LAPSED - LAPSED_LATELY, len(can_lapse))):
            fates[pk] = "lapsed"
        can_leave = [
            pk for pk in free if fates[pk] == "active" and joined[pk] < today - timedelta(days=30)
        ]
        for pk in rng.sample(can_leave, min(LEFT, len(can_leave))):
            fates[pk] = "left"
        return fates

    def _kind(self, person, in_groups):
        if person.pk in in_groups and self.rng.random() < 0.6:
            return "group-member"
        return _weighted(self.rng, [(spec.slug, spec.weight) for spec in TYPES if spec.weight])

    def _lapse_points(self, joined_on, margin=0):
        """The renewal dates at which a member who joined on ``joined_on`` could have lapsed
        by now (``margin`` days ago at least): the day after each one's grace period."""
        points, day = [], add_months(joined_on, 12)
        while day + timedelta(days=GRACE_DAYS + 1 + margin) < self.today:
            points.append(day)
            day = add_months(day, 12)
        return points

    def _history(self, joined_on, fate):
        """Term after term from ``joined_on`` as the services record them: renewed a few weeks
        either side of the renewal date; lapsed the day after the grace period; left on a
        day of their own; rejoined some weeks after lapsing, for a fresh term."""
        rng, today = self.rng, self.today
        events, terms = [(Kind.JOINED, joined_on)], [joined_on]
        start, renews = joined_on, add_months(joined_on, 12)
        lapse_at = leave_on = None
        if fate == "left":
            leave_on = joined_on + timedelta(days=rng.randint(14, (today - joined_on).days - 1))
        if fate == "lapsed lately":
            lapse_at, fate = self._lapse_points(joined_on)[-1], "lapsed"
        elif fate in ("lapsed", "rejoined"):
            margin = 40 if fate == "rejoined" else 0
            lapse_at = rng.choice(self._lapse_points(joined_on, margin))
        while True:
            if renews == lapse_at:
                lapsed_on = renews + timedelta(days=GRACE_DAYS + 1)
                events.append((Kind.LAPSED, lapsed_on))
                if fate == "lapsed":
                    return History(Status.LAPSED, start, renews, lapsed_on, events, terms)
                back_on = lapsed_on + timedelta(days=rng.randint(20, (today - lapsed_on).days - 1))
                events.append((Kind.REJOINED, back_on))
                terms.append(back_on)
                start, renews, lapse_at, fate = back_on, add_months(back_on, 12), None, "active"
                continue
            if leave_on is not None and renews >= leave_on:
                events.append((Kind.LEFT, leave_on))
                return History(Status.LEFT, start, renews, leave_on, events, terms)
            if renews > today:
                break
            day = renews + timedelta(days=rng.randint(-21, 14))
            if leave_on is not None:
                day = min(day, leave_on - timedelta(days=1))
            elif day >= today:
                break  # due now, within the grace period: not renewed yet
            events.append((Kind.RENEWED, day))
            terms.append(day)
            start, renews = renews, add_months(renews, 12)
        return History(Status.ACTIVE, start, renews, None, events, terms)

    def _contributions(self, membership, history):
        """Households mostly give the suggested £10 when a term starts; a few others give
        something now and then. Staff recorded each."""
        rng, rows = self.rng, []
        household = membership.type.suggested_contribution
        for day in history.terms:
            if household and rng.random() < 0.7:
                amount = household if rng.random() < 0.8 else rng.choice((Decimal(15), Decimal(20)))
            elif not household and rng.random() < 0.07:
                amount = rng.choice((Decimal(5), Decimal(10), Decimal(20)))
            else:
                continue
            received_on = min(day + timedelta(days=rng.randint(0, 10)), self.today)
            rows.append(
                Contribution(
                    membership=membership,
                    amount=amount,
                    received_on=received_on,
                    note=rng.choice(CONTRIBUTION_NOTES),
                    recorded_by=self.staff,
                    recorded_at=self._moment(received_on, hour=16),
                )
            )
        return rows

    def _applications(self):
        """The online joiners of the last year came through the join page (their confirmed
        application is kept with their membership), and four visitors have not confirmed."""
        rng = self.rng
        emailable = set(
            people_with_consent(Consent.Purpose.CONTACT_EMAIL).values_list("pk", flat=True)
        )
        online = (
            Membership.objects.filter(
                person__first_contact=Person.FirstContact.ONLINE,
                joined_on__gte=self.today - timedelta(days=365),
            )
            .exclude(person__email="")
            .select_related("person")
        )
        rows = [
            JoinApplication(
                email=membership.person.email,
                first_name=membership.person.first_name,
                last_name=membership.person.last_name,
                postcode=membership.person.postcode,
                locality_id=membership.person.locality_id,
                type_id=membership.type_id,
                consent_contact=membership.person_id in emailable,
                created_at=membership.created_at - timedelta(minutes=rng.randint(3, 90)),
                confirmed_at=membership.created_at,
                membership=membership,
            )
            for membership in online
        ]
        known = {email.lower() for email in Person.objects.values_list("email", flat=True)}
        for first, last, postcode, place, kind, consent in WAITING:
            email = f"{first.lower()}.{last.lower()}@{DEMO_DOMAIN}"
            if email in known:
                continue
            rows.append(
                JoinApplication(
                    email=email,
                    first_name=first,
                    last_name=last,
                    postcode=postcode,
                    locality=self.localities.get(place),
                    type=self.types[kind],
                    consent_contact=consent,
                    created_at=self.now
                    - timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 9)),
                )
            )
        JoinApplication.objects.bulk_create(rows)

    # Segments and a call to action -------------------------------------------------------

    def _segments_and_call(self):
        larkrise = self.localities.get(LARKRISE)
        damp = Theme.objects.filter(name="Damp and mould").first()
        tra = Group.objects.filter(name=LARKRISE_TRA).first()
        specs = [
            (
                f"Members in {LARKRISE}",
                f"Active members of the hub who live on the {LARKRISE}.",
                {"localities": [larkrise.pk], "membership_status": [Status.ACTIVE]}
                if larkrise
                else {"membership_status": [Status.ACTIVE]},
                self.staff,
            ),
            (
                "People who raised damp and mould",
                "Everyone who spoke about damp or mould in a listening conversation.",
                {"themes": [damp.pk]} if damp else {},
                self.staff,
            ),
        ]
        if tra and self.organiser:
            specs.append(
                (
                    "Larkrise TRA: members and lapsed members",
                    "The association's people who are, or were, members of the hub.",
                    {"groups": [tra.pk], "membership_status": [Status.ACTIVE, Status.LAPSED]},
                    self.organiser,
                )
            )
        self.segments = [
            Segment.objects.create(
                name=name,
                description=description,
                filters=filters,
                created_by=by,
                created_at=self.now - timedelta(days=12),
            )
            for name, description, filters, by in specs
        ]
        self._call_sent(self.segments[0], larkrise)
        CallToAction.objects.create(
            segment=self.segments[1],
            subject="Dry Homes: one letter to the chief executive this week",
            body=(
                "You told us about damp and mould at home. Kelmington Homes' board meets at "
                "the end of the month: a letter from you before then, with your repair "
                "reference if you have one, is the strongest thing we can put in front of "
                "them. The campaign page has a letter you can use."
            ),
            campaign=Campaign.objects.filter(name="Dry Homes on Larkrise and Millbrook").first(),
            created_by=self.staff,
            reply_to=self.staff.email,
            created_at=self.now - timedelta(days=1),
        )

    def _call_sent(self, segment, larkrise):
        """Sent six days ago to the segment's members who agreed to hear by email; about half
        have answered. Each copy's outbox row is written as sent, so the call's page shows
        them delivered and nothing is queued."""
        rng = self.rng
        sent_at = self.now - timedelta(days=6, hours=2)
        meeting = (
            Event.objects.filter(title="Larkrise tenants' meeting: the damp survey results")
            .order_by("starts_at")
            .first()
        )
        call = CallToAction.objects.create(
            segment=segment,
            subject="Damp survey results: come to the tenants' meeting",
            body=(
                "Eighty homes on the estate told us about damp and mould this autumn. Come and "
                "hear what they said, and agree together what we ask Kelmington Homes for. "
                "Larkrise community room, Tuesday at 6.30pm; children welcome, there is a play "
                "corner. Somali and Polish interpreters if you tell us you are coming."
            ),
            event=meeting,
            status=CallToAction.Status.SENT,
            created_by=self.staff,
            reply_to=self.staff.email,
            created_at=sent_at - timedelta(days=1, hours=3),
            started_at=sent_at,
            sent_at=sent_at + timedelta(minutes=2),
        )
        members = Person.objects.filter(membership__status=Status.ACTIVE).exclude(email="")
        if larkrise:
            members = members.filter(locality=larkrise)
        reached = people_with_consent(Consent.Purpose.CONTACT_EMAIL, members).order_by("pk")
        reached = list(reached)
        messages = OutboxMessage.objects.bulk_create(
            OutboxMessage(
                key=call_key(call, person),
                person=person,
                to_email=person.email,
                reply_to=call.reply_to,
                subject=call.subject,
                body_text="",
                category=OutboxMessage.Category.CONTACT,
                status=OutboxMessage.Status.SENT,
                attempts=1,
                created_at=sent_at + timedelta(seconds=n),
                next_attempt_at=sent_at + timedelta(seconds=n),
                sent_at=sent_at + timedelta(seconds=n + 30),
            )
            for n, person in enumerate(reached)
        )
        rows = []
        for person, message in zip(reached, messages, strict=True):
            answer = _weighted(
                rng,
                [(Delivery.Response.YES, 35), (Delivery.Response.NO, 15), ("", 50)],
            )
            rows.append(
                Delivery(
                    call=call,
                    person=person,
                    message=message,
                    created_at=sent_at + timedelta(seconds=len(rows)),
                    response=answer,
                    responded_at=sent_at + timedelta(hours=rng.randint(1, 120)) if answer else None,
                )
            )
        self.deliveries = Delivery.objects.bulk_create(rows)
        call.recipients = len(self.deliveries)
        call.save(update_fields=["recipients"])

    # Self-organised groups ----------------------------------------------------------------

    def _proposals(self):
        rng = self.rng
        active = {
            membership.person_id
            for membership in self.memberships
            if membership.status == Status.ACTIVE
        }
        millbrook = self.localities.get(MILLBROOK)
        neighbours = list(
            Person.objects.filter(pk__in=active, locality=millbrook, user__isnull=True).order_by(
                "pk"
            )
        ) or list(Person.objects.filter(pk__in=active, user__isnull=True).order_by("pk"))
        if len(neighbours) < 2:
            return
        proposer, asker = rng.sample(neighbours, 2)
        decided_at = self.now - timedelta(days=33, hours=4)
        approved = GroupProposal.objects.create(
            name="Millbrook Carers' Circle",
            purpose=(
                "A morning a week for people who look after someone at home: a cup of tea, an "
                "hour off, and the things we have each learnt about benefits, respite and the "
                "council's carers' service. We would like to ask the GP surgery to put a carers' "
                "noticeboard in the waiting room."
            ),
            locality=millbrook,
            public=False,  # a circle where carers speak freely: found through the hub
            proposed_by=proposer,
            status=GroupProposal.Status.APPROVED,
            answer=(
                "Yes, and welcome! The small room at Millbrook Community Centre is yours on "
                "Wednesday mornings. The group's page lets you add members and plan meetings."
            ),
            decided_by=self.staff,
            decided_at=decided_at,
            created_at=decided_at - timedelta(days=6, hours=2),
        )
        group = group_create(
            name=approved.name,
            kind=Group.Kind.SELF_ORGANISED,
            description=approved.purpose,
            locality=millbrook,
            public=False,
        )
        Group.objects.filter(pk=group.pk).update(created_at=decided_at)
        group_member_add(group=group, person=proposer, role=GroupMembership.Role.ORGANISER)
        GroupMembership.objects.filter(group=group, person=proposer).update(
            joined_on=decided_at.date()
        )
        carers = [person for person in neighbours if person not in (proposer, asker)]
        circle = rng.sample(carers, min(10, len(carers)))
        GroupMembership.objects.bulk_create(
            GroupMembership(
                group=group,
                person=person,
                joined_on=(decided_at + timedelta(days=rng.randint(1, 30))).date(),
            )
            for person in circle
        )
        # The demo member runs the circle with its proposer: a member organising a group
        # without being staff.
        member = Person.objects.filter(user__email=f"member@{DEMO_DOMAIN}").first()
        if member is not None and member not in (proposer, asker):
            group_member_add(group=group, person=member, role=GroupMembership.Role.ORGANISER)
            GroupMembership.objects.filter(group=group, person=member).update(
                joined_on=decided_at.date()
            )
        approved.group = group
        approved.save(update_fields=["group"])
        waiting = GroupProposal.objects.create(
            name="Millbrook Knit and Natter",
            purpose=(
                "Knitting, crochet and a natter on Thursday afternoons. Beginners welcome: we "
                "will teach you. We would make blankets and hats for the neonatal unit."
            ),
            locality=millbrook,
            public=True,
            proposed_by=asker,
            created_at=self.now - timedelta(days=3, hours=5),
        )
        self.proposals = [approved, waiting]

    # Accountability -----------------------------------------------------------------------

    def _meetings(self):
        rng, today = self.rng, self.today
        staff, organiser = self.staff_person, self.organiser_person or self.staff_person
        agm_on = today - timedelta(days=124)
        agm = Meeting.objects.create(
            title=f"Annual general meeting {agm_on.year}",
            kind=Meeting.Kind.AGM,
            held_on=agm_on,
            place=HUB,
            agenda=(
                "1. Welcome, and the hub's year in numbers\n"
                "2. What Kelmington Listens has heard so far\n"
                "3. Choosing the hub's campaign priorities for the year\n"
                "4. Membership: kinds and the suggested contribution\n"
                "5. Electing the steering group\n"
                "6. Any other business"
            ),
            minutes=(
                "47 members came, with 6 apologies. Joanne presented the year: 3 new groups, "
                "the repair café every month and the first listening round under way. Members "
                "chose damp and mould as the first campaign priority, after hearing what "
                "tenants on both estates had said, and the buses second. Membership stays "
                "free; households are asked for £10 a year if they can. Seven members were "
                "elected to the steering group. Members asked for meetings in other parts of "
                "town, not only at the Old Library."
            ),
            attendance=47,
            created_by=self.staff,
            created_at=self._moment(agm_on - timedelta(days=21), hour=11),
        )
        meeting_on = today - timedelta(days=36)
        members_meeting = Meeting.objects.create(
            title="Members' meeting: damp, and the 27 bus",
            kind=Meeting.Kind.MEMBERS,
            held_on=meeting_on,
            place="Millbrook Community Centre, Mill Lane, KL5 7AA",
            agenda=(
                "1. The Dry Homes campaign: where we are\n"
                "2. Bring Back the 27: what Ashcombe and Millbrook told us\n"
                "3. Reporting back: how members hear what the hub did\n"
                "4. Dates for the next meetings"
            ),
            minutes=(
                "29 members came. The Dry Homes campaign has over 150 supporters and a meeting "
                "with Kelmington Homes in sight. Members agreed to back the campaign for the 27 "
                "bus and to ask the operator to meet residents in Ashcombe. Staff will publish "
                "a 'You said, we did' update after every members' meeting."
            ),
            attendance=29,
            created_by=self.staff,
            created_at=self._moment(meeting_on - timedelta(days=14), hour=11),
        )
        next_on = today + timedelta(days=24)
        upcoming = Meeting.objects.create(
            title="Members' meeting: the budget consultation",
            kind=Meeting.Kind.MEMBERS,
            held_on=next_on,
            place="Ashcombe Village Hall, The Green, Ashcombe KL9 3AG",
            agenda=(
                "1. What the council's budget proposals mean for Kelmington\n"
                "2. The library and the youth club: what we ask for\n"
                "3. Reports from the groups\n"
                "4. Any other business"
            ),
            created_by=self.staff,
            created_at=self.now - timedelta(days=5),
        )
        self.meetings = [agm, members_meeting, upcoming]
        # The hub's decisions are owned by people with an account, as the decision form
        # offers (``owner_choices``): here the members among them, besides staff and the
        # organiser (the demo's member and volunteer).
        owners = list(
            owner_choices(members_meeting)
            .filter(membership__status=Status.ACTIVE)
            .exclude(pk__in=[person.pk for person in (staff, organiser) if person])
            .order_by("pk")
        )
        volunteers = rng.sample(owners, 2) if len(owners) >= 2 else [organiser, staff]
        specs = (
            (
                agm,
                "Make damp and mould the hub's first campaign priority this year",
                "Members at the AGM, by 41 votes to 2",
                staff,
                agm_on + timedelta(days=90),
                Decision.Status.DONE,
                "The Dry Homes campaign started ten weeks later and has over 150 supporters.",
            ),
            (
                agm,
                "Keep membership free, with a suggested £10 a year for households",
                "Members at the AGM, unanimously",
                staff,
                agm_on + timedelta(days=365),
                Decision.Status.OPEN,
                "",
            ),
            (
                agm,
                "Hold members' meetings every quarter, in a different part of town each time",
                "Members at the AGM, by show of hands",
                organiser,
                agm_on + timedelta(days=110),
                Decision.Status.OPEN,
                "Millbrook in the autumn; Ashcombe is next.",
            ),
            (
                members_meeting,
                "Back the campaign to bring back the 27 bus, and ask the operator to meet "
                "residents in Ashcombe",
                "Members at the members' meeting, by 26 votes to 1",
                volunteers[1],
                meeting_on + timedelta(days=60),
                Decision.Status.OPEN,
                "",
            ),
            (
                members_meeting,
                "Publish a 'You said, we did' update after every members' meeting",
                "Members at the members' meeting, unanimously",
                volunteers[0],
                meeting_on + timedelta(days=30),
                Decision.Status.DONE,
                "The page is up on the hub's website and was updated after this meeting.",
            ),
        )
        self.decisions = Decision.objects.bulk_create(
            Decision(
                meeting=meeting,
                summary=summary,
                decided_by=decided_by,
                owner=owner,
                review_on=review_on,
                status=status,
                outcome=outcome,
                reviewed_on=min(review_on, today) if status == Decision.Status.DONE else None,
                created_at=self._moment(meeting.held_on, hour=21),
            )
            for meeting, summary, decided_by, owner, review_on, status, outcome in specs
        )

    def _you_said_we_did(self):
        themes = {theme.name: theme for theme in Theme.objects.all()}
        campaigns = {campaign.name: campaign for campaign in Campaign.objects.all()}
        public_events = Event.objects.filter(
            visibility=Event.Visibility.PUBLIC, status=Event.Status.SCHEDULED
        )

        def event(title):
            """The next public event of that title, or else the latest one."""
            events = public_events.filter(title=title)
            return (
                events.filter(starts_at__gte=self.now).order_by("starts_at").first()
                or events.order_by("-starts_at").first()
            )

        decisions = self.decisions
        lines = (
            (
                "Damp and mould came up more than anything else on the Larkrise and Millbrook "
                "estates: black mould in children's bedrooms, and repairs that paint over it.",
                "Members made damp the hub's first priority at the AGM. The Dry Homes campaign "
                "asks Kelmington Homes to inspect every report within ten working days, and "
                "tenants meet to hear the results of the damp survey.",
                "Over 150 residents have signed. Kelmington Homes has agreed to meet tenants "
                "and has started publishing how fast it deals with damp reports.",
                ("Damp and mould", "Housing and repairs"),
                ("Dry Homes on Larkrise and Millbrook",),
                ("Larkrise tenants' meeting: the damp survey results",),
                decisions[:1],
            ),
            (
                "Since the 27 bus was cut, people in Ashcombe and Millbrook cannot get to the "
                "health centre or the shops without a lift, and some older people hardly go "
                "out.",
                "Members voted to back Bring Back the 27 and to ask the bus company to meet "
                "residents in Ashcombe.",
                "The county council has agreed to look at the route again before the budget.",
                ("Buses and transport", "Loneliness and isolation"),
                ("Bring Back the 27",),
                (),
                decisions[3:4],
            ),
            (
                "Young people told us there is nowhere to go on a weekday evening since the "
                "youth club closed.",
                "Young people ran the campaign to reopen Brookside Youth Club, and volunteers "
                "started a free football session on the 3G pitch.",
                "The youth club reopened two evenings a week, and the football session is full "
                "most weeks.",
                ("Young people",),
                ("Reopen Brookside Youth Club",),
                ("Youth football session",),
                (),
            ),
            (
                "In Ashcombe, children walk to school along a B-road with no pavement on one "
                "side and no crossing.",
                "We walked the road with the county councillor, and the public meeting puts "
                "residents' questions to the county council.",
                "The councillor has asked highways officers for a speed survey.",
                ("Traffic and road safety",),
                (),
                (
                    "Walk the B-road with the county councillor",
                    "Ashcombe crossing: public meeting with the county council",
                ),
                (),
            ),
        )
        for order, (said, did, result, theme_names, campaign_names, titles, chosen) in enumerate(
            lines, start=1
        ):
            line = YouSaidWeDid.objects.create(
                you_said=said,
                we_did=did,
                result=result,
                published=True,
                order=order,
                updated_by=self.staff,
            )
            line.themes.set(themes[name] for name in theme_names if name in themes)
            line.campaigns.set(campaigns[name] for name in campaign_names if name in campaigns)
            line.events.set(found for title in titles if (found := event(title)))
            line.decisions.set(chosen)
            self.published += 1
        draft = YouSaidWeDid.objects.create(
            you_said="Members asked for meetings in other parts of town, not only in the centre.",
            we_did="Members' meetings now move around: Millbrook in the autumn, Ashcombe next.",
            published=False,
            order=len(lines) + 1,
            updated_by=self.staff,
        )
        draft.decisions.set(decisions[2:3])
