"""``manage.py seed_demo``: a believable small UK hub to explore, demonstrate and try the
screens on, so that nobody needs real residents' data to see the product work.

Everything is made up: the town of Kelmington (postcode area KL, which Royal Mail does not
use), its places and about two hundred people whose names reflect the mix of a British town.
Phone numbers come from Ofcom's ranges reserved for drama and addresses are on example.org,
so nothing can reach a real person. A fixed seed makes every run build the same hub, and a
second run adds nothing: places, communities and groups are looked up by name, accounts by
email, and people already known are skipped with their consents and memberships. Then each
area app adds its own part (listening rounds, events…) through the demo-data registry.
"""

import math
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from typing import NamedTuple

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from hubsite.people import services
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
from hubsite.people.registry import demo_data_providers
from hubsite.people.selectors import person_by_email

SEED = 2026
GENERATED_PEOPLE = 196  # with the four demo accounts' own people: 200
DEMO_PASSWORD = "hub-demo-2026"
PASSWORD_ENV = "HUB_DEMO_PASSWORD"
DOMAIN = "example.org"

Kind = Locality.Kind
Purpose = Consent.Purpose
Method = Consent.Method
Contact = Person.FirstContact
Member = GroupMembership.Role


class Place(NamedTuple):
    name: str
    kind: str
    description: str
    population: int
    latitude: str
    longitude: str
    radius_km: float
    district: str  # the postcode district its residents' postcodes start with
    share: int  # how many of the demo people live here, relatively


PLACES = [
    Place(
        name="Kelmington Central",
        kind=Kind.WARD,
        description=(
            "The town-centre ward: the high street, the market square and the Victorian "
            "terraces around them."
        ),
        population=10870,
        latitude="52.912500",
        longitude="-1.963000",
        radius_km=1.3,
        district="KL1",
        share=18,
    ),
    Place(
        name="Brookside",
        kind=Kind.WARD,
        description=(
            "The ward north of the canal, with the library, two primary schools and the "
            "leisure centre."
        ),
        population=9420,
        latitude="52.927800",
        longitude="-1.951400",
        radius_km=1.2,
        district="KL2",
        share=16,
    ),
    Place(
        name="Larkrise Estate",
        kind=Kind.ESTATE,
        description=(
            "A 1960s council estate of low-rise blocks and maisonettes, now mostly housing "
            "association homes."
        ),
        population=2310,
        latitude="52.931600",
        longitude="-1.938900",
        radius_km=0.5,
        district="KL3",
        share=22,
    ),
    Place(
        name="Millbrook Estate",
        kind=Kind.ESTATE,
        description=(
            "Post-war semis and three tower blocks beside the old mill; a busy community centre."
        ),
        population=1760,
        latitude="52.899400",
        longitude="-1.978600",
        radius_km=0.45,
        district="KL5",
        share=17,
    ),
    Place(
        name="Ashcombe",
        kind=Kind.VILLAGE,
        description=(
            "A village four miles out along the B-road, with one shop, a pub and an hourly bus."
        ),
        population=1185,
        latitude="52.948100",
        longitude="-2.012300",
        radius_km=0.8,
        district="KL9",
        share=10,
    ),
    Place(
        name="KL4 Hatherley",
        kind=Kind.POSTCODE,
        description="The KL4 postcode district: Hatherley's new-build streets and the retail park.",
        population=6540,
        latitude="52.896200",
        longitude="-1.934700",
        radius_km=1.1,
        district="KL4",
        share=12,
    ),
]
NO_PLACE_SHARE = 5  # people met at events who gave no address

