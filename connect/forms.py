"""Forms of Connect. They validate what a person can type; the services re-check the rules
they own and their errors land on the same fields."""

import datetime

from django import forms
from django.utils import timezone

from hubsite.forms import IdChoiceField, IdsChoiceField, LongSelect
from hubsite.people.models import Locality

from .models import Availability, Event, EventSeries, Opportunity, Skill

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_REMINDER_HOURS = 168
# How far ahead events and shifts may be planned (and a repeating series may run).
HORIZON = datetime.timedelta(days=5 * 366)


class EventForm(forms.ModelForm):
    frequency = forms.ChoiceField(
        label="Repeats",
        choices=[("", "Does not repeat"), *EventSeries.Frequency.choices],
        required=False,
    )
    occurrences = forms.IntegerField(
        label="How many gatherings",
        min_value=1,
        max_value=52,
        initial=1,
        required=False,
        help_text="For a repeating gathering: every occurrence is created at once.",
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "description",
            "purpose",
            "kind",
            "starts_at",
            "ends_at",
            "format",
            "venue",
            "locality",
            "accessibility",
            "online_link",
            "capacity",
            "group",
            "visibility",
            "reminder_hours",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "accessibility": forms.Textarea(attrs={"rows": 2}),
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "format": forms.RadioSelect,
            "visibility": forms.RadioSelect,
            "locality": LongSelect,
            "group": LongSelect,
        }

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["group"].empty_label = "No group"
        if self.instance.pk:  # the repetition is set when the gathering is created
            del self.fields["frequency"]
            del self.fields["occurrences"]

    def clean_reminder_hours(self):
        hours = self.cleaned_data["reminder_hours"]
        if hours is not None and hours > MAX_REMINDER_HOURS:
            raise forms.ValidationError("At most a week (168 hours) before.")
        return hours

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", "The event must end after it starts.")
        if not self.instance.pk and starts_at and starts_at < timezone.now():
            self.add_error("starts_at", "The event cannot start in the past.")
        if starts_at and starts_at > timezone.now() + HORIZON:
            self.add_error("starts_at", "Plan events at most five years ahead.")
        if (data.get("occurrences") or 1) > 1 and not data.get("frequency"):
            self.add_error("frequency", "Choose how often the gathering repeats.")
        return data

    def validate_constraints(self, exclude=None):
        """The form and the service check the dates, with a clearer message."""


class RsvpForm(forms.Form):
    first_name = forms.CharField(max_length=80)
    last_name = forms.CharField(max_length=80, required=False)
    email = forms.EmailField(
        max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    consent_contact = forms.BooleanField(
        label="The hub may email me about this and other events",
        required=False,
        help_text="Without it you still get your confirmation and the link to cancel. "
        "If you are not signed in, that email holds a link to confirm it was you.",
    )
    # Left empty by people; filled by bots that fill every field.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated and getattr(user, "person", None):
            person = user.person
            self.initial.setdefault("first_name", person.first_name)
            self.initial.setdefault("last_name", person.last_name)
            self.initial.setdefault("email", person.email)

    def clean_first_name(self):
        value = self.cleaned_data["first_name"].strip()
        if not value:
            raise forms.ValidationError("Enter your first name.")
        return value


# Joining groups


class JoinRequestForm(forms.Form):
    """Asking to join a group from its public page. A signed-in person is known already, so
    their form asks only for a message and their consent."""

    first_name = forms.CharField(
        max_length=80, error_messages={"required": "Enter your first name."}
    )
    last_name = forms.CharField(max_length=80, required=False)
    email = forms.EmailField(
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter a valid email address, like name@example.com.",
        },
    )
    message = forms.CharField(
        label="A few words for the organisers",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: what brings you to the group.",
    )
    consent_contact = forms.BooleanField(
        label="The hub may email me about this group and its gatherings",
        required=False,
        help_text="Without it you still get the organisers' answer. If you are not signed "
        "in, we email you a link to confirm it was you.",
    )
    # Left empty by people; filled by bots that fill every field.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.known = bool(user is not None and user.is_authenticated and hasattr(user, "person"))
        if self.known:
            for name in ("first_name", "last_name", "email"):
                del self.fields[name]


class JoinDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Welcome"), ("decline", "Decline")])


# Check-in


