"""What the areas tell the outbox about their own messages (DESIGN.md: the core never imports
an area). An app registers, in ``AppConfig.ready()``, a check for the keys it writes:
``register_send_check(prefix, check)`` where ``check(message) -> bool`` says whether a pending
message whose key starts with ``prefix`` is still wanted at the moment of sending (the promise
not yet kept, the place not given up, the person's consent not withdrawn). A message no longer
wanted is cancelled, never sent."""

from collections.abc import Callable

_send_checks: dict[str, Callable] = {}


def register_send_check(prefix: str, check: Callable) -> None:
    _send_checks[prefix] = check


def still_wanted(message) -> bool:
    return all(
        check(message) for prefix, check in _send_checks.items() if message.key.startswith(prefix)
    )
