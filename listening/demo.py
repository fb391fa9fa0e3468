"""Listening's part of the demo hub (``manage.py seed_demo``, registered in ``apps.py``): a
round under way across Kelmington, about three hundred conversations with the themes they
raised, the consent each named person gave, and the follow-ups promised on the doorstep.

It runs after the core has made the town, and reads its people, places and demo accounts
from the database. The phrases below are made up, in the words volunteers write in; the
themes a conversation raises lean towards what its place and its person's communities care
about, so that the theme counts by place look like a real town's.
"""

from datetime import datetime, time, timedelta
from typing import NamedTuple

from django.utils import timezone

from hubsite.people.models import Consent, Locality, Person, Role, User

from .models import Conversation, FollowUp, ListeningRound
from .services import round_create, theme_get_or_create

ROUND_NAME = "Kelmington Listens 2026"
CONVERSATIONS = 300
NAMED_SHARE = 0.68  # the rest were anonymous: a locality and what they said, no name
PEOPLE_MET = 160  # different named people; the other named conversations are second ones
DAYS = 90  # the round started this many days ago and has five weeks to run
DEMO_DOMAIN = "example.org"

Method = Conversation.Method
Purpose = Consent.Purpose
KEEP_RECORD_NOTE = "Asked in a listening conversation"
CONTACT_NOTE = "Agreed in a listening conversation"

PURPOSE = (
    "Hear from 400 people across Kelmington before the council sets its budget in February: "
    "what worries them as winter comes, what they hope for, and who is ready to do something "
    "about it. What we hear will choose the hub's campaigns for next year."
)
PROMPTS = (
    "What do you love about living round here?",
    "What worries you most at the moment, for you, your family or your street?",
    "If you could change one thing about Kelmington, what would it be?",
    "What would make the biggest difference to you day to day?",
    "What are you good at, or care about, that you might share with neighbours?",
)


class ThemeText(NamedTuple):
    weight: int  # how often it comes up anywhere, relatively
    concerns: tuple
    hopes: tuple
    needs: tuple
    follow_up: str  # what a volunteer promises when it comes up


