"""Filters of Action's lists (django-filter). Each part keeps its own FilterSet."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from hubsite.people.models import Group, Locality

from .models import Activity


def _with_activities(model, field):
    """The places or groups some activity is in: the only ones worth filtering by, and a
    list that grows with the activities rather than with every place and group of the hub."""
    used = Activity.objects.filter(**{field: OuterRef("pk")})
    return model.objects.filter(Exists(used)).order_by("name")


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Words",
        method="search",
        help_text="In its name and the need it meets.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    stage = django_filters.ChoiceFilter(choices=Activity.Stage.choices, empty_label="Any stage")
    kind = django_filters.ChoiceFilter(
        label="Kind", choices=Activity.Kind.choices, empty_label="Any kind"
    )
    locality = django_filters.ModelChoiceFilter(
        label="Where",
        queryset=_with_activities(Locality, "locality"),
        empty_label="Anywhere",
        null_label="Not in one place",
    )
    group = django_filters.ModelChoiceFilter(
        queryset=_with_activities(Group, "group"), empty_label="Any group"
    )

    class Meta:
        model = Activity
        fields = ["q", "stage", "kind", "locality", "group"]

    def search(self, queryset, name, value):
        for word in value.split()[:6]:
            queryset = queryset.filter(Q(name__icontains=word) | Q(need__icontains=word))
        return queryset