TAGS = {
    "older": ("Older people", "Residents over 65, many living alone."),
    "young": ("Young people (16–25)", "Young adults, in or out of work and education."),
    "carers": ("Young carers", "Young people who look after someone at home."),
    "parents": ("Parents of under-fives", "Mums, dads and carers of babies and toddlers."),
    "disabled": ("Disabled residents", "Disabled people and people with long-term conditions."),
    "somali": ("Somali community", "Somali families, many on the Larkrise Estate."),
    "polish": ("Polish community", "Polish residents and the Saturday school's families."),
    "growers": ("Growers and gardeners", "Allotment holders and would-be food growers."),
}


class GroupSpec(NamedTuple):
    name: str
    kind: str
    place: str | None
    description: str
    size: int
    draws_on: Callable  # who it recruits from, so that each group looks like its area


GROUPS = [
    GroupSpec(
        name="Larkrise Tenants' and Residents' Association",
        kind=Group.Kind.RESIDENTS,
        place="Larkrise Estate",
        description="Meets on the first Tuesday of the month in the Larkrise community room.",
        size=26,
        draws_on=lambda r: r.place == "Larkrise Estate",
    ),
    GroupSpec(
        name="Millbrook Residents' Association",
        kind=Group.Kind.RESIDENTS,
        place="Millbrook Estate",
        description=(
            "Residents of the Millbrook Estate working on repairs, lighting and the play area."
        ),
        size=20,
        draws_on=lambda r: r.place == "Millbrook Estate",
    ),
    GroupSpec(
        name="Kelmington Community Growers",
        kind=Group.Kind.INTEREST,
        place=None,
        description="Growing food together on the Station Road allotments and two estate gardens.",
        size=18,
        draws_on=lambda r: "growers" in r.tags or r.place == "Ashcombe",
    ),
    GroupSpec(
        name="Stay and Play Parents",
        kind=Group.Kind.INTEREST,
        place="Brookside",
        description="Parents and carers of under-fives meeting weekly at Brookside library.",
        size=14,
        draws_on=lambda r: "parents" in r.tags,
    ),
    GroupSpec(
        name="Safe Crossing for Ashcombe",
        kind=Group.Kind.CAMPAIGN,
        place="Ashcombe",
        description="Campaigning for a pedestrian crossing and a 20 mph limit on the B-road.",
        size=16,
        draws_on=lambda r: r.place in ("Ashcombe", "KL4 Hatherley"),
    ),
    GroupSpec(
        name="Save Brookside Library",
        kind=Group.Kind.CAMPAIGN,
        place="Brookside",
        description="Keeping Brookside library open, staffed and free to use.",
        size=24,
        draws_on=lambda r: r.place in ("Brookside", "Larkrise Estate"),
    ),
    GroupSpec(
        name="Kelmington Partners Network",
        kind=Group.Kind.PARTNER,
        place=None,
        description=(
            "The food bank, the mosque, St Peter's church, the credit union, the housing "
            "association and the council's community team."
        ),
        size=10,
        draws_on=lambda r: r.first_contact in (Contact.REFERRAL, Contact.EVENT),
    ),
]


class Account(NamedTuple):
    email: str
    role: str
    first_name: str
    last_name: str
    place: str
    postcode: str
    groups: tuple  # (group name, role in it)


ACCOUNTS = [
    Account(
        email=f"staff@{DOMAIN}",
        role=Role.STAFF,
        first_name="Joanne",
        last_name="Whitfield",
        place="Kelmington Central",
        postcode="KL1 4RT",
        groups=(("Kelmington Partners Network", Member.ORGANISER),),
    ),
    Account(
        email=f"organiser@{DOMAIN}",
        role=Role.ORGANISER,
        first_name="Amara",
        last_name="Okonkwo",
        place="Larkrise Estate",
        postcode="KL3 2HD",
        groups=(
            ("Larkrise Tenants' and Residents' Association", Member.ORGANISER),
            ("Save Brookside Library", Member.ORGANISER),
        ),
    ),
    Account(
        email=f"volunteer@{DOMAIN}",
        role=Role.VOLUNTEER,
        first_name="Tomasz",
        last_name="Nowak",
        place="Millbrook Estate",
        postcode="KL5 7NP",
        groups=(
            ("Kelmington Community Growers", Member.MEMBER),
            ("Millbrook Residents' Association", Member.MEMBER),
        ),
    ),
    Account(
        email=f"member@{DOMAIN}",
        role=Role.MEMBER,
        first_name="Rita",
        last_name="Hughes",
        place="Ashcombe",
        postcode="KL9 3AW",
        groups=(("Safe Crossing for Ashcombe", Member.MEMBER),),
    ),
]