THEMES = {
    "Housing and repairs": ThemeText(
        10,
        (
            "Has waited since spring for the housing association to fix a leak over the stairs.",
            "Repairs get logged, a contractor comes, nothing is fixed and the job is closed.",
            "Rent went up again in April; the flat still needs new windows and nobody says when.",
            "Private landlord won't fix the boiler; scared to push in case of an eviction notice.",
            "Three kids in one bedroom; on the transfer list for four years.",
            "The lift in the block breaks down every few weeks and older neighbours get stuck.",
            "Nobody answers the repairs line: forty minutes on hold, then cut off.",
        ),
        (
            "Repairs done properly the first time, by someone who turns up when they say.",
            "A tenants' voice the housing association actually has to listen to.",
            "Homes that young families from here can afford to stay in.",
        ),
        (
            "Help writing a formal complaint about the repairs.",
            "Advice on their rights as a private tenant.",
            "Help filling in the housing transfer form.",
        ),
        "Send the housing association's complaints route and offer help with the letter",
    ),
    "Damp and mould": ThemeText(
        7,
        (
            "Black mould back in the children's bedroom every winter; the youngest has asthma.",
            "Told to open the windows and keep the heating on, but can't afford the heating.",
            "Damp has ruined clothes, a mattress and the sofa.",
            "The landlord sends someone to paint over the mould and calls it fixed.",
            "Condensation runs down the windows every morning and the sills are rotting.",
            "Reported the damp in September and is still waiting for an inspection.",
        ),
        (
            "A dry, warm home where the children can sleep without coughing.",
            "Every damp report on the estate inspected within the legal time limits.",
        ),
        (
            "A dehumidifier, or help to get one.",
            "Help logging the damp with dated photos so it can't be ignored.",
        ),
        "Drop round the damp diary and photo guide, and chase the inspection",
    ),
    "Cost of living": ThemeText(
        12,
        (
            "Energy bills still far higher than two years ago; heats one room only.",
            "Works two jobs and is still short by the end of the month.",
            "The prepayment meter runs out at weekends when there's nowhere to top up.",
            "Council tax arrears letters are frightening; doesn't know who to talk to.",
            "Universal Credit deductions for an old advance leave almost nothing.",
            "School uniform and trips add up; hates saying no to the kids.",
        ),
        (
            "Enough left at the end of the month not to worry.",
            "A warm space people can go to without it feeling like charity.",
        ),
        (
            "A benefits check with the credit union or Citizens Advice.",
            "Details of the council's winter support fund.",
            "Help setting up a plan to pay off debts.",
        ),
        "Book a benefits check with the credit union",
    ),
    "Buses and transport": ThemeText(
        6,
        (
            "The 12 was cut to hourly and stops before 7pm: no way home from late shifts.",
            "No bus to the hospital without changing in town; an hour each way.",
            "Buses don't turn up and the app says they're on time.",
            "Bus fare plus hospital parking: can't afford both.",
            "No shelter or seat at the bus stop, and standing is hard with bad knees.",
        ),
        (
            "A bus that runs into the evening and on Sundays.",
            "A community minibus for people who can't get to appointments.",
        ),
        (
            "Information about the dial-a-ride service.",
            "Help applying for a disabled person's bus pass.",
        ),
        "Send the dial-a-ride number and the bus pass form",
    ),
    "Young people": ThemeText(
        6,
        (
            "Nothing for teenagers since the youth club closed; they get moved on from the shops.",
            "Worried about older lads drawing younger ones into dealing.",
            "Their eldest is 17, out of college and has nothing to get up for.",
            "Young people get blamed for everything that goes wrong round here.",
            "Mental health waiting lists for teenagers are over a year.",
        ),
        (
            "The youth club open again, run with the young people themselves.",
            "Somewhere young people can do music, sport or gaming safely.",
        ),
        ("Details of youth groups or sports clubs for their teenager.",),
        "Send details of the Friday youth night and the football sessions",
    ),
    "Loneliness and isolation": ThemeText(
        6,
        (
            "Lives alone since being widowed; can go days without talking to anyone.",
            "Neighbours don't know each other any more; people come and go.",
            "Stopped going out after a fall; frightened of the steps.",
            "New to the town and knows nobody outside work.",
            "Cares for their partner full time and never gets a break or sees friends.",
        ),
        (
            "A regular coffee morning close enough to walk to.",
            "Streets where neighbours say hello and look out for each other.",
        ),
        (
            "Someone to go along to the lunch club with, the first time.",
            "A friendly phone call once a week.",
        ),
        "Introduce to the lunch club organiser and go along the first time",
    ),
    "Green spaces": ThemeText(
        5,
        (
            "The park is overgrown and the play equipment is broken or taped off.",
            "Heard the council wants to sell the green behind the flats for building.",
            "Nowhere to grow anything from a flat, and the allotment wait is years.",
            "Dog mess all over the playing field.",
        ),
        (
            "A community garden on the estate where people grow food together.",
            "More trees along the main road to cool it down in summer.",
            "The playing field kept as a green space for good.",
        ),
        ("How to get on the allotment waiting list.",),
        "Introduce to Kelmington Community Growers",
    ),
    "Safety and street lighting": ThemeText(
        6,
        (
            "Half the lights on the canal path are out; won't walk it after dark.",
            "Cars racing round the estate late at night.",
            "Dealing in the stairwell; doesn't let the kids play outside.",
            "Reported the broken light by the garages three times and nothing happened.",
            "Doesn't feel safe waiting at the bus stop in the evenings.",
        ),
        (
            "Well-lit paths and people about, so the streets feel safe again.",
            "Police who know the area and come to residents' meetings.",
        ),
        ("How to report a lighting fault so it actually gets fixed.",),
        "Report the broken lights together and chase the council",
    ),
    "Health services": ThemeText(
        8,
        (
            "Can't get a GP appointment: the 8am queue and they're gone by ten past.",
            "Waited nine hours in A&E with an elderly parent.",
            "No NHS dentist taking patients within twenty miles.",
            "The pharmacy on the parade closed; prescriptions now mean two buses.",
            "Waiting over a year for a mental health assessment.",
        ),
        (
            "A GP you can see in person, who knows you.",
            "Health checks and advice held somewhere local, like the community centre.",
        ),
        (
            "Help finding an NHS dentist.",
            "Someone to explain how to ask for a carer's assessment.",
        ),
        "Find out which dentists are taking NHS patients and call back",
    ),
    "Jobs and training": ThemeText(
        5,
        (
            "Only zero-hours work at the warehouses on the retail park.",
            "Qualifications from abroad aren't recognised here; working well below their skills.",
            "Wants to go back to work after years of caring but has lost confidence.",
            "Apprenticeships are all in the city and the first bus gets there too late.",
            "Jobcentre appointments feel like ticking boxes.",
        ),
        (
            "Local jobs that pay enough to live on.",
            "To start a small catering business from home.",
            "Evening English classes, to get a better job.",
        ),
        (
            "Help with a CV and practice for interviews.",
            "Information on ESOL classes.",
            "Help filling in applications online.",
        ),
        "Send the CV workshop dates and the ESOL class list",
    ),
    "Food": ThemeText(
        4,
        (
            "Uses the food bank twice a month and hates having to.",
            "The big supermarket is on the retail park; the corner shop costs a lot more.",
            "Skips meals so the kids can eat.",
            "Free school meals stop in the holidays and the money doesn't stretch.",
        ),
        (
            "A community pantry or cooking club where people eat together.",
            "Cheap fresh veg sold on the estate.",
        ),
        ("A food bank voucher and details of the community pantry.",),
        "Drop off a food bank voucher and the pantry's opening times",
    ),
    "Litter and fly-tipping": ThemeText(
        5,
        (
            "Mattresses and fridges dumped behind the garages for weeks.",
            "Bins overflowing since collections went fortnightly.",
            "The alleyway is full of rubbish and there are rats by the bin store.",
            "Bulky waste collection costs too much, so people dump things.",
        ),
        (
            "A monthly clean-up day with a skip for bulky rubbish.",
            "Streets people are proud of.",
        ),
        ("How to report fly-tipping and get it cleared.",),
        "Report the fly-tipping and send the date of the next clean-up",
    ),
    "Libraries and community spaces": ThemeText(
        4,
        (
            "Brookside library is down to three days a week: the only place to use a computer.",
            "Room hire at the community centre has doubled; the toddler group may stop.",
            "Nowhere warm and free to meet on the estate.",
            "Worried the library will close for good.",
        ),
        (
            "The library open every day, as a place for everyone.",
            "A community hub run by residents, with a café.",
        ),
        ("Somewhere to use a computer and printer for free.",),
        "Invite to the Save Brookside Library meeting",
    ),
    "Traffic and road safety": ThemeText(
        4,
        (
            "Lorries do fifty through the village and there's no crossing to the school bus.",
            "Parents park on the pavement at school time; can't get a pushchair past.",
            "Speeding on the new streets; a child was nearly hit last month.",
            "Drivers cut through the estate to avoid the ring road.",
        ),
        (
            "A safe crossing and 20 mph outside the school.",
            "Children able to walk and cycle to school safely.",
        ),
        ("How to back the crossing campaign.",),
        "Send the Safe Crossing petition and the next meeting date",
    ),
    "Childcare and play": ThemeText(
        4,
        (
            "Nursery fees would cost more than going back to work would bring in.",
            "The play area has been shut for a year since it was vandalised.",
            "No baby groups nearby since the children's centre closed.",
            "No holiday club the family can afford.",
        ),
        (
            "A safe play area the kids can walk to.",
            "An affordable holiday club at the school.",
        ),
        ("Information about the funded childcare hours.",),
        "Send details of Stay and Play and the funded childcare hours",
    ),
}
RISING = ("Damp and mould", "Cost of living")  # heard more as the nights draw in

