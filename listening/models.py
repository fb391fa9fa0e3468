"""What the hub hears: listening rounds, the conversations volunteers log, the themes they
raise, and the follow-up promises made on the doorstep."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from hubsite.people.models import Locality, Person


class Theme(models.Model):
    """What people talk about (housing, loneliness, buses…), shared by every conversation."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ListeningRound(models.Model):
    """A named round of listening: a purpose, places, dates, a target and the people on it."""

    name = models.CharField(max_length=120, unique=True)
    purpose = models.TextField(help_text="What the hub wants to learn, and why now.")
    localities = models.ManyToManyField(
        Locality, blank=True, related_name="listening_rounds", verbose_name="places"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    target = models.PositiveIntegerField(
        "target number of conversations", default=100, help_text="How many conversations."
    )
    prompts = models.TextField(
        "prompt sheet",
        blank=True,
        help_text="The open questions volunteers ask, one per line.",
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="rounds_run"
    )
    volunteers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="rounds_on"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="listeninground_dates_in_order",
                violation_error_message="The round cannot end before it starts.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("listening:round_detail", args=[self.pk])

    @property
    def prompt_list(self):
        return [line.strip() for line in self.prompts.splitlines() if line.strip()]


class Conversation(models.Model):
    """One listening conversation, as the volunteer logged it."""

    class Method(models.TextChoices):
        DOOR_KNOCK = "door_knock", "Door-knock"
        STREET_STALL = "street_stall", "Street stall"
        ONE_TO_ONE = "one_to_one", "One-to-one meeting"
        GROUP_SESSION = "group_session", "Group listening session"
        PHONE = "phone", "Phone"
        ONLINE = "online", "Online"

    class Willingness(models.IntegerChoices):
        NOT_NOW = 0, "Not now"
        KEEP_INFORMED = 1, "Keep me informed"
        MIGHT_HELP = 2, "Might help out"
        WANTS_TO_HELP = 3, "Wants to get involved"
        READY_TO_LEAD = 4, "Ready to lead something"

    round = models.ForeignKey(
        ListeningRound,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    # Empty for an anonymous conversation, and after the person has been erased.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    held_on = models.DateField("when", default=timezone.localdate)
    place = models.CharField("where", max_length=160, blank=True)
    method = models.CharField("how", max_length=16, choices=Method.choices)
    concerns = models.TextField("what they care about", blank=True)
    hopes = models.TextField("hopes and aspirations", blank=True)
    needs = models.TextField(blank=True)
    talents = models.TextField("talents, skills and passions they would share", blank=True)
    willingness = models.PositiveSmallIntegerField(
        "willingness to get involved",
        choices=Willingness.choices,
        default=Willingness.NOT_NOW,
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="conversations")
    contact_again = models.BooleanField("agreed to be contacted again", default=False)
    # Only the author and staff ever read this (rules.can_see_sensitive_notes).
    sensitive_notes = models.TextField(blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="conversations_logged",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Every change to what was logged, by whom and when; sensitive notes are never copied
    # into the history. Erasure and retention delete these rows with the words they hold.
    history = HistoricalRecords(excluded_fields=["sensitive_notes"])

    class Meta:
        ordering = ["-held_on", "-id"]
        # A volunteer's (or a round's) conversations in the lists' order, ids included: the
        # lists read a page from them, and "which conversations may this viewer open" (the
        # follow-ups, the theme counts) reads the ids from the index alone.
        indexes = [
            models.Index(fields=["-held_on", "-id"], name="conversation_recent_idx"),
            models.Index(fields=["logged_by", "-held_on", "-id"], name="conversation_logger_idx"),
            models.Index(fields=["round", "-held_on", "-id"], name="conversation_round_idx"),
        ]

    def __str__(self):
        return f"Conversation with {self.heard_from} on {self.held_on:%-d %b %Y}"

    def get_absolute_url(self):
        return reverse("listening:conversation_detail", args=[self.pk])

    @property
    def heard_from(self):
        if self.person_id:
            return self.person.full_name
        return f"someone in {self.locality}" if self.locality_id else "someone anonymous"


class FollowUp(models.Model):
    """A promise made in a conversation, with the person who keeps it and a date."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="follow_ups"
    )
    action = models.CharField("what was promised", max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_ups"
    )
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner", "done_at", "due_on"], name="followup_owner_idx")]

    def __str__(self):
        return self.action

    @property
    def is_open(self):
        return self.done_at is None

    @property
    def is_overdue(self):
        return self.done_at is None and self.due_on < timezone.localdate()
