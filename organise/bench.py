"""Organise's part of the benchmark hub (``manage.py seed_bench``, registered in
``apps.py``) and the pages of Organise that the benchmark measures (``bench/run.py``).

``scale["members"]`` memberships over the last three years with their history (joined,
renewed, lapsed, left), most with consent to hear by email; two saved segments; a meeting
with decisions; and "You said, we did" lines over the busiest Listening themes.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from hubsite.people.models import Consent, Person, Role, User
from listening.models import Theme

from .models import (
    Decision,
    Meeting,
    Membership,
    MembershipEvent,
    MembershipType,
    Segment,
    YouSaidWeDid,
)
from .services.membership import add_months

BATCH = 2000
KINDS = (
    ("Individual", "individual", None, 12),
    ("Household", "household", 10, 12),
    ("Member of a local group", "group-member", None, 12),
)


def _bulk(model, objects):
    for start in range(0, len(objects), BATCH):
        model.objects.bulk_create(objects[start : start + BATCH])
    return objects


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
    _bulk(Membership, memberships)
    _bulk(
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
    _bulk(
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
    decisions = _bulk(
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
    stdout.write(f"organise: {len(memberships):,} memberships")


# Pages the benchmark measures ---------------------------------------------------------


def _sample(queryset, rng, k=20):
    ids = list(queryset.values_list("pk", flat=True).order_by("pk"))
    return rng.sample(ids, min(k, len(ids)))


def pages(rng):
    """Organise's main pages, as ``bench/run.py`` reads them."""
    members = _sample(Membership.objects.all(), rng)
    segments = _sample(Segment.objects.all(), rng, k=2)
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
