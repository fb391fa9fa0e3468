"""Organise's part of the benchmark hub (``manage.py seed_bench``, registered in
``apps.py``) and the pages of Organise that the benchmark measures (``bench/run.py``).

``scale["members"]`` memberships over the last three years with their history (joined,
renewed, lapsed, left), most with consent to hear by email; saved segments (the two the
benchmark opens, and one per place) with calls to action sent to them, each person's copy
with its email and answer; proposals of self-organised groups; the hub's and the groups'
meetings with their decisions; and "You said, we did" lines over the busiest Listening
themes.
"""

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from connect.models import Event
from hubsite.notify.models import OutboxMessage
from hubsite.people.bench import bulk_insert, sample_ids
from hubsite.people.models import Consent, Group, Locality, Person, Role, User
from hubsite.people.selectors import people_with_consent
from listening.models import Theme

from .models import (
    CallToAction,
    Decision,
    Delivery,
    GroupProposal,
    Meeting,
    Membership,
    MembershipEvent,
    MembershipType,
    Segment,
    YouSaidWeDid,
)
from .selectors.calls import KEY_PREFIX
from .services.membership import add_months

BATCH = 2000
# How many of each at hub scale (``scale["factor"]`` scales them with the rest of the hub).
HUB_SCALE = {"calls": 300, "proposals": 200, "meetings": 150}
# The segments of one place each, which calls to action go to (``pages`` opens the others).
PLACE_SEGMENT = "People in "
KINDS = (
    ("Individual", "individual", None, 12),
    ("Household", "household", 10, 12),
    ("Member of a local group", "group-member", None, 12),
)


def _kinds():
    for order, (name, slug, contribution, months) in enumerate(KINDS):
        MembershipType.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "suggested_contribution": contribution,
                "term_months": months,
                "order": order,
            },
        )
    return list(MembershipType.objects.order_by("order", "pk"))


