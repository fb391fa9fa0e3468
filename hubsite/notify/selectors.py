"""Read queries of the outbox."""

import re

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, StrIndex, Substr

from .models import OutboxMessage


def messages_to(person):
    """Every message written to ``person``, by their record or their address."""
    by_address = (
        OutboxMessage.objects.filter(to_email__iexact=person.email) if person.email else None
    )
    messages = OutboxMessage.objects.filter(person=person)
    return (messages | by_address) if by_address is not None else messages


# A link in an email: it may carry a token that acts for the person (sign in, reset a
# password, answer, unsubscribe), so a copy of the email never holds it.
LINK = re.compile(r"https?://\S+")


def without_links(text):
    return LINK.sub("[link removed]", text)


def person_data_export(person, viewer=None):
    """The emails written to the person, as they read them, with their links removed (a
    link may still act for the person: whoever holds the export must not be able to use
    it)."""
    return [
        {
            "subject": message.subject,
            "to": message.to_email,
            "body": without_links(message.body_text),
            "status": message.get_status_display(),
            "created_at": message.created_at.isoformat(),
            "sent_at": message.sent_at.isoformat() if message.sent_at else None,
        }
        for message in messages_to(person).order_by("created_at", "id")
    ]


def messages_keyed(prefix, rows):
    """Outbox messages whose key is ``<prefix><pk>:…`` for a row of ``rows`` (a queryset):
    the messages an area wrote about those rows, found in one query whatever their number
    (the id in the key is compared as text, so keys like ``<prefix>member:…`` never fail)."""
    start = len(prefix) + 1
    rest = Substr("key", start)
    owner = Substr("key", start, StrIndex(Concat(rest, Value(":")), Value(":")) - 1)
    ids = rows.order_by().annotate(_key_id=Cast("pk", CharField())).values("_key_id")
    keyed = (
        OutboxMessage.objects.filter(key__startswith=prefix)
        .annotate(_owner=owner)
        .filter(_owner__in=ids)
    )
    return OutboxMessage.objects.filter(pk__in=keyed.values("pk"))
