"""The outbox: one row for every message the hub sends to a person."""

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    class Category(models.TextChoices):
        # Messages a person asked for (sign-in links, invitations): no contact consent needed.
        ACCOUNT = "account", "Account and security"
        # Reminders about what someone took on for the hub (their follow-ups): part of the
        # role they hold, so no contact consent is asked.
        WORK = "work", "Their work for the hub"
        # Everything else needs the person's consent to be contacted by the channel.
        CONTACT = "contact", "Contact from the hub"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Not sent (no consent)"
        FAILED = "failed", "Failed"

    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="What the message is for; a second message for the same purpose is refused.",
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_messages",
    )
    to_email = models.EmailField()
    reply_to = models.EmailField(
        blank=True, help_text="Where a reply goes, when not to the hub's own address."
    )
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    category = models.CharField(max_length=8, choices=Category.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        default=timezone.now, help_text="When the beat tick may try this message again."
    )
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.subject} to {self.to_email} ({self.get_status_display()})"
