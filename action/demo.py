"""Action's part of the demo hub (``manage.py seed_demo``, registered in ``apps.py``): five
campaigns grounded in what Kelmington's listening heard, with their sign-ups, asks and the
actions supporters took, an update sent to supporters, stories in people's own words at each
step of moderation, and five community activities from idea to stopped.

It runs after the core and the layer-1 areas, and reads their people, places, groups, themes
and demo accounts from the database. Sign-ups are recorded as ``signup_confirm`` leaves them
(a Person, and the consents the supporter ticked); nothing is written to the outbox, so the
demo never queues an email. Everything else is saved in bulk.
"""

from datetime import timedelta
from typing import NamedTuple

from django.utils import formats, timezone

from hubsite.people.models import Consent, Group, Locality, Person, Role, User
from listening.models import Theme

from .models import ActionTaken, Activity, Ask, Campaign, Signup, Story, SupporterUpdate
from .selectors.updates import recipients_count
from .services.campaigns import campaign_create

DEMO_DOMAIN = "example.org"
Status, Kind, Stage = Campaign.Status, Ask.Kind, Activity.Stage
Purpose = Consent.Purpose

LARKRISE = "Larkrise Tenants' and Residents' Association"
MILLBROOK = "Millbrook Residents' Association"
CROSSING = "Safe Crossing for Ashcombe"
LIBRARY = "Save Brookside Library"
PARTNERS = "Kelmington Partners Network"

CONSENT_CONTACT = 0.86  # of supporters, how many tick "keep me posted"
SHOW_NAME = 0.32  # … and "show my name"
COMMENTED = 0.12
UNSUBSCRIBED = 0.03


class AskSpec(NamedTuple):
    kind: str
    title: str
    details: str
    share: float  # of the campaign's supporters, how many say they did it
    target: str = ""
    suggested_text: str = ""


class CampaignSpec(NamedTuple):
    name: str
    status: str
    summary: str
    need: str
    demand: str
    decision_makers: tuple
    groups: tuple
    themes: tuple  # listening themes, linked by name when they exist
    places: dict  # where its supporters live, relatively (elsewhere: 1)
    started: int  # days ago
    ended: int  # days ago its sign-ups stopped (won or paused); 0 while it runs
    supporters: tuple  # how many confirmed sign-ups, at least and at most
    partners: tuple = ()
    asks: tuple = ()
    comments: tuple = ()


DRY_HOMES = "Dry Homes on Larkrise and Millbrook"
BUS = "Bring Back the 27"
YOUTH_CLUB = "Reopen Brookside Youth Club"
CANAL = "Light Up the Canal Path"
PANTRY = "A Community Pantry for Millbrook"
# The first campaign is also how a second run knows Action is seeded.
MARKER = DRY_HOMES

