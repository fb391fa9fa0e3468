"""The framework's part of the demo hub (``manage.py seed_demo``, registered in ``apps.py``):
two self-assessment rounds answered by the demo staff and organiser (and one more of either, if
the hub has one), four reflection prompts with what they asked and were answered, a dozen
learnings, and the practices the areas' records serve.

The learnings, tags and "after each event" prompts name the areas' records (the listening
round, events, campaigns), so ``seed_demo`` runs this provider after every area's. It finds
the areas' records through the framework's registries (subjects, taggable kinds, occasions),
never by importing an area, and links what it finds: without an area, its part is simply left
out. Nothing goes to the outbox, so the demo never queues an email.
"""

import itertools
import re
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from hubsite.people.models import Role, User

from .models import (
    AssessmentAnswer,
    AssessmentRound,
    Learning,
    Practice,
    PracticeTag,
    PromptDelivery,
    PromptSchedule,
)
from .registry import occasion_providers, subject_providers, taggable_kinds
from .services.prompts import AUDIENCE_ROLES, period_for

DEMO_DOMAIN = "example.org"
Audience, Frequency = PromptSchedule.Audience, PromptSchedule.Frequency

# Self-assessment ------------------------------------------------------------------------

SPRING = "Spring 2026 self-assessment"
AUTUMN = "Autumn 2026 self-assessment"
# The first round is also how a second run knows the framework is seeded.
MARKER = SPRING

# When each round opened and closed, in days from today: spring's is long closed, autumn's
# is open for another fortnight or so.
ROUND_DAYS = {SPRING: (-237, -210), AUTUMN: (-54, 17)}

# How the hub rated each practice in spring and in autumn, in the card's order within each
# area. Each respondent sees it so, or one step better; they differ only where DIFFER says.
# The listening round, the campaigns and going out on the doorstep show in autumn's figures.
RATINGS = {
    "change": ((3, 3), (2, 2), (1, 2), (2, 2), (2, 3)),
    "action": ((2, 4), (3, 4), (1, 2), (3, 3)),
    "strategy": ((2, 2), (2, 3), (2, 2), (1, 1), (3, 4), (1, 2)),
    "leadership": ((1, 2), (2, 2), (3, 3), (2, 3), (2, 3)),
    "reach": ((2, 3), (2, 4), (1, 2), (2, 2)),
    "listening": ((2, 2), (2, 4), (1, 3), (2, 3)),
    "connect": ((3, 4), (2, 2), (4, 4), (3, 3), (3, 4)),
    "organise": ((2, 2), (1, 2), (2, 2), (2, 2), (3, 3)),
}
BETTER_BY_ONE = 0.35  # how often a respondent rates a practice a step above the hub's view

# Where staff and the organiser see a practice differently: their ratings (and a third
# respondent's), two steps or more apart, so the round shows them to talk about.
DIFFER = {
    SPRING: {
        ("leadership", 3): (4, 2, 3),
        ("organise", 1): (3, 1, 2),
        ("reach", 4): (3, 1, 2),
    },
    AUTUMN: {
        ("leadership", 3): (4, 2, 3),
        ("reach", 4): (3, 1, 2),
        ("connect", 2): (3, 1, 2),
    },
}

