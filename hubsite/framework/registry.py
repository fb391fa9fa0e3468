"""The hub dashboard's registry: each app registers, in ``AppConfig.ready()``, a provider
``provider(viewer) -> iterable of Figure`` giving its figures as far as ``viewer`` may see
them, computed in a fixed number of queries (aggregates in SQL)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


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
class Offer:
    """A link on an area's home page to something the area offers, for the given roles."""

    label: str
    url_name: str
    roles: tuple[str, ...]
