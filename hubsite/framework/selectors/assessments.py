"""Read queries of the self-assessment: the rounds, where the respondents of a round agree and
differ on each practice, and how each area's rating moves from round to round. Every figure is
an aggregate in SQL, and each function runs a fixed number of queries whatever the data."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, Sum
from django.utils import timezone
from django.utils.dateformat import format as date_format

from hubsite.people.models import User

from ..models import Area, AssessmentAnswer, AssessmentRound, Practice

# How far apart the ratings of one practice may be and still count as agreement: on a five-point
# scale, neighbours ("sometimes" and "often") see the same practice; two steps or more apart
# ("starting" and "often") see it differently, and the hub should talk about why.
AGREE_WITHIN = 1

# The trend shows this many of the latest rounds (a quarterly round: five years).
TREND_ROUNDS = 20


# What each rating means, looked up once for the hundreds of answers a round's page shows.
RATING_LABELS = dict(AssessmentAnswer.Rating.choices)


class RoundState:
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


def round_state(round_, today=None) -> str:
    """Whether ``round_`` takes answers today: open from ``opens_on`` to ``closes_on`` (both
    days included; without a closing date it stays open)."""
    today = today or timezone.localdate()
    if today < round_.opens_on:
        return RoundState.UPCOMING
    if round_.closes_on and today > round_.closes_on:
        return RoundState.CLOSED
    return RoundState.OPEN


def round_state_message(round_, today=None) -> str:
    """Why ``round_`` does not take answers, in words a person understands ("" when open)."""
    state = round_state(round_, today)
    if state == RoundState.UPCOMING:
        opens = date_format(round_.opens_on, "j F Y")
        return f"This round opens on {opens}: answers can be given from then."
    if state == RoundState.CLOSED:
        closed = date_format(round_.closes_on, "j F Y")
        return f"This round closed on {closed}: its answers can no longer change."
    return ""


def round_list():
    """Every round, the latest first, with how many people answered it."""
    return AssessmentRound.objects.annotate(
        respondent_count=Count("answers__respondent", distinct=True)
    ).order_by("-opens_on", "-id")


def answers_of(round_, respondent):
    """``respondent``'s answers in ``round_``, by practice id (to prefill their form)."""
    return {
        answer.practice_id: answer
        for answer in AssessmentAnswer.objects.filter(round=round_, respondent=respondent)
    }


def practice_list():
    """Every practice with its area, in the framework's order."""
    return Practice.objects.select_related("area").order_by("area__order", "order")


def _label(spread, respondents):
    if respondents < 2:
        return "one view"
    return "agree" if spread <= AGREE_WITHIN else "differ"


@dataclass
class PracticeSummary:
    practice: Practice
    respondents: int = 0
    total: int = 0
    low: int | None = None
    high: int | None = None
    answers: list = field(default_factory=list)

    @property
    def mean(self):
        return self.total / self.respondents if self.respondents else None

    @property
    def spread(self):
        return self.high - self.low if self.respondents else None

    @property
    def agreement(self):
        """ "agree" (ratings at most one step apart), "differ" (two steps or more), "one view"
        (a single respondent: nothing to compare), or "" (nobody rated it)."""
        return _label(self.spread, self.respondents) if self.respondents else ""

    @property
    def notes(self):
        """The answers that say what we do or will try, for the notes under the table."""
        return [answer for answer in self.answers if answer.doing or answer.try_next]


@dataclass
class AreaSummary:
    area: object
    practices: list = field(default_factory=list)

    @property
    def ratings(self):
        return sum(summary.respondents for summary in self.practices)

    @property
    def mean(self):
        """The mean of every rating given on the area's practices."""
        ratings = self.ratings
        return sum(summary.total for summary in self.practices) / ratings if ratings else None


@dataclass
class RoundSummary:
    round: AssessmentRound
    areas: list
    respondents: list

    def _rated(self, agreement):
        return [
            summary
            for area in self.areas
            for summary in area.practices
            if summary.agreement == agreement
        ]

    @property
    def agree(self):
        return self._rated("agree")

    @property
    def differ(self):
        """The practices the respondents see differently, the widest spread first."""
        return sorted(self._rated("differ"), key=lambda summary: -summary.spread)

    def chart(self):
        """Per area: the mean and the range (lowest to highest) of each practice's ratings."""
        return {
            area.area.slug: {
                "labels": [summary.practice.text for summary in area.practices],
                "mean": [
                    round(summary.mean, 2) if summary.respondents else None
                    for summary in area.practices
                ],
                "range": [
                    [summary.low, summary.high] if summary.respondents else None
                    for summary in area.practices
                ],
            }
            for area in self.areas
        }