TALENTS = (
    "Good at cooking for big groups; used to run a café.",
    "Retired plumber, happy to give advice.",
    "Keen gardener with a greenhouse full of seedlings.",
    "Knows everyone on the street; would knock on doors.",
    "Used to be a shop steward.",
    "Coaches the under-11s football team.",
    "Good with computers; could help people get online.",
    "Sews and does alterations.",
    "Drives and has a car; could give lifts to appointments.",
    "Former teaching assistant, good with children.",
    "Makes music and has a sound system.",
    "Organised the street party for the coronation.",
    "Bakes; would make cakes for events.",
    "Photography and social media.",
    "Knows the housing rules inside out after years of chasing repairs.",
    "Retired nurse.",
    "Does DIY and small repairs for neighbours.",
    "Writes well; could help with letters and petitions.",
    "Painted the mural at the primary school.",
    "Speaks at the residents' meetings and isn't afraid of the council.",
)
SENSITIVE_NOTES = (
    "Recently bereaved; go gently if we call.",
    "Left an abusive relationship last year: never share their address with anyone.",
    "Behind on rent and has had a possession notice; gave them the Citizens Advice number.",
    "Has felt very low since losing their job; gave them the Samaritans number and "
    "encouraged them to see their GP.",
    "Cares for a seriously ill child and is worn out.",
    "Worried about their immigration status; wants advice in confidence.",
    "Drinking more than they'd like since the divorce; open to talking about it again.",
    "Their daughter is being bullied and has stopped going to school.",
    "In recovery and said so themselves; would like to help others.",
)


