"""Connect's part of the demo hub (``manage.py seed_demo``, registered in ``apps.py``): two
months of events behind and two ahead, with the RSVPs, waiting lists and attendance they drew;
the skills and time people offer, five volunteering roles with their shifts and hours; and
requests to join the groups that have a public page.

It runs after the core has made the town and reads its people, places, groups and demo
accounts from the database. Dates are set in weeks from the current one, never in it, so an
event is plainly past or still to come whatever the day the demo is built; times are local
(Europe/London), on the day's own side of the clock change. Everything is saved in bulk.
"""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import count, islice
from typing import NamedTuple

from django.utils import timezone
from django.utils.text import slugify

from hubsite.people.models import Group, GroupMembership, Locality, Person, Role, User

from .models import (
    Availability,
    Event,
    EventSeries,
    JoinRequest,
    Opportunity,
    Rsvp,
    Shift,
    ShiftSignup,
    VolunteerOffer,
)
from .rules import ORGANISING_ROLES
from .services.volunteering import skill_get_or_create

DEMO_DOMAIN = "example.org"
MEET = "https://meet.example.org/"
Kind, Format, Visibility = Event.Kind, Event.Format, Event.Visibility

LARKRISE = "Larkrise Tenants' and Residents' Association"
MILLBROOK = "Millbrook Residents' Association"
GROWERS = "Kelmington Community Growers"
STAY_AND_PLAY = "Stay and Play Parents"
CROSSING = "Safe Crossing for Ashcombe"
LIBRARY = "Save Brookside Library"
PARTNERS = "Kelmington Partners Network"


class Venue(NamedTuple):
    address: str
    place: str  # the locality's name
    accessibility: str


VENUES = {
    "old library": Venue(
        "The Old Library (the hub), 3 Market Street, Kelmington KL1 2MS",
        "Kelmington Central",
        "Step-free entrance from Market Street and a lift to every floor. Hearing loop in the "
        "main hall, accessible toilets on each floor and a quiet room if you need a break.",
    ),
    "larkrise": Venue(
        "Larkrise community room, 14 Larkrise Walk, KL3 2HB",
        "Larkrise Estate",
        "All on the ground floor, with a ramp from the car park side. Accessible toilet. "
        "Children are welcome: there is a play corner.",
    ),
    "millbrook": Venue(
        "Millbrook Community Centre, Mill Lane, KL5 7AA",
        "Millbrook Estate",
        "Ramp at the main door, accessible toilet and free parking with two blue-badge bays. "
        "We meet in the downstairs hall (the upstairs room has stairs only).",
    ),
    "library": Venue(
        "Brookside Library, 2 Canal Street, KL2 1LB",
        "Brookside",
        "Lift to the first-floor meeting room, hearing loop and baby-changing. Buggies welcome.",
    ),
    "leisure centre": Venue(
        "Brookside Leisure Centre, 3G pitch, Canal Street, KL2 1LC",
        "Brookside",
        "Step-free changing rooms and a covered spectators' area. Boots and bibs are provided; "
        "bring a water bottle.",
    ),
    "church hall": Venue(
        "St Peter's Church Hall, Church Street, KL1 3PE",
        "Kelmington Central",
        "Level access by the side door on Church Street, accessible toilet, large-print "
        "papers on request.",
    ),
    "village hall": Venue(
        "Ashcombe Village Hall, The Green, Ashcombe KL9 3AG",
        "Ashcombe",
        "One small step at the front door (a ramp is put out on request) and an accessible "
        "toilet. The hourly 14 bus stops outside; the last one back to town leaves at 21:10.",
    ),
    "allotments": Venue(
        "Station Road allotments, the gate by the railway bridge, KL4 6SR",
        "KL4 Hatherley",
        "Firm paths to the shared plot and the shelter; the rest is grass and can be muddy. "
        "Accessible toilet in the community shed.",
    ),
}


class When(NamedTuple):
    week: int  # weeks from the current one: negative is past; never 0
    weekday: int  # Monday is 0
    starts: time
    hours: float


class EventSpec(NamedTuple):
    title: str
    kind: str
    when: When
    group: str | None
    host: str  # the demo account's role: "organiser" runs events of the groups they organise
    venue: str | None  # a key of VENUES; None for an event that happens only online
    capacity: int | None
    description: str
    purpose: str
    visibility: str = Visibility.PUBLIC
    format: str = Format.IN_PERSON
    link: str = ""
    state: str = ""  # "full" (with a waiting list) or "cancelled"


SUPPER = (
    "A hot two-course meal cooked by neighbours, with vegetarian and halal options, and "
    "puddings from the Somali women's group. Free, and children are welcome. Come and eat, meet "
    "the people on your landing and hear what the residents' association is up to."
)
REPAIR_CAFE = (
    "Bring a broken lamp, toaster, bike, jumper or pair of jeans and fix it with one of our "
    "volunteer fixers. Tea and cake while you wait. One item each to start with, please, so "
    "that everyone gets a turn."
)
FOOTBALL = (
    "Free five-a-side for 11 to 16-year-olds on the 3G pitch, run by volunteer coaches. All "
    "abilities, girls and boys. A parent or carer fills in a short form on the first visit."
)

