"""Data protection: the append-only audit log, the log of data-protection requests with their
statutory deadlines, and how long each kind of record is kept (retention) with the reports of
the nightly runs that apply it.

Nothing here holds a person's name, email or phone: a person is pointed to by their id
(``subject_id``), which outlives their erasure without saying who they were."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit entry."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One thing done to or with personal data: who did it, when, to whom (by id), what.
    Rows are only ever added (the ORM refuses to change or delete them, and so does the
    database: see migration 0001)."""

    class Action(models.TextChoices):
        VIEWED_SENSITIVE = "viewed_sensitive", "Viewed sensitive notes"
        EXPORTED = "exported", "Exported a person's data"
        DOWNLOADED_OWN = "downloaded_own", "Downloaded their own data"
        ROLE_CHANGED = "role_changed", "Changed an account's role"
        CONSENT_CHANGED = "consent_changed", "Recorded a consent"
        ERASED = "erased", "Erased a person"
        REQUEST_LOGGED = "request_logged", "Logged a data-protection request"
        REQUEST_UPDATED = "request_updated", "Updated a data-protection request"
        RETENTION_CHANGED = "retention_changed", "Changed how long records are kept"
        RETENTION_RUN = "retention_run", "Applied the retention periods"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # An account named here is never deleted (the entry cannot change): it is closed instead,
    # as erasure does.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who did it (empty for the hub's own scheduled tasks).",
    )
    action = models.CharField(max_length=24, choices=Action.choices, db_index=True)
    # The person it was about, by id only: no foreign key, so the entry outlives an erasure
    # and never cascades away with the person.
    subject_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    # What was touched ("listening.conversation:12") and how, never personal data itself.
    target = models.CharField(max_length=80, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")


def add_one_month(day: date) -> date:
    """The same day next month, or the month's last day where it has fewer days (UK GDPR's
    "one month" as the ICO reads it: a request received on 31 January is due on 28 or 29
    February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


class DataRequest(models.Model):
    """A request a person made about their data (access, erasure, correction, objection),
    answered within one month of receipt, or three when it is complex and extended."""

    class Kind(models.TextChoices):
        ACCESS = "access", "Access (a copy of their data)"
        ERASURE = "erasure", "Erasure (be forgotten)"
        CORRECTION = "correction", "Correction"
        OBJECTION = "objection", "Objection to processing"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        REFUSED = "refused", "Refused (with reasons given)"
        WITHDRAWN = "withdrawn", "Withdrawn by the person"

    class Channel(models.TextChoices):
        ONLINE = "online", "Through the hub's website"
        EMAIL = "email", "By email"
        LETTER = "letter", "By letter"
        IN_PERSON = "in_person", "In person or by phone"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    # Emptied when the person is erased: the request stays in the log without them.
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="data_requests",
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    received_on = models.DateField(default=timezone.localdate)
    due_on = models.DateField()
    extended = models.BooleanField(
        default=False, help_text="Complex or many requests: two more months, said to the person."
    )
    details = models.TextField(
        blank=True, help_text="What was asked. Emptied if the person is later erased."
    )
    outcome = models.TextField(blank=True, help_text="What was done, or why it was refused.")
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    logged_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["status", "due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} request {self.pk}"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


class RetentionPolicy(models.Model):
    """How long one kind of record is kept, in months (a kind is named by the app that holds
    it, see ``registry.register_retention``). No row for a kind means its default."""

    kind = models.CharField(max_length=40, unique=True)
    months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty: keep until a person asks for erasure."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "retention policies"

    def __str__(self):
        return f"{self.kind}: {self.months or 'kept'}"


class RetentionRun(models.Model):
    """One application of the retention periods: when, by whom (empty for the nightly task)
    and how many records of each kind it anonymised or deleted."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # {kind: {"months": n, "cutoff": "YYYY-MM-DD", "count": n}}
    results = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Retention run {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def total(self):
        return sum(r.get("count", 0) for r in self.results.values())
