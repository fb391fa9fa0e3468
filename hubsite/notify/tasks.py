"""Celery tasks of the outbox: thin wrappers over the services, safe to run twice."""

from celery import shared_task

from . import services


@shared_task
def outbox_deliver(message_id):
    message = services.message_deliver(message_id=message_id)
    return message.status if message else None


@shared_task
def outbox_deliver_pending():
    """The beat tick: deliver whatever is still pending (a broker outage, a failed send)."""
    ids = services.pending_message_ids()
    for message_id in ids:
        services.message_deliver(message_id=message_id)
    return len(ids)
