"""The framework's part of the benchmark hub (``manage.py seed_bench``, registered in
``apps.py``) and the framework's pages that the benchmark measures (``bench/run.py``).

Three years of reflection: a self-assessment round every quarter answered by the team that
runs the hub, reflection prompts sent every week, month, quarter and after events with most
of them answered, a few thousand learnings in the log, and the areas' records tagged with the
practices they serve. The words come from the demo hub's phrases.

The framework's generator runs before the areas' (its app is installed first), so it names
the areas' records only as the registries would (``connect.event:42``), by numbers in the
ranges the areas' generators fill: the same hub comes out whether it runs alone on a seeded
database or within ``seed_bench``.
"""

import itertools
from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from hubsite.people.bench import bulk_insert, sample_ids
from hubsite.people.models import Role, User

from .demo import AFTER_EVENT_ANSWERS, AFTER_EVENT_OTHERWISE, LEARNINGS, NOTES, SCHEDULES
from .models import (
    Area,
    AssessmentAnswer,
    AssessmentRound,
    Learning,
    Practice,
    PracticeTag,
    PromptDelivery,
    PromptSchedule,
)
from .services.prompts import period_for

BATCH = 2000
YEARS = 3
ROUNDS = 4 * YEARS  # a self-assessment every quarter, the latest one open
# A round is answered by the team that runs the hub (staff and organisers), a score of
# people even in a large hub: its page shows every answer, which is what it is for.
RESPONDENTS = 20
LEARNINGS_PER_HUB = 3000
TAGS_PER_HUB = 4000
EVENTS_PER_HUB = 2000  # ``seed_bench``'s events at hub scale: the occasions prompted after
ANSWERED = 0.7  # of the prompts of past periods, how many were answered
Audience, Frequency = PromptSchedule.Audience, PromptSchedule.Frequency

# (question, audience, frequency, self-assessment): every calendar prompt of the demo hub's
# and one to the staff every week; the demo's "after each event" prompt goes after events.
WEEKLY_STAFF = "What did we learn this week, and who should hear about it?"
OCCASIONS = (
    "Community supper",
    "Repair café",
    "Tenants' meeting",
    "Listening session",
    "Coffee morning",
    "Stay and Play",
    "Organising 101",
    "Youth football",
    "Public meeting",
)
# The areas' records a practice tag or a learning names, with the share of the hub-scale
# count their generators make (seed_bench's HUB numbers).
RECORDS = (
    ("listening.conversation", "Conversation", 100_000),
    ("connect.event", "Event", 2_000),
    ("action.campaign", "Campaign", 100),
    ("listening.round", "Listening round", 50),
)


def _count(scale, per_hub, least):
    return max(least, round(per_hub * scale.get("factor", 1)))


