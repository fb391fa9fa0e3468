"""Writes of the reflection prompts: staff keep the schedules; the beat tick sends what is due,
once per person and period (the ``prompt_once_per_period`` constraint), each delivery with
its email in one transaction; the person it reached answers it in the app."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue, site_url
from hubsite.people.models import Role, User
from hubsite.people.rules import STAFF, has_role

from ..models import PromptDelivery, PromptSchedule
from ..registry import occasion_providers
from ..selectors.prompts import open_round_url, period_label

Audience = PromptSchedule.Audience
Frequency = PromptSchedule.Frequency

AUDIENCE_ROLES = {
    Audience.STAFF: (Role.STAFF,),
    Audience.ORGANISERS: (Role.ORGANISER,),
    Audience.STAFF_AND_ORGANISERS: (Role.STAFF, Role.ORGANISER),
    Audience.VOLUNTEERS: (Role.VOLUNTEER,),
    Audience.EVERYONE: tuple(Role.values),
}
# Those who take part in the self-assessment (its pages are theirs only).
SELF_ASSESSORS = (Audience.STAFF, Audience.ORGANISERS, Audience.STAFF_AND_ORGANISERS)
# A prompt "after each event" reaches those who ran an event that ended this recently: a
# tick missed for a day or two (a worker down) still sends it, a week-old event is let be.
OCCASION_WINDOW = timedelta(days=3)
ANSWER_MAX_LENGTH = 5000

# Schedules -----------------------------------------------------------------------------


def _schedule_fields(*, question, audience, frequency, self_assessment):
    question = " ".join((question or "").split())
    errors = {}
    limit = PromptSchedule._meta.get_field("question").max_length
    if not question:
        errors["question"] = "Write the question people will be asked."
    elif len(question) > limit:
        errors["question"] = f"Keep the question to {limit} characters ({len(question)} now)."
    if audience not in Audience.values:
        errors["audience"] = "Choose who the prompt goes to."
    if frequency not in Frequency.values:
        errors["frequency"] = "Choose how often the prompt goes out."
    elif self_assessment and frequency == Frequency.AFTER_OCCASION:
        errors["self_assessment"] = (
            "The self-assessment invitation goes out every week, month or quarter, "
            "not after each event."
        )
    if self_assessment and audience in Audience.values and audience not in SELF_ASSESSORS:
        errors["self_assessment"] = (
            "Only staff and organisers take part in the self-assessment: send this "
            "invitation to staff, organisers, or both."
        )
    if errors:
        raise ValidationError(errors)
    return {
        "question": question,
        "audience": audience,
        "frequency": frequency,
        "self_assessment": bool(self_assessment),
    }


def _check_staff(by):
    if not has_role(by, STAFF):
        raise PermissionDenied("Only hub staff choose the reflection prompts.")


@transaction.atomic
def schedule_create(*, by, question, audience, frequency, self_assessment=False):
    _check_staff(by)
    fields = _schedule_fields(
        question=question,
        audience=audience,
        frequency=frequency,
        self_assessment=self_assessment,
    )
    return PromptSchedule.objects.create(created_by=by, active=True, **fields)


@transaction.atomic
def schedule_update(*, schedule, by, question, audience, frequency, self_assessment, active):
    _check_staff(by)
    fields = _schedule_fields(
        question=question,
        audience=audience,
        frequency=frequency,
        self_assessment=self_assessment,
    )
    for name, value in fields.items():
        setattr(schedule, name, value)
    schedule.active = bool(active)
    schedule.save(update_fields=[*fields, "active"])
    return schedule


@transaction.atomic
def schedule_deactivate(*, schedule, by):
    """Stop sending a prompt. What was sent stays, and can still be answered."""
    _check_staff(by)
    schedule.active = False
    schedule.save(update_fields=["active"])
    return schedule


# Sending -------------------------------------------------------------------------------


def period_for(frequency, day):
    """The period a day falls in: "2026-W48" (ISO week), "2026-11", "2026-Q4"."""
    if frequency == Frequency.WEEKLY:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if frequency == Frequency.MONTHLY:
        return f"{day.year}-{day.month:02d}"
    if frequency == Frequency.QUARTERLY:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    raise ValueError(f"{frequency} has no calendar period")


def _audience_ids(audience):
    return set(
        User.objects.filter(is_active=True, role__in=AUDIENCE_ROLES[audience]).values_list(
            "pk", flat=True
        )
    )


def _occasions_ended(since, until):
    occasions = {}
    for provider in occasion_providers().values():
        for occasion in provider(since, until):
            occasions.setdefault(occasion.key, occasion)
    return list(occasions.values())


def prompts_send_due(*, now=None):
    """Send every active schedule's prompt for the current period to each person in its
    audience who has not had it yet, and the "after each event" prompts to those who ran an
    event that ended in the last three days. Safe to run twice or at the same time: the
    constraint lets a delivery exist once, and its email is keyed by the delivery.

    Returns the deliveries made by this run."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    audiences = {}  # audience -> user ids, looked up once per run
    occasions = None
    made = []
    for schedule in PromptSchedule.objects.filter(active=True).order_by("pk"):
        if schedule.audience not in audiences:
            audiences[schedule.audience] = _audience_ids(schedule.audience)
        audience = audiences[schedule.audience]
        if schedule.frequency == Frequency.AFTER_OCCASION:
            if occasions is None:
                occasions = _occasions_ended(now - OCCASION_WINDOW, now)
            due = [
                (occasion.key, occasion.label, audience & set(occasion.user_ids))
                for occasion in occasions
            ]
        else:
            due = [(period_for(schedule.frequency, today), "", audience)]
        for period, about, user_ids in due:
            made += _deliver(schedule, period, about, user_ids, now)
    return made


