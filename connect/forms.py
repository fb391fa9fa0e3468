"""Forms of Connect. They validate what a person can type; the services re-check the rules
they own and their errors land on the same fields."""

from django import forms
from django.utils import timezone

from .models import Event, EventSeries

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_REMINDER_HOURS = 168


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
        help_text="Without it you still get your confirmation and the link to cancel.",
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

    first_name = forms.CharField(max_length=80)
    last_name = forms.CharField(max_length=80, required=False)
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
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
        help_text="Without it you still get the organisers' answer.",
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

    def clean_first_name(self):
        value = self.cleaned_data["first_name"].strip()
        if not value:
            raise forms.ValidationError("Enter your first name.")
        return value


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
