"""Read queries of the framework."""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from ..models import Area, Practice, Value
from ..registry import coming_up_providers, figure_providers, task_providers


def area_list():
    return Area.objects.prefetch_related(
        Prefetch("practices", queryset=Practice.objects.order_by("order"))
    )


def area_get(slug):
    return get_object_or_404(area_list(), slug=slug)


def value_list():
    return Value.objects.all()


def dashboard_figures(viewer):
    """Every registered figure ``viewer`` may see, grouped by area in the framework's order.
    Each area's figures are aggregates over whole tables, so they are kept for a short while
    (``DASHBOARD_FIGURES_SECONDS``) per person: a dashboard opened again costs no aggregate."""
    key = f"hub:dashboard-figures:{viewer.pk}:{viewer.role}"
    figures = cache.get(key)
    if figures is None:
        figures = [
            figure for provider in figure_providers().values() for figure in provider(viewer)
        ]
        order = {slug: n for n, slug in enumerate(Area.objects.values_list("slug", flat=True))}
        figures.sort(key=lambda figure: order.get(figure.area, len(order)))
        cache.set(key, figures, settings.DASHBOARD_FIGURES_SECONDS)
    return figures


def dashboard_tasks(viewer):
    """What waits on ``viewer`` across the areas, the soonest due first."""
    tasks = [task for provider in task_providers().values() for task in provider(viewer)]
    return sorted(tasks, key=lambda task: (task.due_on is None, task.due_on or 0))


def dashboard_coming_up(viewer, limit=8):
    """The hub's next happenings across the areas, soonest first."""
    items = [item for provider in coming_up_providers().values() for item in provider(viewer)]
    return sorted(items, key=lambda item: item.when)[:limit]


def offers_for(offers, viewer):
    """The offers ``viewer``'s role may use, with their URLs."""
    from django.urls import reverse

    return [
        {"label": offer.label, "url": reverse(offer.url_name)}
        for offer in offers
        if viewer.is_authenticated and viewer.role in offer.roles
    ]