CAMPAIGNS = (
    CampaignSpec(
        name=DRY_HOMES,
        status=Status.ACTIVE,
        summary=(
            "Black mould is back in children's bedrooms on both estates. We want every damp "
            "report inspected quickly and the cause fixed, not painted over."
        ),
        need=(
            "In Kelmington Listens, damp and mould came up more than anything else on the "
            "Larkrise and Millbrook estates: black mould in children's bedrooms, clothes and "
            "mattresses ruined, and contractors who paint over the stain and close the job. "
            "Families are told to open the windows and keep the heating on when they cannot "
            "afford the heating. Social landlords now have to deal with damp and mould within "
            "legal time limits, yet tenants tell us reports still wait months for an inspection."
        ),
        demand=(
            "Kelmington Homes to inspect every damp and mould report on the two estates within "
            "ten working days, to fix the cause (leaks, ventilation, insulation) rather than the "
            "stain, and to publish every quarter how many reports it had and how fast it dealt "
            "with them. The council to use its environmental health powers where it does not."
        ),
        decision_makers=(
            "Chief Executive, Kelmington Homes",
            "Director of Property Services, Kelmington Homes",
            "Cabinet Member for Housing, Kelmington Borough Council",
        ),
        groups=(LARKRISE, MILLBROOK),
        themes=("Damp and mould", "Housing and repairs"),
        places={"Larkrise Estate": 5, "Millbrook Estate": 5, "Brookside": 2},
        started=74,
        ended=0,
        supporters=(152, 164),
        partners=(PARTNERS,),
        asks=(
            AskSpec(
                Kind.WRITE,
                "Write to the chief executive of Kelmington Homes",
                "Send it by email or post it to the office on Market Street. If there is damp "
                "in your home, add your repair reference and the date you first reported it.",
                0.46,
                target="Chief Executive, Kelmington Homes",
                suggested_text=(
                    "Dear Chief Executive,\n\n"
                    "I am writing about damp and mould in homes on the Larkrise and Millbrook "
                    "estates. Families are living with black mould in their children's "
                    "bedrooms, and reports wait months for an inspection. When someone does "
                    "come, the mould is too often painted over and the job closed, and it is "
                    "back within weeks.\n\n"
                    "I am asking Kelmington Homes to inspect every damp and mould report within "
                    "ten working days, to fix what causes it rather than the stain, and to "
                    "publish every quarter how many reports you had and how quickly you dealt "
                    "with them.\n\n"
                    "Please tell me what you will do, and by when.\n\n"
                    "Yours sincerely,"
                ),
            ),
            AskSpec(
                Kind.MEETING,
                "Come to the tenants' meeting on the damp survey",
                "Larkrise community room, Tuesday evening at 6.30pm (the date is on the events "
                "page). We share what eighty homes told us and agree what to ask for. Children "
                "are welcome: there is a play corner.",
                0.14,
            ),
            AskSpec(
                Kind.OTHER,
                "Keep a damp diary for four weeks",
                "Write down when the mould appears and what you reported, with a dated photo "
                "each week. Pick up a diary at the Larkrise or Millbrook community room.",
                0.12,
            ),
            AskSpec(
                Kind.SHARE,
                "Share the campaign with your neighbours",
                "Send the link to your block's WhatsApp group, or take a leaflet for your "
                "landing from the community room.",
                0.28,
            ),
        ),
        comments=(
            "The mould in my son's room comes back every winter.",
            "Reported it in September, still no inspection.",
            "They painted over it twice. It's back.",
            "Not on the estate but my mum is, and her flat is freezing and damp.",
            "My daughter's asthma is worse every winter.",
            "Solidarity from Brookside.",
        ),
    ),
    CampaignSpec(
        name=BUS,
        status=Status.ACTIVE,
        summary=(
            "The 27 was withdrawn in the spring, cutting Ashcombe and Millbrook off from the "
            "hospital in the evenings and on Sundays. We want it back."
        ),
        need=(
            "Since the county council stopped supporting the 27, there is no direct bus from "
            "Ashcombe or the Millbrook Estate to Kelmington General Hospital. Patients and "
            "visitors change in town and wait, an hour or more each way; the last bus home "
            "leaves before visiting ends, and there is nothing on Sundays. Older and disabled "
            "residents told us they miss appointments, and hospital staff on late shifts pay "
            "for taxis they cannot afford."
        ),
        demand=(
            "The county council to fund the 27 again in next year's budget, hourly until 10pm "
            "and on Sundays, and Midshires Buses to run it with the stops residents ask for, "
            "including the hospital's main entrance."
        ),
        decision_makers=(
            "Cabinet Member for Transport, the county council",
            "Managing Director, Midshires Buses",
            "County councillor for Ashcombe and Millbrook",
        ),
        groups=(CROSSING, MILLBROOK),
        themes=("Buses and transport", "Health services", "Loneliness and isolation"),
        places={"Ashcombe": 6, "Millbrook Estate": 4, "KL4 Hatherley": 2},
        started=52,
        ended=0,
        supporters=(150, 160),
        asks=(
            AskSpec(
                Kind.WRITE,
                "Email the county's cabinet member for transport",
                "Tell them in a few lines how losing the 27 affects you: an appointment "
                "missed, a taxi you paid for, a visit you could not make.",
                0.41,
                target="Cabinet Member for Transport, the county council",
                suggested_text=(
                    "Dear Councillor,\n\n"
                    "Since the 27 stopped running, there is no direct bus from Ashcombe or "
                    "the Millbrook Estate to Kelmington General Hospital. Getting to an "
                    "appointment or visiting someone now means two buses and an hour or more "
                    "each way, and there is no bus home in the evening or on Sundays.\n\n"
                    "I am asking the county council to fund the 27 again in next year's "
                    "budget, running hourly until 10pm and on Sundays.\n\n"
                    "Please tell me whether you will support this when the budget is set.\n\n"
                    "Yours sincerely,"
                ),
            ),
            AskSpec(
                Kind.ACTION,
                "Ride the last bus home with us",
                "We travel together on the last connecting bus from the hospital on a weekday "
                "evening, and time the journey for the councillors. Meet at the hospital's "
                "main entrance at 7.15pm.",
                0.11,
            ),
            AskSpec(
                Kind.SHARE,
                "Put a poster up at your surgery, shop or workplace",
                "Posters are at the Old Library and Ashcombe village shop; ask before you "
                "put one up.",
                0.22,
            ),
        ),
        comments=(
            "I can't get to my husband's appointments without a taxi now.",
            "Work late shifts at the hospital. Two buses and a walk in the dark.",
            "We need the Sunday service back.",
            "My dad stopped going to his clinic because of the buses.",
            "Ashcombe is cut off after 7pm.",
        ),
    ),
    CampaignSpec(
        name=YOUTH_CLUB,
        status=Status.WON,
        summary=(
            "We won: Brookside youth club is open again two evenings a week, with young people "
            "on its steering group."
        ),
        need=(
            "When the youth club at Brookside leisure centre closed, teenagers from Brookside "
            "and Larkrise were left with nowhere to go in the evenings but the shops, where "
            "they were moved on. Parents told us they worried about older lads drawing younger "
            "ones in; young people told us they were tired of being blamed for everything."
        ),
        demand=(
            "Reopen the youth club at least two evenings a week, with a qualified youth worker, "
            "and give young people a real say in how it is run."
        ),
        decision_makers=(
            "Cabinet Member for Children and Young People, Kelmington Borough Council",
            "Manager, Brookside Leisure Centre",
        ),
        groups=(LARKRISE, LIBRARY),
        themes=("Young people",),
        places={"Brookside": 5, "Larkrise Estate": 4},
        started=330,
        ended=44,
        supporters=(96, 118),
        asks=(
            AskSpec(
                Kind.WRITE,
                "Write to the cabinet member for children and young people",
                "A short email saying why the youth club matters to your family.",
                0.38,
                target="Cabinet Member for Children and Young People, Kelmington Borough Council",
                suggested_text=(
                    "Dear Councillor,\n\n"
                    "Since Brookside youth club closed, young people here have nowhere to go "
                    "in the evenings. Please reopen it at least two evenings a week, with a "
                    "youth worker, and let young people help run it.\n\n"
                    "Yours sincerely,"
                ),
            ),
            AskSpec(
                Kind.MEETING,
                "Come with us to the council's children and young people committee",
                "Young people are speaking first; we fill the public gallery behind them.",
                0.16,
            ),
        ),
        comments=(
            "My two have nothing to do after school.",
            "I went there as a kid. Bring it back.",
            "Young people need somewhere that's theirs.",
        ),
    ),
    CampaignSpec(
        name=CANAL,
        status=Status.PAUSED,
        summary=(
            "Half the lights on the canal path are out. Paused while the council carries out "
            "the lighting survey it agreed to in the autumn."
        ),
        need=(
            "The canal path is the short way from Millbrook and Larkrise to the town centre and "
            "the station, but half its lights are broken and people, women especially, will "
            "not walk it after dark. Faults reported to the council stay open for months: the "
            "light by the Millbrook garages was reported three times."
        ),
        demand=(
            "Repair every broken light on the canal path and by the Millbrook garages within a "
            "month, and fit LED lighting along the whole path in next year's programme."
        ),
        decision_makers=(
            "Cabinet Member for Environment, Kelmington Borough Council",
            "Street Lighting Manager, the county council's highways team",
        ),
        groups=(MILLBROOK,),
        themes=("Safety and street lighting",),
        places={"Millbrook Estate": 5, "Brookside": 3, "Larkrise Estate": 3},
        started=196,
        ended=25,
        supporters=(42, 58),
        comments=(
            "I walk the long way round now.",
            "My daughter gets off the train at nine. I pick her up because of that path.",
        ),
    ),
    CampaignSpec(
        name=PANTRY,
        status=Status.PLANNING,
        summary=(
            "A members' pantry in the empty shop on Millbrook Parade: good food for a few "
            "pounds a week, run by residents."
        ),
        need=(
            "On the Millbrook Estate the nearest supermarket is on the retail park and the "
            "corner shop costs far more. Families told us they skip meals so the children can "
            "eat, and use the food bank when they would rather pay their way. The Thursday "
            "pantry in the community centre runs out within the hour."
        ),
        demand=(
            "The council to let the empty unit on Millbrook Parade to residents at a "
            "peppercorn rent for three years, and the supermarkets on the retail park to give "
            "their surplus food to the pantry."
        ),
        decision_makers=(
            "Cabinet Member for Assets, Kelmington Borough Council",
            "Store managers, Hatherley retail park",
        ),
        groups=(MILLBROOK,),
        themes=("Food", "Cost of living"),
        places={"Millbrook Estate": 5},
        started=12,
        ended=0,
        supporters=(0, 0),  # not public yet, so nobody can sign it
        partners=(PARTNERS,),
    ),
)
# Campaigns that stand with each other.
ENDORSEMENTS = ((DRY_HOMES, BUS), (BUS, DRY_HOMES))