class WalkInForm(forms.Form):
    """Someone at the door without a place: the least the hub needs to know them again."""

    first_name = forms.CharField(
        max_length=80, error_messages={"required": "Enter their first name."}
    )
    last_name = forms.CharField(max_length=80, required=False)
    email = forms.EmailField(
        max_length=254,
        required=False,
        help_text="If the hub already knows them by it, their record is used.",
        error_messages={
            "invalid": "Enter a valid email address, like name@example.com, or leave it empty."
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "inputmode": "email"}),
    )
    consent_contact = forms.BooleanField(
        label="They agree the hub may email them about this and other events",
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("consent_contact") and not data.get("email") and "email" not in self.errors:
            self.add_error("email", "Give their email address, so the hub can write to them.")
        return data


class AttendanceForm(forms.Form):
    """The "Arrived" / "Undo" button of a row on the check-in list."""

    attended = forms.TypedChoiceField(
        choices=[("1", "Arrived"), ("0", "Not arrived")], coerce=lambda value: value == "1"
    )


# Volunteering ---------------------------------------------------------------------------


MAX_NEW_SKILLS = 10
MAX_SHIFT_PLACES = 500
MAX_SHIFT_HOURS = 24


class NewSkillsField(forms.CharField):
    """Skills not on the list yet, typed and separated by commas."""

    def to_python(self, value):
        names = [name.strip() for name in (super().to_python(value) or "").split(",")]
        names = [name for name in names if name]
        if any(len(name) > 80 for name in names):
            raise forms.ValidationError("Keep each skill's name under 80 characters.")
        if len(names) > MAX_NEW_SKILLS:
            raise forms.ValidationError(f"Add at most {MAX_NEW_SKILLS} new skills at a time.")
        return names


def _skills_field():
    return IdsChoiceField(
        queryset=Skill.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )


def _new_skills_field():
    return NewSkillsField(
        label="Other skills", required=False, help_text="Separate them with commas."
    )


class VolunteerOfferForm(forms.Form):
    """What a person offers, when they are free and where."""

    description = forms.CharField(
        label="What you would like to offer",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your skills and interests, what you enjoy doing, anything to know.",
    )
    skills = _skills_field()
    new_skills = _new_skills_field()
    availability = forms.MultipleChoiceField(
        label="When you are free",
        choices=Availability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Mornings are until noon, afternoons until 5pm.",
    )
    locality = IdChoiceField(
        queryset=Locality.objects.all(),
        required=False,
        label="Where you could help",
        empty_label="Anywhere in the hub's area",
        widget=LongSelect,
    )
    active = forms.BooleanField(
        label="I am available to volunteer at the moment",
        required=False,
        initial=True,
        help_text="Untick it to pause your offer without losing it.",
    )

    @staticmethod
    def initial_from(offer):
        if offer is None:
            return {}
        return {
            "description": offer.description,
            "skills": list(offer.skills.all()),
            "availability": list(offer.availability or ()),
            "locality": offer.locality,
            "active": offer.active,
        }

    def clean_description(self):
        value = self.cleaned_data["description"].strip()
        if not value:
            raise forms.ValidationError("Say what you would like to offer.")
        return value


class OpportunityForm(forms.ModelForm):
    skills = _skills_field()
    new_skills = _new_skills_field()

    class Meta:
        model = Opportunity
        fields = ["title", "description", "skills", "group", "locality", "status"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "status": forms.RadioSelect,
            "group": LongSelect,
            "locality": LongSelect,
        }
        help_texts = {
            "description": "What volunteers will do, who they will work with, what to bring.",
            "group": "The group the role is for; its organisers can manage it too.",
        }

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["group"].empty_label = "No group"
        self.fields["locality"].empty_label = "Anywhere in the hub's area"
        if not self.instance.pk:  # a new opportunity is open
            del self.fields["status"]

    def clean_title(self):
        value = self.cleaned_data["title"].strip()
        if not value:
            raise forms.ValidationError("Give the role a title.")
        return value


class ShiftForm(forms.Form):
    starts_at = forms.DateTimeField(label="Starts", widget=DATETIME)
    ends_at = forms.DateTimeField(label="Ends", widget=DATETIME)
    places = forms.IntegerField(
        label="Places",
        min_value=1,
        max_value=MAX_SHIFT_PLACES,
        initial=1,
        help_text="How many volunteers the shift needs.",
        error_messages={"min_value": "A shift needs at least one place."},
    )

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and starts_at <= timezone.now():
            self.add_error("starts_at", "The shift cannot start in the past.")
        if starts_at and starts_at > timezone.now() + HORIZON:
            self.add_error("starts_at", "Plan shifts at most five years ahead.")
        if starts_at and ends_at:
            if ends_at <= starts_at:
                self.add_error("ends_at", "The shift must end after it starts.")
            elif (ends_at - starts_at).total_seconds() > MAX_SHIFT_HOURS * 3600:
                self.add_error("ends_at", "A shift lasts at most 24 hours: add one shift per day.")
        return data


class HoursForm(forms.Form):
    """One field per person on a shift (``hours_<signup id>``): the hours they gave, or
    empty for not recorded."""

    def __init__(self, *args, signups, limit, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit = limit
        self.signups = list(signups)
        for signup in self.signups:
            self.fields[f"hours_{signup.pk}"] = forms.DecimalField(
                label=signup.person.full_name,
                required=False,
                max_digits=5,
                decimal_places=2,
                initial=signup.hours,
                widget=forms.NumberInput(
                    attrs={"step": "0.25", "min": "0", "inputmode": "decimal"}
                ),
            )

    def clean(self):
        data = super().clean()
        for name in self.fields:
            hours = data.get(name)
            if hours is None:
                continue
            if hours <= 0:
                self.add_error(name, "Enter more than 0 hours, or leave it empty.")
            elif hours > self.limit:
                self.add_error(name, f"At most {self.limit.normalize():f} hours for this shift.")
        return data

    def rows(self):
        """Each person on the shift with their field, for the table."""
        return [(signup, self[f"hours_{signup.pk}"]) for signup in self.signups]

    def hours(self):
        """What the service takes: ``{signup id: hours or None}``."""
        return {signup.pk: self.cleaned_data.get(f"hours_{signup.pk}") for signup in self.signups}


class OfferFilterForm(forms.Form):
    skill = IdChoiceField(
        queryset=Skill.objects.only("pk", "name"),
        required=False,
        empty_label="Any skill",
        widget=LongSelect,
    )
    locality = IdChoiceField(
        queryset=Locality.objects.only("pk", "name"),
        required=False,
        empty_label="Anywhere",
        widget=LongSelect,
    )
