"""The framework's part of the demo hub, added by ``manage.py seed_demo``
(hubsite/framework/demo.py): it waits for the command's transaction to commit, so each seed
here runs the callbacks a real commit would."""

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import OutputWrapper
from django.db.models import Count
from django.utils import timezone

from hubsite.framework import demo
from hubsite.framework.models import (
    Area,
    AssessmentAnswer,
    AssessmentRound,
    Learning,
    Practice,
    PracticeTag,
    PromptDelivery,
    PromptSchedule,
)
from hubsite.framework.registry import taggable_kinds
from hubsite.framework.selectors.assessments import RoundState, round_state, round_summary
from hubsite.framework.selectors.learnings import subjects_for
from hubsite.framework.selectors.tags import area_page
from hubsite.framework.services.prompts import period_for, prompts_send_due
from hubsite.people.models import Role, User
from tests.conftest import make_user

Frequency = PromptSchedule.Frequency


@pytest.fixture
def seed(db):
    def seed():
        out = StringIO()
        call_command("seed_demo", "--force", stdout=out)  # DEBUG is off under pytest
        return out.getvalue()

    return seed


@pytest.fixture
def demo_hub(seed):
    return seed()


def counts():
    models = (
        AssessmentRound,
        AssessmentAnswer,
        PromptSchedule,
        PromptDelivery,
        Learning,
        PracticeTag,
    )
    return {model.__name__: model.objects.count() for model in models} | {
        "learning practices": Learning.practices.through.objects.count(),
        "learning areas": Learning.areas.through.objects.count(),
    }


def test_seed_demo_holds_a_closed_spring_round_and_an_open_autumn_one(demo_hub):
    spring = AssessmentRound.objects.get(name=demo.SPRING)
    autumn = AssessmentRound.objects.get(name=demo.AUTUMN)

    assert round_state(spring) == RoundState.CLOSED
    assert round_state(autumn) == RoundState.OPEN
    assert spring.closes_on < autumn.opens_on


def test_seed_demo_staff_and_organiser_rate_every_practice_in_both_rounds(demo_hub):
    practices = Practice.objects.count()

    for round_ in AssessmentRound.objects.all():
        answers = AssessmentAnswer.objects.filter(round=round_)
        per_person = answers.values("respondent").annotate(n=Count("practice", distinct=True))
        roles = set(answers.values_list("respondent__role", flat=True))

        assert len(per_person) >= 2, round_
        assert {row["n"] for row in per_person} == {practices}, round_
        assert {Role.STAFF, Role.ORGANISER} <= roles
        assert answers.exclude(doing="", try_next="").count() >= 8, "a few have notes"
        assert not answers.filter(answered_at__gt=timezone.now()).exists()
        assert not answers.filter(answered_at__date__lt=round_.opens_on).exists()
        assert not answers.filter(answered_at__date__gt=round_.closes_on).exists()


def test_seed_demo_rounds_show_disagreement_and_improvement(demo_hub):
    spring = round_summary(AssessmentRound.objects.get(name=demo.SPRING))
    autumn = round_summary(AssessmentRound.objects.get(name=demo.AUTUMN))

    for summary, name in ((spring, demo.SPRING), (autumn, demo.AUTUMN)):
        differ = {(s.practice.area.slug, s.practice.order) for s in summary.differ}
        assert differ == set(demo.DIFFER[name]), "they differ on a few practices only"
        assert len(summary.agree) > 30
    spring_means = {area.area.slug: area.mean for area in spring.areas}
    autumn_means = {area.area.slug: area.mean for area in autumn.areas}
    for slug in ("listening", "action", "reach"):
        assert autumn_means[slug] > spring_means[slug] + 0.5, slug


def test_seed_demo_third_staff_or_organiser_answers_too(seed):
    make_user(Role.ORGANISER, email="second-organiser@example.test")

    seed()

    for round_ in AssessmentRound.objects.all():
        respondents = round_.answers.values("respondent").distinct().count()
        assert respondents == 3, round_
    autumn = round_summary(AssessmentRound.objects.get(name=demo.AUTUMN))
    assert {(s.practice.area.slug, s.practice.order) for s in autumn.differ} == set(
        demo.DIFFER[demo.AUTUMN]
    )