EVENTS = (
    EventSpec(
        "Larkrise community supper",
        Kind.GATHERING,
        When(-7, 4, time(18), 2.5),
        LARKRISE,
        "organiser",
        "larkrise",
        40,
        SUPPER,
        "Bring neighbours together across the estate, and meet people we have not met yet.",
    ),
    EventSpec(
        "Repair café at the Old Library",
        Kind.ACTIVITY,
        When(-6, 5, time(10), 3),
        None,
        "staff",
        "old library",
        25,
        REPAIR_CAFE,
        "Save money and keep things out of landfill, and share skills between neighbours.",
    ),
    EventSpec(
        "Larkrise tenants' meeting: repairs and the new housing officer",
        Kind.MEETING,
        When(-5, 1, time(18, 30), 1.5),
        LARKRISE,
        "organiser",
        "larkrise",
        50,
        "The housing association's new housing officer for Larkrise joins us to answer "
        "questions about outstanding repairs. Bring your repair reference numbers if you have "
        "them. Somali and Polish interpreters on request: tell us when you answer.",
        "Get dates for the estate's outstanding repairs, in writing.",
    ),
    EventSpec(
        "Walk the B-road with the county councillor",
        Kind.ACTION,
        When(-5, 6, time(14), 2),
        CROSSING,
        "staff",
        "village hall",
        None,
        "We walk the half mile from the school to the bus stop with our county councillor, so "
        "that they see for themselves how fast the traffic is and how far it is to the nearest "
        "crossing. Meet at the village hall and wear something bright.",
        "Show the decision maker the danger first-hand and ask them to back a crossing.",
    ),
    EventSpec(
        "Youth football session",
        Kind.ACTIVITY,
        When(-4, 2, time(17), 1.5),
        None,
        "staff",
        "leisure centre",
        30,
        FOOTBALL,
        "Somewhere to be on a weekday evening, and a way in for young people to have a say.",
    ),
    EventSpec(
        "Listening session: what would make Larkrise better?",
        Kind.LISTENING,
        When(-3, 3, time(18, 30), 2),
        LARKRISE,
        "organiser",
        "larkrise",
        30,
        "An evening of small-group conversations about life on the estate: what is good, what "
        "needs to change and what you would do about it. Food from half past six. What we hear "
        "goes into Kelmington Listens.",
        "Hear from the residents we have not reached on the doorstep.",
    ),
    EventSpec(
        "Millbrook Residents' Association open meeting",
        Kind.MEETING,
        When(-2, 2, time(18, 30), 1.5),
        MILLBROOK,
        "staff",
        "millbrook",
        40,
        "News of the play area, the lighting survey and the repairs log, and a vote on what "
        "to take to the housing association next. Open to every member of the hub.",
        "Agree the association's next priority together.",
        visibility=Visibility.MEMBERS,
    ),
    EventSpec(
        "Save Brookside Library: campaign planning call",
        Kind.MEETING,
        When(-2, 0, time(19, 30), 1),
        LIBRARY,
        "organiser",
        None,
        None,
        "For the campaign team: an hour on video to plan the month ahead (the petition "
        "hand-in, the public meeting and who speaks to which councillor). The link is on this "
        "page once you have a place.",
        "Agree who does what before the council's budget consultation closes.",
        visibility=Visibility.GROUP,
        format=Format.ONLINE,
        link=MEET + "brookside-library-planning",
    ),
    EventSpec(
        "Stay and Play get-together and toy swap",
        Kind.GATHERING,
        When(-1, 3, time(10), 1.5),
        STAY_AND_PLAY,
        "staff",
        "library",
        20,
        "Bring toys, books or clothes your little ones have grown out of and take home "
        "something new. Tea for the grown-ups, squash and fruit for the children.",
        "Meet other parents and carers, and save a little money.",
    ),
    EventSpec(
        "Millbrook community supper",
        Kind.GATHERING,
        When(1, 4, time(18), 2.5),
        MILLBROOK,
        "staff",
        "millbrook",
        40,
        SUPPER,
        "Bring neighbours together across the estate, and meet people we have not met yet.",
        state="full",
    ),
    EventSpec(
        "Youth football session",
        Kind.ACTIVITY,
        When(1, 2, time(17), 1.5),
        None,
        "staff",
        "leisure centre",
        30,
        FOOTBALL,
        "Somewhere to be on a weekday evening, and a way in for young people to have a say.",
    ),
    EventSpec(
        "Larkrise litter pick and bulb planting",
        Kind.VOLUNTEERING,
        When(1, 6, time(11), 2),
        LARKRISE,
        "organiser",
        "larkrise",
        None,
        "Gloves, pickers and bags provided; we finish by planting daffodil bulbs along the "
        "path by Fenwick House. Sorry: cancelled, because the council cannot collect the bags "
        "that weekend. We will set a new date soon.",
        "A cleaner, brighter estate, and neighbours who know each other.",
        state="cancelled",
    ),
    EventSpec(
        "Organising 101: how to get things changed where you live",
        Kind.WORKSHOP,
        When(2, 5, time(10), 4),
        None,
        "staff",
        "old library",
        24,
        "A morning's introduction to community organising: how to listen to your neighbours, "
        "turn a problem into an issue you can win, find out who decides and build a team to "
        "act. Practical and friendly; no experience needed. Lunch provided.",
        "Help more people take the lead on what they care about.",
        visibility=Visibility.MEMBERS,
    ),
    EventSpec(
        "Larkrise tenants' meeting: the damp survey results",
        Kind.MEETING,
        When(2, 1, time(18, 30), 1.5),
        LARKRISE,
        "organiser",
        "larkrise",
        50,
        "We report back on the damp and mould survey of eighty homes and agree what to ask "
        "the housing association for. Children welcome: there is a play corner.",
        "Agree our asks about damp and mould, backed by the survey's evidence.",
    ),
    EventSpec(
        "Repair café at the Old Library",
        Kind.ACTIVITY,
        When(3, 5, time(10), 3),
        None,
        "staff",
        "old library",
        12,
        REPAIR_CAFE + " Fewer fixers this time, so fewer places: we will call the waiting list.",
        "Save money and keep things out of landfill, and share skills between neighbours.",
        state="full",
    ),
    EventSpec(
        "Ashcombe crossing: public meeting with the county council",
        Kind.MEETING,
        When(3, 1, time(19), 2),
        CROSSING,
        "staff",
        "village hall",
        60,
        "The county council's highways officer and our county councillor come to Ashcombe to "
        "hear why the village needs a crossing and a 20 mph limit on the B-road. Come and tell "
        "them in your own words: the more of us in the room, the harder it is to say no.",
        "Win a commitment to a crossing in next year's highways budget.",
    ),
    EventSpec(
        "Save Brookside Library: public meeting with the council",
        Kind.MEETING,
        When(4, 3, time(18, 30), 2),
        LIBRARY,
        "organiser",
        "library",
        80,
        "The council's cabinet member for libraries answers residents' questions about the "
        "plan to cut Brookside library's opening hours. Come in person or join online; you "
        "can send questions in beforehand.",
        "Put residents' questions to the decision maker, in public, before the budget is set.",
        format=Format.HYBRID,
        link=MEET + "save-brookside-library",
    ),
    EventSpec(
        "Seed swap and winter work day at the allotments",
        Kind.VOLUNTEERING,
        When(6, 5, time(10, 30), 3),
        GROWERS,
        "staff",
        "allotments",
        None,
        "Bring seeds you have saved and take some home, then help us mulch, prune and mend "
        "the shed roof. Soup at one o'clock. Old clothes and boots; tools and gloves provided.",
        "Get the shared plot ready for spring, and welcome new growers.",
    ),
    EventSpec(
        "Kelmington Partners Network: winter planning",
        Kind.MEETING,
        When(7, 2, time(14), 2),
        PARTNERS,
        "staff",
        "church hall",
        30,
        "The food bank, the mosque, St Peter's, the credit union, the housing association and "
        "the council's community team plan the winter together: warm spaces, the advice rota "
        "and who refers where.",
        "One winter plan, so that nobody falls between services.",
        visibility=Visibility.MEMBERS,
    ),
)

