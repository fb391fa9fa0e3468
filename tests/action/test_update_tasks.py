"""An update to a campaign's supporters on a real Celery worker: in several batches, and
with a batch task delivered twice, it sends exactly one email to each confirmed supporter
who agreed to hear from the campaign, and none to anyone else."""

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.utils import timezone

from action import tasks
from action.models import Signup, SupporterUpdate
from action.services import updates as services
from hubsite import celery_app
from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Consent
from hubsite.people.services import consent_record
from tests.action.factories import CampaignFactory, SignupFactory
from tests.conftest import TaskWatch

SUPPORTERS = 7


def supporter(campaign, **fields):
    signup = SignupFactory(campaign=campaign, **fields)
    if signup.person:
        consent_record(
            person=signup.person,
            purpose=Consent.Purpose.CONTACT_EMAIL,
            given=True,
            method=Consent.Method.ONLINE,
        )
    return signup


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_an_update_reaches_each_consenting_confirmed_supporter_exactly_once():
    campaign = CampaignFactory()
    ours = [supporter(campaign) for _ in range(SUPPORTERS)]
    supporter(
        campaign,
        person=None,
        status=Signup.Status.PENDING,
        first_name="Pat",
        email="p@example.test",
    )
    supporter(campaign, status=Signup.Status.PENDING)
    supporter(campaign, consent_contact=False)
    supporter(campaign, unsubscribed_at=timezone.now())
    supporter(CampaignFactory())
    update = services.update_create(
        campaign=campaign, created_by=None, subject="We won!", body="The lifts are fixed."
    )
    batches = []

    def count_batches(sender=None, **kwargs):
        if getattr(sender, "name", None) == tasks.update_deliver.name:
            batches.append(kwargs.get("task_id"))

    task_postrun.connect(count_batches, weak=False)
    try:
        with (
            TaskWatch() as watch,
            start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30),
        ):
            services.update_send(update=update, batch_size=2)  # queued on commit
            tasks.update_deliver.delay(update.pk, 0, 2)  # the first batch delivered twice
            watch.wait(timeout=60)
            tasks.update_deliver.delay(update.pk, 0, 2)  # and once more after it was sent
            watch.wait(timeout=60)
    finally:
        task_postrun.disconnect(count_batches)

    assert sorted(message.to[0] for message in mail.outbox) == sorted(s.email for s in ours)
    assert all("/campaigns/unsubscribe/" in message.body for message in mail.outbox)
    assert len(batches) >= 4 + 1  # 7 supporters in batches of 2, plus the repeats
    update.refresh_from_db()
    assert (update.status, update.recipients) == (SupporterUpdate.Status.SENT, SUPPORTERS)
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count() == SUPPORTERS
