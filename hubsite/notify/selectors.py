"""Read queries of the outbox."""

from .models import OutboxMessage


def messages_to(person):
    """Every message written to ``person``, by their record or their address."""
    by_address = (
        OutboxMessage.objects.filter(to_email__iexact=person.email) if person.email else None
    )
    messages = OutboxMessage.objects.filter(person=person)
    return (messages | by_address) if by_address is not None else messages


def person_data_export(person, viewer=None):
    return [
        {
            "subject": message.subject,
            "to": message.to_email,
            "body": message.body_text,
            "status": message.get_status_display(),
            "created_at": message.created_at.isoformat(),
            "sent_at": message.sent_at.isoformat() if message.sent_at else None,
        }
        for message in messages_to(person).order_by("created_at", "id")
    ]