# The demo member, in Ashcombe, has signed for the bus and tells a story of it.
SIGNED_BY = {BUS: Role.MEMBER}

# Pending sign-ups: typed on the page in the last few days, their link not clicked yet.
PENDING = (  # campaign, first name, last name, email, place, days ago
    (DRY_HOMES, "Leanne", "Fairbrother", "leanne.fairbrother", "Larkrise Estate", 1),
    (DRY_HOMES, "Yusuf", "Abdirahman", "yusuf.abdi", "Larkrise Estate", 3),
    (DRY_HOMES, "Kasia", "Zielinska", "kasia.z", "Millbrook Estate", 6),
    (BUS, "Malcolm", "Pritchard", "malc.pritchard", "Ashcombe", 2),
    (BUS, "Bernadette", "Quigley", "b.quigley", "Millbrook Estate", 4),
    (BUS, "Priya", "Chauhan", "priya.chauhan.kl", None, 9),
)

ACTION_NOTES = (
    "Done, and copied in my local councillor.",
    "Posted it through the door of their office.",
    "Sent it on my lunch break.",
    "Brought my neighbour too.",
    "Done. Added my own bit at the end.",
)

UPDATE_SUBJECT = "Eighty homes surveyed: here is what we found"
UPDATE_BODY = (
    "Thank you for signing. Over three Saturdays, twenty of you knocked on doors across "
    "Larkrise and Millbrook and filled in the damp survey with the people who live there.\n\n"
    "Of the eighty homes we surveyed, fifty-one have damp or mould now, and thirty-four of "
    "those reported it more than three months ago. Twelve were told to open their windows; "
    "nine had the mould painted over.\n\n"
    "We are taking these figures to Kelmington Homes, and we will ask them, in front of "
    "tenants, for dates. Come to the tenants' meeting on the damp survey in the Larkrise "
    "community room (the date is on the campaign page), and if you have not written to the "
    "chief executive yet, the letter takes two minutes.\n\n"
    "Together we are much harder to ignore."
)