# What we're doing and what we'll try next, as each demo account wrote it.
NOTES = {
    SPRING: {
        ("listening", 2): {
            Role.STAFF: (
                "We hear concerns mostly at the Tuesday drop-in, from people who already come.",
                "Get volunteers out on the estates, not only staff.",
            ),
            Role.ORGANISER: (
                "Door-knocking on Larkrise on Saturday mornings, two of us, with the paper form.",
                "A proper listening round across the whole town in the autumn, with a target "
                "and a map of where we have been.",
            ),
        },
        ("listening", 3): {
            Role.ORGANISER: (
                "",
                "Small-table conversations at the tenants' meetings instead of questions from "
                "the floor.",
            ),
        },
        ("reach", 4): {
            Role.STAFF: (
                "Our groups cover both estates, the town centre and Brookside.",
                "Compare who we know with the population figures for each place.",
            ),
            Role.ORGANISER: (
                "Nobody has been to Ashcombe since the bus was cut, and the new streets in "
                "Hatherley don't know we exist.",
                "One session a month in Ashcombe village hall, whatever the turnout.",
            ),
        },
        ("leadership", 3): {
            Role.STAFF: ("Groups set their own agendas; we don't chair their meetings.", ""),
            Role.ORGANISER: (
                "When it gets difficult, staff still write the letters and make the calls, so "
                "residents never get the practice.",
                "Next time the housing association stalls, a resident leads the meeting and we "
                "sit at the back.",
            ),
        },
        ("leadership", 1): {
            Role.STAFF: ("", "Run an Organising 101 morning for residents, not only volunteers."),
        },
        ("organise", 1): {
            Role.STAFF: ("The annual report and the AGM.", ""),
            Role.ORGANISER: (
                "Members never hear what happened to what they told us.",
                "A “you said, we did” sheet in the community rooms every quarter.",
            ),
        },
        ("action", 1): {
            Role.STAFF: (
                "The library petition.",
                "Turn the biggest issue the listening hears into a campaign residents lead.",
            ),
        },
        ("connect", 3): {
            Role.STAFF: (
                "Coffee mornings every week, suppers every couple of months, the repair café.",
                "",
            ),
        },
        ("strategy", 6): {
            Role.ORGANISER: (
                "",
                "Power-map Kelmington Homes before any damp campaign: who actually signs off "
                "repairs?",
            ),
        },
        ("change", 5): {
            Role.STAFF: (
                "Not much beyond recycling in the office.",
                "Ask the growers what the hub could do.",
            ),
        },
    },
    AUTUMN: {
        ("listening", 1): {
            Role.ORGANISER: (
                "The form asks about talents and passions, but it is the last question and we "
                "often run out of time.",
                "Ask “what are you good at?” second, not last.",
            ),
        },
        ("listening", 2): {
            Role.ORGANISER: (
                "Kelmington Listens: a few hundred conversations so far in every ward and "
                "estate, on the doorstep, at the school gate and by phone.",
                "Finish the round in Ashcombe and Hatherley, where we have had the fewest.",
            ),
        },
        ("listening", 3): {
            Role.STAFF: (
                "Small tables at the Larkrise listening session: people talked to each other, "
                "not to us.",
                "",
            ),
        },
        ("reach", 2): {
            Role.STAFF: (
                "Volunteers on the doorstep every week, and stalls at the market and the "
                "school gate.",
                "",
            ),
        },
        ("reach", 4): {
            Role.STAFF: ("Conversations logged in every locality this round.", ""),
            Role.ORGANISER: (
                "Ashcombe and Hatherley are still a handful of conversations each: we are a "
                "town-centre hub that visits.",
                "Ask the Ashcombe crossing group to host the next listening session themselves.",
            ),
        },
        ("leadership", 3): {
            Role.STAFF: ("Residents led the walk with the county councillor.", ""),
            Role.ORGANISER: (
                "When the housing officer came to the Larkrise meeting I still ended up "
                "answering for the residents.",
                "Practise the meeting with two residents beforehand, and agree that I don't speak.",
            ),
        },
        ("leadership", 1): {
            Role.STAFF: ("Organising 101 is booked for next month, open to members.", ""),
        },
        ("connect", 2): {
            Role.STAFF: (
                "The tenants' meetings are open to everyone, with interpreters on request.",
                "",
            ),
            Role.ORGANISER: (
                "The repairs meeting turned into a shouting match and two mums walked out. "
                "We had no ground rules and no plan for it.",
                "Agree ground rules at the start, and have a second facilitator who can take "
                "someone aside.",
            ),
        },
        ("organise", 1): {
            Role.ORGANISER: (
                "The first “you said, we did” sheet went up in the community rooms.",
                "Put it on the website and read it out at the start of every meeting.",
            ),
        },
        ("organise", 2): {
            Role.STAFF: ("", "Ask everyone who signed a campaign to join the hub as a member."),
        },
        ("action", 1): {
            Role.ORGANISER: (
                "Dry Homes: residents wrote to Kelmington Homes and kept damp diaries.",
                "A public hand-in of the diaries, with the local paper there.",
            ),
        },
        ("action", 2): {
            Role.STAFF: (
                "Lent the crossing group the room and the minibus; Dry Homes and Bring Back "
                "the 27 back each other.",
                "",
            ),
        },
        ("strategy", 6): {
            Role.ORGANISER: (
                "We mapped who decides on repairs at Kelmington Homes before the campaign.",
                "Do the same for the county council's highways budget.",
            ),
        },
    },
}

