"""What every app's benchmark part (``<app>/bench.py``: its ``generate`` and ``pages``)
shares: inserting in batches, and drawing the objects a measured page cycles through.
The core's own pages are in ``bench/run.py``; the people are made by ``seed_bench``."""

BATCH = 2000


def bulk_insert(model, objects, batch_size=BATCH, **options):
    """``objects`` inserted ``batch_size`` at a time; returns them (with their ids on
    PostgreSQL)."""
    for start in range(0, len(objects), batch_size):
        model.objects.bulk_create(objects[start : start + batch_size], **options)
    return objects


def sample_ids(queryset, rng, k=20):
    """Up to ``k`` ids of ``queryset``, drawn by ``rng`` (the same ones on every run)."""
    ids = list(queryset.values_list("pk", flat=True).order_by("pk"))
    return rng.sample(ids, min(k, len(ids)))