class StorySpec(NamedTuple):
    campaign: str
    title: str
    text: str
    credit: str
    consent: bool
    status: str
    days_ago: int
    places: tuple  # where its teller lives
    tag: str = ""  # the teller's community, when it matters
    teller: str = ""  # a demo account's role, for a story the demo accounts can see
    note: str = ""


STORIES = (
    StorySpec(
        DRY_HOMES,
        "My daughter's inhaler and the black mould",
        "Every winter the mould comes back on the wall behind my daughter's bed. She is "
        "seven and she has asthma, and from November she needs her inhaler every night. I "
        "reported it in September. Someone came in January, sprayed it and painted over it, "
        "and it was back in three weeks.\n\nI used to think it was something I was doing "
        "wrong. Then I went to the residents' meeting and half the room had the same story. "
        "That's when I signed. It's not us, it's the buildings, and they can be fixed.",
        Story.Credit.FULL_NAME,
        True,
        Story.Status.APPROVED,
        40,
        ("Larkrise Estate", "Millbrook Estate"),
        tag="Parents of under-fives",
    ),
    StorySpec(
        YOUTH_CLUB,
        "Friday nights are ours again",
        "Before the club opened again there was nothing to do. We'd sit by the shops and "
        "get told to move on, then sit somewhere else and get told again. Now there's pool, "
        "a music room and a kitchen, and we're on the steering group, so we chose what it "
        "has. I spoke at the council meeting. I was shaking, but they listened.",
        Story.Credit.FIRST_NAME,
        True,
        Story.Status.APPROVED,
        30,
        ("Brookside", "Larkrise Estate"),
        tag="Young people (16–25)",
    ),
    StorySpec(
        BUS,
        "Two buses and an hour to see my husband",
        "My husband was in Kelmington General for six weeks last spring. When the 27 ran "
        "it was twenty minutes from our door. Now it's the 14 into town, a wait, and another "
        "bus out, and the last one back leaves before visiting ends. Some evenings I paid for "
        "a taxi I couldn't afford; some evenings I didn't go. I'm telling my story for the "
        "people who will be visiting someone next winter.",
        Story.Credit.ANONYMOUS,
        True,
        Story.Status.APPROVED,
        18,
        ("Ashcombe", "Millbrook Estate"),
        tag="Older people",
    ),
    StorySpec(
        CANAL,
        "Why I stopped walking home along the canal",
        "I finish work at the station at ten. The canal path is a ten-minute walk home, but "
        "the lights are out for most of it, and one night someone followed me from the "
        "bridge. Now I walk the long way round by the main road, which takes half an hour. "
        "I shouldn't have to.",
        Story.Credit.FIRST_NAME,
        True,
        Story.Status.SUBMITTED,
        2,
        ("Millbrook Estate", "Brookside", "Larkrise Estate"),
    ),
    StorySpec(
        BUS,
        "Ashcombe after seven o'clock",
        "In Ashcombe the last bus to town goes just after seven, and since the 27 went "
        "there's no way to the hospital without going into town first. My neighbour Pat, "
        "who doesn't drive, has missed her eye clinic twice since the spring. The buses we "
        "do have are full in the mornings, so don't tell us people don't want them.",
        Story.Credit.FULL_NAME,
        True,
        Story.Status.CHANGES,
        9,
        ("Ashcombe",),
        teller=Role.MEMBER,
        note=(
            "Thank you for this. Before we publish it, could you take out Pat's name, or check "
            "with her that she is happy to be named? We only publish details of someone's "
            "health with their agreement."
        ),
    ),
    StorySpec(
        DRY_HOMES,
        "Painted over, again",
        "Third time this year the contractor came, painted over the mould on the bathroom "
        "ceiling and closed the job. The extractor fan hasn't worked since we moved in. I "
        "took photos with the date on every week, like the diary says.",
        Story.Credit.FIRST_NAME,
        False,  # approved and published, then its teller withdrew their consent
        Story.Status.APPROVED,
        33,
        ("Millbrook Estate", "Larkrise Estate"),
    ),
)


