"""``manage.py seed_bench --scale hub|large``: a hub with years of work in it, for the
benchmark (``make bench``, bench/README in README.md), on PostgreSQL only.

The core makes the people (with localities, communities of interest, groups, memberships,
consents and the logins the benchmark signs in with); then each area app adds its own part
through the bench-data registry (``register_bench_data`` in ``hubsite/people/registry.py``).
Everything is written with bulk inserts in batches and drawn from seeded random streams, so
two runs at one scale build the same hub (dated from the day it is built).
Nothing reaches a real person: addresses are on
example.net and bench.example.org, phone numbers in Ofcom's drama ranges.
"""

import random
import time
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from hubsite.people.models import (
    Consent,
    Group,
    GroupMembership,
    Locality,
    Person,
    Role,
    Tag,
    User,
)
from hubsite.people.registry import bench_data_providers

from .seed_demo import HERITAGES

SEED = 9
BATCH = 2000
# The two sizes (#9): the areas read their own counts; ``factor`` scales the rest.
HUB = {
    "factor": 1,
    "people": 20_000,
    "conversations": 100_000,
    "events": 2_000,
    "rsvps": 60_000,
    "campaigns": 100,
    "signups": 50_000,
    "members": 5_000,
}
SCALES = {
    "hub": HUB,
    "large": {key: value * 10 for key, value in HUB.items()},
}

BENCH_DOMAIN = "bench.example.org"
PEOPLE_DOMAIN = "example.net"


@dataclass(frozen=True)
class BenchAccount:
    email: str
    role: str


# The logins the benchmark signs in as (bench/run.py); the first of each role.
BENCH_ACCOUNTS = {
    role: BenchAccount(f"{role}@{BENCH_DOMAIN}", role)
    for role in (Role.STAFF, Role.ORGANISER, Role.VOLUNTEER, Role.MEMBER)
}

_PLACE_STEMS = (
    "Kelmington Ashcombe Brookside Larkrise Millbrook Hatherley Thornbury Eastfield Westgate "
    "Northmoor Southbank Riverside Fairfield Oakwood Elmhurst Greenhill Stonebridge Highcross "
    "Lowfield Marshside Kingsway Queensmead Bellfield Cotterill Dunmore Fernlea Gorsey Holloway "
    "Ivybridge Juniper Kestrel Lindenhall Moorgate Newlands Orchard Parkside Quarrybank Redhill "
    "Sandford Tanyard Underhill Vale Whitecross Yewtree Abbeyfield Beacon Castlegate Deansgate"
)
PLACE_STEMS = _PLACE_STEMS.split()
PLACE_KINDS = (
    (Locality.Kind.WARD, "Ward"),
    (Locality.Kind.ESTATE, "Estate"),
    (Locality.Kind.NEIGHBOURHOOD, ""),
    (Locality.Kind.VILLAGE, "Village"),
    (Locality.Kind.POSTCODE, "District"),
)
_INTERESTS = (
    "Older people|Young people|Young carers|Parents of under-fives|Disabled residents|"
    "Somali community|Polish community|Growers and gardeners|Cyclists|Dog walkers|"
    "Football fans|Faith groups|Students|Private renters|Council tenants|Leaseholders|"
    "Small traders|Night-shift workers|Carers|Veterans|Refugees and asylum seekers|"
    "LGBTQ+ residents|Musicians|Artists and makers|Walkers|Allotment holders|Bus users|"
    "School governors|Home educators|Food bank users|Credit union members|Choir singers|"
    "Chess players|Runners|Swimmers|Book club readers|Knitters|Repair café fixers|"
    "Coders|Language learners|Grandparents|Twins' families|Foster carers|Wheelchair users|"
    "Deaf community|Blind and partially sighted|Roma community|Irish community|"
    "Caribbean elders|Bangladeshi women|Gurdwara sangat|Mosque youth|Church volunteers|"
    "Tenants' reps|Landlords|Taxi drivers|NHS workers|Teachers|Retired miners"
)
INTERESTS = _INTERESTS.split("|")
GROUP_KINDS = (
    (Group.Kind.RESIDENTS, "Residents' Association", 4),
    (Group.Kind.INTEREST, "Group", 4),
    (Group.Kind.CAMPAIGN, "Campaign", 2),
    (Group.Kind.PARTNER, "Partners", 1),
    (Group.Kind.SELF_ORGANISED, "Circle", 2),
)
CONTACTS = [value for value, _ in Person.FirstContact.choices]
PURPOSES = [value for value, _ in Consent.Purpose.choices]
METHODS = [value for value, _ in Consent.Method.choices]


