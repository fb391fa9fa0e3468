"""Filters of the calendar (django-filter): by group, locality and type of event. The groups
offered are those hosting an event the viewer may see; the queryset it filters is already
limited to those events."""

import django_filters

from hubsite.forms import LongSelect
from hubsite.people.models import Locality

from .models import Event
from .selectors.calendar import event_groups


class EventFilter(django_filters.FilterSet):
    # Every group and place may be offered: the options are written by ``LongSelect`` and
    # only what they show is fetched.
    group = django_filters.ModelChoiceFilter(
        queryset=None, to_field_name="slug", empty_label="Any group", widget=LongSelect
    )
    locality = django_filters.ModelChoiceFilter(
        queryset=Locality.objects.only("pk", "slug", "name"),
        to_field_name="slug",
        empty_label="Anywhere",
        widget=LongSelect,
    )
    kind = django_filters.ChoiceFilter(
        label="Type", choices=Event.Kind.choices, empty_label="Any type"
    )

    class Meta:
        model = Event
        fields = ["group", "locality", "kind"]

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["group"].queryset = event_groups(viewer).only("pk", "slug", "name")

    @property
    def chosen_group(self):
        """The group chosen in the filter, when it was understood, for its own feed."""
        self.form.is_valid()  # cleans the form: the fields that were understood are kept
        return self.form.cleaned_data.get("group")