class ActivitySpec(NamedTuple):
    name: str
    kind: str
    stage: str
    need: str
    description: str
    support: str
    place: str | None
    group: str | None
    people: int  # how many residents are involved, besides any demo account
    started: int  # days ago it was proposed
    moved: int  # days ago it reached its stage
    accounts: tuple = ()  # demo accounts' roles involved
    stop_reason: str = ""


ACTIVITIES = (
    ActivitySpec(
        "Repair Café at the Old Library",
        Activity.Kind.ACTIVITY,
        Stage.RUNNING,
        "Things that could be mended get thrown away because a repair costs more than a new "
        "one, and fewer people know how to fix them.",
        "On the first Saturday of the month volunteer fixers mend lamps, toasters, bikes and "
        "clothes with the people who bring them, and show them how. About twenty-five things "
        "a session; three in four go home working.",
        "The hall at the Old Library free of charge, the PAT tester and the public liability "
        "insurance.",
        "Kelmington Central",
        None,
        6,
        250,
        190,
        accounts=(Role.VOLUNTEER,),
    ),
    ActivitySpec(
        "Millbrook community fridge",
        Activity.Kind.SERVICE,
        Stage.PLANNING,
        "Good food from the supermarkets and the allotments is thrown away while families on "
        "the estate go short.",
        "A fridge in the community centre foyer, open to anyone, stocked with surplus food from "
        "the retail park and the growers. We are writing the food safety rules and finding "
        "volunteers for the daily check.",
        "Help with the food hygiene registration and the grant application to the ward fund.",
        "Millbrook Estate",
        MILLBROOK,
        4,
        60,
        21,
        accounts=(Role.VOLUNTEER,),
    ),
    ActivitySpec(
        "Larkrise youth football team",
        Activity.Kind.ACTIVITY,
        Stage.IDEA,
        "The Wednesday sessions are full and the older ones want proper matches, but there is "
        "no team on the estate for under-16s.",
        "A team entered in the junior league next season, coached by volunteers, with kit "
        "paid for by sponsorship from local businesses.",
        "",
        "Larkrise Estate",
        LARKRISE,
        3,
        11,
        11,
    ),
    ActivitySpec(
        "Kelmington Community Energy",
        Activity.Kind.ENTERPRISE,
        Stage.IDEA,
        "Energy bills are the biggest worry we heard about this winter, and the money we pay "
        "for power leaves the town.",
        "A co-operative owned by residents that puts solar panels on the roofs of the "
        "community centre, the primary schools and the church hall, sells them the power "
        "cheaply, and puts what it makes into a fund for warmer homes.",
        "",
        None,
        None,
        3,
        26,
        26,
    ),
    ActivitySpec(
        "Ashcombe village lunch club",
        Activity.Kind.ACTIVITY,
        Stage.STOPPED,
        "Older people in the village, many living alone, go days without a hot meal or a "
        "conversation, and the bus into town is hourly.",
        "A two-course lunch in the village hall every other Wednesday, with lifts for those "
        "who needed them. Ten to fifteen people came each time.",
        "A small grant for the first year's food and the hall hire.",
        "Ashcombe",
        None,
        5,
        420,
        48,
        accounts=(Role.MEMBER,),
        stop_reason=(
            "our two cooks moved away, and the village hall's kitchen needs a new cooker "
            "before it can pass its hygiene inspection. We would start again with a new cook "
            "and a grant for the cooker."
        ),
    ),
)