class Heritage(NamedTuple):
    """Names of one background, space-separated, and what languages people of it most often
    say they speak, the commonest first."""

    share: int
    women: str
    men: str
    surnames: str
    languages: tuple


HERITAGES = {
    "british": Heritage(
        58,
        (
            "Olivia Amelia Emily Jessica Sophie Chloe Hannah Lucy Charlotte Megan Rebecca Sarah "
            "Joanne Karen Susan Margaret Pauline Janet Carol Gemma Kerry Lauren Niamh Siobhán "
            "Ffion Eilidh Rhiannon Shirley Dawn Hayley Kirsty Maureen"
        ),
        (
            "Oliver Jack Harry George Thomas James William Daniel Matthew Liam Ryan Callum Connor "
            "Kieran Gareth Rhys Dylan Euan Craig Stuart Paul Mark Gary Steven Neil Keith Barry "
            "Trevor Derek Graham Alan Brian Colin Dean"
        ),
        (
            "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts "
            "Robinson Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke "
            "Jackson Wood Turner Martin Cooper Hill Ward Morris Moore King Baker Harrison Morgan "
            "Allen Scott Phillips Watson Parker Price Bennett Young Griffiths Mitchell Kelly Cook "
            "Carter Bailey Collins Bell Shaw Murphy Marshall Simpson Ellis McDonald Campbell "
            "Stewart Fraser O'Brien O'Neill Doyle Byrne Gallagher Pritchard Llewellyn Howells "
            "Fletcher Barker"
        ),
        ("English",),
    ),
    "pakistani": Heritage(
        6,
        "Aisha Fatima Zainab Amina Sana Nadia Rukhsana Shabana Hira",
        "Mohammed Imran Bilal Usman Hamza Zain Tariq Asif Naveed",
        "Khan Hussain Ahmed Ali Iqbal Akhtar Mahmood Butt Raja",
        ("English, Urdu", "English, Punjabi", "Urdu, English", "English"),
    ),
    "bangladeshi": Heritage(
        3,
        "Taslima Farhana Ruksana Sumaiya Nazma Shirin",
        "Rahim Shahid Jamal Abdul Kamal Anwar",
        "Rahman Uddin Miah Chowdhury Begum Islam",
        ("English, Bengali", "Sylheti, English", "English"),
    ),
    "gujarati": Heritage(
        4,
        "Priya Anjali Nisha Hetal Kiran Bhavna Meera",
        "Rakesh Nikhil Jayesh Sanjay Vikram Rohan Dilip",
        "Patel Mistry Shah Desai Parmar Solanki",
        ("English, Gujarati", "English", "Gujarati, English"),
    ),
    "punjabi": Heritage(
        3,
        "Harpreet Gurpreet Simran Manjit Jaswinder Parminder",
        "Harjit Amrit Baljit Sukhdev Ranjit Jaspal",
        "Singh Kaur Gill Sandhu Dhillon Bains",
        ("English, Punjabi", "English"),
    ),
    "caribbean": Heritage(
        4,
        "Shanice Tanisha Marcia Beverley Jasmine Sonia Paulette",
        "Jermaine Delroy Marcus Tyrone Leon Andre Winston",
        "Campbell Francis Grant Reid Samuels Henry Forbes Bailey",
        ("English",),
    ),
    "west_african": Heritage(
        5,
        "Ngozi Chiamaka Funmilayo Blessing Folasade Ama Abena Adaeze",
        "Chidi Emeka Oluwaseun Tunde Kwame Kofi Yaw Femi",
        "Okafor Adeyemi Balogun Eze Mensah Asante Boateng Owusu",
        ("English, Yoruba", "English, Igbo", "English, Twi", "English"),
    ),
    "somali": Heritage(
        5,
        "Hodan Ayaan Fadumo Hibo Sagal Ifrah Deqa Nimco",
        "Abdi Mohamed Yusuf Hassan Abdirahman Omar Khalid Mahad",
        "Abdi Mohamed Hassan Farah Warsame Osman Jama Hersi Nur",
        ("Somali, English", "Somali", "English, Somali", "Somali, Arabic, English"),
    ),
    "polish": Heritage(
        5,
        "Agnieszka Katarzyna Magdalena Joanna Marta Zofia Ewa",
        "Piotr Krzysztof Paweł Michał Łukasz Jakub Marek",
        ("Kowalski Nowak Wiśniewski Wójcik Kamiński Lewandowski Zieliński Woźniak Mazur Krawczyk"),
        ("Polish, English", "Polish", "English, Polish"),
    ),
    "romanian": Heritage(
        3,
        "Andreea Ioana Elena Mihaela Cristina",
        "Alexandru Andrei Florin Mihai Ionuț",
        "Popescu Ionescu Popa Dumitru Munteanu Radu",
        ("Romanian, English", "Romanian"),
    ),
    "chinese": Heritage(
        2,
        "Mei Jing Ling Grace Joyce Wing",
        "Wei Jun Ming Kevin Tony Wai",
        "Wong Chan Cheung Lam Ng Leung Chen",
        ("English, Cantonese", "Mandarin, English", "English"),
    ),
    "turkish_kurdish": Heritage(
        1,
        "Elif Zeynep Ayşe Berivan Rojda",
        "Mehmet Mustafa Serhat Hüseyin Baran",
        "Yılmaz Kaya Demir Şahin Çelik Doğan",
        ("Turkish, English", "Kurdish, Turkish, English"),
    ),
    "arab": Heritage(
        1,
        "Rania Layla Hala Yasmin",
        "Omar Khaled Ahmad Sami",
        "Haddad Kassem Al-Hassan Mansour",
        ("Arabic, English", "Arabic"),
    ),
}

