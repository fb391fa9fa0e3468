"""The shared core: who the hub knows (Person), how they organise (Group), where (Locality),
what they care about (Tag), what they agreed to (Consent), and who signs in (User)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    STAFF = "staff", "Hub staff"
    ORGANISER = "organiser", "Organiser"
    VOLUNTEER = "volunteer", "Volunteer"
    MEMBER = "member", "Member"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=Role.STAFF)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """Someone who signs in. Email is the login; the role decides which screens they use."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()
    # Who changed an account's address, role or access, and when (never the password).
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email


class Locality(models.Model):
    """A place of the hub's area: a ward, an estate, a postcode district."""

    class Kind(models.TextChoices):
        WARD = "ward", "Ward"
        ESTATE = "estate", "Estate"
        NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"
        POSTCODE = "postcode", "Postcode district"
        VILLAGE = "village", "Village or town"
        OTHER = "other", "Other"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.NEIGHBOURHOOD)
    description = models.TextField(blank=True)
    population = models.PositiveIntegerField(
        null=True, blank=True, help_text="Residents, for Reach's coverage figures."
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    boundary = models.JSONField(
        null=True, blank=True, help_text="GeoJSON geometry of the boundary, for maps."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "localities"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="locality_centre_complete",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:locality_detail", args=[self.slug])


class Tag(models.Model):
    """A community of interest (young carers, Somali community, cyclists…)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Person(models.Model):
    """Anyone the hub knows, with or without a login."""

    class FirstContact(models.TextChoices):
        DOORSTEP = "doorstep", "Door-knocking"
        STALL = "stall", "Street stall or outreach"
        EVENT = "event", "At an event"
        REFERRAL = "referral", "Referred by someone"
        WALK_IN = "walk_in", "Walked in"
        ONLINE = "online", "Online"
        OTHER = "other", "Other"

    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    tags = models.ManyToManyField(
        Tag, blank=True, related_name="people", verbose_name="communities of interest"
    )
    first_contact = models.CharField(
        "how they first came into contact",
        max_length=16,
        choices=FirstContact.choices,
        blank=True,
    )
    languages = models.CharField(max_length=200, blank=True, help_text="e.g. English, Urdu")
    accessibility_needs = models.TextField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Every change to a person's record, by whom and when (erasure deletes these rows too).
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="person_email_unique",
                violation_error_message="Someone with this email address is already known.",
            ),
        ]
        indexes = [
            models.Index(Lower("last_name"), Lower("first_name"), name="person_name_idx"),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("people:person_detail", args=[self.pk])

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()


class Group(models.Model):
    """Any collection of people that organises."""

    class Kind(models.TextChoices):
        RESIDENTS = "residents", "Residents' association"
        INTEREST = "interest", "Interest group"
        CAMPAIGN = "campaign", "Campaign team"
        PARTNER = "partner", "Partner network"
        SELF_ORGANISED = "self_organised", "Self-organised group"
        OTHER = "other", "Other"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.INTEREST)
    description = models.TextField(blank=True)
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.SET_NULL, related_name="groups"
    )
    members = models.ManyToManyField(Person, through="GroupMembership", related_name="groups")
    public = models.BooleanField(
        "has a public page",
        default=False,
        help_text="Anyone can find the group and ask to join; its organisers answer.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:group_detail", args=[self.slug])


class GroupMembership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        ORGANISER = "organiser", "Organiser"
        LEADER = "leader", "Leader"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["group__name", "person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "group"],
                name="groupmembership_unique",
                violation_error_message="This person is already in the group.",
            ),
        ]

    def __str__(self):
        return f"{self.person} in {self.group} ({self.get_role_display()})"


class Consent(models.Model):
    """One dated statement of consent given or withdrawn. Rows are never edited: the latest
    row for a person and purpose is what holds now, and the earlier ones are its history."""

    class Purpose(models.TextChoices):
        CONTACT_EMAIL = "contact_email", "Contact by email"
        CONTACT_SMS = "contact_sms", "Contact by text message"
        CONTACT_PHONE = "contact_phone", "Contact by phone"
        CONTACT_POST = "contact_post", "Contact by post"
        SHOW_NAME = "show_name", "Show my name publicly"
        KEEP_RECORD = "keep_record", "Keep a record of what I shared"

    class Method(models.TextChoices):
        ONLINE = "online", "Online form"
        VERBAL = "verbal", "Said so in person or by phone"
        PAPER = "paper", "Paper form"
        EMAIL = "email", "By email"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    given = models.BooleanField(help_text="Given (true) or withdrawn (false).")
    method = models.CharField(max_length=8, choices=Method.choices)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["person", "purpose", "-recorded_at"])]

    def __str__(self):
        state = "given" if self.given else "withdrawn"
        return f"{self.get_purpose_display()} {state} by {self.person}"