def seed(*, rng, stdout):
    """Action's demo campaigns, stories and activities, once: nothing when they are there."""
    if Campaign.objects.filter(name__iexact=MARKER).exists():
        stdout.write(f"Action: the demo campaigns ({MARKER!r} and the rest) are already there.")
        return
    staff = _demo_account(Role.STAFF)
    if staff is None:
        stdout.write("Action: no demo staff account, so no demo campaigns.")
        return
    demo = DemoAction(rng, staff=staff, organiser=_demo_account(Role.ORGANISER))
    demo.create()
    confirmed = sum(s.status == Signup.Status.CONFIRMED for s in demo.signups)
    public = sum(story.is_public for story in demo.stories)
    stdout.write(
        f"Action: {len(demo.campaigns)} campaigns with {confirmed} confirmed sign-ups and "
        f"{len(demo.signups) - confirmed} waiting for confirmation, {len(demo.asks)} asks with "
        f"{len(demo.actions)} actions taken, an update sent to {demo.update.recipients} "
        f"supporters, {len(demo.stories)} stories ({public} public) and "
        f"{len(demo.activities)} community activities."
    )


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


class DemoAction:
    """Builds Action's rows from one random stream and saves them in bulk."""

    def __init__(self, rng, *, staff, organiser):
        self.rng = rng
        self.now = timezone.now()
        self.staff, self.organiser = staff, organiser
        self.groups = {group.name: group for group in Group.objects.all()}
        self.places = {place.name: place for place in Locality.objects.all()}
        self.themes = {theme.name: theme for theme in Theme.objects.all()}
        self.people = list(
            Person.objects.select_related("locality", "user")
            .prefetch_related("tags")
            .order_by("pk")
        )
        self.accounts = {
            person.user.role: person
            for person in self.people
            if person.user and person.user.email == f"{person.user.role}@{DEMO_DOMAIN}"
        }
        self.campaigns, self.signups, self.asks, self.actions = {}, [], [], []
        self.stories, self.activities, self.update = [], [], None

    def create(self):
        self._campaigns()
        self._signups()
        self._asks()
        self._update()
        self._stories()
        self._activities()

    # Campaigns --------------------------------------------------------------------------

    def _days_ago(self, days):
        return self.now - timedelta(days=days)

    def _campaigns(self):
        for spec in CAMPAIGNS:
            self.campaigns[spec.name] = campaign_create(
                created_by=self.staff,
                name=spec.name,
                summary=spec.summary,
                need=spec.need,
                demand=spec.demand,
                decision_makers="\n".join(spec.decision_makers),
                status=spec.status,
                created_at=self._days_ago(spec.started).replace(hour=10, minute=30),
                groups=[self.groups[name] for name in spec.groups if name in self.groups],
                themes=[self.themes[name] for name in spec.themes if name in self.themes],
                partners=[self.groups[name] for name in spec.partners if name in self.groups],
            )
        for name, other in ENDORSEMENTS:
            self.campaigns[name].endorsements.add(self.campaigns[other])

    def _closes(self, spec):
        """Until when the campaign took sign-ups: the day it was won or paused; for the one
        with an update, until shortly before it went out, so that it reached them all."""
        if spec.ended:
            return self._days_ago(spec.ended)
        if spec.name == DRY_HOMES:
            return self._update_sent_at() - timedelta(hours=2)
        return self.now - timedelta(minutes=30)

    def _ends(self, spec):
        """Until when supporters act on its asks: the day it was won or paused, or now."""
        return self._days_ago(spec.ended) if spec.ended else self.now

    def _update_sent_at(self):
        return (self.now - timedelta(days=1)).replace(hour=19, minute=5, second=0, microsecond=0)

    # Sign-ups ---------------------------------------------------------------------------

    def _signups(self):
        rng = self.rng
        with_email = [person for person in self.people if person.email]
        consents, confirmed_on = [], {}  # (campaign, person id): confirmed_at
        for spec in CAMPAIGNS:
            campaign = self.campaigns[spec.name]
            opens, closes = campaign.created_at, self._closes(spec)
            # A demo account's Person is as new as the demo, so it has only just signed.
            account = self.accounts.get(SIGNED_BY.get(spec.name))
            first = [account] if account and spec.supporters[0] else []
            rest = [
                p
                for p in with_email
                if p.created_at < closes - timedelta(days=1) and p not in first
            ]
            wanted = min(rng.randint(*spec.supporters), len(rest) + len(first))
            place = spec.places.get
            chosen = first + _sample(
                rng,
                rest,
                max(wanted - len(first), 0),
                lambda p, place=place: place(p.locality.name, 1) if p.locality else 1,
            )
            for person in chosen:
                until = self.now if person in first else closes
                signup = self._signup(campaign, spec, person, max(opens, person.created_at), until)
                confirmed_on[spec.name, person.pk] = signup.confirmed_at
                self.signups.append(signup)
                consents.extend(self._consents(signup, campaign))
        self._invited(confirmed_on)
        self.signups.extend(self._pending())
        self.signups = Signup.objects.bulk_create(self.signups)
        Consent.objects.bulk_create(consents)

    def _signup(self, campaign, spec, person, opens, closes):
        rng = self.rng
        # More people sign in the first weeks, when the campaign is new and talked about.
        confirmed_at = opens + (closes - opens) * rng.random() ** 1.4
        contact = rng.random() < CONSENT_CONTACT
        unsubscribed_at = None
        if contact and rng.random() < UNSUBSCRIBED:
            unsubscribed_at = _between(rng, confirmed_at, closes)
        comment = ""
        if spec.comments and rng.random() < COMMENTED:
            comment = rng.choice(spec.comments)
        return Signup(
            campaign=campaign,
            person=person,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            postcode=person.postcode,
            locality=person.locality,
            comment=comment,
            show_name=rng.random() < SHOW_NAME,
            consent_contact=contact,
            status=Signup.Status.CONFIRMED,
            created_at=max(confirmed_at - timedelta(minutes=rng.randint(1, 600)), opens),
            confirmed_at=confirmed_at,
            unsubscribed_at=unsubscribed_at,
        )

    def _consents(self, signup, campaign):
        """What ``signup_confirm`` records of the supporter's choices."""
        note = f"Signing “{campaign}”"
        for purpose, chosen in (
            (Purpose.CONTACT_EMAIL, signup.consent_contact),
            (Purpose.SHOW_NAME, signup.show_name),
        ):
            if chosen:
                yield Consent(
                    person=signup.person,
                    purpose=purpose,
                    given=True,
                    method=Consent.Method.ONLINE,
                    recorded_at=signup.confirmed_at,
                    note=note,
                )

    def _invited(self, confirmed_on):
        """Some who had signed one of two campaigns standing together came to the other
        through its invitation."""
        for signup in self.signups:
            for name, other in ENDORSEMENTS:
                if signup.campaign.name != other:
                    continue
                earlier = confirmed_on.get((name, signup.person.pk))
                if earlier and earlier < signup.created_at and self.rng.random() < 0.15:
                    signup.invited_from = self.campaigns[name]

    def _pending(self):
        """Names typed on the page whose email has not been confirmed: no Person yet."""
        taken = {email.lower() for email in Person.objects.values_list("email", flat=True)}
        for name, first, last, address, place, days in PENDING:
            email = f"{address}@{DEMO_DOMAIN}"
            if email in taken:
                continue
            created_at = self._days_ago(days).replace(hour=self.rng.randint(8, 21))
            yield Signup(
                campaign=self.campaigns[name],
                first_name=first,
                last_name=last,
                email=email,
                locality=self.places.get(place) if place else None,
                show_name=self.rng.random() < SHOW_NAME,
                consent_contact=self.rng.random() < CONSENT_CONTACT,
                created_at=min(created_at, self.now),
            )

    # Asks and actions -------------------------------------------------------------------

    def _asks(self):
        rng = self.rng
        supporters = {}
        for signup in self.signups:
            if signup.status == Signup.Status.CONFIRMED:
                supporters.setdefault(signup.campaign_id, []).append(signup)
        planned = []
        for spec in CAMPAIGNS:
            campaign = self.campaigns[spec.name]
            for order, ask_spec in enumerate(spec.asks):
                ask = Ask(
                    campaign=campaign,
                    kind=ask_spec.kind,
                    title=ask_spec.title,
                    details=ask_spec.details,
                    suggested_text=ask_spec.suggested_text,
                    target=ask_spec.target,
                    order=order,
                    active=campaign.status == Status.ACTIVE,
                )
                planned.append((ask, ask_spec, spec))
                self.asks.append(ask)
        self.asks = Ask.objects.bulk_create(self.asks)
        for ask, ask_spec, spec in planned:
            signups = supporters.get(ask.campaign_id, [])
            doers = rng.sample(signups, round(len(signups) * ask_spec.share))
            ends = self._ends(spec)
            for signup in sorted(doers, key=lambda s: s.pk):
                self.actions.append(
                    ActionTaken(
                        ask=ask,
                        person=signup.person,
                        note=rng.choice(ACTION_NOTES) if rng.random() < 0.1 else "",
                        taken_at=_between(rng, signup.confirmed_at, ends),
                    )
                )
        self.actions = ActionTaken.objects.bulk_create(self.actions)

    # The update to supporters -----------------------------------------------------------

    def _update(self):
        campaign = self.campaigns[DRY_HOMES]
        sent_at = self._update_sent_at()
        self.update = SupporterUpdate.objects.create(
            campaign=campaign,
            subject=UPDATE_SUBJECT,
            body=UPDATE_BODY,
            status=SupporterUpdate.Status.SENT,
            # Everyone it reached. Its emails are not in the demo's outbox: none is ever sent.
            recipients=recipients_count(campaign),
            created_by=self.organiser or self.staff,
            created_at=sent_at - timedelta(minutes=50),
            sent_at=sent_at,
        )

    # Stories ----------------------------------------------------------------------------

    def _stories(self):
        rng = self.rng
        signers = {}
        for signup in self.signups:
            if signup.person_id and signup.person.user_id is None:
                signers.setdefault(signup.campaign.name, []).append(signup.person)
        told = set()
        for spec in STORIES:
            teller = self.accounts.get(spec.teller) if spec.teller else None
            if teller is None:
                teller = self._teller(rng, spec, signers.get(spec.campaign, []), told)
            if teller is None:
                continue
            told.add(teller.pk)
            created_at = self._days_ago(spec.days_ago).replace(hour=rng.randint(9, 22))
            decided = spec.status != Story.Status.SUBMITTED
            published = spec.status == Story.Status.APPROVED and spec.consent
            decided_at = created_at + timedelta(days=rng.randint(1, 2), hours=rng.randint(1, 5))
            self.stories.append(
                Story(
                    person=teller,
                    campaign=self.campaigns[spec.campaign],
                    title=spec.title,
                    text=spec.text,
                    credit=spec.credit,
                    consent_to_publish=spec.consent,
                    status=spec.status,
                    moderation_note=spec.note,
                    moderated_by=self.staff if decided else None,
                    created_at=created_at,
                    published_at=min(decided_at, self.now) if published else None,
                )
            )
        self.stories = Story.objects.bulk_create(self.stories)

    def _teller(self, rng, spec, signers, told):
        """A supporter of the story's campaign from where it happened, of its community
        when it has one; failing that, any supporter."""
        free = [person for person in signers if person.pk not in told]
        local = [p for p in free if p.locality and p.locality.name in spec.places]
        fitting = [p for p in local if any(tag.name == spec.tag for tag in p.tags.all())]
        for candidates in (fitting if spec.tag else [], local, free):
            if candidates:
                return rng.choice(candidates)
        return None

    # Community activities ---------------------------------------------------------------

    def _activities(self):
        rng = self.rng
        residents = [person for person in self.people if person.user_id is None]
        involved = []
        for spec in ACTIVITIES:
            place = self.places.get(spec.place) if spec.place else None
            local = [p for p in residents if place is None or p.locality_id == place.pk]
            people = rng.sample(local, min(spec.people, len(local)))
            people += [self.accounts[role] for role in spec.accounts if role in self.accounts]
            moved_at = self._days_ago(spec.moved).replace(hour=rng.randint(9, 20))
            description = spec.description
            if spec.stop_reason:  # as ``activity_move`` records why it stopped
                when = formats.date_format(timezone.localdate(moved_at), "j F Y")
                description = f"{description}\n\nStopped on {when}: {spec.stop_reason}"
            self.activities.append(
                Activity(
                    name=spec.name,
                    kind=spec.kind,
                    need=spec.need,
                    description=description,
                    stage=spec.stage,
                    support=spec.support,
                    locality=place,
                    group=self.groups.get(spec.group) if spec.group else None,
                    proposed_by=people[0] if people else None,
                    created_at=min(
                        self._days_ago(spec.started).replace(hour=rng.randint(9, 20)), moved_at
                    ),
                    stage_changed_at=moved_at,
                )
            )
            involved.append(people)
        self.activities = Activity.objects.bulk_create(self.activities)
        Activity.people.through.objects.bulk_create(
            Activity.people.through(activity_id=activity.pk, person_id=person.pk)
            for activity, people in zip(self.activities, involved, strict=True)
            for person in people
        )
