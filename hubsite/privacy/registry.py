"""The retention registry: each app names the kinds of record it keeps about people, how
long by default, and how to anonymise or delete those past their time.

An app registers in ``AppConfig.ready()``::

    register_retention(
        "listening.conversations",
        label="Listening conversations",
        description="24 months after the last contact, unless the person renewed consent.",
        default_months=24,
        apply=services.conversations_retain,
    )

``apply(cutoff) -> int`` anonymises or deletes the records whose time ran out before
``cutoff`` (an aware datetime), inside the run's transaction, and returns how many it
changed. It must be idempotent: a second run with the same cutoff changes nothing and returns
0 (what it anonymised no longer matches), and it must keep aggregate figures (counts by theme,
place and month) while removing the person. It should also clear the history rows
(django-simple-history) of what it anonymised.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RetentionKind:
    kind: str
    label: str
    description: str
    default_months: int | None
    apply: Callable


_kinds: dict[str, RetentionKind] = {}


def register_retention(
    kind: str, *, label: str, description: str, default_months: int | None, apply: Callable
) -> None:
    _kinds[kind] = RetentionKind(kind, label, description, default_months, apply)


def retention_kinds() -> dict[str, RetentionKind]:
    return dict(_kinds)
