"""Celery tasks of the framework: thin wrappers over the services, safe to run twice (a
prompt reaches a person once per period, and its email is keyed by the delivery)."""

from celery import shared_task
from django.utils import timezone

from .services import prompts


@shared_task
def prompts_send_due():
    """The beat tick: send the reflection prompts that are due."""
    return len(prompts.prompts_send_due(now=timezone.now()))
