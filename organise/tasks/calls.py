"""Celery tasks of Organise's calls to action: thin wrappers over the services, taking ids,
safe to run twice."""

from celery import shared_task


@shared_task
def call_deliver(call_id, after_person_id=0, batch_size=None):
    """One batch of a call's copies, then the next batch as its own task. Each batch commits
    (with the call's cursor) before the next is queued, so a lost worker loses at most one
    batch's work, which running again redoes without writing anything twice; a task
    delivered twice carries on from the cursor rather than from ``after_person_id``."""
    from ..services import calls as services

    batch_size = batch_size or services.BATCH_SIZE
    after = services.call_deliver_batch(
        call_id=call_id, after_person_id=after_person_id, batch_size=batch_size
    )
    if after is not None:
        call_deliver.delay(call_id, after, batch_size)
    return after


@shared_task
def calls_send_due():
    """The beat tick: start the scheduled calls whose time has come, and carry on from
    where they got to (their cursor) the calls whose chain of batches broke. Returns how
    many of each."""
    from ..selectors.calls import calls_due, calls_stalled
    from ..services import calls as services

    started = [call_id for call_id in calls_due() if services.call_start(call_id=call_id)]
    stalled = calls_stalled()
    for call_id, cursor in stalled:
        call_deliver.delay(call_id, cursor)
    return {"started": len(started), "resumed": len(stalled)}