ACCESSIBILITY_NEEDS = (
    "Step-free access; uses a wheelchair.",
    "Large print, please.",
    "Hearing loop or a quiet room.",
    "BSL interpreter for meetings.",
    "Needs a seat near the door; walks with a stick.",
    "Prefers a phone call to written letters.",
)
FIRST_CONTACTS = (
    (Contact.DOORSTEP, 30),
    (Contact.STALL, 15),
    (Contact.EVENT, 20),
    (Contact.REFERRAL, 10),
    (Contact.WALK_IN, 10),
    (Contact.ONLINE, 12),
    (Contact.OTHER, 3),
)
# How a person met in each way most likely said yes: the first entry, most of the time.
CONSENT_METHODS = {
    Contact.DOORSTEP: (Method.VERBAL, Method.PAPER),
    Contact.STALL: (Method.VERBAL, Method.ONLINE),
    Contact.EVENT: (Method.ONLINE, Method.PAPER, Method.VERBAL),
    Contact.REFERRAL: (Method.VERBAL, Method.EMAIL),
    Contact.WALK_IN: (Method.VERBAL, Method.PAPER),
    Contact.ONLINE: (Method.ONLINE,),
    Contact.OTHER: (Method.ONLINE, Method.VERBAL),
}
CONSENT_NOTES = {
    (Contact.DOORSTEP, Method.VERBAL): "Agreed on the doorstep during the listening round.",
    (Contact.STALL, Method.VERBAL): "Agreed at the Saturday market stall.",
    (Contact.STALL, Method.ONLINE): "Signed up on the tablet at the market stall.",
    (Contact.EVENT, Method.ONLINE): "Signed up on the tablet at the event.",
    (Contact.EVENT, Method.VERBAL): "Agreed when we spoke at the event.",
    (Contact.REFERRAL, Method.VERBAL): "Agreed on the phone after the referral.",
    (Contact.WALK_IN, Method.VERBAL): "Agreed at the hub's front desk.",
}
WITHDRAWAL_NOTES = (
    "Asked us to stop: too many messages.",
    "Moving away from Kelmington.",
    "Changed number; will give the new one in person.",
    "Prefers to hear through the residents' association.",
    "Said so when we called about the summer fair.",
    "",
)
REGIVEN_NOTE = "Signed up again at the summer fair."
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters Royal Mail uses after the digit
ASCII_FOR = str.maketrans({"ł": "l", "Ł": "L", "ı": "i", "ø": "o", "ß": "ss"})


