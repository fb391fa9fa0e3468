"""Celery tasks of Organise: meetings."""
