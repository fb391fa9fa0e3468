"""Celery tasks of Organise, one module per part: thin wrappers over the services, taking
ids, safe to run twice. Imported here so that Celery's autodiscovery finds them all."""

from . import calls, meetings, membership  # noqa: F401