# Reflection prompts ----------------------------------------------------------------------


class ScheduleSpec(NamedTuple):
    question: str
    audience: str
    frequency: str
    periods: int  # how many of the latest periods it went out in, the current one included
    answers: tuple  # what people answered, in turn
    self_assessment: bool = False


SURPRISED = "What did we hear this month that surprised us?"
AFTER_EVENT = "What went well, what would we change?"
OCCASION_DAYS = 56  # the "after each event" prompt: the events of the last eight weeks

SCHEDULES = (
    ScheduleSpec(
        SURPRISED,
        Audience.ORGANISERS,
        Frequency.MONTHLY,
        6,
        (
            "How many people on Larkrise didn't know the community room is free to use. "
            "Three doors in a row said “I thought you had to be on the committee.”",
            "Older people in Ashcombe care more about the bus than the crossing. We had "
            "assumed it was the other way round.",
            "People brought up the cost of heating before we asked about anything, in August.",
            "The Polish families on Fenwick House have the same damp as the Somali families "
            "next door, and they had never talked to each other about it.",
            "Young people at the football said they would come to a meeting if it wasn't "
            "called a meeting.",
            "Two people told us they have stopped reporting repairs because nothing happens. "
            "That is worse than the repairs.",
        ),
    ),
    ScheduleSpec(
        "Time for the self-assessment: how well did we live each practice this quarter?",
        Audience.STAFF_AND_ORGANISERS,
        Frequency.QUARTERLY,
        3,
        (  # in turn to staff and the organiser, quarter by quarter
            "Done: the first time we have rated ourselves against the card, and humbling.",
            "Filled it in. We don't agree on how far we trust residents to lead: worth an hour "
            "at the team meeting.",
            "No round was open this quarter. For the record: the listening round has changed "
            "how we work more than anything this year.",
            "No round this summer, so here: going out on the doorstep every week is the best "
            "thing we have started.",
            "Done. Listening went up a lot for me; I'd like us to talk about Reach.",
            "Done, but I ran out of time for the notes on Strategy.",
        ),
        self_assessment=True,
    ),
    ScheduleSpec(
        "Who did you meet this week that the hub should know?",
        Audience.VOLUNTEERS,
        Frequency.WEEKLY,
        8,
        (
            "Hodan at the coffee morning: she runs a homework club from her flat on Fenwick "
            "House and would love a proper room for it.",
            "A retired electrician on Millbrook who offered to look at the lights in the "
            "community centre. He's in the Tuesday coffee morning most weeks.",
            "Nobody new this week: the rain kept everyone in.",
            "The new manager of the Co-op on Station Road. Happy to put our posters up and "
            "to give the pantry the day's leftover bread.",
            "Two sixth-formers at the football who want to help run it next year.",
            "A grandmother from the Polish Saturday school: the parents want English "
            "conversation classes for the grandparents.",
            "A man at the Ashcombe bus stop who has been writing to the council about the "
            "27 on his own for two years.",
            "The caretaker at Brookside primary: the school hall is free on Saturday mornings "
            "and he would open it for us.",
        ),
    ),
    ScheduleSpec(AFTER_EVENT, Audience.STAFF_AND_ORGANISERS, Frequency.AFTER_OCCASION, 0, ()),
)
ANSWERED = 0.88  # of the prompts of past periods, how many were answered
ANSWERED_NOW = 0.4  # … and of the current period's (or the last few days'), still open for most
JUST_SENT = timedelta(days=3)

