"""What the framework holds about a person, through the core's personal-data registry: their
answers to reflection prompts, their self-assessment answers and the learnings they wrote are
in their export; erasure takes their words and keeps what the hub counts and learned."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hubsite.framework.models import AssessmentAnswer, Learning, Practice, PromptDelivery
from hubsite.framework.models import PromptSchedule as Schedule
from hubsite.framework.selectors.assessments import round_summary, trend
from hubsite.framework.selectors.people import person_data_export
from hubsite.framework.services.assessments import answers_save, round_create
from hubsite.framework.services.learnings import learning_record
from hubsite.framework.services.people import person_data_erase
from hubsite.framework.services.prompts import prompt_answer
from hubsite.people import registry
from hubsite.people.models import Role
from hubsite.people.services import person_erase, person_update, personal_data_export
from tests.conftest import make_user
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

EMAIL, PHONE = "morwenna.tregarthen@example.test", "07700 900456"


@pytest.fixture
def practices(db):
    return list(Practice.objects.filter(area__slug="change").order_by("order")[:2])


@pytest.fixture
def morwenna(db):
    """An organiser with a full name and a phone number."""
    user = make_user(Role.ORGANISER, EMAIL, "Morwenna")
    person_update(person=user.person, last_name="Tregarthen", phone=PHONE)
    user.person.refresh_from_db()
    return user


def prompted(user, question="What surprised us this month?", period="2026-05"):
    schedule = Schedule.objects.get_or_create(
        question=question,
        defaults={"audience": Schedule.Audience.EVERYONE, "frequency": Schedule.Frequency.MONTHLY},
    )[0]
    return PromptDelivery.objects.create(schedule=schedule, recipient=user, period=period)


@pytest.fixture
def holdings(morwenna, staff_user, practices):
    """Morwenna answered a prompt (and left one open), rated two practices with notes and
    wrote a learning naming herself; staff did the same, so what is not hers is there too."""
    first, second = practices
    round_ = round_create(
        created_by=staff_user, name="Spring", opens_on=timezone.localdate(), closes_on=None
    )
    for user, ratings, note in (
        (morwenna, (2, 4), "Morwenna runs the forum"),
        (staff_user, (4, 4), "Staff run the stall"),
    ):
        answers_save(
            round=round_,
            respondent=user,
            answers={
                first.pk: (ratings[0], note, "Ask Morwenna Tregarthen"),
                second.pk: (ratings[1], "", ""),
            },
        )
        prompt_answer(delivery=prompted(user), answer=f"{note}; we heard about lifts", by=user)
    prompted(morwenna, "Who did we meet for the first time?")
    mine = learning_record(
        author=morwenna,
        title="Morwenna's stall on a Saturday",
        happened="I (Morwenna) ran the stall; call me on 07700900456 or " + EMAIL,
        learned="Families are out on Saturdays, Tregarthen thinks.",
        differently="Ask Morwenna's neighbours too.",
        practices=[first],
    )
    theirs = learning_record(
        author=staff_user,
        title="The supper",
        happened="Morwenna Tregarthen cooked; Morwenna from the choir sang.",
        learned="Food brings people.",
    )
    return {"round": round_, "mine": mine, "theirs": theirs}


def test_the_framework_registers_its_personal_data_provider():
    provider = registry.personal_data_providers()["framework"]
    assert provider.export is person_data_export
    assert provider.erase is person_data_erase
    assert provider.label


def test_the_export_holds_their_prompt_answers_self_assessment_and_learnings(
    morwenna, staff_user, holdings, practices
):
    data = personal_data_export(person=morwenna.person, viewer=staff_user)["framework"]["data"]
    json.dumps(data)  # it goes into a file as it is

    prompts = data["reflection_prompts"]
    assert [prompt["question"] for prompt in prompts] == [
        "What surprised us this month?",
        "Who did we meet for the first time?",
    ]
    assert prompts[0]["answer"] == "Morwenna runs the forum; we heard about lifts"
    assert prompts[0]["answered_at"] and prompts[0]["when"] == "May 2026"
    assert prompts[1]["answer"] is None and prompts[1]["answered_at"] is None

    assessment = data["self_assessment"]
    assert [(row["round"], row["practice"], row["rating"]) for row in assessment] == [
        ("Spring", practices[0].text, 2),
        ("Spring", practices[1].text, 4),
    ]
    assert assessment[0]["rating_means"] == "Starting"
    assert assessment[0]["area"] == "Change"
    assert assessment[0]["what_we_are_doing"] == "Morwenna runs the forum"
    assert assessment[0]["what_we_will_try_next"] == "Ask Morwenna Tregarthen"

    learnings = data["learnings_written"]
    assert [learning["title"] for learning in learnings] == ["Morwenna's stall on a Saturday"]
    assert learnings[0]["practices"] == [practices[0].text]
    assert learnings[0]["areas"] == ["Change"]
    assert "Staff run the stall" not in json.dumps(data)


def test_the_export_costs_the_same_queries_whatever_the_rows(morwenna, holdings, practices):
    with CaptureQueriesContext(connection) as few:
        person_data_export(morwenna.person, None)
    for n in range(3):
        prompted(morwenna, period=f"2025-{n + 1:02d}")
        learning_record(
            author=morwenna, title=f"Learning {n}", happened="x", learned="y", practices=practices
        )
    with CaptureQueriesContext(connection) as many:
        person_data_export(morwenna.person, None)
    assert len(many) == len(few)


def test_someone_without_an_account_has_nothing_here_and_erasing_them_changes_nothing(
    holdings,
):
    person = PersonFactory()
    assert person_data_export(person, None) == {
        "reflection_prompts": [],
        "self_assessment": [],
        "learnings_written": [],
    }
    before = list(AssessmentAnswer.objects.values_list("doing", "try_next"))
    person_data_erase(person)
    assert list(AssessmentAnswer.objects.values_list("doing", "try_next")) == before


def test_erasure_takes_their_words_and_keeps_the_ratings_and_the_learning(
    morwenna, staff_user, holdings
):
    round_ = holdings["round"]
    means = trend().rows
    summary = round_summary(round_)
    figures = [(s.respondents, s.total, s.low, s.high) for a in summary.areas for s in a.practices]
    sent = Schedule.objects.values_list("question").order_by("question")

    person_erase(person=morwenna.person, erased_by=staff_user)

    # Their prompts stay sent and answered (the schedule's counts), without the answer.
    theirs = PromptDelivery.objects.filter(recipient=morwenna)
    assert theirs.count() == 2 and theirs.filter(answered_at__isnull=False).count() == 1
    assert set(theirs.values_list("answer", flat=True)) == {""}
    assert PromptDelivery.objects.get(recipient=staff_user).answer.startswith("Staff run")
    assert list(sent) == list(Schedule.objects.values_list("question").order_by("question"))

    # Their ratings stay, linked to the closed account; the notes go.
    mine = AssessmentAnswer.objects.filter(respondent=morwenna)
    assert sorted(mine.values_list("rating", flat=True)) == [2, 4]
    assert set(mine.values_list("doing", "try_next")) == {("", "")}
    assert AssessmentAnswer.objects.filter(respondent=staff_user, doing="Staff run the stall")
    assert trend().rows == means
    summary = round_summary(round_)
    assert [
        (s.respondents, s.total, s.low, s.high) for a in summary.areas for s in a.practices
    ] == figures

    # The learning is the hub's: it stays, by the closed account, without naming them.
    learning = Learning.objects.get(pk=holdings["mine"].pk)
    assert learning.author_id == morwenna.pk
    text = " ".join((learning.title, learning.happened, learning.learned, learning.differently))
    for word in ("Morwenna", "Tregarthen", EMAIL, "07700900456", "900456"):
        assert word.lower() not in text.lower(), word
    assert "Families are out on Saturdays" in text
    assert learning.practices.count() == 1
    # Another's learning loses their full name, not a namesake's first name.
    other = Learning.objects.get(pk=holdings["theirs"].pk)
    assert "Tregarthen" not in other.happened
    assert "Morwenna from the choir sang" in other.happened


def test_a_long_name_removed_from_a_title_still_fits(staff_user):
    user = make_user(Role.MEMBER, "al@example.test", "Al")
    learning = learning_record(
        author=user,
        title=("Al " * 46).strip(),
        happened="Al ran it.",
        learned="It worked.",
    )
    person_data_erase(user.person)
    learning.refresh_from_db()
    assert "Al " not in learning.title
    assert len(learning.title) <= Learning._meta.get_field("title").max_length