def generate(*, scale, rng, stdout):
    total = scale.get("members", 5_000 * scale.get("factor", 1))
    today = timezone.localdate()
    kinds = _kinds()
    bench_member = Person.objects.filter(user__role=Role.MEMBER).order_by("pk").first()
    taken = set(Membership.objects.values_list("person_id", flat=True))
    candidates = list(
        Person.objects.exclude(pk__in=taken)
        .filter(user__isnull=True)
        .values_list("pk", "locality_id")
        .order_by("pk")[: total * 2]
    )
    chosen = rng.sample(candidates, min(total, len(candidates)))
    if bench_member and bench_member.pk not in taken:
        chosen[:1] = [(bench_member.pk, bench_member.locality_id)]
    memberships, histories = [], []
    for person_id, locality_id in chosen:
        kind = rng.choices(kinds, weights=(70, 20, 10))[0]
        joined = today - timedelta(days=rng.randint(0, 3 * 365))
        events = [(MembershipEvent.Kind.JOINED, joined)]
        start = joined
        while add_months(start, kind.term_months) <= today and rng.random() < 0.7:
            start = add_months(start, kind.term_months)
            events.append((MembershipEvent.Kind.RENEWED, start))
        renews = add_months(start, kind.term_months)
        status, ended = Membership.Status.ACTIVE, None
        if renews + timedelta(days=30) < today:
            status, ended = Membership.Status.LAPSED, renews + timedelta(days=31)
            events.append((MembershipEvent.Kind.LAPSED, ended))
        elif rng.random() < 0.04:
            status, ended = Membership.Status.LEFT, today - timedelta(days=rng.randint(0, 60))
            ended = max(ended, start)
            events.append((MembershipEvent.Kind.LEFT, ended))
        memberships.append(
            Membership(
                person_id=person_id,
                type=kind,
                status=status,
                joined_on=joined,
                term_started_on=start,
                renews_on=renews,
                ended_on=ended,
            )
        )
        histories.append((locality_id, kind.pk, events))
    bulk_insert(Membership, memberships)
    bulk_insert(
        MembershipEvent,
        [
            MembershipEvent(
                membership_id=membership.pk, kind=kind, on=on, locality_id=locality, type_id=t
            )
            for membership, (locality, t, events) in zip(memberships, histories, strict=True)
            for kind, on in events
        ],
    )
    consented = set(
        Consent.objects.filter(purpose=Consent.Purpose.CONTACT_EMAIL).values_list(
            "person_id", flat=True
        )
    )
    bulk_insert(
        Consent,
        [
            Consent(
                person_id=m.person_id,
                purpose=Consent.Purpose.CONTACT_EMAIL,
                given=True,
                method=Consent.Method.ONLINE,
                note="Joining the hub",
            )
            for m in memberships
            if m.person_id not in consented and rng.random() < 0.8
        ],
    )
    staff = User.objects.filter(role=Role.STAFF).order_by("pk").first()
    themes = list(Theme.objects.order_by("pk").values_list("pk", flat=True)[:6])
    Segment.objects.bulk_create(
        [
            Segment(
                name="Active members",
                filters={"membership_status": ["active"]},
                created_by=staff,
            ),
            Segment(
                name="People who raised the first themes",
                filters={"themes": themes[:2]},
                created_by=staff,
            ),
        ]
    )
    meeting = Meeting.objects.create(
        title="Annual general meeting",
        kind=Meeting.Kind.AGM,
        held_on=today - timedelta(days=60),
        agenda="Accounts, elections, the year ahead.",
        minutes="The members agreed the priorities for the year.",
        attendance=rng.randint(40, 120),
        created_by=staff,
    )
    owners = [pk for pk, _ in chosen[:20]]
    decisions = bulk_insert(
        Decision,
        [
            Decision(
                meeting=meeting,
                summary=f"Priority {n + 1} for the year",
                decided_by="Members at the AGM",
                owner_id=rng.choice(owners) if owners else None,
                review_on=today + timedelta(days=rng.randint(-30, 120)),
            )
            for n in range(6)
        ],
    )
    for n, theme in enumerate(themes):
        line = YouSaidWeDid.objects.create(
            you_said=f"What you told us, line {n + 1}",
            we_did="What the hub did about it.",
            result="What came of it.",
            published=True,
            order=n,
        )
        line.themes.set([theme])
        line.decisions.set([decisions[n % len(decisions)]])
    factor = scale.get("factor", 1)
    wanted = {name: max(5, round(count * factor)) for name, count in HUB_SCALE.items()}
    members = [pk for pk, _ in chosen]
    copies = _calls(rng, staff, _place_segments(staff), count=wanted["calls"], today=today)
    proposed = _proposals(rng, staff, members, count=wanted["proposals"])
    held, decided = _meetings(rng, staff, members, count=wanted["meetings"], today=today)
    stdout.write(
        f"organise: {len(memberships):,} memberships, {wanted['calls']:,} calls to action with "
        f"{copies:,} copies, {proposed:,} proposals of groups, {held:,} meetings with "
        f"{decided:,} decisions"
    )


def _moment(day, hour=12):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _place_segments(staff):
    """A segment of the people of each place, for the calls to action to go to."""
    return Segment.objects.bulk_create(
        Segment(
            name=f"{PLACE_SEGMENT}{place.name}",
            filters={"localities": [place.pk]},
            created_by=staff,
        )
        for place in Locality.objects.order_by("pk")
    )