# What those who ran an event answered after it, by a word of its name.
AFTER_EVENT_ANSWERS = {
    "community supper": (
        "Went well: the room was full and nobody left early; the puddings went in ten minutes. "
        "Change: we ran out of chairs. Borrow the church hall's next time, and put the "
        "residents' association sign-up sheet on every table.",
    ),
    "Repair café": (
        "Went well: thirty-odd things fixed, and two people asked to become fixers. Change: "
        "the queue for electricals was an hour long; give people a time slot.",
    ),
    "tenants' meeting": (
        "Went well: the housing officer came and gave dates for twelve repairs, in writing. "
        "Change: it got heated and two people walked out. Ground rules at the start, and a "
        "second facilitator.",
    ),
    "Walk the B-road": (
        "Went well: the councillor saw a lorry pass a buggy with a foot to spare and said so "
        "out loud. Change: nobody took photos of the walk itself; name someone to do it.",
    ),
    "Youth football": (
        "Went well: twenty-two young people, eight of them girls. Change: nobody stayed for "
        "the chat at the end; ask the question during the water break instead.",
    ),
    "Listening session": (
        "Went well: small tables worked, and people who never speak at meetings did. Change: "
        "we ran over by forty minutes. Fewer questions, and a timekeeper on each table.",
    ),
    "open meeting": (
        "Went well: a clear vote on the next priority (the lighting). Change: only members "
        "came. Put a notice in the lifts so everyone in the blocks knows.",
    ),
    "planning call": (
        "Went well: everyone left with a job and a date. Change: three people couldn't get "
        "the video to work; send the link the day before, with a phone dial-in.",
    ),
    "Stay and Play": (
        "Went well: the toy swap emptied two tables and three new parents came. Change: too "
        "noisy to talk. Use the side room for the grown-ups' tea.",
    ),
    "coffee morning": (
        "Went well: a quiet, steady morning, and the couple from the tower block came back "
        "for the third week. Change: ask a regular to put the kettle on, so it feels theirs.",
        "Went well: twelve people, and a long talk about the bus. Change: nothing much; the "
        "papers could come from the library rather than us.",
        "Went well: the new volunteer made everyone welcome. Change: it was cold in the hall "
        "until eleven. Put the heating on timer.",
    ),
}
AFTER_EVENT_OTHERWISE = (
    "Went well: people stayed behind to talk. Change: start on time, even if the room is "
    "half empty."
)

# Learning log -----------------------------------------------------------------------------


class LearningSpec(NamedTuple):
    title: str
    happened: str
    learned: str
    differently: str
    practices: tuple  # (area slug, order of the practice in it)
    author: str  # the demo account's role
    days_ago: int
    about: str = ""  # words of the label of what it is about (a registered subject)


