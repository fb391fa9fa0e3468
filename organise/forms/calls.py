"""Forms of calls to action: writing one (with at most one ask), sending it now or at a set
time, and a person's answer from the link in their email."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from hubsite.forms import IdChoiceField

from ..models import CallToAction, Delivery
from ..selectors.calls import campaigns_to_ask, events_to_ask
from ..services.calls import BODY_MAX_LENGTH, LONGEST_SCHEDULE_DAYS

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CallForm(forms.Form):
    subject = forms.CharField(
        max_length=CallToAction._meta.get_field("subject").max_length,
        help_text="What people see in their inbox: say what you ask of them.",
        error_messages={"required": "Write a subject: it is what people see in their inbox."},
    )
    body = forms.CharField(
        label="The message",
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=(
            "Plain text. Each email greets the person by name, then adds your ask with "
            "“Yes” and “Not this time” links, and a link to stop the hub's emails."
        ),
        error_messages={"required": "Write the message itself."},
    )
    event = IdChoiceField(
        label="Ask them to come to an event",
        queryset=None,
        required=False,
        empty_label="No event",
        help_text="Coming events with a public page, or one for people signed in to the hub.",
    )
    campaign = IdChoiceField(
        label="Or ask them to sign a campaign",
        queryset=None,
        required=False,
        empty_label="No campaign",
        help_text="One ask at most: an event or a campaign.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events_to_ask()
        self.fields["event"].label_from_instance = lambda event: (
            f"{event.title} ({timezone.localtime(event.starts_at):%-d %b %Y, %H:%M})"
        )
        self.fields["campaign"].queryset = campaigns_to_ask()

    def clean_subject(self):
        # One line: a line break in a subject would break the email.
        return " ".join(self.cleaned_data["subject"].split())

    def clean(self):
        data = super().clean()
        if data.get("event") and data.get("campaign"):
            self.add_error("campaign", "Ask for one thing: an event or a campaign, not both.")
        return data


class CallSendForm(forms.Form):
    WHEN = [("now", "Now"), ("later", "At a time I choose")]

    when = forms.ChoiceField(
        label="When should it go?",
        choices=WHEN,
        initial="now",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose when the call goes out."},
    )
    send_at = forms.DateTimeField(
        label="Send it at",
        required=False,
        widget=DATETIME,
        help_text="Only when you chose a time: the call goes out within five minutes of it.",
        error_messages={"invalid": "Enter a date and time, like 2026-06-01 18:30."},
    )
    confirm = forms.BooleanField(
        label="Yes, this call is ready to go",
        error_messages={"required": "Tick the box to say the call is ready to go."},
    )

    def clean(self):
        data = super().clean()
        if data.get("when") != "later":
            data["send_at"] = None
            return data
        send_at = data.get("send_at")
        if send_at is None:
            if "send_at" not in self.errors:
                self.add_error("send_at", "Choose when the call should go out.")
        elif send_at <= timezone.now():
            self.add_error("send_at", "Choose a time still to come.")
        elif send_at > timezone.now() + timedelta(days=LONGEST_SCHEDULE_DAYS):
            self.add_error("send_at", "Choose a time within the coming year.")
        return data


class RespondForm(forms.Form):
    answer = forms.ChoiceField(
        choices=Delivery.Response.choices,
        error_messages={"required": "Choose yes or not this time."},
    )