def round_summary(round_):
    """Per practice of ``round_``: how many rated it, the mean, lowest and highest rating, the
    spread and whether the respondents agree; grouped by area, with each answer's notes.

    Three queries: the aggregates per practice, the practices, and the answers themselves
    (for the notes and the list of respondents)."""
    figures = {
        row["practice"]: row
        for row in AssessmentAnswer.objects.filter(round=round_)
        .values("practice")
        .annotate(
            respondents=Count("respondent", distinct=True),
            total=Sum("rating"),
            low=Min("rating"),
            high=Max("rating"),
        )
        .order_by()
    }
    # Only what the page shows of each answer, with its respondent's name joined: a round
    # holds every respondent's answer to every practice, so no user or person is made per row.
    answers = (
        AssessmentAnswer.objects.filter(round=round_)
        .only("round_id", "respondent_id", "practice_id", "rating", "doing", "try_next")
        .annotate(
            respondent_first_name=F("respondent__person__first_name"),
            respondent_last_name=F("respondent__person__last_name"),
            respondent_email=F("respondent__email"),
        )
        .order_by("practice_id", "respondent__email")
    )
    by_practice, respondents = {}, {}
    for answer in answers:
        respondent = respondents.get(answer.respondent_id)
        if respondent is None:
            respondent = respondents[answer.respondent_id] = User(
                pk=answer.respondent_id, email=answer.respondent_email
            )
            respondent.respondent_name = (  # their person's full name, else their email
                answer.respondent_email
                if answer.respondent_first_name is None
                else f"{answer.respondent_first_name} {answer.respondent_last_name}".strip()
            )
        answer.respondent_name = respondent.respondent_name
        answer.rating_label = RATING_LABELS.get(answer.rating, "")
        by_practice.setdefault(answer.practice_id, []).append(answer)
    areas = {}
    for practice in practice_list():
        row = figures.get(practice.pk, {})
        summary = PracticeSummary(
            practice=practice,
            respondents=row.get("respondents", 0),
            total=row.get("total") or 0,
            low=row.get("low"),
            high=row.get("high"),
            answers=by_practice.get(practice.pk, []),
        )
        areas.setdefault(practice.area_id, AreaSummary(area=practice.area)).practices.append(
            summary
        )
    return RoundSummary(
        round=round_,
        areas=list(areas.values()),
        respondents=sorted(respondents.values(), key=lambda user: user.respondent_name.lower()),
    )


@dataclass
class Trend:
    rounds: list
    # (area, [mean or None per round]) in the framework's order, then "All areas".
    rows: list

    def chart(self):
        return {
            "labels": [round_.name for round_ in self.rounds],
            "datasets": [
                {
                    "label": str(area),
                    "data": [None if mean is None else round(mean, 2) for mean in means],
                }
                for area, means in self.rows
            ],
        }


def trend(limit=TREND_ROUNDS):
    """Each area's mean rating in each of the latest ``limit`` rounds, the oldest round first;
    a last row holds the mean of all ratings of the round. Three queries."""
    rounds = list(round_list().order_by("-opens_on", "-id")[:limit])
    rounds.reverse()
    rows = (
        AssessmentAnswer.objects.filter(round__in=[round_.pk for round_ in rounds])
        .values("round", "practice__area")
        .annotate(total=Sum("rating"), ratings=Count("id"))
        .order_by()
    )
    sums = {(row["round"], row["practice__area"]): (row["total"], row["ratings"]) for row in rows}
    areas = {area.pk: area for area in Area.objects.order_by("order")}

    def mean(round_, area_ids):
        total = sum(sums.get((round_.pk, area_id), (0, 0))[0] for area_id in area_ids)
        ratings = sum(sums.get((round_.pk, area_id), (0, 0))[1] for area_id in area_ids)
        return total / ratings if ratings else None

    table = [
        (area, [mean(round_, [area_id]) for round_ in rounds]) for area_id, area in areas.items()
    ]
    table.append(("All areas", [mean(round_, list(areas)) for round_ in rounds]))
    return Trend(rounds=rounds, rows=table)
