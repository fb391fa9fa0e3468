"""Writes of "You said, we did": staff keep the public page current, one line at a time,
linking what the community said (Listening themes) to what the hub did (campaigns, events,
decisions) and what came of it. The page is public: only public events, and decisions of the
hub's meetings or of public groups, may be linked to it."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hubsite.people.models import User
from hubsite.people.rules import STAFF, has_role

from ..models import YouSaidWeDid
from ..selectors.you_said import public_decisions, public_events

MAX_TEXT = 5_000
MAX_ORDER = 32_767
# How long a line just saved counts as the same one sent again (a double click, a reload).
RESUBMIT_WINDOW = timedelta(minutes=1)


def _text(value):
    return (value or "").strip().replace("\r\n", "\n")


def _clean(*, you_said, we_did, result, events, decisions, order):
    you_said, we_did, result = _text(you_said), _text(we_did), _text(result)
    errors = {}
    if not you_said:
        errors["you_said"] = "Say what people told the hub, in the words they used."
    if not we_did:
        errors["we_did"] = "Say what the hub did about it."
    for name, value in (("you_said", you_said), ("we_did", we_did), ("result", result)):
        if name not in errors and len(value) > MAX_TEXT:
            errors[name] = f"Keep it to {MAX_TEXT:,} characters."
    if order is None or not 0 <= order <= MAX_ORDER:
        errors["order"] = f"Enter a place in the order from 0 to {MAX_ORDER:,}."
    event_ids = [event.pk for event in events]
    if len(event_ids) != public_events().filter(pk__in=event_ids).count():
        errors["events"] = "Only events with a public page can be shown on the public page."
    decision_ids = [decision.pk for decision in decisions]
    if len(decision_ids) != public_decisions().filter(pk__in=decision_ids).count():
        errors["decisions"] = (
            "Only decisions of the hub's meetings or of groups with a public page can be "
            "shown on the public page."
        )
    if errors:
        raise ValidationError(errors)
    return {"you_said": you_said, "we_did": we_did, "result": result, "order": order}


def _check_staff(user):
    if not has_role(user, STAFF):
        raise ValidationError("Only hub staff keep the “You said, we did” page.")


def _link(line, *, themes, campaigns, events, decisions):
    line.themes.set(themes)
    line.campaigns.set(campaigns)
    line.events.set(events)
    line.decisions.set(decisions)


@transaction.atomic
def you_said_create(
    *,
    updated_by,
    you_said,
    we_did,
    result="",
    themes=(),
    campaigns=(),
    events=(),
    decisions=(),
    published=False,
    order=0,
):
    """Add a line. The same words saved a moment before (the form sent twice) are that line,
    returned rather than added again."""
    _check_staff(updated_by)
    fields = _clean(
        you_said=you_said,
        we_did=we_did,
        result=result,
        events=events,
        decisions=decisions,
        order=order,
    )
    # The author's row, locked, makes a double submit's two requests run one after the other.
    list(User.objects.select_for_update().filter(pk=updated_by.pk).values_list("pk", flat=True))
    just_saved = (
        YouSaidWeDid.objects.filter(
            you_said=fields["you_said"], updated_at__gte=timezone.now() - RESUBMIT_WINDOW
        )
        .order_by("-id")
        .first()
    )
    if just_saved is not None:
        return just_saved
    line = YouSaidWeDid.objects.create(updated_by=updated_by, published=bool(published), **fields)
    _link(line, themes=themes, campaigns=campaigns, events=events, decisions=decisions)
    return line


@transaction.atomic
def you_said_edit(
    *,
    line,
    updated_by,
    you_said,
    we_did,
    result="",
    themes=(),
    campaigns=(),
    events=(),
    decisions=(),
    published=False,
    order=0,
):
    _check_staff(updated_by)
    line = YouSaidWeDid.objects.select_for_update().get(pk=line.pk)
    fields = _clean(
        you_said=you_said,
        we_did=we_did,
        result=result,
        events=events,
        decisions=decisions,
        order=order,
    )
    for name, value in fields.items():
        setattr(line, name, value)
    line.published = bool(published)
    line.updated_by = updated_by
    line.save()  # updated_at moves: the public page shows when each line was last changed
    _link(line, themes=themes, campaigns=campaigns, events=events, decisions=decisions)
    return line