class Local(NamedTuple):
    """How listening looks in one place: its streets, where the stall goes, the sessions
    held there, and the themes that come up there more than elsewhere."""

    streets: tuple
    stall: str
    sessions: tuple
    themes: tuple


LOCAL = {
    "Kelmington Central": Local(
        ("Victoria Terrace", "Albert Street", "Market Street", "Chapel Row", "Station Road"),
        "Saturday market, Market Square",
        ("Lunch club, St Peter's church hall", "Credit union drop-in, High Street"),
        ("Cost of living", "Jobs and training", "Health services"),
    ),
    "Brookside": Local(
        ("Canal Side", "Mill Lane", "Brookside Avenue", "Willow Crescent", "School Lane"),
        "Outside Brookside library",
        ("Stay and Play, Brookside library", "Youth night, Brookside leisure centre"),
        ("Libraries and community spaces", "Young people", "Childcare and play"),
    ),
    "Larkrise Estate": Local(
        ("Fairfax Walk", "Tennyson House", "Keats House", "Larkrise Road", "Shelley Court"),
        "Larkrise shops parade",
        (
            "Tenants' and residents' meeting, Larkrise community room",
            "Somali women's group, Larkrise community room",
        ),
        ("Housing and repairs", "Damp and mould", "Safety and street lighting"),
    ),
    "Millbrook Estate": Local(
        ("Millbrook Road", "Weaver House", "Spinner House", "Carder House", "Mill Close"),
        "Millbrook community centre car park",
        ("Coffee morning, Millbrook community centre", "Pantry, Millbrook community centre"),
        ("Damp and mould", "Housing and repairs", "Litter and fly-tipping", "Food"),
    ),
    "Ashcombe": Local(
        ("Church Lane", "The Green", "Main Road", "Orchard Way"),
        "Outside Ashcombe village shop",
        ("Coffee morning, Ashcombe village hall",),
        ("Buses and transport", "Traffic and road safety", "Loneliness and isolation"),
    ),
    "KL4 Hatherley": Local(
        ("Meadowsweet Drive", "Kingfisher Way", "Harebell Close", "Hatherley Road"),
        "Hatherley retail park",
        ("New residents' drop-in, Hatherley primary school",),
        ("Traffic and road safety", "Childcare and play", "Green spaces"),
    ),
}
ELSEWHERE = Local((), "Market stall", ("Listening session",), ())
ONE_TO_ONE_PLACES = ("Café on the High Street", "The hub's office", "At their kitchen table")
TAG_THEMES = {  # the core's demo communities of interest, by name
    "Older people": ("Loneliness and isolation", "Health services", "Buses and transport"),
    "Young people (16–25)": ("Young people", "Jobs and training"),
    "Young carers": ("Young people", "Loneliness and isolation"),
    "Parents of under-fives": ("Childcare and play", "Cost of living"),
    "Disabled residents": ("Health services", "Buses and transport"),
    "Growers and gardeners": ("Green spaces", "Food"),
    "Somali community": ("Housing and repairs", "Jobs and training"),
    "Polish community": ("Jobs and training", "Housing and repairs"),
}
NAMED_METHODS = {
    Method.DOOR_KNOCK: 46,
    Method.STREET_STALL: 16,
    Method.GROUP_SESSION: 14,
    Method.ONE_TO_ONE: 10,
    Method.PHONE: 9,
    Method.ONLINE: 5,
}
ANONYMOUS_METHODS = {Method.DOOR_KNOCK: 45, Method.STREET_STALL: 35, Method.GROUP_SESSION: 20}
AGAIN_METHODS = {Method.ONE_TO_ONE: 5, Method.PHONE: 3, Method.GROUP_SESSION: 2}
NAMED_WILLINGNESS = (18, 30, 26, 18, 8)  # not now … ready to lead
ANONYMOUS_WILLINGNESS = (50, 38, 10, 2, 0)
HOURS = {  # when each kind of conversation happens
    Method.DOOR_KNOCK: (10, 19),
    Method.STREET_STALL: (10, 13),
    Method.GROUP_SESSION: (10, 19),
    Method.ONE_TO_ONE: (9, 18),
    Method.PHONE: (9, 18),
    Method.ONLINE: (17, 20),
}
# Follow-ups per owner, oldest conversation first: mostly kept, some late, some due now.
FOLLOW_UPS = {
    Role.VOLUNTEER: ("done", "done", "done", "overdue", "overdue", "today", "later", "later"),
    Role.ORGANISER: ("done", "overdue", "today", "later"),
}


