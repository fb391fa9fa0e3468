"""Registries through which the area apps contribute to the core without the core importing
them (DESIGN.md, "Dependencies flow one way").

Each app registers its providers in ``AppConfig.ready()``:

* a **timeline provider** ``provider(person, viewer, *, read=None)`` says what the app holds
  about a person, as far as ``viewer`` may see it, as ``TimelineSource``s (a queryset each,
  which the provider does not run) and returns ``read(sources)``, or, without a ``read``,
  ``selectors.timeline_read(sources)``: the app's entries in one query. It may add entries
  it holds ready without a query. The person's page passes ``read=list``, which keeps the
  sources, and reads every app's together in one query (a union, the newest first), so that
  the page costs the same whatever the apps hold (``selectors.timeline_of``);
* a **personal-data provider** gives ``export(person, viewer) -> JSON-serialisable data``
  (everything the app holds about the person, for subject access; what only staff may read is
  left out unless ``viewer`` is staff) and ``erase(person) -> None`` (remove or anonymise it;
  called inside the erasure's transaction, so it must not commit on its own);
* an **offers provider** ``provider(viewer, *, person=None, text="") -> QuerySet`` of the
  skills, time and talents people offered, as far as ``viewer`` may see them: rows of exactly
  ``person_id``, ``what`` and ``offered_on`` (a date), unordered, narrowed to ``person`` and to
  the words of ``text`` when given. The core lists every app's offers together in one SQL
  query (a union), reading them where they were recorded rather than copying them;
* a **demo-data provider** ``seed(*, rng, stdout) -> None`` adds the app's part of the demo
  hub for ``manage.py seed_demo``: it runs after the core's own data, inside the command's
  transaction, in the order the apps are installed (lower layers first), finds the core's
  rows (people, localities, demo accounts) through the database, draws every choice from
  ``rng`` (a seeded ``random.Random``) so each run builds the same hub, adds nothing when its
  data is already there, and may write a summary line to ``stdout``.
* a **bench-data provider** ``generate(*, scale, rng, stdout) -> None`` adds the app's part of
  the benchmark hub for ``manage.py seed_bench``: it runs after the core's people,
  localities, tags, groups and bench logins, in the order the apps are installed, each in
  its own transaction, reads how much to make from ``scale`` (a dict of counts: ``people``,
  ``conversations``, ``events``, ``rsvps``…, with defaults for keys it does not find),
  draws every choice from ``rng``, and writes with the ORM's bulk inserts in batches, never
  row by row (the command fills PostgreSQL; the suite runs the generators at a tiny scale).
  The same ``bench`` module of the app lists the pages the benchmark measures (``pages``).

Names are unique: registering the same name twice replaces the provider (so a module reload
in development does not duplicate entries).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    area: str  # a framework area's slug, or "core"
    title: str
    url: str = ""
    detail: str = ""


# The columns a timeline source may fill, and their types: every source gives the same
# columns, so that all of them can be read in one union; what a source leaves out is NULL.
# ``when`` orders the timeline: a source of dated records (a day, no time) gives ``day``
# instead, and its rows are placed at the start of that day.
TIMELINE_COLUMNS = {
    "when": models.DateTimeField(),
    "day": models.DateField(),
    "other_day": models.DateField(),
    "ref": models.BigIntegerField(),
    "other_ref": models.BigIntegerField(),
    "slug": models.CharField(),
    "code": models.CharField(),
    "other_code": models.CharField(),
    "name": models.CharField(),
    "other_name": models.CharField(),
    "text": models.TextField(),
    "number": models.DecimalField(max_digits=12, decimal_places=2),
    "flag": models.BooleanField(),
}


@dataclass(frozen=True)
class TimelineSource:
    """One kind of record on a person's timeline, as SQL: ``rows`` (a queryset of one model,
    narrowed to the person and to what the viewer may see), ``columns`` (names of
    ``TIMELINE_COLUMNS`` to expressions over ``rows``: ``when`` or ``day`` at least) and
    ``entry``, which makes the ``TimelineEntry`` of one row (a dict of every column) without
    a query."""

    rows: models.QuerySet
    columns: dict
    entry: Callable[[dict], TimelineEntry]


@dataclass(frozen=True)
class PersonalDataProvider:
    name: str
    label: str
    export: Callable
    erase: Callable


@dataclass
class _Registry:
    timeline: dict[str, Callable] = field(default_factory=dict)
    personal_data: dict[str, PersonalDataProvider] = field(default_factory=dict)


_registry = _Registry()


def register_timeline(name: str, provider: Callable[..., Iterable[TimelineEntry]]) -> None:
    _registry.timeline[name] = provider


def register_personal_data(name: str, *, label: str, export: Callable, erase: Callable) -> None:
    _registry.personal_data[name] = PersonalDataProvider(name, label, export, erase)


def timeline_providers() -> dict[str, Callable]:
    return dict(_registry.timeline)


def personal_data_providers() -> dict[str, PersonalDataProvider]:
    return dict(_registry.personal_data)


_demo_data: dict[str, Callable[..., None]] = {}


def register_demo_data(name: str, seed: Callable[..., None]) -> None:
    _demo_data[name] = seed


def demo_data_providers() -> dict[str, Callable[..., None]]:
    return dict(_demo_data)


_offers: dict[str, Callable] = {}


def register_offers(name: str, provider: Callable) -> None:
    _offers[name] = provider


def offer_providers() -> dict[str, Callable]:
    return dict(_offers)


_bench_data: dict[str, Callable[..., None]] = {}


def register_bench_data(name: str, generate: Callable[..., None]) -> None:
    _bench_data[name] = generate


def bench_data_providers() -> dict[str, Callable[..., None]]:
    return dict(_bench_data)
