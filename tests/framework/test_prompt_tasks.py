"""Reflection prompts on a real Celery worker: the beat tick, run twice (and twice at once),
sends exactly one email per person for the period, and nothing for a stopped schedule."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.utils import timezone

from hubsite import celery_app
from hubsite.framework import tasks
from hubsite.framework.models import PromptDelivery, PromptSchedule
from hubsite.framework.services.prompts import period_for
from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Role
from tests.conftest import TaskWatch, make_user

QUESTION = "What did we hear this month that surprised us?"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_beat_tick_run_twice_sends_one_prompt_per_person_and_period():
    make_user(Role.ORGANISER, "ann@example.test", "Ann")
    make_user(Role.ORGANISER, "bo@example.test", "Bo")
    make_user(Role.VOLUNTEER, "vol@example.test", "Vol")  # not in the audience
    PromptSchedule.objects.create(
        question=QUESTION,
        audience=PromptSchedule.Audience.ORGANISERS,
        frequency=PromptSchedule.Frequency.MONTHLY,
    )
    PromptSchedule.objects.create(
        question="A prompt that was stopped",
        audience=PromptSchedule.Audience.ORGANISERS,
        frequency=PromptSchedule.Frequency.MONTHLY,
        active=False,
    )

    with (
        TaskWatch() as watch,
        start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30),
    ):
        tasks.prompts_send_due.delay()
        tasks.prompts_send_due.delay()  # two ticks queued at once
        watch.wait()
        tasks.prompts_send_due.delay()  # and a later one in the same period
        watch.wait()

    subject = f"[{settings.HUB_NAME}] Time to reflect: {QUESTION}"
    assert sorted((message.to[0], message.subject) for message in mail.outbox) == [
        ("ann@example.test", subject),
        ("bo@example.test", subject),
    ]
    period = period_for(PromptSchedule.Frequency.MONTHLY, timezone.localdate())
    assert sorted(PromptDelivery.objects.values_list("recipient__email", "period")) == [
        ("ann@example.test", period),
        ("bo@example.test", period),
    ]
    assert OutboxMessage.objects.count() == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {
        OutboxMessage.Status.SENT
    }
