"""What the framework holds about a person, for their data export (the core's personal-data
registry): the reflection prompts that reached them and their answers, their self-assessment
answers, and the learnings they wrote. All of it hangs on their login: someone without one
has nothing here. Three queries for the rows (two more for a learning's practices and
areas), whatever their number."""

from django.db.models import Prefetch

from ..models import AssessmentAnswer, Learning, Practice, PromptDelivery
from .prompts import period_label


def _iso(value):
    return value.isoformat() if value is not None else None


def person_data_export(person, viewer=None):
    """Everything the framework holds about ``person``, for subject access. Nothing in it is
    for staff only (the person wrote all of it), so ``viewer`` changes nothing."""
    user_id = person.user_id
    if user_id is None:
        return {"reflection_prompts": [], "self_assessment": [], "learnings_written": []}
    prompts = (
        PromptDelivery.objects.filter(recipient_id=user_id)
        .select_related("schedule")
        .order_by("sent_at", "id")
    )
    answers = (
        AssessmentAnswer.objects.filter(respondent_id=user_id)
        .select_related("round", "practice__area")
        .order_by("round__opens_on", "round_id", "practice__area__order", "practice__order")
    )
    learnings = (
        Learning.objects.filter(author_id=user_id)
        .prefetch_related(
            Prefetch("practices", queryset=Practice.objects.order_by("area__order", "order")),
            "areas",
        )
        .order_by("created_at", "id")
    )
    return {
        "reflection_prompts": [
            {
                "question": delivery.schedule.question,
                "when": delivery.about or period_label(delivery.period),
                "sent_at": _iso(delivery.sent_at),
                "answer": delivery.answer if delivery.answered_at else None,
                "answered_at": _iso(delivery.answered_at),
            }
            for delivery in prompts
        ],
        "self_assessment": [
            {
                "round": answer.round.name,
                "area": answer.practice.area.name,
                "practice": answer.practice.text,
                "rating": answer.rating,
                "rating_means": answer.get_rating_display(),
                "what_we_are_doing": answer.doing,
                "what_we_will_try_next": answer.try_next,
                "answered_at": _iso(answer.answered_at),
            }
            for answer in answers
        ],
        "learnings_written": [
            {
                "title": learning.title,
                "what_happened": learning.happened,
                "what_we_learned": learning.learned,
                "what_we_will_do_differently": learning.differently,
                "about": learning.subject_label or None,
                "practices": [practice.text for practice in learning.practices.all()],
                "areas": [area.name for area in learning.areas.all()],
                "written_at": _iso(learning.created_at),
            }
            for learning in learnings
        ],
    }