LEARNINGS = (
    LearningSpec(
        "Doorstep conversations go further with two of us",
        "On the spring door-knocking runs on Larkrise, volunteers who went alone had short "
        "conversations on the step; pairs were asked in.",
        "People open up to a pair: one listens while the other writes, and the resident feels "
        "heard rather than surveyed.",
        "Always pair a new volunteer with someone who has done it before.",
        (("listening", 4), ("leadership", 1)),
        Role.ORGANISER,
        201,
    ),
    LearningSpec(
        "Evening meetings shut out parents and carers",
        "Almost every group met at half past six; the Stay and Play parents told us they "
        "can never come.",
        "The time of a meeting decides who is in the room, before anyone says a word.",
        "Hold one meeting in three during school hours, with a play corner.",
        (("reach", 3), ("connect", 3)),
        Role.STAFF,
        176,
    ),
    LearningSpec(
        "We rated ourselves higher than residents would",
        "At the spring self-assessment staff rated the hub's accountability “often”; the "
        "organiser rated it “not yet”, and so did the residents she asked.",
        "Members don't see what happens to what they tell us, so to them nothing happens.",
        "Put up a “you said, we did” sheet every quarter, and ask two members to rate us next "
        "round.",
        (("organise", 1), ("leadership", 5)),
        Role.STAFF,
        198,
    ),
    LearningSpec(
        "Interpreters “on request” means nobody requests them",
        "We offered Somali and Polish interpreters at the tenants' meetings if people asked. "
        "Nobody did, and few Somali or Polish residents came.",
        "People don't ask for what they don't expect to get. An offer has to be visible to count.",
        "Book an interpreter for every estate meeting and say so on the poster, in both languages.",
        (("reach", 4), ("connect", 2)),
        Role.ORGANISER,
        121,
    ),
    LearningSpec(
        "Volunteers drift away when nobody says thank you",
        "Three of the regular coffee-morning volunteers stopped coming over the summer; when "
        "asked, two said they didn't think anyone would notice.",
        "A thank-you and a job that is theirs keeps volunteers more than any training.",
        "A volunteers' supper twice a year, and a named role for everyone on the rota.",
        (("connect", 5), ("connect", 4)),
        Role.VOLUNTEER,
        88,
    ),
    LearningSpec(
        "Ashcombe needs its own meetings, not a seat on the bus to town",
        "We invited Ashcombe residents to the town-centre meetings; since the 27 was cut, "
        "they can't get home afterwards.",
        "A meeting people can't reach is a meeting for someone else.",
        "Meet in Ashcombe village hall once a month, and bring the hub to them.",
        (("reach", 2), ("reach", 4)),
        Role.MEMBER,
        63,
    ),
    LearningSpec(
        "Kelmington Listens: damp came up before anything else",
        "In the first weeks of the listening round, damp and mould came up on nearly every "
        "door on both estates, often before we had asked a question.",
        "What people raise unprompted is what they will act on. The survey of eighty homes "
        "came from this, not from us.",
        "Bring what the round hears to the tenants' meetings every month, not at the end.",
        (("listening", 2), ("strategy", 2)),
        Role.ORGANISER,
        41,
        about="Kelmington Listens",
    ),
    LearningSpec(
        "We ask about talents last, and run out of time",
        "On the doorstep I get through the concerns and the hopes, and by the time we reach "
        "“what are you good at?” the door is closing.",
        "The order of the questions decides what we learn. We know the hub's problems better "
        "than its people.",
        "Ask about talents and passions second, straight after concerns.",
        (("listening", 1), ("leadership", 2)),
        Role.VOLUNTEER,
        23,
        about="Kelmington Listens",
    ),
    LearningSpec(
        "Small tables got people talking who never speak at meetings",
        "At the Larkrise listening session we sat people at tables of five with a volunteer "
        "host instead of one big circle.",
        "People talk to each other when they don't have to speak to the whole room, and they "
        "listen to each other too.",
        "Use small tables at the tenants' meetings for the first half hour.",
        (("listening", 3), ("organise", 4)),
        Role.ORGANISER,
        14,
        about="Listening session",
    ),
    LearningSpec(
        "Seeing the road for himself did more than the petition",
        "The county councillor walked the half mile from the school to the bus stop with "
        "twenty residents, and a lorry passed a buggy with a foot to spare.",
        "Decision makers act on what they have seen. A petition tells them, a walk shows them.",
        "Invite the decision maker to the place, not to our meeting.",
        (("leadership", 5), ("strategy", 6), ("action", 1)),
        Role.STAFF,
        27,
        about="Walk the B-road",
    ),
    LearningSpec(
        "The young people wrote the plan, and the council couldn't argue with it",
        "The youth club campaign won when the young people presented their own plan for the "
        "building, with opening times and who would run what.",
        "A plan written by the people it is for answers the council's objections before they "
        "make them.",
        "Start every campaign by asking those affected to write what a win looks like.",
        (("leadership", 4), ("strategy", 3), ("change", 4)),
        Role.STAFF,
        40,
        about="Youth Club",
    ),
    LearningSpec(
        "A damp diary is evidence a landlord can't paint over",
        "Families on Dry Homes kept a diary with a dated photo each week; Kelmington Homes "
        "answered our letter with the diaries in front of them.",
        "Evidence that residents gather themselves is harder to dismiss, and gathering it "
        "keeps people involved between meetings.",
        "Hand the diaries in together, in public.",
        (("action", 1), ("change", 1)),
        Role.ORGANISER,
        9,
        about="Dry Homes",
    ),
)

# Practices the areas' records serve ---------------------------------------------------------


class TagRule(NamedTuple):
    words: str  # what the record's label holds
    practices: tuple  # (area slug, order of the practice in it)
    days_ago: tuple = ()  # tagged between so many days ago (else: after the date it names)