def _deliver(schedule, period, about, user_ids, now):
    if not user_ids:
        return []
    had = set(
        PromptDelivery.objects.filter(schedule=schedule, period=period).values_list(
            "recipient_id", flat=True
        )
    )
    missing = sorted(user_ids - had)
    recipients = User.objects.filter(pk__in=missing).select_related("person").order_by("pk")
    made = []
    for recipient in recipients:
        delivery = _delivery_create(schedule, recipient, period, about, now)
        if delivery is not None:
            made.append(delivery)
    return made


@transaction.atomic
def _delivery_create(schedule, recipient, period, about, now):
    """One delivery and its email, together; None when another run made it first."""
    limit = PromptDelivery._meta.get_field("about").max_length
    # get_or_create survives a concurrent run: the loser's insert fails on the constraint
    # inside a savepoint and it reads the winner's row instead.
    delivery, created = PromptDelivery.objects.get_or_create(
        schedule=schedule,
        recipient=recipient,
        period=period,
        defaults={"about": about[:limit], "sent_at": now},
    )
    if not created:
        return None
    _email(delivery)
    return delivery


def _email(delivery):
    schedule, recipient = delivery.schedule, delivery.recipient
    site = site_url()
    round_url = open_round_url(recipient) if schedule.self_assessment else ""
    context = {
        "recipient": recipient,
        "person": getattr(recipient, "person", None),
        "question": schedule.question,
        "when": delivery.about or period_label(delivery.period),
        "about": delivery.about,
        "link": site + delivery.get_absolute_url(),
        "round_link": site + round_url if round_url else "",
        "hub_name": settings.HUB_NAME,
    }
    # A line break in a subject would make the email unsendable.
    question = " ".join(schedule.question.split())
    return message_queue(
        key=f"framework:prompt:{delivery.pk}",
        to_email=recipient.email,
        subject=f"[{settings.HUB_NAME}] Time to reflect: {question}"[:255],
        body_text=render_to_string("framework/email/prompt.txt", context),
        person=context["person"],
        category=OutboxMessage.Category.WORK,
    )


# Answers -------------------------------------------------------------------------------


@transaction.atomic
def prompt_answer(*, delivery, answer, by):
    """Record (or change) the recipient's answer; nobody else may answer for them."""
    if not by.is_authenticated or delivery.recipient_id != by.pk:
        raise PermissionDenied("Only the person the prompt was sent to can answer it.")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": "Write your answer before sending it."})
    if len(answer) > ANSWER_MAX_LENGTH:
        raise ValidationError(
            {"answer": f"Keep your answer to {ANSWER_MAX_LENGTH} characters ({len(answer)} now)."}
        )
    delivery.answer = answer
    delivery.answered_at = timezone.now()
    delivery.save(update_fields=["answer", "answered_at"])
    return delivery