# The weekly gathering: its first title is also how a second run knows Connect is seeded.
SERIES_TITLE = "Tuesday coffee morning"
SERIES = EventSpec(
    SERIES_TITLE,
    Kind.GATHERING,
    When(-4, 1, time(10), 1.5),
    MILLBROOK,
    "staff",
    "millbrook",
    30,
    "Tea, coffee and toast, the papers and good company, every Tuesday morning. Drop in for "
    "ten minutes or stay the whole time; nobody has to talk about anything they don't want to.",
    "Somewhere warm and friendly to go, for anyone who spends a lot of time on their own.",
)
SERIES_OCCURRENCES = 8
# Where the demo member has a place (the demo volunteer's shift is in OPPORTUNITIES).
MEMBER_PLACES = (
    "Organising 101: how to get things changed where you live",
    "Ashcombe crossing: public meeting with the county council",
)
# Christmas and New Year: the hub is shut and nothing is planned.
CLOSED = {(12, 24), (12, 25), (12, 26), (12, 31), (1, 1)}
SHOW_UP = 0.8  # of those with a place, how many came

# Volunteering ---------------------------------------------------------------------------

SKILLS = {  # a skill, and how people put it in their own words
    "Cooking for a crowd": (
        "I can cook for forty: I did school dinners for years.",
        "Happy to cook or wash up at the suppers.",
    ),
    "First aid": (
        "I have a first-aid certificate, renewed this year.",
        "Trained first-aider at work, happy to be the one on the day.",
    ),
    "Driving (own car)": (
        "I have a car and can give lifts or fetch supplies.",
        "Can drive older neighbours to meetings if it helps.",
    ),
    "Gardening and growing food": (
        "I grow most of our veg and can show others how.",
        "Good with a spade, not so good with names of plants.",
    ),
    "Fixing bikes": (
        "I fix bikes for the kids on our street already.",
        "Can sort punctures, brakes and gears.",
    ),
    "Electrical repairs": (
        "Retired electrician: I can PAT test and fix lamps, kettles and toasters.",
        "Handy with small electricals.",
    ),
    "Sewing and mending": (
        "I can take up hems, replace zips and patch jeans.",
        "Have a sewing machine and time on my hands.",
    ),
    "Translation: Somali": ("I speak Somali and English and can interpret at meetings.",),
    "Translation: Polish": ("I can translate leaflets into Polish and interpret on the door.",),
    "Translation: Urdu": ("I speak Urdu and Punjabi and can help at meetings.",),
    "Posters and leaflets": (
        "I design posters for my church, happy to do some for the hub.",
        "Can deliver leaflets on my road and the next one.",
    ),
    "Social media": (
        "I run a local Facebook group and can share what the hub is doing.",
        "Good on Instagram and happy to take photos at events.",
    ),
    "Coaching young people": (
        "I coached under-12s football for five years.",
        "I'm a youth worker and would like to help with the sessions.",
    ),
    "Welcoming people": (
        "I'm good at making people feel at home: happy to be on the door.",
        "Can make the teas and chat to people who come on their own.",
    ),
}
SPOKEN = {  # a translation skill is offered only by someone who speaks the language
    "Translation: Somali": "Somali",
    "Translation: Polish": "Polish",
    "Translation: Urdu": "Urdu",
}
TIME_NOTES = (
    "",
    "",
    "Not in the school holidays.",
    "I work shifts, so it changes week to week.",
    "Free most Saturdays.",
    "An hour or two at a time.",
    "Can't do stairs, so ground floor only please.",
)
OFFERS = 39  # from residents; with the demo volunteer's own, forty
VOLUNTEER_OFFER = (
    ("Fixing bikes", "Gardening and growing food", "Translation: Polish"),
    "I fix bikes and I grow vegetables on the Millbrook estate garden. I can help Polish "
    "neighbours with forms and translate leaflets.",
    (Availability.WEEKDAY_EVENING, Availability.WEEKEND_MORNING),
)