def test_seed_demo_sends_each_prompt_once_per_person_and_period(demo_hub):
    today = timezone.localdate()
    schedules = {schedule.frequency: schedule for schedule in PromptSchedule.objects.all()}

    assert set(schedules) == set(Frequency.values)
    assert schedules[Frequency.QUARTERLY].self_assessment
    assert schedules[Frequency.MONTHLY].question == demo.SURPRISED
    for frequency, schedule in schedules.items():
        deliveries = schedule.deliveries.all()
        assert deliveries.exists(), frequency
        assert not deliveries.filter(sent_at__lt=schedule.created_at).exists()
        assert not deliveries.filter(sent_at__gt=timezone.now()).exists()
        answered = deliveries.filter(answered_at__isnull=False)
        assert answered.count() > deliveries.count() / 2, "most are answered"
        assert not answered.filter(answer="").exists()
        per_period = deliveries.values("recipient", "period").annotate(n=Count("id"))
        assert {row["n"] for row in per_period} == {1}
        if frequency != Frequency.AFTER_OCCASION:
            periods = set(deliveries.values_list("period", flat=True))
            assert period_for(frequency, today) in periods, "the current period is sent"
            assert len(periods) >= 3
    after_event = schedules[Frequency.AFTER_OCCASION].deliveries.all()
    assert not after_event.filter(about="").exists()
    assert all(
        period.startswith("event:") for period in after_event.values_list("period", flat=True)
    )


def test_seed_demo_leaves_the_beat_tick_nothing_to_send_now(demo_hub):
    assert prompts_send_due() == []


def test_seed_demo_learnings_are_tagged_and_some_are_about_the_hubs_work(demo_hub):
    learnings = Learning.objects.prefetch_related("practices", "areas")
    staff = User.objects.get(email="staff@example.org")
    subjects = {subject.key: subject.label for subject in subjects_for(staff)}

    assert 8 <= learnings.count() <= 12
    for learning in learnings:
        practices = set(learning.practices.all())
        assert practices, learning
        assert {practice.area_id for practice in practices} <= {a.pk for a in learning.areas.all()}
        assert learning.happened and learning.learned and learning.author_id
        assert learning.created_at < timezone.now()
        if learning.subject_key:
            assert subjects[learning.subject_key] == learning.subject_label
    kinds = {key.partition(":")[0] for key in learnings.values_list("subject_key", flat=True)}
    assert {"listening.round", "connect.event", "action.campaign"} <= kinds
    assert learnings.filter(subject_key="").exists()
    authors = set(learnings.values_list("author__role", flat=True))
    assert authors == set(Role.values), "anyone signed in may record a learning"


def test_seed_demo_tags_records_so_each_area_lives_some_practices_and_not_others(demo_hub):
    staff = User.objects.get(email="staff@example.org")
    kinds = taggable_kinds()

    assert PracticeTag.objects.exists()
    assert set(PracticeTag.objects.values_list("kind", flat=True)) <= set(kinds)
    for tag in PracticeTag.objects.all():
        described = kinds[tag.kind](staff, tag.object_id)
        assert (described.label, described.url) == (tag.label, tag.url)
        assert tag.tagged_at < timezone.now()
    for area in Area.objects.all():
        activity = area_page(area.slug, staff)
        assert any(row.lived_lately for row in activity), area
        assert not all(row.lived_lately for row in activity), area
    assert any(row.total and not row.lived_lately for row in area_page("strategy", staff)), (
        "lived once, not lately"
    )


def test_seed_demo_twice_adds_no_more_reflection(demo_hub, seed):
    first = counts()

    seed()
    out = StringIO()
    demo.seed(rng=random.Random(1), stdout=OutputWrapper(out))

    assert counts() == first
    assert f"Framework: the round {demo.MARKER!r}" in out.getvalue()
    assert "already there" in out.getvalue()


def test_seed_demo_adds_the_framework_after_the_areas_in_one_transaction(db):
    call_command("seed_demo", "--force", stdout=StringIO())
    assert AssessmentRound.objects.count() == 2
    assert Learning.objects.exclude(subject_key="").exists(), "the areas' records were there"
