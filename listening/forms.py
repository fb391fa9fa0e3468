"""Forms of Listening. They validate what a person can type; the services re-check the rules
they own and their errors land on the same fields."""

from django import forms
from django.utils import timezone

from hubsite.forms import IdChoiceField, IdsChoiceField
from hubsite.people.models import Locality, Person, User

from .models import Conversation, FollowUp, ListeningRound, Theme
from .rules import LISTENERS
from .selectors import round_visible

# The browser's own date picker; its value is always ISO, whatever the hub's locale.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

WHO_CHOICES = [
    ("new", "Someone new to the hub"),
    ("existing", "Someone the hub knows"),
    ("anonymous", "Anonymous (they gave no name)"),
]


def hub_workers():
    """People who can be on a round or keep a promise: active staff, organisers, volunteers."""
    return (
        User.objects.filter(is_active=True, role__in=LISTENERS)
        .select_related("person")
        .order_by("person__first_name", "person__last_name", "email")
    )


class WorkerChoiceField(IdChoiceField):
    def label_from_instance(self, user):
        person = getattr(user, "person", None)
        return f"{person.full_name} ({user.get_role_display().lower()})" if person else user.email


class WorkerSelect(forms.Select):
    """The choice of a worker where there is no empty choice (the one who keeps a promise):
    the browser's "required" check would have nothing to refuse, and Django asking whether it
    would (by reading the first choice) costs a query of the workers before the one that
    lists them."""

    def use_required_attribute(self, initial):
        return False


class WorkerMultipleChoiceField(IdsChoiceField):
    label_from_instance = WorkerChoiceField.label_from_instance


def _split_names(value):
    return [name.strip() for name in (value or "").split(",") if name.strip()]


class NewThemesField(forms.CharField):
    def to_python(self, value):
        names = _split_names(super().to_python(value))
        for name in names:
            if len(name) > 80:
                raise forms.ValidationError("Keep each theme's name under 80 characters.")
        return names


