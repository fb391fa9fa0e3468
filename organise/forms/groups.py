"""Forms of self-organised groups: proposing one, and answering a proposal."""

from django import forms

from hubsite.people.models import Locality

from ..services.groups import ANSWER_MAX_LENGTH, NAME_MAX_LENGTH, PURPOSE_MAX_LENGTH

APPROVE, DECLINE = "approve", "decline"


def _yes(value):
    return value == "yes"


class ProposalForm(forms.Form):
    name = forms.CharField(
        label="Name of the group",
        max_length=NAME_MAX_LENGTH,
        help_text="A name neighbours will recognise, e.g. “Elm Street Gardeners”.",
        error_messages={"required": "Give the group a name."},
    )
    purpose = forms.CharField(
        label="What it is about, and what it hopes to do",
        max_length=PURPOSE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What brings people together, and what you would like to do first.",
        error_messages={"required": "Say what the group is about and what it hopes to do."},
    )
    locality = forms.ModelChoiceField(
        queryset=Locality.objects.order_by("name"),
        required=False,
        label="Where (optional)",
        empty_label="Anywhere in the hub's area",
        error_messages={"invalid_choice": "Choose a place from the list."},
    )
    public = forms.TypedChoiceField(
        label="Give the group a public page?",
        choices=[
            ("yes", "Yes: anyone can find the group and ask to join; you answer them"),
            (
                "no",
                "No: hub staff add its members (you can give it a public page later, "
                "from the group's edit page)",
            ),
        ],
        coerce=_yes,
        initial="yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether the group has a public page.",
            "invalid_choice": "Say whether the group has a public page.",
        },
    )

    def clean_name(self):
        # One line: it becomes the group's name and the subject of emails.
        return " ".join(self.cleaned_data["name"].split())


class ProposalDecisionForm(forms.Form):
    """Approve or decline, from two buttons of one form (the buttons carry ``decision``, so
    the template renders only the answer): the answer goes to the proposer, and declining
    needs one."""

    decision = forms.ChoiceField(
        choices=[(APPROVE, "Approve"), (DECLINE, "Decline")],
        error_messages={
            "required": "Choose to approve or to decline the proposal.",
            "invalid_choice": "Choose to approve or to decline the proposal.",
        },
    )
    answer = forms.CharField(
        label="Your answer to the proposer",
        required=False,
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Sent to them by email. Needed when you decline: say why, and what they could "
            "do instead."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == DECLINE and not data.get("answer", "").strip():
            self.add_error(
                "answer", "Say why the group is not approved: the proposer reads this answer."
            )
        return data
