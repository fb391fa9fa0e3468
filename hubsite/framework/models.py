"""The Social Action Hub framework as reference data: eight areas, their practices, and the
four values that run through them (loaded by a data migration, edited only by migrations)."""

from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone


class Area(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(unique=True)
    purpose = models.TextField(help_text="What the area is for, in plain language.")

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        try:
            return reverse(f"{self.slug}:home")
        except NoReverseMatch:
            return ""


class Practice(models.Model):
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="practices")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300, help_text="The practice as the framework words it.")
    plain = models.TextField(blank=True, help_text="What it looks like in a hub's week.")

    class Meta:
        ordering = ["area__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["area", "order"], name="practice_order_unique")
        ]

    def __str__(self):
        return self.text


class Value(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(unique=True)
    description = models.TextField()

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.name


# Reflection and learning --------------------------------------------------------------


class AssessmentRound(models.Model):
    """A dated self-assessment: staff and organisers rate how the hub lives each practice."""

    name = models.CharField(max_length=120, unique=True)
    opens_on = models.DateField()
    closes_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-opens_on", "-id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("framework:assessment_detail", args=[self.pk])


class AssessmentAnswer(models.Model):
    """One person's rating of one practice in one round, with what we do and will try."""

    class Rating(models.IntegerChoices):
        NOT_YET = 1, "Not yet"
        STARTING = 2, "Starting"
        SOMETIMES = 3, "Sometimes"
        OFTEN = 4, "Often"
        LIVING_IT = 5, "It is how we work"

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="answers")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessment_answers"
    )
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="answers")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    doing = models.TextField("what we're doing", blank=True)
    try_next = models.TextField("what we'll try next", blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["practice__area__order", "practice__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "respondent", "practice"], name="assessment_answer_once"
            ),
        ]

    def __str__(self):
        return f"{self.practice}: {self.get_rating_display()}"


class PromptSchedule(models.Model):
    """A reflection prompt that goes to some people at some rhythm; what is due is sent by
    the beat tick, once per person and period (``PromptDelivery``)."""

    class Audience(models.TextChoices):
        STAFF = "staff", "Hub staff"
        ORGANISERS = "organisers", "Organisers"
        STAFF_AND_ORGANISERS = "staff_and_organisers", "Staff and organisers"
        VOLUNTEERS = "volunteers", "Volunteers"
        EVERYONE = "everyone", "Everyone with an account"

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Every week"
        MONTHLY = "monthly", "Every month"
        QUARTERLY = "quarterly", "Every quarter"
        AFTER_OCCASION = "after_occasion", "After each event (to those who ran it)"

    question = models.CharField(max_length=300)
    audience = models.CharField(max_length=24, choices=Audience.choices)
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    # A quarterly prompt may invite people to the open self-assessment round instead.
    self_assessment = models.BooleanField(
        "invites to the self-assessment",
        default=False,
        help_text="The prompt links to the open assessment round.",
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["question"]

    def __str__(self):
        return self.question


class PromptDelivery(models.Model):
    """A prompt as it reached one person for one period (a week, a month, a quarter, or an
    occasion such as an event), and their answer."""

    schedule = models.ForeignKey(
        PromptSchedule, on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prompts"
    )
    period = models.CharField(max_length=60, help_text="e.g. 2026-11, 2026-Q4, event:42")
    about = models.CharField(max_length=200, blank=True, help_text="The occasion, if any.")
    sent_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "recipient", "period"], name="prompt_once_per_period"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "answered_at"], name="prompt_open_idx"),
            # A schedule's periods with when each began, and how many were sent and answered
            # (``selectors.prompts``): read from the index alone.
            models.Index(
                fields=["schedule", "period", "sent_at", "answered_at"], name="prompt_period_idx"
            ),
        ]

    def __str__(self):
        return f"{self.schedule} ({self.period})"

    def get_absolute_url(self):
        return reverse("framework:prompt_answer", args=[self.pk])


# How a learning's subject is named to readers who may not see the record itself.
SUBJECT_KINDS = {
    "connect.event": "an event",
    "action.campaign": "a campaign",
    "listening.round": "a listening round",
    "listening.conversation": "a conversation",
}


class Learning(models.Model):
    """What happened, what we learned, what we'll do differently: the hub's learning log."""

    title = models.CharField(max_length=140)
    happened = models.TextField("what happened")
    learned = models.TextField("what we learned")
    differently = models.TextField("what we'll do differently", blank=True)
    practices = models.ManyToManyField(Practice, blank=True, related_name="learnings")
    areas = models.ManyToManyField(Area, blank=True, related_name="learnings")
    # What it is about, as a registered subject ("connect.event:42") with its label kept.
    subject_key = models.CharField(max_length=80, blank=True)
    subject_label = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="learnings"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The log's pages, newest first, read in the index's order.
        indexes = [models.Index(fields=["-created_at", "-id"], name="learning_newest_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("framework:learning_detail", args=[self.pk])

    @property
    def subject_kind(self):
        """What the subject is, without naming it (for readers who may not see it)."""
        kind = self.subject_key.split(":", 1)[0]
        return SUBJECT_KINDS.get(kind, "something the hub did") if kind else ""


class PracticeTag(models.Model):
    """A record of an area (a conversation, an event, a campaign…) tagged with a practice it
    serves. The record is named by its registered kind and id, never by a foreign key, so the
    framework needs no import of the areas (DESIGN.md)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="tags")
    kind = models.CharField(max_length=40, help_text="A registered kind, e.g. connect.event")
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True)
    tagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    tagged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-tagged_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "kind", "object_id"], name="practice_tag_once"
            ),
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="practice_tag_record_idx")]

    def __str__(self):
        return f"{self.label}: {self.practice}"
