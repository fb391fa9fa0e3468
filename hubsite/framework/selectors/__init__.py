"""Read queries of the framework."""

from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ..models import Area, Practice, Value
from ..registry import coming_up_providers, figure_providers, task_providers


def area_list(*, with_practices=True):
    """The eight areas in order, with their practices (a second query) unless a page names
    the areas only."""
    areas = Area.objects.order_by("order")
    if not with_practices:
        return areas
    return areas.prefetch_related(
        Prefetch("practices", queryset=Practice.objects.order_by("order"))
    )


def area_get(slug):
    return get_object_or_404(area_list(), slug=slug)


def value_list():
    return Value.objects.all()


def dashboard_figures(viewer, areas=None):
    """Every registered figure ``viewer`` may see, grouped by area in the framework's order
    (``areas``, in order, when the caller has them: else one query for them)."""
    figures = [figure for provider in figure_providers().values() for figure in provider(viewer)]
    slugs = [area.slug for area in areas] if areas is not None else None
    if slugs is None:
        slugs = list(Area.objects.order_by("order").values_list("slug", flat=True))
    order = {slug: n for n, slug in enumerate(slugs)}
    figures.sort(key=lambda figure: order.get(figure.area, len(order)))
    return figures


def aggregates_at_once(**parts):
    """Several aggregates over different tables in one query, for the dashboard's figures:
    ``name=(queryset, aggregate)``, e.g. ``groups=(Group.objects.all(), Count("pk"))``, each
    a row of a union. Returns ``{name: value}``, 0 where the aggregate found nothing."""
    selects = [
        queryset.order_by()
        .annotate(part=models.Value(name, output_field=models.CharField()))
        .values("part")
        .annotate(value=aggregate)
        .values_list("part", "value")
        for name, (queryset, aggregate) in parts.items()
    ]
    if not selects:
        return {}
    first, *rest = selects
    found = dict(first.union(*rest, all=True).order_by() if rest else first)
    return {name: found.get(name) or 0 for name in parts}


@dataclass(frozen=True)
class DashboardOverview:
    """The parts of the dashboard that stay the same from one load to the next: the hub's
    figures, what is coming up, the practices least lived lately, the viewer's groups and
    the eight areas, as of ``counted_at``."""

    figures: list
    coming_up: list
    least_served: list
    memberships: list
    areas: list
    counted_at: datetime


def dashboard_overview(viewer, person=None) -> DashboardOverview:
    """The dashboard's overview for ``viewer`` (whose ``person`` the caller has loaded).

    The figures are aggregates over whole tables and the rest changes seldom, so each is kept
    for ``DASHBOARD_FIGURES_SECONDS`` (a minute): the dashboard opened again costs no query
    for them, and says on the page how fresh they are. Nothing invalidates them: they expire.
    The overview is kept per person (and role). The figures too, but staff may see everything,
    so theirs are the hub's: counted once for all of them."""
    from hubsite.people.models import Role
    from hubsite.people.rules import can_manage_group_of
    from hubsite.people.selectors import groups_of

    from .tags import practices_least_served

    seconds = settings.DASHBOARD_FIGURES_SECONDS
    key = f"hub:dashboard:{viewer.pk}:{viewer.role}"
    figures_key = (
        "hub:dashboard-figures:staff"
        if viewer.role == Role.STAFF
        else f"hub:dashboard-figures:{viewer.pk}:{viewer.role}"
    )
    kept = cache.get_many([key, figures_key]) if seconds > 0 else {}
    overview = kept.get(key)
    if overview is None:
        areas = list(area_list(with_practices=False))
        memberships = list(groups_of(person)) if person is not None else []
        for membership in memberships:
            # The group's page is linked only where the viewer may open it.
            membership.can_manage = can_manage_group_of(viewer, membership)
        overview = DashboardOverview(
            figures=[],  # kept on their own, below
            coming_up=dashboard_coming_up(viewer),
            # Those who run the hub see which practices it has not lived lately.
            least_served=list(practices_least_served())
            if viewer.role in (Role.STAFF, Role.ORGANISER)
            else [],
            memberships=memberships,
            areas=areas,
            counted_at=timezone.now(),
        )
        if seconds > 0:
            cache.set(key, overview, seconds)
    figures, counted_at = kept.get(figures_key) or (None, None)
    if figures is None:
        figures, counted_at = dashboard_figures(viewer, overview.areas), timezone.now()
        if seconds > 0:
            cache.set(figures_key, (figures, counted_at), seconds)
    return replace(overview, figures=figures, counted_at=min(overview.counted_at, counted_at))


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