class FrameworkBench:
    def __init__(self, scale, rng):
        self.scale, self.rng = scale, rng
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.start = self.today - timedelta(days=365 * YEARS)
        self.practices = list(
            Practice.objects.select_related("area").order_by("area__order", "order")
        )
        self.by_key = {(p.area.slug, p.order): p for p in self.practices}
        self.areas = list(Area.objects.order_by("order"))
        self.users = {
            role: list(
                User.objects.filter(role=role, is_active=True)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for role in (Role.STAFF, Role.ORGANISER, Role.VOLUNTEER)
        }
        self.notes = [
            said
            for by_key in NOTES.values()
            for by_role in by_key.values()
            for said in by_role.values()
        ]

    def _at(self, day, hour, minute=0):
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def _moment(self, days_ago_most, days_ago_least=0):
        moment = self.now - timedelta(
            days=self.rng.randint(days_ago_least, days_ago_most),
            minutes=self.rng.randint(0, 600),
        )
        return min(moment, self.now)

    # Self-assessment ------------------------------------------------------------------

    def rounds(self):
        team = self.users[Role.STAFF] + self.users[Role.ORGANISER]
        # The bench staff and organiser (the first of each role) answer every closed round.
        regulars = [ids[0] for ids in (self.users[Role.STAFF], self.users[Role.ORGANISER]) if ids]
        others = [pk for pk in team if pk not in regulars]
        quarter = self.today.month - 1 - (self.today.month - 1) % 3
        rounds, answers = [], []
        for n in range(ROUNDS):
            back = ROUNDS - 1 - n  # quarters before the current one
            months = self.today.year * 12 + quarter - 3 * back
            opens = date(months // 12, months % 12 + 1, 1) + timedelta(days=14)
            closes = opens + timedelta(days=40)
            if back == 0:  # the current quarter's is open, for a fortnight more
                opens = min(opens, self.today - timedelta(days=20))
                closes = max(closes, self.today + timedelta(days=14))
            year, q = months // 12, months % 12 // 3 + 1
            rounds.append(
                AssessmentRound(
                    name=f"Q{q} {year} self-assessment",
                    opens_on=opens,
                    closes_on=closes,
                    created_by_id=regulars[0] if regulars else None,
                    created_at=self._at(opens - timedelta(days=3), 11),
                )
            )
        bulk_insert(AssessmentRound, rounds)
        for n, round_ in enumerate(rounds):
            last = round_.closes_on >= self.today
            # The hub's view of each practice grows over the years, one step in three.
            view = {
                p.pk: 2 + (n * 3 // ROUNDS) + self.rng.choice((-1, 0, 0, 1)) for p in self.practices
            }
            respondents = self.rng.sample(others, min(len(others), RESPONDENTS - len(regulars)))
            respondents += regulars[:1] if last else regulars  # the organiser has yet to answer
            last_day = min(round_.closes_on, self.today - timedelta(days=1))
            for respondent in respondents:
                day = round_.opens_on + timedelta(
                    days=self.rng.randint(0, max(0, (last_day - round_.opens_on).days))
                )
                answered_at = min(self._at(day, self.rng.randint(9, 17)), self.now)
                for practice in self.practices:
                    rating = view[practice.pk] + self.rng.choice((-1, 0, 0, 0, 1, 2))
                    noted = self.rng.random()
                    doing, try_next = self.rng.choice(self.notes) if noted < 0.3 else ("", "")
                    answers.append(
                        AssessmentAnswer(
                            round_id=round_.pk,
                            respondent_id=respondent,
                            practice_id=practice.pk,
                            rating=min(max(rating, 1), 5),
                            doing=doing,
                            try_next=try_next if noted < 0.2 else "",
                            answered_at=answered_at,
                        )
                    )
        bulk_insert(AssessmentAnswer, answers)
        return len(rounds), len(answers)

    # Reflection prompts ---------------------------------------------------------------

    def prompts(self):
        staff, organisers = self.users[Role.STAFF], self.users[Role.ORGANISER]
        volunteers = self.users[Role.VOLUNTEER]
        by = staff[0] if staff else None
        specs = [
            (WEEKLY_STAFF, Audience.STAFF, Frequency.WEEKLY, False, staff, ()),
            *(
                (
                    spec.question,
                    spec.audience,
                    spec.frequency,
                    spec.self_assessment,
                    {
                        Audience.ORGANISERS: organisers,
                        Audience.STAFF_AND_ORGANISERS: staff + organisers,
                        Audience.VOLUNTEERS: volunteers,
                        Audience.STAFF: staff,
                    }.get(spec.audience, []),
                    spec.answers,
                )
                for spec in SCHEDULES
            ),
        ]
        deliveries, sent = [], 0
        for question, audience, frequency, self_assessment, recipients, said in specs:
            schedule = PromptSchedule.objects.create(
                question=question,
                audience=audience,
                frequency=frequency,
                self_assessment=self_assessment,
                active=True,
                created_by_id=by,
                created_at=self._at(self.start - timedelta(days=7), 10),
            )
            if frequency == Frequency.AFTER_OCCASION:
                due = self._occasions(staff + organisers)
            else:
                due = [
                    (period_for(frequency, day), "", min(self._at(day, 8), self.now), recipients)
                    for day in self._period_starts(frequency)
                ]
            answers = itertools.cycle(said or (AFTER_EVENT_OTHERWISE,))
            for period, about, sent_at, who in due:
                current = sent_at > self.now - timedelta(days=7)
                for recipient in who:
                    delivery = PromptDelivery(
                        schedule_id=schedule.pk,
                        recipient_id=recipient,
                        period=period,
                        about=about,
                        sent_at=sent_at,
                    )
                    answered_at = sent_at + timedelta(hours=self.rng.randint(2, 90))
                    if not current and answered_at < self.now and self.rng.random() < ANSWERED:
                        delivery.answer = self._answer(about) if about else next(answers)
                        delivery.answered_at = answered_at
                    deliveries.append(delivery)
                if len(deliveries) >= BATCH:
                    sent += len(bulk_insert(PromptDelivery, deliveries))
                    deliveries = []
        sent += len(bulk_insert(PromptDelivery, deliveries))
        return len(specs), sent

    def _period_starts(self, frequency):
        """The first days of every week, month or quarter of the hub's years, oldest first."""
        if frequency == Frequency.WEEKLY:
            monday = self.today - timedelta(days=self.today.weekday())
            weeks = (self.today - self.start).days // 7
            return [monday - timedelta(weeks=n) for n in reversed(range(weeks))]
        step = 3 if frequency == Frequency.QUARTERLY else 1
        months = self.today.year * 12 + self.today.month - 1
        months -= months % step
        return [
            date((months - n * step) // 12, (months - n * step) % 12 + 1, 1)
            for n in reversed(range(12 * YEARS // step))
        ]

    def _occasions(self, team):
        """The hub's events of the years, each prompted the morning after to one or two of
        those who ran it (numbered as connect's generator numbers its events)."""
        events = _count(self.scale, EVENTS_PER_HUB, 4)
        due = []
        for number in range(1, events + 1):
            day = self.start + timedelta(days=self.rng.randint(0, (self.today - self.start).days))
            sent_at = min(self._at(day + timedelta(days=1), 8, 5), self.now)
            what = self.rng.choice(OCCASIONS)
            about = f"{what} ({day:%-d %b %Y})"
            who = self.rng.sample(team, min(len(team), self.rng.choice((1, 1, 2))))
            due.append((f"event:{number}", about, sent_at, who))
        return sorted(due, key=lambda row: row[2])

    def _answer(self, about):
        for words, said in AFTER_EVENT_ANSWERS.items():
            if words.lower() in about.lower():
                return self.rng.choice(said)
        return AFTER_EVENT_OTHERWISE

    # Learnings and practice tags ------------------------------------------------------

    def _record(self):
        kind, label, per_hub = self.rng.choice(RECORDS)
        return kind, label, self.rng.randint(1, _count(self.scale, per_hub, 1))

    def learnings(self):
        authors = (
            self.users[Role.STAFF] * 4 + self.users[Role.ORGANISER] * 2 + self.users[Role.VOLUNTEER]
        )
        count = _count(self.scale, LEARNINGS_PER_HUB, 12)
        learnings, practices, areas = [], [], []
        for n in range(count):
            # The demo's learnings first, then ones told in their words, mixed.
            spec, *others = (
                [LEARNINGS[n]] * 3 if n < len(LEARNINGS) else self.rng.sample(LEARNINGS, 3)
            )
            created_at = self._moment(365 * YEARS)
            key = label = ""
            if self.rng.random() < 0.4:
                kind, noun, number = self._record()
                key, label = f"{kind}:{number}", f"{noun} {number} ({created_at:%-d %b %Y})"
            learnings.append(
                Learning(
                    title=spec.title,
                    happened=spec.happened,
                    learned=others[0].learned,
                    differently=others[1].differently,
                    subject_key=key,
                    subject_label=label,
                    author_id=self.rng.choice(authors) if authors else None,
                    created_at=created_at,
                )
            )
        bulk_insert(Learning, learnings)
        for n, learning in enumerate(learnings):
            if n < len(LEARNINGS):
                keys = LEARNINGS[n].practices
                tagged = [self.by_key[key] for key in keys if key in self.by_key]
            else:  # the others are tagged as their writers saw them
                tagged = self.rng.sample(self.practices, self.rng.choice((0, 1, 1, 2, 3)))
            practices += [
                Learning.practices.through(learning_id=learning.pk, practice_id=practice.pk)
                for practice in tagged
            ]
            area_ids = {practice.area_id for practice in tagged}
            if self.rng.random() < 0.2:
                area_ids.add(self.rng.choice(self.areas).pk)
            areas += [
                Learning.areas.through(learning_id=learning.pk, area_id=area_id)
                for area_id in sorted(area_ids)
            ]
        bulk_insert(Learning.practices.through, practices)
        bulk_insert(Learning.areas.through, areas)
        return len(learnings)

    def tags(self):
        taggers = self.users[Role.STAFF] + self.users[Role.ORGANISER] + self.users[Role.VOLUNTEER]
        # Some practices are lived often, some rarely: the dashboard names the least lived.
        weights = [self.rng.choice((1, 2, 4, 8)) for _ in self.practices]
        rows, seen = [], set()
        for _ in range(_count(self.scale, TAGS_PER_HUB, 20)):
            kind, noun, number = self._record()
            tagged_at = self._moment(365 * YEARS)
            for practice in self.rng.choices(self.practices, weights, k=self.rng.randint(1, 3)):
                if (practice.pk, kind, number) in seen:
                    continue
                seen.add((practice.pk, kind, number))
                rows.append(
                    PracticeTag(
                        practice_id=practice.pk,
                        kind=kind,
                        object_id=number,
                        label=f"{noun} {number} ({tagged_at:%-d %b %Y})",
                        tagged_by_id=self.rng.choice(taggers) if taggers else None,
                        tagged_at=tagged_at,
                    )
                )
        bulk_insert(PracticeTag, rows)
        return len(rows)


def generate(*, scale, rng, stdout):
    bench = FrameworkBench(scale, rng)
    if not bench.practices or not bench.users[Role.STAFF]:
        stdout.write("framework: no practices or staff from the core; nothing made.")
        return
    rounds, answers = bench.rounds()
    schedules, deliveries = bench.prompts()
    learnings = bench.learnings()
    tags = bench.tags()
    stdout.write(
        f"framework: {rounds} self-assessment rounds ({answers} answers), {schedules} prompts "
        f"sent {deliveries} times, {learnings} learnings, {tags} practice tags."
    )


def pages(rng):
    """The dashboard as the roles the core's pages leave out, and the framework's pages, as
    ``bench/run.py`` reads them."""
    rounds = list(AssessmentRound.objects.order_by("-opens_on").values_list("pk", flat=True)[:4])
    learnings = sample_ids(Learning.objects.all(), rng)
    schedules = sample_ids(PromptSchedule.objects.all(), rng, k=5)
    area = Area.objects.order_by("order").values_list("slug", flat=True).first()
    return [
        {"name": "hub dashboard (organiser)", "as": "organiser", "paths": [reverse("home")]},
        {"name": "hub dashboard (member)", "as": "member", "paths": [reverse("home")]},
        {"name": "framework: overview", "as": "member", "paths": [reverse("framework:overview")]},
        {
            "name": "framework: self-assessment",
            "as": "staff",
            "paths": [reverse("framework:assessment_list")],
        },
        {
            "name": "framework: round",
            "as": "organiser",
            "paths": [reverse("framework:assessment_detail", args=[pk]) for pk in rounds],
        },
        {
            "name": "framework: trend",
            "as": "staff",
            "paths": [reverse("framework:assessment_trend")],
        },
        {
            "name": "framework: learning log",
            "as": "volunteer",
            "paths": [reverse("framework:learning_list")],
        },
        {
            "name": "framework: learning log (search)",
            "as": "staff",
            "paths": [
                reverse("framework:learning_list") + query
                for query in ("?q=doorstep", f"?area={area}", "?q=meeting&kind=connect.event")
            ],
        },
        {
            "name": "framework: learning",
            "as": "staff",
            "paths": [reverse("framework:learning_detail", args=[pk]) for pk in learnings],
        },
        {"name": "framework: prompts", "as": "staff", "paths": [reverse("framework:prompt_list")]},
        {
            "name": "framework: prompt answers",
            "as": "staff",
            "paths": [reverse("framework:prompt_answers", args=[pk]) for pk in schedules],
        },
        {
            "name": "framework: my prompts",
            "as": "organiser",
            "paths": [reverse("framework:prompt_mine")],
        },
    ]
