"""What brings people together: events and gatherings with their RSVPs and attendance,
volunteering (skills and time offered, opportunities, shifts, hours), and requests to join
the groups that have a public page."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from hubsite.people.models import Group, Locality, Person

# Events ---------------------------------------------------------------------------------


class EventSeries(models.Model):
    """A recurring gathering: its occurrences are Events that point here."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Every week"
        FORTNIGHTLY = "fortnightly", "Every two weeks"
        MONTHLY = "monthly", "Every month (same date)"

    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    occurrences = models.PositiveSmallIntegerField(help_text="How many gatherings in all.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name_plural = "event series"

    def __str__(self):
        return f"{self.get_frequency_display()}, {self.occurrences} times"


class Event(models.Model):
    class Kind(models.TextChoices):
        GATHERING = "gathering", "Social or gathering"
        MEETING = "meeting", "Meeting"
        WORKSHOP = "workshop", "Training or workshop"
        ACTION = "action", "Action or campaign event"
        LISTENING = "listening", "Listening session"
        VOLUNTEERING = "volunteering", "Volunteering day"
        ACTIVITY = "activity", "Community activity"

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "Face to face"
        ONLINE = "online", "Online"
        HYBRID = "hybrid", "Face to face and online"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Anyone: a public page"
        MEMBERS = "members", "People signed in to the hub"
        GROUP = "group", "Members of the hosting group"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Going ahead"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=140)
    slug = models.SlugField(max_length=140, editable=False)
    description = models.TextField()
    purpose = models.CharField("what it is for", max_length=240, blank=True)
    kind = models.CharField("type", max_length=16, choices=Kind.choices, default=Kind.GATHERING)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.IN_PERSON)
    venue = models.CharField(max_length=200, blank=True, help_text="Name and address.")
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    accessibility = models.TextField(
        "accessibility information",
        blank=True,
        help_text="Step-free access, hearing loop, toilets, quiet room, childcare…",
    )
    # Shown only to people with a confirmed place (``rules.can_see_online_link``).
    online_link = models.URLField("meeting link", blank=True)
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Places in all; leave empty for no limit."
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events_hosted",
    )
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    series = models.ForeignKey(
        EventSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    reminder_hours = models.PositiveSmallIntegerField(
        "reminder, hours before",
        default=24,
        help_text="When the reminder email goes to everyone with a place.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["starts_at", "id"], name="event_start_idx"),
            models.Index(fields=["group", "starts_at"], name="event_group_idx"),
            # What has not ended (the upcoming list, a month's events): read from here, the
            # events gone by are never scanned.
            models.Index(fields=["ends_at", "starts_at"], name="event_end_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
                violation_error_message="The event must end after it starts.",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.slug = slugify(self.title)[:140] or "event"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("connect:event_detail", args=[self.pk, self.slug])

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def is_past(self):
        return self.ends_at <= timezone.now()

    @property
    def in_person(self):
        return self.format in (self.Format.IN_PERSON, self.Format.HYBRID)

    @property
    def online(self):
        return self.format in (self.Format.ONLINE, self.Format.HYBRID)


class Rsvp(models.Model):
    """A person's answer to an event: a place, a place on the waiting list, or cancelled;
    and, separately, whether they came."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Has a place"
        WAITING = "waiting", "On the waiting list"
        CANCELLED = "cancelled", "Cancelled"

    class Attendance(models.TextChoices):
        UNKNOWN = "", "Not recorded"
        ATTENDED = "attended", "Came"
        NO_SHOW = "no_show", "Did not come"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    # Empty once the person is erased, or the retention period of a past event's answers has
    # passed: the answer stays as a count (places taken, who came) without anyone in it.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="rsvps"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    # The waiting list's order: when they asked (again, after a cancellation).
    responded_at = models.DateTimeField(default=timezone.now)
    attendance = models.CharField(max_length=8, choices=Attendance.choices, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    walk_in = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["responded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                name="rsvp_once_per_person",
                violation_error_message="This person has already answered.",
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "responded_at"], name="rsvp_queue_idx")]

    def __str__(self):
        return f"{self.person or 'Someone'} for {self.event}: {self.get_status_display()}"


# Volunteering ---------------------------------------------------------------------------


class Skill(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Availability(models.TextChoices):
    WEEKDAY_MORNING = "weekday_morning", "Weekday mornings"
    WEEKDAY_AFTERNOON = "weekday_afternoon", "Weekday afternoons"
    WEEKDAY_EVENING = "weekday_evening", "Weekday evenings"
    WEEKEND_MORNING = "weekend_morning", "Weekend mornings"
    WEEKEND_AFTERNOON = "weekend_afternoon", "Weekend afternoons"
    WEEKEND_EVENING = "weekend_evening", "Weekend evenings"


class VolunteerOffer(models.Model):
    """Skills and time a person offers: what, when they are free, where."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="volunteer_offers")
    skills = models.ManyToManyField(Skill, blank=True, related_name="offers")
    description = models.TextField("what they offer")
    # Codes of ``Availability``, e.g. ["weekday_evening", "weekend_morning"].
    availability = models.JSONField(default=list, blank=True)
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.SET_NULL, related_name="volunteer_offers"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The offers list: a page of the newest active offers without sorting them all.
            models.Index(
                fields=["-created_at", "-id"],
                name="offer_active_newest_idx",
                condition=models.Q(active=True),
            ),
        ]

    def __str__(self):
        return f"{self.person}: {self.description[:40]}"


class Opportunity(models.Model):
    """A volunteering role the hub needs filled, in shifts."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=140)
    description = models.TextField("the role")
    skills = models.ManyToManyField(Skill, blank=True, related_name="opportunities")
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="opportunities"
    )
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.SET_NULL, related_name="opportunities"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "opportunities"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("connect:opportunity_detail", args=[self.pk])


class Shift(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    places = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="shift_ends_after_start",
                violation_error_message="The shift must end after it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.opportunity} on {timezone.localtime(self.starts_at):%-d %b %Y %H:%M}"


class ShiftSignup(models.Model):
    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", "Signed up"
        CANCELLED = "cancelled", "Cancelled"

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    # Empty once the person is erased: the hours they gave stay, as a count, without them.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="shift_signups"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SIGNED_UP)
    hours = models.DecimalField(
        "hours given", max_digits=5, decimal_places=2, null=True, blank=True
    )
    hours_logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "person"],
                name="shiftsignup_once_per_person",
                violation_error_message="This person is already on the shift.",
            ),
        ]

    def __str__(self):
        return f"{self.person or 'Someone'} on {self.shift}"


# Joining groups -------------------------------------------------------------------------


class JoinRequest(models.Model):
    """Someone asking to join a group from its public page; an organiser answers."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        APPROVED = "approved", "Welcomed"
        DECLINED = "declined", "Declined"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="join_requests")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"],
                condition=models.Q(status="pending"),
                name="joinrequest_one_pending",
                violation_error_message="This person has already asked to join.",
            ),
        ]

    def __str__(self):
        return f"{self.person} asks to join {self.group}"
