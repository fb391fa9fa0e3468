"""The hub dashboard's registries: each app registers, in ``AppConfig.ready()``,

* a figures provider ``provider(viewer) -> iterable of Figure`` giving its figures as far as
  ``viewer`` may see them, computed in a fixed number of queries (aggregates in SQL);
* a tasks provider ``provider(viewer) -> iterable of Task``: what waits on ``viewer`` (their
  open follow-ups, prompts to answer…), in a fixed number of queries.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Figure:
    area: str  # the framework area's slug
    label: str
    value: int
    url: str = ""


_figures: dict[str, Callable[..., Iterable[Figure]]] = {}


def register_figures(name: str, provider: Callable[..., Iterable[Figure]]) -> None:
    _figures[name] = provider


def figure_providers() -> dict[str, Callable[..., Iterable[Figure]]]:
    return dict(_figures)


@dataclass(frozen=True)
class Task:
    area: str  # the framework area's slug
    title: str
    url: str
    due_on: date | None = None

    @property
    def is_overdue(self):
        from django.utils import timezone

        return self.due_on is not None and self.due_on < timezone.localdate()

    @property
    def is_due_today(self):
        from django.utils import timezone

        return self.due_on == timezone.localdate()


_tasks: dict[str, Callable[..., Iterable[Task]]] = {}


def register_tasks(name: str, provider: Callable[..., Iterable[Task]]) -> None:
    _tasks[name] = provider


def task_providers() -> dict[str, Callable[..., Iterable[Task]]]:
    return dict(_tasks)


@dataclass(frozen=True)
class Offer:
    """A link on an area's home page to something the area offers, for the given roles."""

    label: str
    url_name: str
    roles: tuple[str, ...]
