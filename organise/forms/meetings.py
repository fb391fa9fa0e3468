"""Forms of meetings and decisions. They validate what a person can type; the services
re-check the rules they own (who runs a meeting, who may own a decision) and their errors
land on the same fields."""

from django import forms
from django.utils import timezone
from django.utils.dateformat import format as date_format

from hubsite.people.models import Group, GroupMembership, Person, Role

from ..models import Decision, Meeting

# The browser's own date picker; its value is always ISO, whatever the hub's locale.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_ATTENDANCE = 100_000
MAX_TEXT = 20_000

ROLE_LABELS = dict(Role.choices) | dict(GroupMembership.Role.choices)


def _day(value):
    return date_format(value, "j F Y")


def _one_line(value):
    return " ".join((value or "").split())


class MeetingForm(forms.Form):
    title = forms.CharField(
        max_length=Meeting._meta.get_field("title").max_length,
        error_messages={"required": "Give the meeting a title."},
    )
    kind = forms.ChoiceField(
        label="What kind of meeting",
        choices=Meeting.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the kinds of meeting offered."},
    )
    group = forms.ModelChoiceField(
        queryset=Group.objects.none(),
        required=False,
        empty_label="Not a group's meeting",
        help_text="For a group's own meeting: open to the people of the group.",
        error_messages={"invalid_choice": "Choose one of the groups you run meetings for."},
    )
    held_on = forms.DateField(
        label="Date",
        widget=DATE,
        error_messages={
            "required": "Enter the date of the meeting.",
            "invalid": "Enter the date of the meeting, like 2025-03-14.",
        },
    )
    place = forms.CharField(
        max_length=Meeting._meta.get_field("place").max_length,
        required=False,
        help_text="A room and address, or how to join online.",
    )
    agenda = forms.CharField(
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What will be discussed and decided: members see it before the meeting.",
    )
    minutes = forms.CharField(
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="What was said and agreed, written up after the meeting. Record each "
        "decision below it, with who sees it through.",
    )
    attendance = forms.IntegerField(
        label="How many came",
        required=False,
        min_value=0,
        max_value=MAX_ATTENDANCE,
        error_messages={"invalid": "Enter how many came as a number."},
    )

    def __init__(self, *args, groups, hub_meetings, **kwargs):
        """``groups``: the groups the person may call a meeting of; ``hub_meetings``: whether
        they may call the hub's own meetings (members' meetings, the AGM)."""
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        if not hub_meetings:
            self.fields["kind"].choices = [(Meeting.Kind.GROUP, Meeting.Kind.GROUP.label)]
            self.fields["kind"].initial = Meeting.Kind.GROUP
            self.fields["group"].required = True
            self.fields["group"].empty_label = None
            self.fields["group"].error_messages["required"] = (
                "Choose the group whose meeting it is."
            )

    def clean_title(self):
        value = _one_line(self.cleaned_data["title"])
        if not value:
            raise forms.ValidationError("Give the meeting a title.")
        return value

    def clean_place(self):
        return _one_line(self.cleaned_data["place"])

    def clean(self):
        data = super().clean()
        kind, group = data.get("kind"), data.get("group")
        if kind == Meeting.Kind.GROUP and group is None and "group" not in self.errors:
            self.add_error("group", "Choose the group whose meeting it is.")
        if kind and kind != Meeting.Kind.GROUP and group is not None:
            self.add_error(
                "group",
                "A members' meeting or the AGM belongs to the whole hub: leave the group empty.",
            )
        return data


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        role = ROLE_LABELS.get(getattr(person, "role_label", None))
        return f"{person.full_name} ({role.lower()})" if role else person.full_name


class DecisionForm(forms.Form):
    summary = forms.CharField(
        label="What was decided",
        max_length=Decision._meta.get_field("summary").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what was decided."},
    )
    decided_by = forms.CharField(
        label="Who decided",
        max_length=Decision._meta.get_field("decided_by").max_length,
        help_text="e.g. Members at the AGM, by 34 votes to 2.",
        error_messages={
            "required": "Say who decided, e.g. members at the AGM, by a show of hands."
        },
    )
    owner = OwnerChoiceField(
        label="Who sees it through",
        queryset=Person.objects.none(),
        empty_label="Choose the owner",
        error_messages={
            "required": "Choose who will see this decision through: a decision needs an owner.",
            "invalid_choice": "Choose the owner from the list.",
        },
    )
    review_on = forms.DateField(
        label="Review date",
        widget=DATE,
        help_text="When it comes back: its owner is reminded by email on the day.",
        error_messages={
            "required": "Choose when the decision comes back for review.",
            "invalid": "Enter the review date, like 2025-06-30.",
        },
    )
    status = forms.ChoiceField(
        choices=Decision.Status.choices,
        initial=Decision.Status.OPEN,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose whether it is in hand, done or dropped."},
    )
    outcome = forms.CharField(
        label="What came of it",
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, meeting, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["owner"].queryset = owners
        self.fields["owner"].help_text = (
            "Someone in the group." if meeting.group_id else "Someone with an account on the hub."
        )

    def clean_summary(self):
        value = _one_line(self.cleaned_data["summary"])
        if not value:
            raise forms.ValidationError("Say what was decided.")
        return value

    def clean_decided_by(self):
        value = _one_line(self.cleaned_data["decided_by"])
        if not value:
            raise forms.ValidationError("Say who decided.")
        return value

    def clean_review_on(self):
        review_on = self.cleaned_data["review_on"]
        if review_on < self.meeting.held_on:
            raise forms.ValidationError(
                f"The review date cannot be before the meeting ({_day(self.meeting.held_on)})."
            )
        return review_on


REVIEW_CHOICES = [
    (Decision.Status.DONE, "Done"),
    (Decision.Status.DROPPED, "Dropped"),
    (Decision.Status.OPEN, "Still in hand: review it again later"),
]


class DecisionReviewForm(forms.Form):
    status = forms.ChoiceField(
        label="Where it stands",
        choices=REVIEW_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether it is done, dropped or still in hand.",
            "invalid_choice": "Choose whether it is done, dropped or still in hand.",
        },
    )
    outcome = forms.CharField(
        label="What came of it",
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when it is done or dropped: members read it.",
    )
    review_on = forms.DateField(
        label="Next review date",
        required=False,
        widget=DATE,
        help_text="Needed when it is still in hand.",
        error_messages={"invalid": "Enter the next review date, like 2025-06-30."},
    )

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if status == Decision.Status.OPEN and "review_on" not in self.errors:
            review_on = data.get("review_on")
            if review_on is None:
                self.add_error("review_on", "Choose when it comes back for review.")
            elif review_on <= timezone.localdate():
                self.add_error("review_on", "Choose a new review date after today.")
        closed = status in (Decision.Status.DONE, Decision.Status.DROPPED)
        if closed and not (data.get("outcome") or "").strip():
            self.add_error("outcome", "Say what came of it, for the members who decided it.")
        return data