@dataclass
class Resident:
    """One generated person, before (or without) their row: what the hub knows about them."""

    first_name: str
    last_name: str
    email: str
    phone: str
    postcode: str
    place: str | None
    first_contact: str
    languages: str
    accessibility_needs: str
    created_at: object
    tags: set = field(default_factory=set)
    consents: list = field(default_factory=list)  # (purpose, given, method, when, by, note)
    memberships: list = field(default_factory=list)  # (group name, role, joined_on)
    person: Person | None = None


def _ascii(text):
    return slugify(text.translate(ASCII_FOR)).replace("-", "")


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _hexagon(latitude, longitude, radius_km):
    """A rough GeoJSON boundary around a centre, so that the maps have shapes to draw."""
    lat, lon = float(latitude), float(longitude)
    dlat = radius_km / 111.0
    dlon = radius_km / (111.0 * math.cos(math.radians(lat)))
    ring = [
        [round(lon + dlon * math.cos(angle), 6), round(lat + dlat * math.sin(angle), 6)]
        for angle in (math.radians(60 * i + 30) for i in range(6))
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


class Town:
    """Generates the demo residents from one seeded random stream, so every run agrees."""

    def __init__(self, now):
        self.rng = random.Random(SEED)
        self.now = timezone.localtime(now)
        self.names = {(a.first_name, a.last_name) for a in ACCOUNTS}
        self.emails = {a.email for a in ACCOUNTS}
        self.phones = set()

    def residents(self, count):
        residents = [self._resident() for _ in range(count)]
        for spec in GROUPS:
            self._fill(spec, residents)
        return residents

    def _name(self):
        heritages = [(key, h.share) for key, h in HERITAGES.items()]
        while True:
            key = _weighted(self.rng, heritages)
            heritage = HERITAGES[key]
            woman = self.rng.random() < 0.52
            first = self.rng.choice((heritage.women if woman else heritage.men).split())
            last = self.rng.choice(heritage.surnames.split())
            if woman and last.endswith("ski"):  # Polish surnames agree with the person
                last = last[:-1] + "a"
            if (first, last) not in self.names:
                self.names.add((first, last))
                return key, first, last

    def _email(self, first, last):
        first, last = _ascii(first), _ascii(last)
        patterns = (f"{first}.{last}", f"{first}{last}", f"{first[0]}.{last}")
        pattern = self.rng.choices(patterns, weights=(3, 1, 1))[0]
        email, n = f"{pattern}@{DOMAIN}", 2
        while email in self.emails:
            email, n = f"{pattern}{n}@{DOMAIN}", n + 1
        self.emails.add(email)
        return email

    def _phone(self):
        while True:
            if self.rng.random() < 0.85:
                phone = f"07700 900{self.rng.randrange(1000):03d}"
            else:
                phone = f"01632 960{self.rng.randrange(1000):03d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _resident(self):
        rng = self.rng
        heritage, first, last = self._name()
        place = _weighted(rng, [(p, p.share) for p in PLACES] + [(None, NO_PLACE_SHARE)])
        postcode = ""
        if place:
            letters = "".join(rng.choice(INWARD_LETTERS) for _ in range(2))
            postcode = f"{place.district} {rng.randint(1, 9)}{letters}"
        first_contact = _weighted(rng, FIRST_CONTACTS)
        languages = "" if rng.random() < 0.3 else rng.choice(HERITAGES[heritage].languages)
        days_ago = rng.randint(30, 720)
        created_at = (self.now - timedelta(days=days_ago)).replace(
            hour=rng.randint(9, 19), minute=rng.choice((0, 10, 15, 20, 30, 40, 45, 50))
        )
        resident = Resident(
            first_name=first,
            last_name=last,
            email="" if rng.random() < 0.15 else self._email(first, last),
            phone=self._phone() if rng.random() < 0.6 else "",
            postcode=postcode,
            place=place.name if place else None,
            first_contact=first_contact,
            languages=languages,
            accessibility_needs="",
            created_at=created_at,
        )
        resident.tags = self._tags(heritage)
        chance = 0.6 if "disabled" in resident.tags else 0.04
        if rng.random() < chance:
            resident.accessibility_needs = rng.choice(ACCESSIBILITY_NEEDS)
        resident.consents = self._consents(resident)
        return resident

    def _tags(self, heritage):
        rng, tags = self.rng, set()
        if heritage == "somali" and rng.random() < 0.9:
            tags.add("somali")
        if heritage == "polish" and rng.random() < 0.8:
            tags.add("polish")
        age = rng.random()
        if age < 0.15:
            tags.add("older")
        elif age < 0.27:
            tags.add("young")
            if rng.random() < 0.25:
                tags.add("carers")
        elif rng.random() < 0.16:
            tags.add("parents")
        if rng.random() < 0.09:
            tags.add("disabled")
        if rng.random() < 0.11:
            tags.add("growers")
        return tags

    def _consents(self, resident):
        """What the person agreed to when first met, and for some a later change of mind:
        the history the consent screens and the outbox's checks are there for."""
        rng = self.rng
        if rng.random() < 0.04:  # met once, agreed to nothing
            return []
        methods = CONSENT_METHODS[resident.first_contact]
        method = methods[0] if rng.random() < 0.75 else rng.choice(methods)
        by = None if method == Method.ONLINE else rng.choice(("staff", "organiser", "volunteer"))
        note = CONSENT_NOTES.get((resident.first_contact, method), "")
        if method == Method.PAPER:
            note = "Ticked the boxes on the paper sign-up form."
        purposes = []
        if resident.email and rng.random() < 0.9:
            purposes.append(Purpose.CONTACT_EMAIL)
        if resident.phone and rng.random() < 0.6:
            purposes.append(Purpose.CONTACT_SMS)
        if resident.phone and rng.random() < 0.4:
            purposes.append(Purpose.CONTACT_PHONE)
        if rng.random() < 0.1:
            purposes.append(Purpose.CONTACT_POST)
        if rng.random() < 0.85 or not purposes:
            purposes.append(Purpose.KEEP_RECORD)
        if rng.random() < 0.2:
            purposes.append(Purpose.SHOW_NAME)
        given_at = resident.created_at
        history = [(purpose, True, method, given_at, by, note) for purpose in purposes]

        if rng.random() < 0.14:
            purpose = rng.choice(purposes)
            withdrawn_at = given_at + timedelta(
                days=rng.randint(3, (self.now - given_at).days - 2), hours=rng.randint(0, 5)
            )
            how = rng.choice((Method.EMAIL, Method.VERBAL, Method.ONLINE))
            history.append(
                (
                    purpose,
                    False,
                    how,
                    withdrawn_at,
                    None if how == Method.ONLINE else "staff",
                    rng.choice(WITHDRAWAL_NOTES),
                )
            )
            days_left = (self.now - withdrawn_at).days
            if days_left > 14 and rng.random() < 0.25:
                regiven_at = withdrawn_at + timedelta(days=rng.randint(7, days_left - 1))
                history.append((purpose, True, Method.PAPER, regiven_at, "volunteer", REGIVEN_NOTE))
        return history

    def _fill(self, spec, residents):
        """Choose the group's members from those it draws on; the first leads it and, in a
        larger group, the second organises with them."""
        pool = [resident for resident in residents if spec.draws_on(resident)]
        chosen = self.rng.sample(pool, min(spec.size, len(pool)))
        for n, resident in enumerate(chosen):
            role = Member.LEADER if n == 0 else Member.MEMBER
            if n == 1 and spec.size >= 15:
                role = Member.ORGANISER
            since = resident.created_at.date()
            span = (self.now.date() - since).days
            joined_on = since + timedelta(days=self.rng.randint(0, span))
            resident.memberships.append((spec.name, role, joined_on))


class Command(BaseCommand):
    help = (
        "Fill the database with a small demo hub: 200 people, 6 localities, 8 communities of "
        "interest, 7 groups, consent histories and four accounts (staff, organiser, "
        f"volunteer, member @{DOMAIN}), then each area app's own demo data. Safe to run "
        "again: it adds nothing the second time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off (the demo accounts share a published password).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: this looks like a real hub, and the demo accounts have a "
                "published password. Use --force if you really want demo data here."
            )
        password = os.environ.get(PASSWORD_ENV) or DEMO_PASSWORD
        summaries = StringIO()  # the areas' own lines, printed after the core's
        try:
            with transaction.atomic():
                created = self._seed(password)
                self._seed_areas(OutputWrapper(summaries))
        except ValidationError as error:  # e.g. a demo address already used by someone else
            raise CommandError(" ".join(error.messages)) from None

        self.stdout.write(
            f"Demo hub ready ({created} people added this run): "
            f"{Locality.objects.count()} localities, "
            f"{Tag.objects.count()} communities of interest, "
            f"{Group.objects.count()} groups with {GroupMembership.objects.count()} memberships, "
            f"{Person.objects.count()} people, "
            f"{Consent.objects.count()} consent statements, "
            f"{User.objects.count()} accounts."
        )
        self.stdout.write(summaries.getvalue(), ending="")
        self.stdout.write(
            self.style.SUCCESS(f"Sign in as {ACCOUNTS[0].email} with the password {password}")
            + f" (the same for {', '.join(a.email for a in ACCOUNTS[1:])})."
        )

    def _seed(self, password):
        places = {spec.name: self._locality(spec) for spec in PLACES}
        tags = {key: self._tag(name, description) for key, (name, description) in TAGS.items()}
        users, persons = self._accounts(password, places)
        groups = {spec.name: self._group(spec, places) for spec in GROUPS}
        for account in ACCOUNTS:
            for group_name, role in account.groups:
                self._join(groups[group_name], persons[account.role], role)

        residents = Town(timezone.now()).residents(GENERATED_PEOPLE)
        new = self._unknown(residents)
        people = Person.objects.bulk_create(
            Person(
                first_name=r.first_name,
                last_name=r.last_name,
                email=r.email,
                phone=r.phone,
                postcode=r.postcode,
                locality=places.get(r.place),
                first_contact=r.first_contact,
                languages=r.languages,
                accessibility_needs=r.accessibility_needs,
                created_at=r.created_at,
            )
            for r in new
        )
        for resident, person in zip(new, people, strict=True):
            resident.person = person

        by_key = {"staff": Role.STAFF, "organiser": Role.ORGANISER, "volunteer": Role.VOLUNTEER}
        Person.tags.through.objects.bulk_create(
            [
                Person.tags.through(person_id=r.person.pk, tag_id=tags[key].pk)
                for r in new
                for key in sorted(r.tags)
            ],
            ignore_conflicts=True,
        )
        GroupMembership.objects.bulk_create(
            [
                GroupMembership(person=r.person, group=groups[name], role=role, joined_on=on)
                for r in new
                for name, role, on in r.memberships
            ],
            ignore_conflicts=True,
        )
        Consent.objects.bulk_create(
            Consent(
                person=r.person,
                purpose=purpose,
                given=given,
                method=method,
                recorded_at=when,
                recorded_by=users[by_key[by]] if by else None,
                note=note,
            )
            for r in new
            for purpose, given, method, when, by, note in r.consents
        )
        return len(new)

    def _seed_areas(self, stdout):
        """Each area app's demo data, on the core's rows. Every provider draws from its own
        stream, seeded by its name, so one app's data does not shift when another's changes.
        The framework's reflection data runs last: it is about what the areas did."""
        providers = demo_data_providers()
        order = sorted(providers, key=lambda name: name == "framework")
        for name in order:
            seed = providers[name]
            seed(rng=random.Random(f"{SEED}:{name}"), stdout=stdout)

    def _locality(self, spec):
        existing = Locality.objects.filter(name__iexact=spec.name).first()
        return existing or services.locality_create(
            name=spec.name,
            kind=spec.kind,
            description=spec.description,
            population=spec.population,
            latitude=Decimal(spec.latitude),
            longitude=Decimal(spec.longitude),
            boundary=_hexagon(spec.latitude, spec.longitude, spec.radius_km),
        )

    def _tag(self, name, description):
        existing = Tag.objects.filter(name__iexact=name).first()
        return existing or services.tag_create(name=name, description=description)

    def _group(self, spec, places):
        existing = Group.objects.filter(name__iexact=spec.name).first()
        return existing or services.group_create(
            name=spec.name,
            kind=spec.kind,
            description=spec.description,
            locality=places.get(spec.place),
        )

    def _join(self, group, person, role):
        membership = GroupMembership.objects.filter(group=group, person=person).first()
        if membership is None:
            services.group_member_add(group=group, person=person, role=role)
        elif membership.role != role:
            services.group_member_set_role(membership=membership, role=role)

    def _accounts(self, password, places):
        """The four demo logins, ready to sign in (verified address) and each with a Person.
        Their password is reset on every run, so the one printed is always the one that works;
        it is hashed once because hashing is deliberately slow."""
        hashed = make_password(password)
        users, persons = {}, {}
        for account in ACCOUNTS:
            staff = account.role == Role.STAFF
            user, _ = User.objects.update_or_create(
                email=account.email,
                defaults={
                    "role": account.role,
                    "is_staff": staff,
                    "is_superuser": staff,
                    "is_active": True,
                    "password": hashed,
                },
            )
            EmailAddress.objects.update_or_create(
                user=user, email=account.email, defaults={"verified": True, "primary": True}
            )
            if person_by_email(account.email) is None:
                services.person_create(
                    first_name=account.first_name,
                    last_name=account.last_name,
                    email=account.email,
                    postcode=account.postcode,
                    locality=places[account.place],
                    first_contact=Contact.ONLINE,
                    consents=[Purpose.CONTACT_EMAIL, Purpose.KEEP_RECORD],
                )
            users[account.role] = user
            persons[account.role] = services.person_link_user(user=user)
        return users, persons

    def _unknown(self, residents):
        """The residents not in the database yet: matched on email when they have one, and
        on name and postcode otherwise, so a second run adds nobody."""
        emails = {email.lower() for email in Person.objects.values_list("email", flat=True)}
        known = set(Person.objects.values_list("first_name", "last_name", "postcode"))
        return [
            r
            for r in residents
            if (r.first_name, r.last_name, r.postcode) not in known
            and not (r.email and r.email in emails)
        ]