def seed(*, rng, stdout):
    """The demo round with its conversations, once: nothing when it is already there."""
    if ListeningRound.objects.filter(name__iexact=ROUND_NAME).exists():
        stdout.write(f"Listening: the round {ROUND_NAME!r} is already there.")
        return
    organiser, volunteer = _demo_account(Role.ORGANISER), _demo_account(Role.VOLUNTEER)
    others = User.objects.filter(  # any other demo volunteers join the round too
        is_active=True, role=Role.VOLUNTEER, email__iendswith=f"@{DEMO_DOMAIN}"
    ).order_by("pk")
    volunteers = [volunteer, *others.exclude(pk=volunteer.pk)] if volunteer else []
    localities = list(Locality.objects.order_by("name"))
    if organiser is None or not volunteers or not localities:
        stdout.write("Listening: no demo organiser, volunteer or places, so no demo round.")
        return
    listening = DemoRound(rng, organiser, volunteers, _demo_account(Role.STAFF), localities)
    listening.create()
    stdout.write(
        f"Listening: the round {ROUND_NAME!r} with {len(listening.conversations)} "
        f"conversations, {len(THEMES)} themes and {len(listening.follow_ups)} follow-ups."
    )


def _demo_account(role):
    """The demo login for ``role`` (role@example.org), or else the first active one."""
    users = User.objects.filter(is_active=True, role=role).order_by("pk")
    return users.filter(email=f"{role}@{DEMO_DOMAIN}").first() or users.first()


