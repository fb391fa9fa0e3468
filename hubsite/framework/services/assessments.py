"""Writes of the self-assessment: starting a round, and saving one person's answers to it.
Each re-checks the rules it owns and raises a ValidationError a person can read; an answer set
is saved whole or not at all."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hubsite.people.rules import STAFF, STAFF_AND_ORGANISERS, has_role

from ..models import AssessmentAnswer, AssessmentRound, Practice
from ..selectors.assessments import RoundState, round_state, round_state_message

# The notes are short: a sentence or two on what we do and what we will try.
NOTE_MAX_LENGTH = 1000
RATINGS = AssessmentAnswer.Rating
RATING_HELP = (
    f"a whole number from 1 ({RATINGS(1).label.lower()}) to 5 ({RATINGS(5).label.lower()})"
)

NAME_TAKEN = "A round with this name already exists: choose another name."


@transaction.atomic
def round_create(*, created_by, name, opens_on, closes_on=None):
    """Start a dated assessment round that staff and organisers then answer."""
    if not has_role(created_by, STAFF):
        raise PermissionDenied("Only hub staff can start an assessment round.")
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["name"] = "Give the round a name, for example “Spring 2026”."
    elif len(name) > AssessmentRound._meta.get_field("name").max_length:
        errors["name"] = "Keep the name under 120 characters."
    elif AssessmentRound.objects.filter(name__iexact=name).exists():
        errors["name"] = NAME_TAKEN
    if opens_on is None:
        errors["opens_on"] = "Enter the day the round opens."
    elif closes_on and closes_on < opens_on:
        errors["closes_on"] = "The round cannot close before it opens."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return AssessmentRound.objects.create(
                name=name, opens_on=opens_on, closes_on=closes_on, created_by=created_by
            )
    except IntegrityError:  # someone took the name a moment ago
        raise ValidationError({"name": NAME_TAKEN}) from None


def _rating(value, practice):
    if isinstance(value, bool):  # True is an int in Python, not a rating
        value = None
    try:
        rating = int(value)
    except (TypeError, ValueError):
        rating = None
    if rating not in RATINGS.values or str(value).strip() != str(rating):
        raise ValidationError(f"Rate “{practice}” with {RATING_HELP}.")
    return rating


def _note(value, practice, what):
    note = str(value or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(f"Keep “{what}” for “{practice}” under {NOTE_MAX_LENGTH} characters.")
    return note


@transaction.atomic
def answers_save(*, round, respondent, answers):
    """Save ``respondent``'s whole answer set to ``round``: ``answers`` maps a practice id to
    ``(rating, doing, try_next)``. A practice left out is no longer rated by them, so a person
    who comes back while the round is open can change or take back any answer. Any bad answer
    refuses the whole set, and nothing is saved. Returns the number of practices rated."""
    if not has_role(respondent, STAFF_AND_ORGANISERS):
        raise PermissionDenied("Only hub staff and organisers answer the self-assessment.")
    # Lock the round, so that it cannot be changed under an answer set being saved.
    round = AssessmentRound.objects.select_for_update().get(pk=round.pk)
    if round_state(round) != RoundState.OPEN:
        raise ValidationError({"round": round_state_message(round)})
    if not answers:
        raise ValidationError({"answers": "Rate at least one practice before saving."})
    try:
        answers = {int(pk): answer for pk, answer in answers.items()}
    except (TypeError, ValueError):
        answers = {}
    practices = Practice.objects.in_bulk(list(answers))
    if not answers or len(practices) != len(answers):
        raise ValidationError(
            {"answers": "Some of these practices are not in the framework: reload the form."}
        )
    errors, rows = [], []
    now = timezone.now()
    for practice_id, answer in answers.items():
        practice = practices[practice_id]
        try:
            rating, doing, try_next = answer
            rows.append(
                AssessmentAnswer(
                    round=round,
                    respondent=respondent,
                    practice=practice,
                    rating=_rating(rating, practice),
                    doing=_note(doing, practice, "What we're doing"),
                    try_next=_note(try_next, practice, "What we'll try next"),
                    answered_at=now,
                )
            )
        except ValidationError as error:
            errors.extend(error.messages)
        except (TypeError, ValueError):
            errors.append(f"Give a rating and two notes for “{practice}”.")
    if errors:
        raise ValidationError({"answers": errors})
    AssessmentAnswer.objects.filter(round=round, respondent=respondent).exclude(
        practice__in=practices
    ).delete()
    AssessmentAnswer.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["round", "respondent", "practice"],
        update_fields=["rating", "doing", "try_next", "answered_at"],
    )
    return len(rows)
