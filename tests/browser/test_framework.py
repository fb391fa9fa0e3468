"""Reflection and learning in a real browser: the pages pass axe-core without sideways
scrolling on a 390-px phone."""

import pytest
from django.utils import timezone

from hubsite.framework.models import (
    AssessmentAnswer,
    AssessmentRound,
    Learning,
    Practice,
    PromptDelivery,
    PromptSchedule,
)
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_reflection_pages_are_accessible_on_a_phone(new_context, live_server, subtests):
    staff = make_user("staff", "reflect@example.test", first_name="Sam")
    organiser = make_user("organiser", "org@example.test", first_name="Olu")
    round_ = AssessmentRound.objects.create(name="Autumn", opens_on=timezone.localdate())
    for practice in Practice.objects.all()[:6]:
        for n, person in enumerate((staff, organiser)):
            AssessmentAnswer.objects.create(
                round=round_,
                respondent=person,
                practice=practice,
                rating=2 + 2 * n,
                doing="Door-knocking twice a year",
                try_next="Every season",
            )
    schedule = PromptSchedule.objects.create(
        question="What surprised us?", audience="staff", frequency="monthly"
    )
    delivery = PromptDelivery.objects.create(schedule=schedule, recipient=staff, period="2026-11")
    Learning.objects.create(title="Quiet supper", happened="Few came", learned="Ask", author=staff)
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    sign_in(page.context, live_server, staff)
    for path in [
        "/framework/",
        "/framework/assessments/",
        round_.get_absolute_url(),
        f"/framework/assessments/{round_.pk}/answer/",
        "/framework/assessments/trend/",
        "/framework/prompts/",
        "/framework/prompts/mine/",
        delivery.get_absolute_url(),
        "/framework/learning/",
        "/framework/learning/new/",
        "/listening/",
        "/",
    ]:
        with subtests.test(path=path):
            assert page.goto(path).status == 200
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
            assert_accessible(page)