class ConversationForm(forms.Form):
    """Everything a volunteer notes after a conversation, in the order they think of it."""

    round = IdChoiceField(
        queryset=ListeningRound.objects.none(),
        required=False,
        empty_label="Not part of a round",
        error_messages={"invalid_choice": "Choose one of your rounds."},
    )
    who = forms.ChoiceField(
        label="Who did you speak with?",
        choices=WHO_CHOICES,
        initial="new",
        widget=forms.RadioSelect,
    )
    person = IdChoiceField(
        queryset=Person.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": "We could not find this person: search again and pick them."
        },
    )
    first_name = forms.CharField(max_length=80, required=False)
    last_name = forms.CharField(max_length=80, required=False)
    email = forms.EmailField(
        max_length=254, required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        max_length=32, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    held_on = forms.DateField(label="When", initial=timezone.localdate, widget=DATE)
    locality = IdChoiceField(
        queryset=Locality.objects.all(),
        required=False,
        label="Locality",
        empty_label="Choose the place",
        help_text="Needed for an anonymous conversation; otherwise their own locality is used.",
    )
    place = forms.CharField(
        label="Where",
        max_length=160,
        required=False,
        help_text="A street, a venue, a stall's spot.",
    )
    method = forms.ChoiceField(
        label="How",
        choices=Conversation.Method.choices,
        widget=forms.RadioSelect,
        initial=Conversation.Method.DOOR_KNOCK,
    )
    concerns = forms.CharField(
        label="What they care about", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    hopes = forms.CharField(
        label="Hopes and aspirations", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    needs = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    talents = forms.CharField(
        label="Talents, skills and passions they would share",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    themes = IdsChoiceField(
        queryset=Theme.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    new_themes = NewThemesField(
        label="New themes", required=False, help_text="Separate them with commas."
    )
    willingness = forms.TypedChoiceField(
        label="Willingness to get involved",
        choices=Conversation.Willingness.choices,
        coerce=int,
        initial=Conversation.Willingness.NOT_NOW,
        widget=forms.RadioSelect,
    )
    keep_record = forms.BooleanField(
        label="They agreed that the hub keeps a record of what they shared",
        required=False,
    )
    contact_again = forms.BooleanField(label="They agreed to be contacted again", required=False)
    sensitive_notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only you and hub staff will ever see this.",
    )
    follow_up_action = forms.CharField(
        label="A promise you made",
        max_length=200,
        required=False,
        help_text="e.g. call back about the food bank",
    )
    follow_up_due_on = forms.DateField(label="Due on", required=False, widget=DATE)
    follow_up_owner = WorkerChoiceField(
        queryset=User.objects.none(),
        label="Who keeps it",
        required=False,
        empty_label=None,
        widget=WorkerSelect,
    )

    def __init__(self, *args, user, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["round"].queryset = rounds
        self.fields["follow_up_owner"].queryset = hub_workers()
        self.fields["follow_up_owner"].initial = user.pk

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return held_on

    def clean(self):
        data = super().clean()
        who = data.get("who")
        if who == "existing" and not data.get("person") and "person" not in self.errors:
            self.add_error("person", "Search for the person and pick them from the results.")
        if who == "new" and not (data.get("first_name") or "").strip():
            self.add_error("first_name", "Enter their first name, or log it anonymously.")
        if who == "anonymous" and not data.get("locality"):
            self.add_error("locality", "Choose where this was, so the conversation counts.")
        if who in ("new", "existing") and not data.get("keep_record"):
            self.add_error(
                "keep_record",
                "Ask whether the hub may keep a record of what they shared, or log the "
                "conversation anonymously.",
            )
        if not any(
            (data.get(name) or "").strip() for name in ("concerns", "hopes", "needs", "talents")
        ):
            self.add_error(
                "concerns", "Write down at least what they care about, hope for, need or offer."
            )
        action = (data.get("follow_up_action") or "").strip()
        if action and not data.get("follow_up_due_on") and "follow_up_due_on" not in self.errors:
            self.add_error("follow_up_due_on", "Choose when the promise is due.")
        if data.get("follow_up_due_on") and not action:
            self.add_error("follow_up_action", "Say what was promised.")
        due_on = data.get("follow_up_due_on")
        if action and due_on and due_on < timezone.localdate():
            self.add_error("follow_up_due_on", "The due date cannot be in the past.")
        return data

    def service_arguments(self):
        """The form's data in the shape ``services.conversation_log`` takes."""
        data = self.cleaned_data
        follow_up = None
        if (data.get("follow_up_action") or "").strip():
            follow_up = {
                "action": data["follow_up_action"].strip(),
                "due_on": data["follow_up_due_on"],
                "owner": data.get("follow_up_owner") or self.user,
            }
        return {
            "who": data["who"],
            "person": data.get("person"),
            "new_person": {
                name: data.get(name, "") for name in ("first_name", "last_name", "email", "phone")
            },
            "round": data.get("round"),
            "locality": data.get("locality"),
            "held_on": data["held_on"],
            "place": data.get("place", ""),
            "method": data["method"],
            "concerns": data.get("concerns", ""),
            "hopes": data.get("hopes", ""),
            "needs": data.get("needs", ""),
            "talents": data.get("talents", ""),
            "willingness": data["willingness"],
            "themes": list(data.get("themes") or []),
            "new_themes": data.get("new_themes") or [],
            "keep_record": data.get("keep_record", False),
            "contact_again": data.get("contact_again", False),
            "sensitive_notes": data.get("sensitive_notes", ""),
            "follow_up": follow_up,
        }


class ConversationEditForm(forms.ModelForm):
    new_themes = NewThemesField(
        label="New themes", required=False, help_text="Separate them with commas."
    )

    class Meta:
        model = Conversation
        fields = [
            "held_on",
            "locality",
            "place",
            "method",
            "concerns",
            "hopes",
            "needs",
            "talents",
            "themes",
            "new_themes",
            "willingness",
            "sensitive_notes",
        ]
        field_classes = {"locality": IdChoiceField, "themes": IdsChoiceField}
        widgets = {
            "held_on": DATE,
            "method": forms.RadioSelect,
            "willingness": forms.RadioSelect,
            "themes": forms.CheckboxSelectMultiple,
            "concerns": forms.Textarea(attrs={"rows": 2}),
            "hopes": forms.Textarea(attrs={"rows": 2}),
            "needs": forms.Textarea(attrs={"rows": 2}),
            "talents": forms.Textarea(attrs={"rows": 2}),
            "sensitive_notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"sensitive_notes": "Only the author and hub staff will ever see this."}

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return held_on


class RoundForm(forms.ModelForm):
    organisers = WorkerMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They see every conversation of the round.",
    )
    volunteers = WorkerMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They log conversations in the round.",
    )

    class Meta:
        model = ListeningRound
        fields = [
            "name",
            "purpose",
            "localities",
            "starts_on",
            "ends_on",
            "target",
            "prompts",
            "organisers",
            "volunteers",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "prompts": forms.Textarea(attrs={"rows": 5}),
            "localities": forms.CheckboxSelectMultiple,
            "starts_on": DATE,
            "ends_on": DATE,
        }
        field_classes = {"localities": IdsChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisers"].queryset = hub_workers().exclude(role="volunteer")
        self.fields["volunteers"].queryset = hub_workers()

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The round cannot end before it starts.")
        if data.get("target") == 0:
            self.add_error("target", "Aim for at least one conversation.")
        return data

    def validate_constraints(self, exclude=None):
        """The service checks the dates; the model's constraint would repeat the message."""


class FollowUpForm(forms.ModelForm):
    owner = WorkerChoiceField(
        queryset=User.objects.none(), label="Who keeps it", empty_label=None, widget=WorkerSelect
    )

    class Meta:
        model = FollowUp
        fields = ["action", "owner", "due_on"]
        widgets = {"due_on": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = hub_workers()
        self.fields["owner"].initial = user.pk

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError("The due date cannot be in the past.")
        return due_on


class ThemeRenameForm(forms.Form):
    name = forms.CharField(label="New name", max_length=80)


class ThemeMergeForm(forms.Form):
    target = IdChoiceField(
        queryset=Theme.objects.all(),
        label="Merge into",
        empty_label="Choose a theme",
        error_messages={"invalid_choice": "Choose another theme from the list."},
    )

    def __init__(self, *args, theme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Theme.objects.exclude(pk=theme.pk)


class ThemeCountsForm(forms.Form):
    """The filters of the themes page; every field may be left empty."""

    round = IdChoiceField(
        queryset=ListeningRound.objects.none(), required=False, empty_label="Every round"
    )
    locality = IdChoiceField(
        queryset=Locality.objects.all(), required=False, empty_label="Every locality"
    )
    date_from = forms.DateField(label="From", required=False, widget=DATE)
    date_to = forms.DateField(label="To", required=False, widget=DATE)

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = round_visible(viewer).order_by("-starts_on", "name")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data