def _weighted(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class DemoRound:
    """Builds the round's rows in memory from one random stream, then saves them in bulk."""

    def __init__(self, rng, organiser, volunteers, staff, localities):
        self.rng = rng
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.starts_on = self.today - timedelta(days=DAYS)
        self.organiser, self.volunteers, self.staff = organiser, volunteers, staff
        self.localities = localities
        self.loggers = {volunteer: 55 / len(volunteers) for volunteer in volunteers}
        self.loggers[organiser] = 30
        if staff is not None:
            self.loggers[staff] = 15
        self.conversations, self.themes_of, self.follow_ups = [], [], []  # themes_of[i]: names

    def create(self):
        round_ = round_create(
            created_by=self.organiser,
            name=ROUND_NAME,
            purpose=PURPOSE,
            starts_on=self.starts_on,
            ends_on=self.today + timedelta(days=35),
            target=400,
            prompts="\n".join(PROMPTS),
            localities=self.localities,
            organisers=[self.organiser],
            volunteers=self.volunteers,
            created_at=self.now - timedelta(days=DAYS + 14),
        )
        themes = {name: theme_get_or_create(name=name) for name in THEMES}
        self._plan(round_)
        self.conversations = Conversation.objects.bulk_create(self.conversations)
        Conversation.themes.through.objects.bulk_create(
            Conversation.themes.through(conversation_id=conversation.pk, theme_id=themes[name].pk)
            for conversation, names in zip(self.conversations, self.themes_of, strict=True)
            for name in names
        )
        Consent.objects.bulk_create(self._consents())
        self.follow_ups = FollowUp.objects.bulk_create(self._follow_ups())

    def _plan(self, round_):
        rng = self.rng
        withdrawn = Consent.objects.filter(purpose=Purpose.KEEP_RECORD, given=False)
        people = list(  # residents, not the hub's own accounts, who never said no to a record
            Person.objects.filter(user__isnull=True)
            .exclude(pk__in=withdrawn.values("person"))
            .select_related("locality")
            .prefetch_related("tags")
            .order_by("pk")
        )
        met = rng.sample(people, min(PEOPLE_MET, len(people)))
        named = round(CONVERSATIONS * NAMED_SHARE) if met else 0
        again = [rng.choice(met) for _ in range(named - len(met))] if met else []
        plans = [(person, False) for person in met] + [(person, True) for person in again]
        plans += [(None, False)] * (CONVERSATIONS - len(plans))
        rng.shuffle(plans)
        for person, second in plans:
            conversation, themes = self._conversation(round_, person, second)
            self.conversations.append(conversation)
            self.themes_of.append(themes)
        with_people = [c for c in self.conversations if c.person_id]
        for conversation, note in zip(
            rng.sample(with_people, min(len(SENSITIVE_NOTES), len(with_people))),
            SENSITIVE_NOTES,
            strict=False,
        ):
            conversation.sensitive_notes = note

    def _conversation(self, round_, person, second):
        rng = self.rng
        if person is None:
            locality = _weighted(rng, {place: self._share(place) for place in self.localities})
            method = _weighted(rng, ANONYMOUS_METHODS)
            willingness = rng.choices(range(5), weights=ANONYMOUS_WILLINGNESS)[0]
            earliest, tags = self.starts_on, []
        else:
            locality = person.locality or rng.choice(self.localities)
            method = _weighted(rng, AGAIN_METHODS if second else NAMED_METHODS)
            willingness = rng.choices(range(5), weights=NAMED_WILLINGNESS)[0]
            joined = timezone.localtime(person.created_at).date()
            earliest, tags = min(max(self.starts_on, joined), self.today), person.tags.all()
        held_on = earliest + timedelta(days=rng.randint(0, (self.today - earliest).days))
        if method == Method.STREET_STALL:
            held_on = self._saturday(held_on, earliest)
        local = LOCAL.get(locality.name, ELSEWHERE)
        themes = self._themes(local, tags, held_on)
        text = THEMES[themes[0]]
        others = [THEMES[name] for name in themes[1:]]
        concerns = [rng.choice(text.concerns)]
        if others and rng.random() < 0.6:
            concerns.append(rng.choice(rng.choice(others).concerns))
        hopes = rng.choice(rng.choice([text, *others]).hopes) if rng.random() < 0.8 else ""
        needs = rng.choice(rng.choice([text, *others]).needs) if rng.random() < 0.5 else ""
        talents = rng.choice(TALENTS) if rng.random() < 0.15 + 0.18 * willingness else ""
        start, end = HOURS[method]
        held_at = timezone.make_aware(
            datetime.combine(held_on, time(rng.randint(start, end), rng.choice((0, 15, 30, 45))))
        )
        conversation = Conversation(
            round=round_,
            person=person,
            locality=locality,
            held_on=held_on,
            place=self._place(method, local),
            method=method,
            concerns=" ".join(concerns),
            hopes=hopes,
            needs=needs,
            talents=talents,
            willingness=willingness,
            contact_again=person is not None and rng.random() < 0.2 + 0.17 * willingness,
            logged_by=_weighted(rng, self.loggers),
            created_at=min(held_at + timedelta(minutes=rng.randint(20, 240)), self.now),
        )
        return conversation, themes

    def _share(self, locality):
        """The estates are knocked on most: more conversations there than their size says."""
        return 3 if locality.kind == Locality.Kind.ESTATE else 2

    def _saturday(self, day, earliest):
        """The market stall goes out on Saturdays: the one before, or else after, ``day``."""
        before = day - timedelta(days=(day.weekday() - 5) % 7)
        after = before + timedelta(days=7)
        if before >= earliest:
            return before
        return after if after <= self.today else day

    def _themes(self, local, tags, held_on):
        """One to three themes, leaning to what the place and the person's communities raise,
        and, as winter comes, to damp and the cost of heating."""
        progress = (held_on - self.starts_on).days / DAYS
        weights = {}
        for name, text in THEMES.items():
            weight = text.weight + 16 * (name in local.themes)
            weight += 8 * sum(name in TAG_THEMES.get(tag.name, ()) for tag in tags)
            weights[name] = weight * (1 + 1.5 * progress) if name in RISING else weight
        count = self.rng.choices((1, 2, 3), weights=(45, 40, 15))[0]
        chosen = []
        for _ in range(count):
            name = _weighted(self.rng, weights)
            chosen.append(name)
            del weights[name]
        return chosen

    def _place(self, method, local):
        rng = self.rng
        if method == Method.DOOR_KNOCK:
            return rng.choice(local.streets) if local.streets else "On the doorstep"
        if method == Method.STREET_STALL:
            return local.stall
        if method == Method.GROUP_SESSION:
            return rng.choice(local.sessions)
        if method == Method.ONE_TO_ONE:
            return rng.choice(ONE_TO_ONE_PLACES)
        return "By phone" if method == Method.PHONE else "Video call"

    def _consents(self):
        """What a named person agreed to, as ``services.conversation_log`` records it: that the
        hub keeps a record, and to be contacted again when they said so."""
        for conversation in self.conversations:
            person = conversation.person
            if person is None:
                continue
            purposes = [(Purpose.KEEP_RECORD, KEEP_RECORD_NOTE)]
            if conversation.contact_again:
                if person.email:
                    purposes.append((Purpose.CONTACT_EMAIL, CONTACT_NOTE))
                if person.phone:
                    purposes.append((Purpose.CONTACT_PHONE, CONTACT_NOTE))
            for purpose, note in purposes:
                yield Consent(
                    person=person,
                    purpose=purpose,
                    given=True,
                    method=Consent.Method.VERBAL,
                    recorded_at=conversation.created_at,
                    recorded_by=conversation.logged_by,
                    note=note,
                )

    def _follow_ups(self):
        """Promises made to people who agreed to hear back, kept by the demo volunteer and
        organiser: some kept, some late, some due today and some still to come."""
        rng, today = self.rng, self.today
        for owner in (self.volunteers[0], self.organiser):  # the demo volunteer comes first
            states = FOLLOW_UPS[owner.role]
            candidates = [
                (c, themes)
                for c, themes in zip(self.conversations, self.themes_of, strict=True)
                if c.contact_again and c.logged_by == owner and c.held_on < today
            ]
            chosen = sorted(
                rng.sample(candidates, min(len(states), len(candidates))),
                key=lambda pair: (pair[0].held_on, pair[0].pk),
            )
            for (conversation, themes), state in zip(chosen, states, strict=False):
                held_on = conversation.held_on
                if state == "overdue" and (today - held_on).days < 2:
                    state = "today"
                done_at = None
                if state == "done":
                    due_on = min(held_on + timedelta(days=rng.randint(3, 14)), today)
                    done_on = due_on - timedelta(days=rng.randint(0, (due_on - held_on).days))
                    done_at = min(
                        timezone.make_aware(datetime.combine(done_on, time(rng.randint(9, 18)))),
                        self.now,
                    )
                elif state == "overdue":
                    due_on = held_on + timedelta(days=rng.randint(1, (today - held_on).days - 1))
                elif state == "today":
                    due_on = today
                else:
                    due_on = today + timedelta(days=rng.randint(2, 14))
                yield FollowUp(
                    conversation=conversation,
                    action=THEMES[themes[0]].follow_up,
                    owner=owner,
                    due_on=due_on,
                    done_at=done_at,
                    created_at=conversation.created_at,
                )
