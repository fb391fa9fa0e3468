"""Forms of the data-protection screens. They validate what staff can type; the services
re-check the rules they own and their errors land on the same fields."""

from django import forms
from django.utils import timezone

from hubsite.forms import LARGEST_ID, IdChoiceField
from hubsite.people.models import Person

from .models import AuditEntry, DataRequest
from .services import CLOSING, MAX_TEXT, OLDEST_RECEIVED

# The browser's own date picker; its value is always ISO, whatever the hub's locale.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DataRequestForm(forms.Form):
    """Log a request a person made about their data; they are found by the search beside it
    (optional: a request by letter may come from someone the hub does not know yet)."""

    kind = forms.ChoiceField(
        label="What they asked for",
        choices=DataRequest.Kind.choices,
        error_messages={"invalid_choice": "Choose what the person asked for."},
    )
    channel = forms.ChoiceField(
        label="How it came in",
        choices=DataRequest.Channel.choices,
        initial=DataRequest.Channel.EMAIL,
        error_messages={"invalid_choice": "Choose how the request came in."},
    )
    received_on = forms.DateField(
        label="Received on",
        widget=DATE,
        help_text="The deadline is one month from this day.",
    )
    person = IdChoiceField(
        queryset=Person.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Choose a person the hub knows, or no one."},
    )
    details = forms.CharField(
        label="What was asked",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only what the request needs. Emptied if the person is later erased.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        today = timezone.localdate()
        if received_on > today:
            raise forms.ValidationError("A request cannot be received in the future.")
        if received_on < today - OLDEST_RECEIVED:
            raise forms.ValidationError("Enter a date within the last year.")
        return received_on


class DataRequestExtendForm(forms.Form):
    reason = forms.CharField(
        label="Why it needs more time",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A complex request, or many from the same person. Tell the person too.",
        error_messages={"required": "Say why the request needs more time."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "extend")
        super().__init__(*args, **kwargs)


class DataRequestCloseForm(forms.Form):
    status = forms.ChoiceField(
        label="How it ended",
        choices=[(value, label) for value, label in DataRequest.Status.choices if value in CLOSING],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose done, refused or withdrawn."},
    )
    outcome = forms.CharField(
        label="Outcome",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was done, or why it was refused (needed for both).",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "close")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if (
            data.get("status") in (DataRequest.Status.DONE, DataRequest.Status.REFUSED)
            and not (data.get("outcome") or "").strip()
        ):
            self.add_error("outcome", "Say what was done, or why it was refused.")
        return data


class DataRequestFilterForm(forms.Form):
    """The filters of the requests log; both may be left empty."""

    status = forms.ChoiceField(
        choices=[("", "Any status"), *DataRequest.Status.choices], required=False
    )
    kind = forms.ChoiceField(choices=[("", "Any kind"), *DataRequest.Kind.choices], required=False)


class AuditFilterForm(forms.Form):
    """The search of the audit log; every field may be left empty."""

    action = forms.ChoiceField(
        label="What was done",
        choices=[("", "Anything"), *AuditEntry.Action.choices],
        required=False,
    )
    actor = forms.CharField(label="Who (email contains)", max_length=254, required=False)
    subject = forms.IntegerField(
        label="About person #",
        min_value=1,
        max_value=LARGEST_ID,
        required=False,
        help_text="The person's number, as in their page's address.",
    )
    since = forms.DateField(label="From", widget=DATE, required=False)
    until = forms.DateField(label="To", widget=DATE, required=False)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "Choose a day on or after the first one.")
        return data

    def filters(self):
        """The selector's arguments from the fields that are valid (one not understood is
        left out, and shown with its error)."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "action": data.get("action", ""),
            "actor": (data.get("actor") or "").strip(),
            "subject_id": data.get("subject"),
            "since": data.get("since"),
            "until": data.get("until"),
        }


class RetentionForm(forms.Form):
    """How long one kind of record is kept: months, or empty to keep it until a person asks
    for erasure."""

    kind = forms.ChoiceField(
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "There is no such kind of record."},
    )
    months = forms.IntegerField(
        label="Months kept",
        min_value=1,
        max_value=240,
        required=False,
        help_text="From 1 to 240. Empty: kept until the person asks for erasure.",
        error_messages={
            "min_value": "Keep records between 1 and 240 months, or leave empty.",
            "max_value": "Keep records between 1 and 240 months, or leave empty.",
        },
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, kind) for kind in kinds]