# Hours logged against the shift's length: most stay the whole time, some come late or stay on.
HOURS_GIVEN = tuple(Decimal(d) for d in ("0", "0", "0", "0.5", "-0.5"))


class ShiftSpec(NamedTuple):
    when: When
    places: int
    taken: int  # how many signed up (the demo volunteer not counted)
    logged: bool = True  # a past shift's hours are logged; one waits for its organiser


class OpportunitySpec(NamedTuple):
    title: str
    description: str
    skills: tuple
    group: str | None
    place: str | None
    created_by: str  # the demo account's role
    shifts: tuple
    volunteer_shift: int | None = None  # the index of the shift the demo volunteer is on


OPPORTUNITIES = (
    OpportunitySpec(
        "Repair café fixers",
        "Fix what people bring to the repair café, and show them how, so they can do it "
        "themselves next time. We test electricals before they go home.",
        ("Electrical repairs", "Sewing and mending", "Fixing bikes"),
        None,
        "Kelmington Central",
        "staff",
        (
            ShiftSpec(When(-6, 5, time(9, 30), 4), 4, 4),
            ShiftSpec(When(3, 5, time(9, 30), 4), 4, 2),
        ),
        volunteer_shift=1,
    ),
    OpportunitySpec(
        "Supper cooks and hosts",
        "Cook with us for the community suppers (we shop beforehand), lay the tables and "
        "welcome people as they come in. Food hygiene certificate welcome, not essential.",
        ("Cooking for a crowd", "Welcoming people"),
        None,
        None,
        "staff",
        (
            ShiftSpec(When(-7, 4, time(16), 4.5), 3, 3),
            ShiftSpec(When(1, 4, time(16), 4.5), 3, 3),
        ),
    ),
    OpportunitySpec(
        "Food bank Saturday helpers",
        "Sort donations, pack parcels and sit with people over a cup of tea while they wait. "
        "Drivers are needed to fetch donations from the supermarkets.",
        ("Welcoming people", "Driving (own car)"),
        PARTNERS,
        "Kelmington Central",
        "staff",
        (
            ShiftSpec(When(-2, 5, time(9), 3), 5, 4),
            ShiftSpec(When(-1, 5, time(9), 3), 5, 5),
            ShiftSpec(When(1, 5, time(9), 3), 5, 2),
            ShiftSpec(When(2, 5, time(9), 3), 5, 1),
        ),
    ),
    OpportunitySpec(
        "Youth football volunteer coaches",
        "Help run the Wednesday five-a-side: set out the pitch, coach a team and keep it fun. "
        "We arrange the DBS check for you.",
        ("Coaching young people", "First aid"),
        None,
        "Brookside",
        "staff",
        (
            ShiftSpec(When(-4, 2, time(16, 30), 2.5), 2, 2),
            ShiftSpec(When(1, 2, time(16, 30), 2.5), 2, 1),
        ),
    ),
    OpportunitySpec(
        "Leafleting for Save Brookside Library",
        "Knock on doors and hand out leaflets about the public meeting in the streets around "
        "the library, in pairs. We meet at the library and finish with a cuppa.",
        ("Posters and leaflets", "Welcoming people", "Social media"),
        LIBRARY,
        "Brookside",
        "organiser",
        (
            ShiftSpec(When(-1, 6, time(11), 2), 6, 5, logged=False),
            ShiftSpec(When(3, 6, time(11), 2), 6, 3),
            ShiftSpec(When(4, 2, time(17, 30), 1.5), 4, 1),
        ),
    ),
)

# Joining groups -------------------------------------------------------------------------

