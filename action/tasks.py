"""Celery tasks of Action: thin wrappers over the services, taking ids, safe to run twice."""

from celery import shared_task

from .services import asks as ask_services

# Solidarity


@shared_task
def solidarity_invite_batch(from_campaign_id, to_campaign_id, signup_ids):
    """Write one batch of invitations to sign a related campaign (the outbox sends them)."""
    return ask_services.solidarity_invite_send(
        from_campaign_id=from_campaign_id, to_campaign_id=to_campaign_id, signup_ids=signup_ids
    )


# Updates to supporters


@shared_task
def update_deliver(update_id, after_signup_id=0, batch_size=None):
    """One batch of an update's emails, then the next batch as its own task. Each batch
    commits before the next is queued, so a lost worker loses at most one batch's work,
    which running again redoes without writing anything twice."""
    from .services import updates as update_services

    batch_size = batch_size or update_services.BATCH_SIZE
    after = update_services.update_deliver_batch(
        update_id=update_id, after_signup_id=after_signup_id, batch_size=batch_size
    )
    if after is not None:
        update_deliver.delay(update_id, after, batch_size)
    return after


@shared_task
def updates_resume_stalled():
    """The beat tick: start again the updates whose chain of batches broke."""
    from .selectors.updates import updates_stalled

    stalled = updates_stalled()
    for update_id in stalled:
        update_deliver.delay(update_id, 0)
    return len(stalled)
