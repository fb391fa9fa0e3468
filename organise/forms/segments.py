"""The segment builder: a name, and filters over the people the hub knows. Each kind of
filter offers only what its owner may filter by (``selectors.segments.filter_choices``); a
segment saved with filters its owner can no longer use keeps them until they are removed on
purpose (``remove_lost_filters``)."""

from django import forms

from hubsite.forms import IdsChoiceField

from ..models import Membership, Segment
from ..selectors.segments import (
    FILTER_KINDS,
    NOT_A_MEMBER,
    filter_choices,
    filter_ids,
    filters_lost_described,
    filters_out_of_reach,
)
from ..services.segments import lost_filters_message

MEMBERSHIP_CHOICES = [*Membership.Status.choices, (NOT_A_MEMBER, "Not a member of the hub")]


class SegmentForm(forms.Form):
    name = forms.CharField(
        max_length=Segment._meta.get_field("name").max_length,
        help_text="For you and your colleagues, e.g. “Tenants of Park Ward who spoke about damp”.",
        error_messages={"required": "Give the segment a name, so that you find it again."},
    )
    description = forms.CharField(
        max_length=Segment._meta.get_field("description").max_length,
        required=False,
        help_text="Optional: who they are, and what you want them for.",
    )
    localities = IdsChoiceField(
        label="Who live in",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = IdsChoiceField(
        label="Who belong to the communities of interest",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    groups = IdsChoiceField(
        label="Who are in the groups",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    membership_status = forms.MultipleChoiceField(
        label="Whose membership of the hub is",
        choices=MEMBERSHIP_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    themes = IdsChoiceField(
        label="Who spoke in a Listening conversation about",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    campaigns = IdsChoiceField(
        label="Who signed the campaigns",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    events = IdsChoiceField(
        label="Who came to the events",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    remove_lost_filters = forms.BooleanField(
        label="Remove the filters I can no longer use",
        required=False,
        help_text="The segment may then reach more people: check its count before you save.",
    )

    def __init__(self, *args, owner, segment=None, **kwargs):
        if segment is not None:
            kwargs.setdefault("initial", initial_of(segment))
        super().__init__(*args, **kwargs)
        # The saved filters the owner can no longer choose: the checkboxes cannot show them,
        # so the form names them and asks before they go (the service refuses otherwise).
        lost = filters_out_of_reach(segment.filters, owner) if segment is not None else {}
        self.lost_filters = filters_lost_described(lost)
        if not lost:
            del self.fields["remove_lost_filters"]
        for kind, queryset in filter_choices(owner).items():
            self.fields[kind].queryset = queryset
        self.fields["events"].label_from_instance = lambda event: (
            f"{event.title} ({event.starts_at:%-d %b %Y})"
        )
        self.filter_fields = [self[kind] for kind in FILTER_KINDS]

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        data = super().clean()
        if self.lost_filters and not data.get("remove_lost_filters"):
            raise forms.ValidationError(lost_filters_message(self.lost_filters))
        return data

    def filters(self):
        """The chosen filters as ``Segment.filters`` stores them (ids), from the fields
        that validated."""
        data = self.cleaned_data
        filters = {}
        for kind in FILTER_KINDS:
            values = data.get(kind)
            if not values:
                continue
            if kind == "membership_status":
                filters[kind] = list(values)
            else:
                filters[kind] = sorted(row.pk for row in values)
        return filters

    def filters_valid(self):
        """Whether every filter field validated (the name may still be missing): enough
        to count the people they match while the form is being filled in."""
        self.is_valid()
        return not any(kind in self.errors for kind in FILTER_KINDS)


def initial_of(segment):
    initial = {"name": segment.name, "description": segment.description}
    for kind in FILTER_KINDS:
        if kind == "membership_status":
            initial[kind] = list((segment.filters or {}).get(kind) or [])
        else:
            initial[kind] = filter_ids(segment.filters, kind)
    return initial