def _calls(rng, staff, segments, *, count, today):
    """Calls to action over the last two years, most of them sent: a sent call's copies go
    to people who agreed to hear by email (most to a few dozen, one in forty to a couple of
    thousand), each with its outbox row (sent, or not) and, when the call asks for
    something, about four in ten answered. Returns the number of copies."""
    segments = segments + list(
        Segment.objects.exclude(name__startswith=PLACE_SEGMENT).order_by("pk")
    )
    reachable = list(
        people_with_consent(Consent.Purpose.CONTACT_EMAIL, Person.objects.exclude(email=""))
        .order_by("pk")
        .values_list("pk", "email")
    )
    events = list(Event.objects.order_by("pk").values_list("pk", flat=True)[:200])
    Status = CallToAction.Status
    calls = []
    for n in range(count):
        written = _moment(today - timedelta(days=rng.randint(0, 730)), hour=rng.randint(8, 20))
        status = rng.choices(
            [Status.SENT, Status.DRAFT, Status.CANCELLED, Status.SCHEDULED],
            weights=(90, 5, 3, 2),
        )[0]
        if n == 0:  # at the smallest scale too, a sent call for the benchmark to open
            status = Status.SENT
        calls.append(
            CallToAction(
                segment=rng.choice(segments) if segments else None,
                subject=f"Call to action {n + 1}: come and have your say",
                body="We are meeting to decide what to do next. Come along.",
                event_id=rng.choice(events) if events and rng.random() < 0.5 else None,
                status=status,
                # Scheduled ones wait far ahead: the beat tick must not start them.
                send_at=_moment(today + timedelta(days=rng.randint(30, 300)))
                if status == Status.SCHEDULED
                else None,
                created_by=staff,
                reply_to=staff.email if staff else "",
                created_at=written,
                started_at=written + timedelta(hours=1) if status != Status.DRAFT else None,
                sent_at=written + timedelta(hours=1, minutes=5) if status == Status.SENT else None,
            )
        )
    calls = bulk_insert(CallToAction, [call for call in calls if call.segment is not None])
    copies = 0
    for call in calls:
        if call.status not in (Status.SENT, Status.CANCELLED) or not reachable:
            continue
        size = rng.randint(1_000, 2_500) if rng.random() < 0.025 else rng.randint(10, 150)
        people = rng.sample(reachable, min(size, len(reachable)))
        messages = bulk_insert(
            OutboxMessage,
            [
                OutboxMessage(
                    key=f"{KEY_PREFIX}{call.pk}:{person_id}",
                    person_id=person_id,
                    to_email=email,
                    reply_to=call.reply_to,
                    subject=call.subject,
                    category=OutboxMessage.Category.CONTACT,
                    status=rng.choices(
                        [
                            OutboxMessage.Status.SENT,
                            OutboxMessage.Status.CANCELLED,
                            OutboxMessage.Status.FAILED,
                        ],
                        weights=(94, 4, 2),
                    )[0],
                    attempts=1,
                    created_at=call.started_at,
                    next_attempt_at=call.started_at,
                    sent_at=call.started_at + timedelta(minutes=2),
                )
                for person_id, email in people
            ],
        )
        answers = [Delivery.Response.YES, Delivery.Response.NO, ""]
        rows = []
        for (person_id, _), message in zip(people, messages, strict=True):
            answer = rng.choices(answers, weights=(30, 10, 60))[0] if call.event_id else ""
            rows.append(
                Delivery(
                    call=call,
                    person_id=person_id,
                    message=message,
                    created_at=call.started_at,
                    response=answer,
                    responded_at=call.started_at + timedelta(hours=rng.randint(1, 96))
                    if answer
                    else None,
                )
            )
        bulk_insert(Delivery, rows)
        call.recipients = len(rows)
        copies += len(rows)
    CallToAction.objects.bulk_update(calls, ["recipients"], batch_size=BATCH)
    return copies


