"""Erasure of what the framework holds about a person (the core's personal-data registry).

Everything here hangs on the person's login, which the core's erasure keeps, closed and
without its address (so the rows below may stay linked to it: it names no one). What goes
and what stays:

* **Reflection prompts**: their answers are their words, and are emptied. The deliveries
  stay, answered or not, so a schedule still counts how many it reached and how many
  answered.
* **Self-assessment**: a rating is one of the hub's figures (a practice's mean, lowest and
  highest, the trend of an area), so it stays, linked to the closed account; the notes
  (what we're doing, what we'll try next) are their words, and are emptied.
* **Learning log**: a learning is the hub's record of what it learned, not the person's,
  so the learnings they wrote stay, with their author link to the closed account (shown as
  "someone in the hub"). The log keeps no copy of its author's name, but its texts are free
  prose: in the learnings they wrote, their first name, last name, full name, email
  addresses and phone number are removed wherever they appear as words; in others'
  learnings, their full name, addresses and phone number are (a first name alone there is
  as likely a namesake's, as the core's erasure of the admin's log also judges).

Rounds and schedules they created and practice tags they added are the hub's and name no
one but through the closed account: they stay as they are. The prompt emails sent to them
are the outbox's to erase."""

import operator
import re
from functools import reduce

from django.db.models import Q

from ..models import AssessmentAnswer, Learning, PromptDelivery

NAME_REMOVED = "(name removed)"
CONTACT_REMOVED = "(contact details removed)"
LEARNING_TEXTS = ("title", "happened", "learned", "differently")


def _word(text):
    """``text`` as a whole word (or words), in any case."""
    return re.compile(rf"(?<!\w){re.escape(text)}(?!\w)", re.IGNORECASE)


def _phone(phone):
    """The phone number however it is spaced: "07700 900123", "07700-900123", "07700900123"."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 6:
        return None
    return re.compile(r"(?<!\d)\+?" + r"[\s.-]?".join(digits) + r"(?!\d)")


def _patterns(person, *, author):
    """What to remove from a learning, most specific first: addresses and the phone number,
    the full name, then (in the learnings the person wrote) each of their names."""
    user = person.user
    addresses = {a.lower() for a in (person.email, getattr(user, "email", "")) if a}
    contact = [_word(address) for address in sorted(addresses)]
    if phone := _phone(person.phone or ""):
        contact.append(phone)
    names = []
    full_name = " ".join(person.full_name.split())
    if " " in full_name:
        names.append(re.compile(r"\s+".join(map(re.escape, full_name.split())), re.IGNORECASE))
    if author:
        parts = {person.first_name.strip(), person.last_name.strip()}
        names += [_word(part) for part in sorted(parts, key=len, reverse=True) if len(part) > 1]
    return [(pattern, CONTACT_REMOVED) for pattern in contact] + [
        (pattern, NAME_REMOVED) for pattern in names
    ]


def _naming(person):
    """The learnings that may name the person: theirs, and any holding their full name, an
    address or their phone number (as typed; the texts are then searched in Python)."""
    user = person.user
    found = Q(author=user)
    words = [person.email, user.email, person.phone, re.sub(r"\D", "", person.phone or "")]
    full_name = " ".join(person.full_name.split())
    if " " in full_name:
        words.append(full_name)
    for word in filter(None, words):
        found |= reduce(
            operator.or_, (Q(**{f"{name}__icontains": word}) for name in LEARNING_TEXTS)
        )
    return Learning.objects.filter(found)


def _forget_in_learnings(person):
    limits = {name: Learning._meta.get_field(name).max_length for name in LEARNING_TEXTS}
    for learning in _naming(person):
        patterns = _patterns(person, author=learning.author_id == person.user_id)
        changed = []
        for name in LEARNING_TEXTS:
            text = getattr(learning, name)
            for pattern, replacement in patterns:
                text = pattern.sub(replacement, text)
            if text != getattr(learning, name):
                setattr(learning, name, text[: limits[name]] if limits[name] else text)
                changed.append(name)
        if changed:
            learning.save(update_fields=changed)


def person_data_erase(person):
    """Empty the person's prompt answers and self-assessment notes, keeping the deliveries and
    ratings the hub counts; remove their name and contact details from the learning log
    (the module's docstring says why each stays or goes). Runs inside the core's erasure,
    before the core's own provider: the person and their login are still there."""
    if person.user_id is None:
        return
    PromptDelivery.objects.filter(recipient_id=person.user_id).exclude(answer="").update(answer="")
    AssessmentAnswer.objects.filter(respondent_id=person.user_id).exclude(
        doing="", try_next=""
    ).update(doing="", try_next="")
    _forget_in_learnings(person)