PUBLIC_GROUPS = (LARKRISE, LIBRARY, GROWERS, STAY_AND_PLAY)
JOIN_REQUESTS = (  # group, answer, days ago, message
    (
        LIBRARY,
        JoinRequest.Status.PENDING,
        2,
        "I use the library every week with my boys and can't believe they want to cut it. "
        "How can I help?",
    ),
    (
        LIBRARY,
        JoinRequest.Status.PENDING,
        6,
        "Retired teacher. Happy to help with letters to the council or stand at a stall.",
    ),
    (LIBRARY, JoinRequest.Status.APPROVED, 19, "Saw your stall on the market. Count me in."),
    (
        LARKRISE,
        JoinRequest.Status.PENDING,
        1,
        "The damp in our back bedroom is terrible. Is it the same for others on the estate?",
    ),
    (
        LARKRISE,
        JoinRequest.Status.DECLINED,
        24,
        "I run a catering business and would like to offer my services to residents.",
    ),
    (GROWERS, JoinRequest.Status.PENDING, 4, "No garden, but I'd love to learn with my kids."),
    (GROWERS, JoinRequest.Status.APPROVED, 30, "Could I have a share of a plot next spring?"),
    (
        STAY_AND_PLAY,
        JoinRequest.Status.APPROVED,
        12,
        "First baby, and we don't know anyone round here yet.",
    ),
)
# Who is likely to ask to join: people of the group's place, or of its community.
DRAWN_FROM = {
    LARKRISE: ("Larkrise Estate", None),
    LIBRARY: ("Brookside", None),
    GROWERS: (None, "Growers and gardeners"),
    STAY_AND_PLAY: (None, "Parents of under-fives"),
}


def seed(*, rng, stdout):
    """Connect's demo events, volunteering and requests to join, once: nothing when they
    are already there."""
    if Event.objects.filter(title=SERIES_TITLE, series__isnull=False).exists():
        stdout.write(f"Connect: the demo events ({SERIES_TITLE!r} and the rest) are already there.")
        return
    staff, organiser = _demo_account(Role.STAFF), _demo_account(Role.ORGANISER)
    if staff is None or organiser is None or not Person.objects.filter(user=organiser).exists():
        stdout.write("Connect: no demo staff or organiser, so no demo events.")
        return
    demo = DemoConnect(rng, staff=staff, organiser=organiser)
    demo.create()
    cancelled = sum(event.is_cancelled for event in demo.events)
    stdout.write(
        f"Connect: {len(demo.events)} events ({SERIES_OCCURRENCES} of them the weekly "
        f"{SERIES_TITLE!r}, {cancelled} cancelled) with {len(demo.rsvps)} RSVPs, "
        f"{len(demo.offers)} volunteering offers, {len(OPPORTUNITIES)} opportunities with "
        f"{len(demo.shifts)} shifts, and {len(demo.join_requests)} requests to join "
        f"{len(demo.public)} public groups."
    )


def _closed(day):
    return (day.month, day.day) in CLOSED


def _demo_account(role):
    """The demo login for ``role`` (role@example.org), or else the first active one."""
    users = User.objects.filter(is_active=True, role=role).order_by("pk")
    return users.filter(email=f"{role}@{DEMO_DOMAIN}").first() or users.first()


def _sample(rng, pool, count, weight):
    """``count`` of ``pool`` without repeats, each drawn in proportion to ``weight(item)``
    (weighted sampling by random keys, Efraimidis and Spirakis)."""
    keyed = sorted(pool, key=lambda item: rng.random() ** (1 / weight(item)), reverse=True)
    return keyed[:count]


