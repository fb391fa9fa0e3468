"""Celery tasks of Organise: calls."""
