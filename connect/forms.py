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
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
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