def batched_create(model, objects, *, batch_size=BATCH, **options):
    """``bulk_create`` in batches of ``batch_size`` (ids come back on PostgreSQL)."""
    objects = list(objects)
    for start in range(0, len(objects), batch_size):
        model.objects.bulk_create(objects[start : start + batch_size], **options)
    return objects


class Core:
    """The core's part of the benchmark hub, drawn from ``rng`` at ``scale``."""

    def __init__(self, scale, rng, stdout):
        self.scale, self.rng, self.stdout = scale, rng, stdout
        self.now = timezone.now()
        names = [
            (h.share, h.women.split() + h.men.split(), h.surnames.split())
            for h in HERITAGES.values()
        ]
        self.heritages = names
        self.weights = [share for share, _, _ in names]

    def fill(self):
        people = self.scale["people"]
        localities = self.localities(max(4, people // 400))
        tags = self.tags(max(4, min(len(INTERESTS), people // 400)))
        users = self.users(people)
        persons = self.people(people, users, localities)
        self.person_tags(persons, tags)
        self.consents(persons, users)
        groups = self.groups(max(3, people // 100), localities)
        self.memberships(groups, persons, users)
        return len(persons)

    def _when(self, days):
        return self.now - timedelta(
            days=self.rng.randint(1, days), minutes=self.rng.randint(0, 600)
        )

    def localities(self, count):
        rng, made = self.rng, []
        for n in range(count):
            stem = PLACE_STEMS[n % len(PLACE_STEMS)]
            kind, suffix = PLACE_KINDS[(n // len(PLACE_STEMS)) % len(PLACE_KINDS)]
            round_ = n // (len(PLACE_STEMS) * len(PLACE_KINDS))
            name = " ".join(part for part in (stem, suffix) if part)
            name += f" {round_ + 1}" if round_ else ""
            latitude = 52.9 + rng.uniform(-0.08, 0.08)
            longitude = -1.96 + rng.uniform(-0.1, 0.1)
            made.append(
                Locality(
                    name=name,
                    slug=slugify(name),
                    kind=kind,
                    description=f"Part of the benchmark hub's area: {name}.",
                    population=rng.randint(800, 12_000),
                    latitude=f"{latitude:.6f}",
                    longitude=f"{longitude:.6f}",
                )
            )
        return batched_create(Locality, made)

    def tags(self, count):
        made = [
            Tag(name=name, slug=slugify(name) or f"tag-{n}", description="")
            for n, name in enumerate(INTERESTS[:count])
        ]
        return batched_create(Tag, made)

    def users(self, people):
        """Logins: the four bench accounts, then a share of staff, organisers, volunteers
        and members. Only the bench accounts can be signed in as (by the benchmark, which
        makes their sessions); the others have unusable passwords."""
        counts = [
            (Role.STAFF, max(2, people // 5000)),
            (Role.ORGANISER, max(2, people // 1000)),
            (Role.VOLUNTEER, max(2, people // 200)),
            (Role.MEMBER, max(2, people // 20)),
        ]
        unusable = make_password(None)
        made = []
        for role, count in counts:
            for n in range(count):
                email = BENCH_ACCOUNTS[role].email if n == 0 else f"{role}{n}@{BENCH_DOMAIN}"
                staff = role == Role.STAFF
                made.append(
                    User(
                        email=email,
                        role=role,
                        is_staff=staff,
                        is_superuser=staff,
                        password=unusable,
                        date_joined=self._when(900),
                    )
                )
        made = batched_create(User, made)
        batched_create(
            EmailAddress,
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in made],
        )
        # Staff must have a second factor where DEBUG is off; the bench staff has one on file
        # (the benchmark signs in with a session, so it is never asked for a code).
        Authenticator.objects.bulk_create(
            Authenticator(user=u, type=Authenticator.Type.TOTP, data={"secret": "bench"})
            for u in made
            if u.role == Role.STAFF
        )
        return made

    def people(self, count, users, localities):
        rng, made = self.rng, []
        for n in range(count):
            _, firsts, lasts = rng.choices(self.heritages, weights=self.weights)[0]
            first, last = rng.choice(firsts), rng.choice(lasts)
            user = users[n] if n < len(users) else None
            if user is not None:
                email = user.email
            elif rng.random() < 0.85:
                email = f"{slugify(first)}.{slugify(last)}.{n}@{PEOPLE_DOMAIN}"
            else:
                email = ""
            locality = rng.choice(localities) if rng.random() < 0.95 else None
            phone = rng.random() < 0.6
            made.append(
                Person(
                    first_name=first,
                    last_name=last,
                    email=email,
                    phone=f"07700 900{n % 1000:03d}" if phone else "",
                    postcode=f"KL{rng.randint(1, 9)} {rng.randint(1, 9)}AB" if locality else "",
                    locality=locality,
                    first_contact=rng.choice(CONTACTS),
                    languages=rng.choice(("", "", "English", "English, Urdu", "Polish")),
                    user=user,
                    created_at=self._when(1100),
                )
            )
        return batched_create(Person, made)

    def person_tags(self, persons, tags):
        rng, through, rows = self.rng, Person.tags.through, []
        for person in persons:
            for tag in rng.sample(tags, rng.choice((0, 1, 1, 1, 2, 2, 3))):
                rows.append(through(person_id=person.pk, tag_id=tag.pk))
        batched_create(through, rows, batch_size=5000)

    def consents(self, persons, users):
        """What each agreed to when first met, and for some a later change of mind."""
        rng, rows = self.rng, []
        recorders = [u for u in users if u.role != Role.MEMBER]
        for person in persons:
            if rng.random() < 0.05:
                continue
            method = rng.choice(METHODS)
            by = None if method == Consent.Method.ONLINE else rng.choice(recorders)
            for purpose in rng.sample(PURPOSES, rng.randint(1, 3)):
                rows.append(
                    Consent(
                        person_id=person.pk,
                        purpose=purpose,
                        given=True,
                        method=method,
                        recorded_at=person.created_at,
                        recorded_by=by,
                    )
                )
                if rng.random() < 0.08:
                    rows.append(
                        Consent(
                            person_id=person.pk,
                            purpose=purpose,
                            given=False,
                            method=Consent.Method.EMAIL,
                            recorded_at=person.created_at + timedelta(days=rng.randint(1, 60)),
                            note="Asked us to stop.",
                        )
                    )
        batched_create(Consent, rows, batch_size=5000)

    def groups(self, count, localities):
        rng, made = self.rng, []
        kinds = [(kind, suffix) for kind, suffix, weight in GROUP_KINDS for _ in range(weight)]
        for n in range(count):
            kind, suffix = rng.choice(kinds)
            locality = rng.choice(localities)
            name = f"{locality.name} {suffix} {n + 1}"
            made.append(
                Group(
                    name=name,
                    slug=slugify(name),
                    kind=kind,
                    description=f"A {suffix.lower()} in {locality.name}.",
                    locality=locality if rng.random() < 0.8 else None,
                    public=rng.random() < 0.4,
                    created_at=self._when(1100),
                )
            )
        return batched_create(Group, made)

    def memberships(self, groups, persons, users):
        """Members drawn at random, a leader and an organiser in each; each organiser login
        organises a few groups, and the bench accounts belong to some."""
        rng, rows, seen = self.rng, [], set()
        Member = GroupMembership.Role

        def join(person, group, role):
            if (person.pk, group.pk) not in seen:
                seen.add((person.pk, group.pk))
                joined = max(person.created_at, group.created_at).date()
                rows.append(
                    GroupMembership(person=person, group=group, role=role, joined_on=joined)
                )

        by_user = {person.user_id: person for person in persons if person.user_id}
        organisers = [by_user[u.pk] for u in users if u.role == Role.ORGANISER]
        for n, group in enumerate(groups):
            join(organisers[n % len(organisers)], group, Member.ORGANISER)
            size = rng.choice((8, 12, 15, 20, 25, 30, 40, 60, 120))
            for m, person in enumerate(rng.sample(persons, min(size, len(persons)))):
                join(person, group, Member.LEADER if m == 0 else Member.MEMBER)
        for role in (Role.VOLUNTEER, Role.MEMBER):
            person = by_user[next(u.pk for u in users if u.email == BENCH_ACCOUNTS[role].email)]
            for group in rng.sample(groups, min(3, len(groups))):
                join(person, group, Member.MEMBER)
        batched_create(GroupMembership, rows, batch_size=5000)


def core_fill(*, scale, rng, stdout):
    """The core's part, for the command and for the suite's tiny run."""
    return Core(scale, rng, stdout).fill()


def generate_all(*, scale, stdout):
    """The core's part, then each app's, each in its own transaction and random stream."""
    timings = []
    started = time.monotonic()
    with transaction.atomic():
        people = core_fill(scale=scale, rng=random.Random(f"{SEED}:core"), stdout=stdout)
    timings.append(("core", time.monotonic() - started))
    stdout.write(f"core: {people} people ({timings[-1][1]:.1f} s)")
    for name, generate in bench_data_providers().items():
        started = time.monotonic()
        with transaction.atomic():
            generate(scale=scale, rng=random.Random(f"{SEED}:{name}"), stdout=stdout)
        timings.append((name, time.monotonic() - started))
        stdout.write(f"{name}: done ({timings[-1][1]:.1f} s)")
    return timings


def holds_bench_data():
    return User.objects.filter(email=BENCH_ACCOUNTS[Role.STAFF].email).exists()


class Command(BaseCommand):
    help = (
        "Fill PostgreSQL with a believable hub for the benchmark: 'hub' scale holds 20,000 "
        "people (with each area's share: 100,000 conversations, 2,000 events with 60,000 "
        "RSVPs…), 'large' ten times that. Refuses when the database already holds data; "
        "--fresh empties a benchmark database first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="hub")
        parser.add_argument(
            "--fresh",
            action="store_true",
            help="Drop every table and migrate again before seeding (a benchmark database "
            "or an empty one only).",
        )

    def handle(self, *args, scale, fresh, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "seed_bench fills PostgreSQL only (the benchmark measures the database the hub "
                "runs on): set DATABASE_URL to a PostgreSQL database, e.g. "
                "postgres://postgres@127.0.0.1:5432/hub_bench."
            )
        if Person.objects.exists():
            if not holds_bench_data():
                raise CommandError(
                    "This database holds people who are not benchmark data: seed_bench will "
                    "not touch it. Point DATABASE_URL at a database of its own."
                )
            if not fresh:
                raise CommandError(
                    "This database already holds benchmark data. Use --fresh to empty it and "
                    "seed again."
                )
        if fresh:
            self._empty()
        started = time.monotonic()
        generate_all(scale=SCALES[scale], stdout=self.stdout)
        analysed = time.monotonic()
        with connection.cursor() as cursor:  # fresh statistics, as a live hub's would be
            cursor.execute("VACUUM ANALYZE")
        self.stdout.write(f"vacuum analyze: {time.monotonic() - analysed:.1f} s")
        self.stdout.write(
            self.style.SUCCESS(
                f"Benchmark hub ready at {scale} scale in {time.monotonic() - started:.0f} s: "
                f"{Person.objects.count()} people. Bench logins: "
                + ", ".join(a.email for a in BENCH_ACCOUNTS.values())
            )
        )

    def _empty(self):
        """Drop every table and migrate again, so that the reference data that migrations
        load (the framework's areas and practices) comes back too."""
        tables = connection.introspection.table_names()
        if tables:
            quoted = ", ".join(connection.ops.quote_name(table) for table in tables)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {quoted} CASCADE")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Emptied the database and migrated it again.")
