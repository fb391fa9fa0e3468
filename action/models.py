"""People acting together: campaigns with their public sign-ups, asks and the actions
supporters took, solidarity between campaigns, the stories people tell in their own words,
the community activities and enterprises they run, and the updates sent to supporters."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from hubsite.people.models import Consent, Group, Locality, Person
from listening.models import Theme

# Campaigns ------------------------------------------------------------------------------


class Campaign(models.Model):
    class Status(models.TextChoices):
        PLANNING = "planning", "Planning"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    name = models.CharField(max_length=140, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    summary = models.CharField(
        max_length=280, help_text="One or two sentences for the page's preview when shared."
    )
    need = models.TextField("the injustice or need it answers")
    demand = models.TextField("what it asks for")
    decision_makers = models.TextField(
        "decision makers it targets", blank=True, help_text="Who can say yes, one per line."
    )
    groups = models.ManyToManyField(Group, blank=True, related_name="campaigns")
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="campaigns", help_text="What people raised in Listening."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNING)
    # Campaigns it stands with, and partner groups that back it.
    endorsements = models.ManyToManyField(
        "self", blank=True, symmetrical=False, related_name="endorsed_by"
    )
    partners = models.ManyToManyField(
        Group, blank=True, related_name="partner_campaigns", verbose_name="partner groups"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set when the status becomes won or lost, cleared if it is reopened: the retention of
    # its supporters counts from here (``services.retention``).
    ended_at = models.DateTimeField(
        "ended", null=True, blank=True, editable=False, help_text="When it was won or lost."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("action:campaign_page", args=[self.slug])

    @property
    def is_public(self):
        return self.status != self.Status.PLANNING

    @property
    def decision_maker_list(self):
        return [line.strip() for line in self.decision_makers.splitlines() if line.strip()]


class Signup(models.Model):
    """A supporter's name on a campaign. It counts once the email is confirmed by the signed
    link sent to it (double opt-in); only then does it point at a Person of the core."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the email to be confirmed"
        CONFIRMED = "confirmed", "Confirmed"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="signups")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="signups"
    )
    # What was typed, kept until the email is confirmed (then the Person holds it).
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, blank=True)
    email = models.EmailField()
    postcode = models.CharField(max_length=10, blank=True)
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.SET_NULL, related_name="signups"
    )
    comment = models.CharField(max_length=500, blank=True)
    show_name = models.BooleanField("show my name publicly", default=False)
    consent_contact = models.BooleanField("may be contacted about the campaign", default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    invited_from = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-confirmed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "campaign",
                models.functions.Lower("email"),
                name="signup_once_per_email",
                violation_error_message="This address has already signed.",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "-confirmed_at"], name="signup_idx"),
            # A campaign's count of supporters (its page, the list, the count it refreshes)
            # read from this index alone, never from the sign-ups themselves.
            models.Index(
                fields=["campaign"],
                condition=models.Q(status="confirmed"),
                name="signup_confirmed_idx",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} for {self.campaign}"

    @property
    def public_name(self):
        return f"{self.first_name} {self.last_name[:1]}".strip()


class Ask(models.Model):
    """Something a campaign asks its supporters to do."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "Come to a meeting"
        WRITE = "write", "Write to a decision maker"
        SHARE = "share", "Share the campaign"
        ACTION = "action", "Come to an action"
        OTHER = "other", "Something else"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="asks")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    title = models.CharField(max_length=140)
    details = models.TextField(blank=True, help_text="Where and when, or how.")
    suggested_text = models.TextField(
        blank=True, help_text="For a letter or message: words supporters can start from."
    )
    target = models.CharField("to whom", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.title


class ActionTaken(models.Model):
    """A supporter saying they did what was asked."""

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="actions")
    # Empty once the person is erased, or the campaign's retention period has passed: the
    # action stays as a count (on the campaign's page, on each ask) without anyone in it.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions_taken"
    )
    note = models.CharField(max_length=500, blank=True)
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ask", "person"],
                name="action_once_per_person",
                violation_error_message="You have already said you did this.",
            ),
        ]

    def __str__(self):
        return f"{self.person or 'Someone'}: {self.ask}"


class SupporterUpdate(models.Model):
    """An update sent to a campaign's confirmed supporters who agreed to hear from it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="updates")
    subject = models.CharField(max_length=140)
    body = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    recipients = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.subject


# Stories --------------------------------------------------------------------------------


class Story(models.Model):
    """Someone's story in their own words. Public only once staff approve it and while the
    teller's consent to publish holds."""

    class Credit(models.TextChoices):
        FULL_NAME = "full_name", "My name"
        FIRST_NAME = "first_name", "My first name only"
        ANONYMOUS = "anonymous", "Anonymous"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for review"
        CHANGES = "changes", "Changes asked for"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Not published"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="stories")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    title = models.CharField(max_length=140)
    text = models.TextField("the story")
    photo = models.ImageField(upload_to="stories/%Y/%m/", blank=True)
    photo_alt = models.CharField(
        "what the photo shows",
        max_length=250,
        blank=True,
        help_text="For people who cannot see it.",
    )
    credit = models.CharField(max_length=10, choices=Credit.choices, default=Credit.FIRST_NAME)
    consent_to_publish = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    moderation_note = models.TextField(blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-created_at", "-id"]
        verbose_name_plural = "stories"
        indexes = [
            # The public stories, newest first (``selectors.stories.story_public_list``): a
            # page of them read in this order, however many stories there are.
            models.Index(
                fields=["-published_at", "-id"],
                condition=models.Q(status="approved", consent_to_publish=True),
                name="story_public_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("action:story_detail", args=[self.pk])

    @property
    def is_public(self):
        return self.status == self.Status.APPROVED and self.consent_to_publish

    @cached_property
    def teller_shows_name(self):
        """The teller's latest word on "Show my name publicly": True, False (said no) or None
        (never asked). The selectors of public stories annotate it in the query that loads
        them (``selectors.stories.with_teller_shows_name``); elsewhere it is one query."""
        return (
            Consent.objects.filter(person_id=self.person_id, purpose=Consent.Purpose.SHOW_NAME)
            .order_by("-recorded_at", "-id")
            .values_list("given", flat=True)
            .first()
        )

    @property
    def credit_line(self):
        """How the story is credited in public: as its teller chose when telling it, and
        "Anonymous" whenever their latest word on showing their name publicly is no. Staff
        see who told it apart from this (``person``)."""
        said_no = self.teller_shows_name is not None and not self.teller_shows_name
        if said_no or self.credit == self.Credit.ANONYMOUS:
            return "Anonymous"
        if self.credit == self.Credit.FULL_NAME:
            return self.person.full_name
        return self.person.first_name


# Community activities and enterprises ---------------------------------------------------


class Activity(models.Model):
    """An activity, service or community business people run to meet a local need."""

    class Kind(models.TextChoices):
        ACTIVITY = "activity", "Community activity"
        SERVICE = "service", "Service"
        ENTERPRISE = "enterprise", "Community business"

    class Stage(models.TextChoices):
        IDEA = "idea", "Idea"
        PLANNING = "planning", "Planning"
        RUNNING = "running", "Running"
        STOPPED = "stopped", "Stopped"

    name = models.CharField(max_length=140)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ACTIVITY)
    need = models.TextField("the local need it meets")
    description = models.TextField(blank=True)
    stage = models.CharField(max_length=8, choices=Stage.choices, default=Stage.IDEA)
    support = models.TextField("what support the hub gives", blank=True)
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    people = models.ManyToManyField(Person, blank=True, related_name="activities")
    proposed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    stage_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "activities"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("action:activity_detail", args=[self.pk])