def _proposals(rng, staff, proposers, *, count):
    """Members' proposals of self-organised groups: some waiting, the others answered;
    an approved one is the group it made when a circle without a proposal is left."""
    if not proposers:
        return 0
    places = list(Locality.objects.order_by("pk"))
    circles = list(
        Group.objects.filter(kind=Group.Kind.SELF_ORGANISED, proposal__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Status = GroupProposal.Status
    now = timezone.now()
    rows = []
    for n in range(count):
        place = rng.choice(places) if places else None
        asked = now - timedelta(days=rng.randint(0, 900), hours=rng.randint(0, 23))
        status = rng.choices([Status.PENDING, Status.APPROVED, Status.DECLINED], (15, 55, 30))[0]
        answered = status != Status.PENDING
        rows.append(
            GroupProposal(
                name=f"{place.name if place else 'Hub'} circle {n + 1}",
                purpose="A group of neighbours who meet to do something about what we share.",
                locality=place,
                public=rng.random() < 0.7,
                proposed_by_id=rng.choice(proposers),
                status=status,
                answer="" if not answered else "Thank you: here is what we decided.",
                decided_by=staff if answered else None,
                decided_at=asked + timedelta(days=rng.randint(1, 14)) if answered else None,
                group_id=circles.pop() if status == Status.APPROVED and circles else None,
                created_at=asked,
            )
        )
    return len(bulk_insert(GroupProposal, rows))


def _meetings(rng, staff, owners, *, count, today):
    """Groups' meetings (most), members' meetings and AGMs over the last three years and
    the next three months; each past one with up to four decisions, the older ones seen
    through or dropped. Returns the meetings and decisions made."""
    groups = list(Group.objects.order_by("pk").values_list("pk", flat=True))
    Kind = Meeting.Kind
    meetings = []
    for n in range(count):
        kind = rng.choices([Kind.GROUP, Kind.MEMBERS, Kind.AGM], weights=(70, 25, 5))[0]
        if kind == Kind.GROUP and not groups:
            kind = Kind.MEMBERS
        held = today + timedelta(days=rng.randint(-3 * 365, 90 if n else -1))
        past = held < today
        meetings.append(
            Meeting(
                title=f"{Kind(kind).label} {n + 1}",
                kind=kind,
                group_id=rng.choice(groups) if kind == Kind.GROUP else None,
                held_on=held,
                place="The community centre",
                agenda="1. Welcome\n2. What we heard\n3. What we do next",
                minutes="We agreed what to do next." if past else "",
                attendance=rng.randint(5, 80) if past else None,
                created_by=staff,
                created_at=_moment(held - timedelta(days=21)),
            )
        )
    meetings = bulk_insert(Meeting, meetings)
    Status = Decision.Status
    decisions = []
    for meeting in meetings:
        if meeting.held_on >= today:
            continue
        for m in range(rng.randint(0, 4)):
            review = meeting.held_on + timedelta(days=rng.randint(30, 240))
            status = (
                rng.choices([Status.DONE, Status.DROPPED, Status.OPEN], weights=(70, 10, 20))[0]
                if review < today
                else Status.OPEN
            )
            decisions.append(
                Decision(
                    meeting=meeting,
                    summary=f"Decision {m + 1} of {meeting.title}",
                    decided_by="The people at the meeting",
                    owner_id=rng.choice(owners) if owners else None,
                    review_on=review,
                    status=status,
                    outcome="It is done." if status == Status.DONE else "",
                    reviewed_on=review if status == Status.DONE else None,
                    created_at=_moment(meeting.held_on, hour=21),
                )
            )
    return len(meetings), len(bulk_insert(Decision, decisions))


# Pages the benchmark measures ---------------------------------------------------------


def pages(rng):
    """Organise's main pages, as ``bench/run.py`` reads them."""
    members = sample_ids(Membership.objects.all(), rng)
    # The two segments the benchmark has always opened: everyone active, and who spoke
    # about the first themes (half the hub).
    segments = sample_ids(Segment.objects.exclude(name__startswith=PLACE_SEGMENT), rng, k=2)
    calls = sample_ids(CallToAction.objects.filter(status=CallToAction.Status.SENT), rng)
    meetings = sample_ids(Meeting.objects.filter(held_on__lt=timezone.localdate()), rng)
    return [
        {"name": "organise: members", "as": "staff", "paths": [reverse("organise:member_list")]},
        {
            "name": "organise: member",
            "as": "staff",
            "paths": [reverse("organise:member_detail", args=[pk]) for pk in members],
        },
        {"name": "organise: growth", "as": "staff", "paths": [reverse("organise:growth")]},
        {
            "name": "organise: segment",
            "as": "staff",
            "paths": [reverse("organise:segment_detail", args=[pk]) for pk in segments],
        },
        {"name": "organise: segments", "as": "staff", "paths": [reverse("organise:segment_list")]},
        {"name": "organise: calls", "as": "staff", "paths": [reverse("organise:call_list")]},
        {
            "name": "organise: call",
            "as": "staff",
            "paths": [reverse("organise:call_detail", args=[pk]) for pk in calls],
        },
        {
            "name": "organise: meetings",
            "as": "member",
            "paths": [reverse("organise:meeting_list")],
        },
        {
            "name": "organise: meeting",
            "as": "staff",
            "paths": [reverse("organise:meeting_detail", args=[pk]) for pk in meetings],
        },
        {
            "name": "organise: decisions",
            "as": "staff",
            "paths": [reverse("organise:decision_list")],
        },
        {
            "name": "organise: proposals of groups",
            "as": "staff",
            "paths": [reverse("organise:proposal_list")],
        },
        {
            "name": "organise: you said, we did (public)",
            "as": "public",
            "paths": [reverse("organise:you_said_we_did")],
        },
        {
            "name": "organise: my membership",
            "as": "member",
            "paths": [reverse("organise:my_membership")],
        },
    ]