TAG_RULES = (
    TagRule("community supper", (("connect", 1), ("connect", 3), ("connect", 5))),
    TagRule("Repair café", (("connect", 4), ("change", 5))),
    TagRule("tenants' meeting", (("organise", 1), ("leadership", 5), ("listening", 2))),
    TagRule("Walk the B-road", (("leadership", 5), ("strategy", 6), ("action", 1))),
    TagRule("Youth football", (("reach", 3), ("connect", 4))),
    TagRule(
        "Listening session",
        (("listening", 2), ("listening", 3), ("listening", 4), ("reach", 2)),
    ),
    TagRule("open meeting", (("organise", 1),)),
    TagRule("planning call", (("action", 2), ("organise", 3))),
    TagRule("Stay and Play", (("connect", 1), ("reach", 4))),
    TagRule("Organising 101", (("leadership", 1), ("leadership", 2))),
    TagRule("coffee morning", (("connect", 5), ("connect", 1))),
    TagRule("public meeting", (("leadership", 5), ("strategy", 6))),
    TagRule(
        "Dry Homes",
        (("change", 1), ("action", 1), ("strategy", 2), ("strategy", 5)),
        (60, 5),
    ),
    TagRule("Bring Back the 27", (("action", 2), ("leadership", 4), ("organise", 5)), (45, 3)),
    TagRule("Community Pantry", (("action", 3), ("change", 3)), (10, 1)),
    # Campaigns of last year: their practices were lived, but not lately.
    TagRule("Youth Club", (("leadership", 4), ("strategy", 3), ("reach", 3)), (300, 120)),
    TagRule("Canal Path", (("strategy", 1), ("change", 1), ("strategy", 6)), (180, 100)),
)
# The date an event's label ends with, "(5 Nov 2026)".
LABEL_DAY = re.compile(r"\((\d{1,2} [A-Z][a-z]{2} \d{4})\)$")


@transaction.atomic
def seed(*, rng, stdout):
    """The framework's demo data; ``seed_demo`` runs it after every area's."""
    if AssessmentRound.objects.filter(name=MARKER).exists():
        stdout.write(f"Framework: the round {MARKER!r} and the rest are already there.")
        return
    accounts = {role: _demo_account(role) for role in Role.values}
    staff, organiser = accounts[Role.STAFF], accounts[Role.ORGANISER]
    if staff is None or organiser is None:
        stdout.write("Framework: no demo staff or organiser account, so no reflection demo.")
        return
    demo = DemoFramework(rng, accounts)
    demo.create()
    stdout.write(
        f"Framework: {len(ROUND_DAYS)} self-assessment rounds with {demo.answers} answers from "
        f"{len(demo.respondents)} people, {len(SCHEDULES)} reflection prompts sent "
        f"{demo.deliveries} times ({demo.answered} answered), {len(LEARNINGS)} learnings "
        f"({demo.linked} about the hub's work) and {demo.tags} practice tags."
    )


def _demo_account(role):
    """The demo login for ``role`` (role@example.org), or else the first active one."""
    users = User.objects.filter(is_active=True, role=role).order_by("pk")
    return users.filter(email=f"{role}@{DEMO_DOMAIN}").first() or users.first()


