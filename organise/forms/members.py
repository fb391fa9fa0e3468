"""Forms of membership for staff. They validate what a person can type; the services
re-check the rules they own and their errors land on the same fields."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone

from hubsite.forms import IdChoiceField
from hubsite.people.models import Locality, Person, Tag

from ..models import Membership, MembershipType
from ..selectors.members import membership_types_open

# The browser's own date picker; its value is always ISO, whatever the hub's locale.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MembershipTypeForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="e.g. Individual, Household, Group member.")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Shown to people choosing how to join.",
    )
    suggested_contribution = forms.DecimalField(
        label="Suggested contribution (£)",
        min_value=Decimal(0),
        max_digits=7,
        decimal_places=2,
        required=False,
        help_text="Per term. Leave empty for a free membership; the hub takes no payments.",
    )
    term_months = forms.IntegerField(
        label="Length of a term (months)",
        min_value=1,
        max_value=120,
        initial=12,
        help_text="A new length applies from each member's next renewal.",
    )
    open_to_join = forms.BooleanField(
        label="Open to join",
        required=False,
        initial=True,
        help_text="Offered on the join page. Close a kind instead of deleting it.",
    )
    order = forms.IntegerField(
        min_value=0, max_value=1000, initial=0, help_text="Kinds are listed from the lowest."
    )

    @classmethod
    def for_type(cls, type, data=None):
        initial = {
            field: getattr(type, field)
            for field in (
                "name",
                "description",
                "suggested_contribution",
                "term_months",
                "open_to_join",
                "order",
            )
        }
        return cls(data, initial=initial)


class ContributionForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount (£)", min_value=Decimal("0.01"), max_digits=8, decimal_places=2
    )
    received_on = forms.DateField(label="Received on", widget=DATE)
    note = forms.CharField(
        max_length=200, required=False, help_text="e.g. cash at the AGM, standing order."
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        kwargs.setdefault("prefix", "contribution")
        super().__init__(*args, **kwargs)

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError("The date it was received cannot be in the future.")
        return received_on


class TypeChoiceField(IdChoiceField):
    def label_from_instance(self, type):
        if type.is_free:
            return f"{type.name} (free)"
        return f"{type.name} (£{type.suggested_contribution} suggested)"


class MemberTypeForm(forms.Form):
    """Change a member's kind of membership: to any kind still offered."""

    type = TypeChoiceField(label="Kind of membership", queryset=MembershipType.objects.none())

    def __init__(self, *args, membership, **kwargs):
        kwargs.setdefault("initial", {"type": membership.type_id})
        kwargs.setdefault("prefix", "kind")
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = MembershipType.objects.filter(
            Q(pk=membership.type_id) | Q(open_to_join=True)
        ).order_by("order", "name")


class MemberAddForm(forms.Form):
    """Make a person the hub knows a member; they are found by the search beside it."""

    person = IdChoiceField(
        queryset=Person.objects.exclude(membership__status=Membership.Status.ACTIVE),
        widget=forms.HiddenInput,
        error_messages={
            "required": "Find the person, then choose them.",
            "invalid_choice": "Choose someone who is not a member yet.",
        },
    )
    type = TypeChoiceField(
        label="Kind of membership",
        queryset=MembershipType.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose a kind of membership that is offered."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = membership_types_open()


class GrowthForm(forms.Form):
    """The filters of the growth page; every field may be left empty."""

    locality = IdChoiceField(
        queryset=Locality.objects.order_by("name"), required=False, empty_label="Every locality"
    )
    tag = IdChoiceField(
        label="Community of interest",
        queryset=Tag.objects.order_by("name"),
        required=False,
        empty_label="Every community",
    )
    type = IdChoiceField(
        label="Kind of membership",
        queryset=MembershipType.objects.order_by("order", "name"),
        required=False,
        empty_label="Every kind",
    )
