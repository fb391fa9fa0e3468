"""Celery tasks of Organise: membership. Thin wrappers over the services, safe to run twice
(each email's outbox key names the membership and the date of its term or lapse, so a second
run writes nothing more, and a membership lapses only while it is active)."""

from celery import shared_task

from ..services import joining
from ..services import members as services


@shared_task
def memberships_remind_renewal():
    """The daily tick: a reminder to each active member whose renewal is due soon."""
    return services.renewal_reminders_send()


@shared_task
def memberships_lapse():
    """The daily tick: lapse the memberships not renewed in time, and tell each member once."""
    return len(services.lapse_notices_send())


@shared_task
def join_applications_forget():
    """The daily tick: forget the applications to join that were never confirmed."""
    return joining.applications_forget_unconfirmed()