class DemoFramework:
    def __init__(self, rng, accounts):
        self.rng = rng
        self.accounts = accounts
        self.staff = accounts[Role.STAFF]
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.practices = {
            (practice.area.slug, practice.order): practice
            for practice in Practice.objects.select_related("area")
        }
        # The demo staff and organiser, and one more of either if the hub has one.
        third = (
            User.objects.filter(is_active=True, role__in=(Role.STAFF, Role.ORGANISER))
            .exclude(pk__in=(self.staff.pk, accounts[Role.ORGANISER].pk))
            .order_by("pk")
            .first()
        )
        self.respondents = [self.staff, accounts[Role.ORGANISER], *([third] if third else [])]
        self.answers = self.deliveries = self.answered = self.linked = self.tags = 0

    def create(self):
        for name in (SPRING, AUTUMN):
            self._round(name)
        records = self._records()
        for spec in SCHEDULES:
            self._schedule(spec)
        self._learnings(records)
        self._tags(records)

    def _at(self, day, hour, minute=0):
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def _days_ago(self, days):
        return self.now - timedelta(days=days, hours=self.rng.randint(0, 6))

    # Self-assessment ----------------------------------------------------------------

    def _round(self, name):
        opens, closes = (self.today + timedelta(days=days) for days in ROUND_DAYS[name])
        round_ = AssessmentRound.objects.create(
            name=name,
            opens_on=opens,
            closes_on=closes,
            created_by=self.staff,
            created_at=self._at(opens - timedelta(days=3), 11),
        )
        # Each answers in one sitting, by the close or by now, whichever comes first.
        last_day = min(closes, self.today - timedelta(days=1))
        rows = []
        for n, respondent in enumerate(self.respondents):
            day = opens + timedelta(days=self.rng.randint(1, (last_day - opens).days))
            answered_at = min(self._at(day, self.rng.randint(9, 16)), self.now)
            role = respondent.role if n < 2 else ""  # the third writes no notes
            for key, practice in self.practices.items():
                doing, try_next = NOTES[name].get(key, {}).get(role, ("", ""))
                rows.append(
                    AssessmentAnswer(
                        round=round_,
                        respondent=respondent,
                        practice=practice,
                        rating=self._rating(name, key, n),
                        doing=doing,
                        try_next=try_next,
                        answered_at=answered_at,
                    )
                )
        AssessmentAnswer.objects.bulk_create(rows)
        self.answers += len(rows)

    def _rating(self, name, key, respondent):
        if key in DIFFER[name]:
            return DIFFER[name][key][respondent]
        area, order = key
        base = RATINGS[area][order - 1][0 if name == SPRING else 1]
        return min(base + int(self.rng.random() < BETTER_BY_ONE), 5)

    # Reflection prompts -------------------------------------------------------------

    def _schedule(self, spec):
        audience = User.objects.filter(is_active=True, role__in=AUDIENCE_ROLES[spec.audience])
        audience = list(audience.order_by("pk"))
        after_event = spec.frequency == Frequency.AFTER_OCCASION
        if after_event:
            due = self._occasions_due(audience)
        else:
            due = [
                (
                    period_for(spec.frequency, day),
                    "",
                    # Never later than now: early on a period's first day it is still due.
                    min(self._at(day, 8, self.rng.randint(0, 40)), self.now),
                )
                for day in self._period_starts(spec.frequency, spec.periods)
            ]
            due = [(period, about, sent_at, audience) for period, about, sent_at in due]
        schedule = PromptSchedule.objects.create(
            question=spec.question,
            audience=spec.audience,
            frequency=spec.frequency,
            self_assessment=spec.self_assessment,
            active=True,
            created_by=self.staff,
            created_at=(due[0][2] if due else self.now) - timedelta(days=self.rng.randint(2, 9)),
        )
        said = itertools.cycle(spec.answers)  # a calendar prompt's answers, in turn
        rows = []
        for period, about, sent_at, recipients in due:
            # The current period's prompt (after an event: the last days') is open for most.
            just_sent = sent_at > self.now - JUST_SENT if after_event else period == due[-1][0]
            for recipient in recipients:
                delivery = PromptDelivery(
                    schedule=schedule,
                    recipient=recipient,
                    period=period,
                    about=about,
                    sent_at=sent_at,
                )
                answer = self._after_event(about) if after_event else next(said)
                answered_at = sent_at + timedelta(hours=self.rng.randint(3, 70))
                chance = ANSWERED_NOW if just_sent else ANSWERED
                if answered_at < self.now and self.rng.random() < chance:
                    delivery.answer, delivery.answered_at = answer, answered_at
                rows.append(delivery)
        PromptDelivery.objects.bulk_create(rows)
        self.deliveries += len(rows)
        self.answered += sum(1 for row in rows if row.answered_at)

    def _period_starts(self, frequency, count):
        """The first days of the latest ``count`` weeks, months or quarters, oldest first."""
        if frequency == Frequency.WEEKLY:
            monday = self.today - timedelta(days=self.today.weekday())
            return [monday - timedelta(weeks=n) for n in reversed(range(count))]
        step = 3 if frequency == Frequency.QUARTERLY else 1
        months = self.today.year * 12 + self.today.month - 1
        months -= months % step
        return [
            date((months - n * step) // 12, (months - n * step) % 12 + 1, 1)
            for n in reversed(range(count))
        ]

    def _occasions_due(self, audience):
        """The events that ended in the last weeks, each with those of ``audience`` who ran it,
        sent the morning after (or, for today's, now) as the beat tick would have."""
        users = {user.pk: user for user in audience}
        limit = PromptDelivery._meta.get_field("about").max_length
        mornings = [self._at(self.today - timedelta(days=n), 8, 5) for n in range(OCCASION_DAYS)]
        ticks = sorted({morning for morning in mornings if morning < self.now} | {self.now})
        due, seen = [], set()
        for since, until in itertools.pairwise([ticks[0] - timedelta(days=1), *ticks]):
            for provider in occasion_providers().values():
                for occasion in provider(since, until):
                    ran_it = [users[pk] for pk in sorted(occasion.user_ids) if pk in users]
                    if ran_it and occasion.key not in seen:
                        seen.add(occasion.key)
                        due.append((occasion.key, occasion.label[:limit], until, ran_it))
        return due

    def _after_event(self, about):
        """What those who ran the event answered, by a word of its name."""
        for words, said in AFTER_EVENT_ANSWERS.items():
            if words.lower() in about.lower():
                return self.rng.choice(said)
        return AFTER_EVENT_OTHERWISE

    # Learnings and tags -------------------------------------------------------------

    def _records(self):
        """What the areas' providers offer a learning to be about, as staff see it: the
        listening round, recent events, campaigns."""
        return [
            subject for provider in subject_providers().values() for subject in provider(self.staff)
        ]

    def _learnings(self, records):
        learnings, practices, areas = [], [], []
        subject_limit = Learning._meta.get_field("subject_label").max_length
        for spec in LEARNINGS:
            author = self.accounts.get(spec.author) or self.staff
            subject = next((s for s in records if spec.about and spec.about in s.label), None)
            learnings.append(
                Learning(
                    title=spec.title,
                    happened=spec.happened,
                    learned=spec.learned,
                    differently=spec.differently,
                    subject_key=subject.key if subject else "",
                    subject_label=subject.label[:subject_limit] if subject else "",
                    author=author,
                    created_at=self._days_ago(spec.days_ago),
                )
            )
        Learning.objects.bulk_create(learnings)
        for learning, spec in zip(learnings, LEARNINGS, strict=True):
            tagged = [self.practices[key] for key in spec.practices]
            practices += [
                Learning.practices.through(learning_id=learning.pk, practice_id=practice.pk)
                for practice in tagged
            ]
            # A practice belongs to an area: the learning is about that area too.
            areas += [
                Learning.areas.through(learning_id=learning.pk, area_id=area_id)
                for area_id in sorted({practice.area_id for practice in tagged})
            ]
        Learning.practices.through.objects.bulk_create(practices)
        Learning.areas.through.objects.bulk_create(areas)
        self.linked = sum(1 for learning in learnings if learning.subject_key)

    def _tags(self, records):
        """Tag the areas' records as those who run them would have, each record described by
        its area (only the kinds an area registered as taggable)."""
        kinds = taggable_kinds()
        taggers = [
            user
            for user in (self.staff, self.accounts[Role.ORGANISER], self.accounts[Role.VOLUNTEER])
            if user
        ]
        label_limit = PracticeTag._meta.get_field("label").max_length
        rows = []
        for record in records:
            kind, _, object_id = record.key.partition(":")
            rule = next((r for r in TAG_RULES if r.words.lower() in record.label.lower()), None)
            if rule is None or kind not in kinds:
                continue
            described = kinds[kind](self.staff, int(object_id))
            if described is None:
                continue
            tagged_by, tagged_at = self.rng.choice(taggers), self._tagged_at(rule, record.label)
            rows += [
                PracticeTag(
                    practice=self.practices[key],
                    kind=kind,
                    object_id=int(object_id),
                    label=described.label[:label_limit],
                    url=described.url,
                    tagged_by=tagged_by,
                    tagged_at=tagged_at,
                )
                for key in rule.practices
            ]
        PracticeTag.objects.bulk_create(rows, ignore_conflicts=True)
        self.tags = len(rows)

    def _tagged_at(self, rule, label):
        """When a record was tagged: between the rule's days, or the morning after the day
        its label names (a few days ago for what has not happened yet)."""
        if rule.days_ago:
            most, least = rule.days_ago
            return self._days_ago(self.rng.randint(least, most))
        match = LABEL_DAY.search(label)
        try:
            day = datetime.strptime(match[1], "%d %b %Y").date() if match else None
        except ValueError:
            day = None
        if day is None or day >= self.today:
            return self._days_ago(self.rng.randint(1, 3))
        return self._at(day + timedelta(days=1), 10, self.rng.randint(0, 59))
