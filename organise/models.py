"""Organise: the hub's membership (types, terms, joining, renewal and lapse), segments of
people and the calls to action sent to them, self-organised groups proposed by members, and
the hub's accountability to its members (meetings, decisions, "You said, we did")."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from action.models import Campaign
from connect.models import Event
from hubsite.people.models import Group, Locality, Person, Tag
from listening.models import Theme

# Membership -----------------------------------------------------------------------------


class MembershipType(models.Model):
    """A kind of membership staff offer (individual, household, group member…). A suggested
    contribution is only shown and recorded: the hub takes no payments."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    suggested_contribution = models.DecimalField(
        "suggested contribution (£)",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Leave empty for a free membership.",
    )
    term_months = models.PositiveSmallIntegerField(
        "length of a term (months)", default=12, help_text="When a membership falls for renewal."
    )
    open_to_join = models.BooleanField(default=True, help_text="Offered on the public join page.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_months__gte=1, term_months__lte=120),
                name="membershiptype_term_range",
            ),
            models.CheckConstraint(
                condition=models.Q(suggested_contribution__isnull=True)
                | models.Q(suggested_contribution__gte=0),
                name="membershiptype_contribution_not_negative",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_free(self):
        return not self.suggested_contribution


class Membership(models.Model):
    """A person's membership of the hub: one per person, renewed term after term. Joining
    again after lapsing or leaving makes the same membership active again."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACTIVE = "active", "Active"
        LAPSED = "lapsed", "Lapsed"
        LEFT = "left", "Left"

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="membership")
    type = models.ForeignKey(MembershipType, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    joined_on = models.DateField("first joined", default=timezone.localdate)
    term_started_on = models.DateField("current term started", default=timezone.localdate)
    renews_on = models.DateField("renewal date", db_index=True)
    ended_on = models.DateField(
        null=True, blank=True, help_text="When it lapsed or the member left."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person__last_name", "person__first_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(renews_on__gt=models.F("term_started_on")),
                name="membership_renews_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("organise:member_detail", args=[self.pk])


class MembershipEvent(models.Model):
    """One dated change of a membership, for the growth figures. The place is kept on the
    row, so that counts by locality survive when a member's record is erased."""

    class Kind(models.TextChoices):
        JOINED = "joined", "Joined"
        RENEWED = "renewed", "Renewed"
        LAPSED = "lapsed", "Lapsed"
        REJOINED = "rejoined", "Rejoined"
        LEFT = "left", "Left"

    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    on = models.DateField(default=timezone.localdate, db_index=True)
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    type = models.ForeignKey(
        MembershipType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.on}"


class Contribution(models.Model):
    """A contribution a member made, recorded by staff (cash, standing order…). The hub
    processes no payments; this is the record of one."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="contributions"
    )
    amount = models.DecimalField("amount (£)", max_digits=8, decimal_places=2)
    received_on = models.DateField(default=timezone.localdate)
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="contribution_amount_positive"
            ),
        ]

    def __str__(self):
        return f"£{self.amount} on {self.received_on}"


class JoinApplication(models.Model):
    """What a visitor typed on the join page, waiting for their email to be confirmed
    (double opt-in). Confirming creates or matches the Person and makes them a member;
    until then the hub holds only this row, and nothing of it is a member."""

    email = models.EmailField()
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    type = models.ForeignKey(MembershipType, on_delete=models.PROTECT, related_name="+")
    tags = models.ManyToManyField(Tag, blank=True, related_name="+")
    consent_contact = models.BooleanField("agreed to hear from the hub by email", default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="applications"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(Lower("email"), name="joinapplication_email_idx")]

    def __str__(self):
        return f"Application from {self.email}"


# Segments and calls to action ----------------------------------------------------------


class Segment(models.Model):
    """A saved set of filters over the people the hub knows. Its people are computed when
    it is read, so the count is always live. ``filters`` holds ids only, e.g.
    ``{"localities": [1, 2], "tags": [4], "membership_status": ["active"]}``."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"

    name = models.CharField(max_length=120)
    description = models.CharField(max_length=280, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organise:segment_detail", args=[self.pk])


class CallToAction(models.Model):
    """A message to a segment, optionally asking for something specific (come to an event,
    sign a campaign). Sent in batches by Celery; each person gets it once (a Delivery row
    and an outbox key per person), and their answer to the ask is recorded."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="calls")
    subject = models.CharField(max_length=150)
    body = models.TextField()
    event = models.ForeignKey(
        Event,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Ask people to come to this event.",
    )
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Ask people to sign this campaign.",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    send_at = models.DateTimeField(
        null=True, blank=True, help_text="When a scheduled call goes out."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_to = models.EmailField(
        blank=True, help_text="Where replies go: the sender's address when they have one."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)
    # Where sending has got to: the last person id a batch went through, and when, so that
    # the resume tick carries on from there and only when batches have truly stopped.
    cursor = models.PositiveBigIntegerField(default=0)
    last_batch_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "call to action"
        verbose_name_plural = "calls to action"
        # The list of calls, newest first, a page at a time.
        indexes = [models.Index(fields=["-created_at", "-id"], name="calltoaction_recent_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="scheduled") | models.Q(send_at__isnull=False),
                name="calltoaction_scheduled_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(event__isnull=True) | models.Q(campaign__isnull=True),
                name="calltoaction_one_ask",
            ),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("organise:call_detail", args=[self.pk])

    @property
    def ask(self):
        return self.event or self.campaign


class Delivery(models.Model):
    """One person's copy of a call to action: written once per person (the unique pair),
    with the outbox message that carries it and the person's answer to the ask."""

    class Response(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "Not this time"

    call = models.ForeignKey(CallToAction, on_delete=models.CASCADE, related_name="deliveries")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.OneToOneField(
        "notify.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    response = models.CharField(max_length=4, choices=Response.choices, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "deliveries"
        # A call's copies in order, a page at a time: not a walk through every call's copies.
        indexes = [models.Index(fields=["call", "id"], name="delivery_call_idx")]
        constraints = [
            models.UniqueConstraint(fields=["call", "person"], name="delivery_once_per_person"),
        ]

    def __str__(self):
        return f"{self.call} to {self.person}"


# Self-organised groups -----------------------------------------------------------------


class GroupProposal(models.Model):
    """A member's proposal of a group around something they care about. Staff or an
    organiser approve it, which creates the group with the proposer as its organiser."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    name = models.CharField("name of the group", max_length=120)
    purpose = models.TextField("what it is about, and what it hopes to do")
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public = models.BooleanField(
        "give it a public page", default=True, help_text="So that neighbours can ask to join."
    )
    proposed_by = models.ForeignKey(
        Person, null=True, on_delete=models.SET_NULL, related_name="group_proposals"
    )
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    answer = models.TextField("answer to the proposer", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    group = models.OneToOneField(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposal"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                condition=models.Q(status="pending"),
                name="groupproposal_pending_name_unique",
                violation_error_message="A group of this name has already been proposed.",
            ),
        ]

    def __str__(self):
        return self.name


# Accountability ------------------------------------------------------------------------


class Meeting(models.Model):
    """A meeting the hub is accountable in: a members' meeting, the AGM, or a meeting of a
    group (self-organised groups run their own). Agenda before, minutes after."""

    class Kind(models.TextChoices):
        MEMBERS = "members", "Members' meeting"
        AGM = "agm", "Annual general meeting"
        GROUP = "group", "Group meeting"

    title = models.CharField(max_length=140)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.MEMBERS)
    group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="organise_meetings",
        help_text="For a group's own meeting.",
    )
    held_on = models.DateField()
    place = models.CharField(max_length=200, blank=True)
    agenda = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    attendance = models.PositiveIntegerField("how many came", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="group", group__isnull=False)
                | (~models.Q(kind="group") & models.Q(group__isnull=True)),
                name="meeting_group_only_for_group_meetings",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.held_on})"

    def get_absolute_url(self):
        return reverse("organise:meeting_detail", args=[self.pk])


class Decision(models.Model):
    """What a meeting decided: who decided, the outcome, who owns carrying it out, and when
    it comes back for review (Celery reminds the owner then)."""

    class Status(models.TextChoices):
        OPEN = "open", "In hand"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    summary = models.CharField("what was decided", max_length=280)
    decided_by = models.CharField(
        "who decided", max_length=200, help_text="e.g. Members at the AGM, by 34 votes to 2."
    )
    outcome = models.TextField("what came of it", blank=True)
    owner = models.ForeignKey(
        Person,
        null=True,
        on_delete=models.SET_NULL,
        related_name="decisions_owned",
        help_text="Who sees it through.",
    )
    review_on = models.DateField("review date", db_index=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    reviewed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["review_on", "id"]
        # The open decisions by review date (the list people follow, the reminders, the
        # dashboard): not a walk past every decision seen through over the years.
        indexes = [
            models.Index(
                fields=["review_on", "id"],
                condition=models.Q(status="open"),
                name="decision_open_review_idx",
            )
        ]

    def __str__(self):
        return self.summary

    def get_absolute_url(self):
        return reverse("organise:meeting_detail", args=[self.meeting_id]) + f"#decision-{self.pk}"


class YouSaidWeDid(models.Model):
    """One line of the public "You said, we did" page: what the community said (Listening
    themes, in the hub's words), what the hub did (campaigns, events, decisions) and what
    came of it. Kept current by staff; only published lines are shown."""

    you_said = models.TextField("you said")
    we_did = models.TextField("we did")
    result = models.TextField("what came of it", blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="you_said_we_did")
    campaigns = models.ManyToManyField(Campaign, blank=True, related_name="you_said_we_did")
    events = models.ManyToManyField(Event, blank=True, related_name="you_said_we_did")
    decisions = models.ManyToManyField(Decision, blank=True, related_name="you_said_we_did")
    published = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["order", "-updated_at", "-id"]
        verbose_name = "you said, we did"
        verbose_name_plural = "you said, we did"

    def __str__(self):
        return self.you_said[:60]