def _between(rng, start, end):
    """A moment between ``start`` and ``end``, to the minute."""
    minutes = max(int((end - start).total_seconds() // 60), 0)
    return start + timedelta(minutes=rng.randint(0, minutes))


class DemoConnect:
    """Builds Connect's rows in memory from one random stream and saves them in bulk."""

    def __init__(self, rng, *, staff, organiser):
        self.rng = rng
        self.now = timezone.now()
        today = timezone.localdate()
        self.monday = today - timedelta(days=today.weekday())
        self.staff, self.organiser = staff, organiser
        self.groups = {group.name: group for group in Group.objects.all()}
        self.places = {place.name: place for place in Locality.objects.all()}
        self.people = list(
            Person.objects.filter(user__isnull=True)
            .select_related("locality")
            .prefetch_related("tags")
            .order_by("pk")
        )
        self.accounts = {
            person.user.role: person
            for person in Person.objects.filter(
                user__email__in=[f"{role}@{DEMO_DOMAIN}" for role in Role.values]
            ).select_related("user")
        }
        self.members = defaultdict(set)  # group id: ids of its people
        for group_id, person_id in GroupMembership.objects.values_list("group", "person"):
            self.members[group_id].add(person_id)
        self.events, self.rsvps, self.offers, self.shifts = [], [], [], []
        self.join_requests, self.public = [], []

    def create(self):
        self.organised = self._organised()
        self._events()
        self._rsvps()
        self._volunteering()
        self._join_requests()

    # When -------------------------------------------------------------------------------

    def _day(self, when) -> date:
        """The day of ``when``; a day the hub is shut moves a week further from today."""
        day = self._raw_day(when)
        while _closed(day):
            day += timedelta(weeks=1 if when.week > 0 else -1)
        return day

    def _raw_day(self, when) -> date:
        return self.monday + timedelta(weeks=when.week, days=when.weekday)

    def _span(self, when):
        """Start and end of ``when`` at the local time it says, in UTC: arithmetic on a
        Europe/London time runs on the clock face and would be an hour out across a change."""
        local = timezone.make_aware(datetime.combine(self._day(when), when.starts))
        starts_at = local.astimezone(UTC)
        return starts_at, starts_at + timedelta(hours=when.hours)

    def _created(self, starts_at):
        """When something happening at ``starts_at`` was put on the hub: weeks before, and
        never in the future."""
        planned = starts_at - timedelta(days=self.rng.randint(18, 30), hours=self.rng.randint(1, 8))
        return min(planned, self.now - timedelta(days=self.rng.randint(2, 6)))

    # Events -----------------------------------------------------------------------------

    def _organised(self):
        """The groups the demo organiser runs: one of them at least, so that they can host."""
        person = Person.objects.get(user=self.organiser)
        organised = set(
            GroupMembership.objects.filter(person=person, role__in=ORGANISING_ROLES).values_list(
                "group", flat=True
            )
        )
        if not organised:
            group = self.groups.get(LARKRISE) or Group.objects.order_by("pk").first()
            if group is not None:
                GroupMembership.objects.update_or_create(
                    person=person, group=group, defaults={"role": GroupMembership.Role.ORGANISER}
                )
                self.members[group.pk].add(person.pk)
                organised.add(group.pk)
        return organised

    def _host(self, spec, group):
        if spec.host == Role.ORGANISER and group is not None and group.pk in self.organised:
            return self.organiser
        return self.staff

    def _event(self, spec, starts_at, ends_at, created_at, series=None):
        group = self.groups.get(spec.group) if spec.group else None
        venue = VENUES[spec.venue] if spec.venue else None
        visibility = spec.visibility
        if visibility == Visibility.GROUP and group is None:
            visibility = Visibility.MEMBERS
        return Event(
            title=spec.title,
            slug=slugify(spec.title)[:140] or "event",  # bulk_create does not call save()
            description=spec.description,
            purpose=spec.purpose,
            kind=spec.kind,
            starts_at=starts_at,
            ends_at=ends_at,
            format=spec.format,
            venue=venue.address if venue else "",
            locality=self.places.get(venue.place) if venue else None,
            accessibility=venue.accessibility if venue else "",
            online_link=spec.link,
            capacity=spec.capacity,
            group=group,
            host=self._host(spec, group),
            visibility=visibility,
            status=Event.Status.CANCELLED if spec.state == "cancelled" else Event.Status.SCHEDULED,
            series=series,
            created_at=created_at,
        )

    def _events(self):
        """The weekly gathering first (it takes a week off when the hub is shut), then the
        others, each a week further from today if its venue is already taken."""
        booked = defaultdict(list)  # venue (or, online, title): (start, end) of its events

        def book(spec, when):
            while True:
                starts_at, ends_at = self._span(when)
                taken = booked[spec.venue or spec.title]
                if all(end <= starts_at or ends_at <= start for start, end in taken):
                    taken.append((starts_at, ends_at))
                    return starts_at, ends_at
                when = when._replace(week=when.week + (1 if when.week > 0 else -1))

        weeks = (SERIES.when._replace(week=week) for week in count(SERIES.when.week))
        open_weeks = (when for when in weeks if not _closed(self._raw_day(when)))
        spans = [book(SERIES, when) for when in islice(open_weeks, SERIES_OCCURRENCES)]
        created_at = self._created(spans[0][0])
        series = EventSeries.objects.create(
            frequency=EventSeries.Frequency.WEEKLY,
            occurrences=SERIES_OCCURRENCES,
            created_at=created_at,
        )
        planned = [
            (self._event(SERIES, *span, created_at, series=series), SERIES) for span in spans
        ]
        for spec in EVENTS:
            starts_at, ends_at = book(spec, spec.when)
            planned.append((self._event(spec, starts_at, ends_at, self._created(starts_at)), spec))
        planned.sort(key=lambda pair: pair[0].starts_at)
        self.events = Event.objects.bulk_create(event for event, _ in planned)
        self.specs = {event.pk: spec for event, (_, spec) in zip(self.events, planned, strict=True)}

    # RSVPs and attendance ---------------------------------------------------------------

    def _rsvps(self):
        member = self.accounts.get(Role.MEMBER)
        for event in self.events:
            spec = self.specs[event.pk]
            forced = [member] if member is not None and event.title in MEMBER_PLACES else []
            self.rsvps.extend(self._answers(event, spec, forced))
        self.rsvps = Rsvp.objects.bulk_create(self.rsvps)

    def _sizes(self, event, spec):
        """How many people have a place, wait and cancelled."""
        rng = self.rng
        if event.is_cancelled:
            return rng.randint(6, 10), 0, 0
        cancelled = rng.choice((0, 1, 1, 2, 3))
        if spec.state == "full":
            return event.capacity, rng.randint(3, 6), cancelled
        if event.capacity is None:
            return rng.randint(8, 12 if event.visibility == Visibility.GROUP else 24), 0, cancelled
        return round(event.capacity * rng.uniform(0.45, 0.85)), 0, cancelled

    def _weight(self, event):
        members = self.members[event.group_id] if event.group_id else set()

        def weight(person):
            return 1 + 6 * (person.pk in members) + 3 * (person.locality_id == event.locality_id)

        return weight

    def _answers(self, event, spec, forced):
        rng = self.rng
        places, waiting, cancelled = self._sizes(event, spec)
        pool = [  # answering needs an email; the hub knew them before it put the event on
            person
            for person in self.people
            if person.email and person.created_at < event.created_at and person not in forced
        ]
        if event.visibility == Visibility.GROUP:
            pool = [person for person in pool if person.pk in self.members[event.group_id]]
        chosen = _sample(rng, pool, places + waiting + cancelled - len(forced), self._weight(event))
        latest = min(event.starts_at - timedelta(hours=2), self.now - timedelta(minutes=30))
        answered = sorted(
            ((_between(rng, event.created_at, latest), person) for person in forced + chosen),
            key=lambda pair: pair[0],
        )
        gave_up = set(rng.sample([p.pk for p in chosen], min(cancelled, len(chosen))))
        rsvps, confirmed = [], 0
        for responded_at, person in answered:
            rsvp = Rsvp(event=event, person=person, responded_at=responded_at)
            if person.pk in gave_up:
                rsvp.status = Rsvp.Status.CANCELLED
                rsvp.cancelled_at = _between(rng, responded_at, latest)
            elif event.capacity is None or confirmed < event.capacity or person in forced:
                rsvp.status = Rsvp.Status.CONFIRMED
                confirmed += 1
            else:
                rsvp.status = Rsvp.Status.WAITING
            rsvps.append(rsvp)
        if event.ends_at <= self.now and not event.is_cancelled:
            self._attendance(event, rsvps)
            rsvps.extend(self._walk_ins(event, rsvps, confirmed))
        return rsvps

    def _arrival(self, event):
        return event.starts_at + timedelta(minutes=self.rng.randint(-15, 25))

    def _attendance(self, event, rsvps):
        for rsvp in rsvps:
            if rsvp.status != Rsvp.Status.CONFIRMED:
                continue
            if self.rng.random() < SHOW_UP:
                rsvp.attendance, rsvp.checked_in_at = Rsvp.Attendance.ATTENDED, self._arrival(event)
            else:
                rsvp.attendance = Rsvp.Attendance.NO_SHOW

    def _walk_ins(self, event, rsvps, confirmed):
        """A few come without answering, as far as the room holds them (online, nobody)."""
        walk_ins = 0 if event.format == Format.ONLINE else self.rng.randint(0, 3)
        if event.capacity is not None:
            walk_ins = min(walk_ins, event.capacity - confirmed)
        answered = {rsvp.person.pk for rsvp in rsvps}
        pool = [p for p in self.people if p.pk not in answered and p.created_at < event.starts_at]
        for person in _sample(self.rng, pool, walk_ins, self._weight(event)):
            arrived = self._arrival(event)
            yield Rsvp(
                event=event,
                person=person,
                status=Rsvp.Status.CONFIRMED,
                responded_at=arrived,
                attendance=Rsvp.Attendance.ATTENDED,
                checked_in_at=arrived,
                walk_in=True,
            )

    # Volunteering -----------------------------------------------------------------------

    def _volunteering(self):
        skills = {name: skill_get_or_create(name=name) for name in SKILLS}
        offers, offered = self._offers()
        self.offers = VolunteerOffer.objects.bulk_create(offers)
        VolunteerOffer.skills.through.objects.bulk_create(
            VolunteerOffer.skills.through(volunteeroffer_id=offer.pk, skill_id=skills[name].pk)
            for offer, names in zip(self.offers, offered, strict=True)
            for name in names
        )
        skills_of = {
            offer.person_id: set(names) for offer, names in zip(offers, offered, strict=True)
        }
        planned, shift_specs = [], []
        for spec in OPPORTUNITIES:
            opportunity, shifts = self._opportunity(spec)
            planned.append(opportunity)
            shift_specs.append((spec, shifts))
        opportunities = Opportunity.objects.bulk_create(planned)
        Opportunity.skills.through.objects.bulk_create(
            Opportunity.skills.through(opportunity_id=opportunity.pk, skill_id=skills[name].pk)
            for opportunity, spec in zip(opportunities, OPPORTUNITIES, strict=True)
            for name in spec.skills
        )
        self.shifts = Shift.objects.bulk_create(
            shift for _, shifts in shift_specs for shift in shifts
        )
        ShiftSignup.objects.bulk_create(self._signups(shift_specs, skills_of))

    def _offers(self):
        """About forty offers, each in the words of the person who made it; returns the
        offers and the skills' names of each."""
        rng = self.rng
        offers, offered = [], []
        volunteer = self.accounts.get(Role.VOLUNTEER)
        if volunteer is not None:
            names, description, availability = VOLUNTEER_OFFER
            offers.append(
                VolunteerOffer(
                    person=volunteer,
                    description=description,
                    availability=list(availability),
                    locality=volunteer.locality,
                    created_at=self.now - timedelta(days=40, hours=3),
                )
            )
            offered.append(names)
        general = [name for name in SKILLS if name not in SPOKEN]
        for person in rng.sample(self.people, min(OFFERS, len(self.people))):
            own = [name for name, tongue in SPOKEN.items() if tongue in person.languages]
            names = rng.sample(own, 1) if own and rng.random() < 0.7 else []
            names += rng.sample(general, rng.choice((1, 1, 2, 2, 3)) - len(names) or 1)
            words = [rng.choice(SKILLS[name]) for name in names[:2]]
            description = " ".join([*words, rng.choice(TIME_NOTES)]).strip()
            codes = set(rng.sample(Availability.values, rng.randint(1, 3)))
            since = max(person.created_at, self.now - timedelta(days=150))
            offers.append(
                VolunteerOffer(
                    person=person,
                    description=description,
                    availability=[code for code in Availability.values if code in codes],
                    locality=person.locality,
                    active=rng.random() < 0.9,
                    created_at=_between(rng, since, self.now - timedelta(hours=2)),
                )
            )
            offered.append(tuple(names))
        return offers, offered

    def _opportunity(self, spec):
        creator = self.organiser if spec.created_by == Role.ORGANISER else self.staff
        group = self.groups.get(spec.group) if spec.group else None
        if creator == self.organiser and group is not None and group.pk not in self.organised:
            creator = self.staff
        first, _ = self._span(spec.shifts[0].when)
        opportunity = Opportunity(
            title=spec.title,
            description=spec.description,
            group=group,
            locality=self.places.get(spec.place) if spec.place else None,
            created_by=creator,
            created_at=self._created(first),
        )
        shifts = []
        for shift_spec in spec.shifts:
            starts_at, ends_at = self._span(shift_spec.when)
            shifts.append(
                Shift(
                    opportunity=opportunity,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    places=shift_spec.places,
                )
            )
        return opportunity, shifts

    def _signups(self, shift_specs, skills_of):
        rng = self.rng
        volunteer = self.accounts.get(Role.VOLUNTEER)
        for spec, shifts in shift_specs:
            wanted = set(spec.skills)
            place = self.places.get(spec.place) if spec.place else None

            def weight(person, wanted=wanted, place=place):
                offered = skills_of.get(person.pk)
                score = 1 + 2 * (offered is not None) + 6 * bool(offered and offered & wanted)
                return score + 2 * (place is not None and person.locality_id == place.pk)

            for n, (shift, shift_spec) in enumerate(zip(shifts, spec.shifts, strict=True)):
                people = _sample(rng, self.people, shift_spec.taken, weight)
                if volunteer is not None and n == spec.volunteer_shift:
                    people.append(volunteer)
                past = shift.ends_at <= self.now
                length = Decimal(str(shift_spec.when.hours))
                for person in people:
                    signed_at = min(
                        shift.starts_at
                        - timedelta(days=rng.randint(2, 14), hours=rng.randint(0, 9)),
                        self.now - timedelta(hours=rng.randint(1, 48)),
                    )
                    signup = ShiftSignup(
                        shift=shift,
                        person=person,
                        created_at=max(signed_at, shift.opportunity.created_at),
                    )
                    if past and shift_spec.logged:  # some came late, some stayed to clear up
                        signup.hours = (length + rng.choice(HOURS_GIVEN)).quantize(Decimal("0.01"))
                        signup.hours_logged_by = shift.opportunity.created_by
                    yield signup

    # Joining groups ---------------------------------------------------------------------

    def _join_requests(self):
        rng = self.rng
        self.public = [self.groups[name] for name in PUBLIC_GROUPS if name in self.groups]
        Group.objects.filter(pk__in=[group.pk for group in self.public]).update(public=True)
        asked, welcomed = set(), []  # one request each: a different person every time
        for name, status, days_ago, message in JOIN_REQUESTS:
            group = self.groups.get(name)
            if group is None:
                continue
            place, tag = DRAWN_FROM[name]
            pool = [  # asking from the public page needs an email
                person
                for person in self.people
                if person.email
                and person.pk not in self.members[group.pk]
                and person.pk not in asked
            ]
            likely = [
                person
                for person in pool
                if (person.locality is not None and person.locality.name == place)
                or any(t.name == tag for t in person.tags.all())
            ]
            if not (likely or pool):
                continue
            person = rng.choice(likely or pool)
            asked.add(person.pk)
            created_at = self.now - timedelta(days=days_ago, hours=rng.randint(1, 10))
            join_request = JoinRequest(
                group=group, person=person, message=message, status=status, created_at=created_at
            )
            if status != JoinRequest.Status.PENDING:
                join_request.decided_at = created_at + timedelta(
                    days=rng.randint(1, 3), hours=rng.randint(0, 6)
                )
                join_request.decided_by = self._organiser_of(group)
            if status == JoinRequest.Status.APPROVED:
                welcomed.append(
                    GroupMembership(
                        group=group,
                        person=person,
                        role=GroupMembership.Role.MEMBER,
                        joined_on=timezone.localdate(join_request.decided_at),
                    )
                )
            self.join_requests.append(join_request)
        self.join_requests = JoinRequest.objects.bulk_create(self.join_requests)
        GroupMembership.objects.bulk_create(welcomed, ignore_conflicts=True)

    def _organiser_of(self, group):
        """Who answers a request: the demo organiser for their groups, else staff."""
        return self.organiser if group.pk in self.organised else self.staff
