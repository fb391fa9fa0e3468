"""The hub dashboard's registries: each app registers, in ``AppConfig.ready()``,

* a figures provider ``provider(viewer) -> iterable of Figure`` giving its figures as far as
  ``viewer`` may see them, computed in a fixed number of queries (aggregates in SQL; several
  counts over different tables in one with ``selectors.aggregates_at_once``). The dashboard
  keeps them a minute; staff may see everything, so staff get the hub's figures, the same
  for each of them, and they are counted once for all staff;
* a tasks provider ``provider(viewer) -> iterable of Task``: what waits on ``viewer`` (their
  open follow-ups, prompts to answer…), in a fixed number of queries.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime


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


# Reflection and learning ---------------------------------------------------------------
#
# * a **taggable kind** ``register_taggable(kind, describe)``: the area's main records of one
#   kind ("connect.event") can be tagged with the practices they serve;
#   ``describe(viewer, object_id) -> Described | None`` names one record, or None when the
#   viewer may not see it (then it cannot be tagged by them);
# * a **subjects provider** ``register_subjects(kind, provider)``:
#   ``provider(viewer) -> iterable of Subject``, the recent records of that kind
#   ("connect.event") a learning can be about, as far as the viewer may see them;
# * an **occasions provider** ``register_occasions(name, provider)``:
#   ``provider(since, until) -> iterable of Occasion``, the occasions that ended between the
#   two moments (an event) with the accounts that ran them, for the prompts sent "after each
#   event".


@dataclass(frozen=True)
class Described:
    label: str
    url: str = ""


@dataclass(frozen=True)
class Subject:
    key: str  # "<kind>:<id>", e.g. "connect.event:42"
    label: str


@dataclass(frozen=True)
class Occasion:
    key: str  # unique per occasion, e.g. "event:42"
    label: str
    url: str
    user_ids: tuple[int, ...]


_taggable: dict[str, Callable] = {}
_subjects: dict[str, Callable] = {}
_occasions: dict[str, Callable] = {}


def register_taggable(kind: str, describe: Callable[..., Described | None]) -> None:
    _taggable[kind] = describe


def taggable_kinds() -> dict[str, Callable]:
    return dict(_taggable)


def register_subjects(kind: str, provider: Callable[..., Iterable[Subject]]) -> None:
    _subjects[kind] = provider


def subject_providers() -> dict[str, Callable]:
    return dict(_subjects)


def register_occasions(name: str, provider: Callable[..., Iterable[Occasion]]) -> None:
    _occasions[name] = provider


def occasion_providers() -> dict[str, Callable]:
    return dict(_occasions)


# What is coming up: ``register_coming_up(name, provider)`` where
# ``provider(viewer) -> iterable of ComingUp`` lists the hub's next happenings the viewer
# may see (events, shifts…), soonest first, a handful at most, in a fixed number of queries.


@dataclass(frozen=True)
class ComingUp:
    area: str
    when: datetime
    title: str
    url: str


_coming_up: dict[str, Callable] = {}


def register_coming_up(name: str, provider: Callable[..., Iterable[ComingUp]]) -> None:
    _coming_up[name] = provider


def coming_up_providers() -> dict[str, Callable]:
    return dict(_coming_up)
