"""Celery tasks of Organise: membership."""
