"""Filters of the people list (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q

from .forms import NameSelect
from .models import Group, Locality, Person, Role, Tag


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Name or email",
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    locality = django_filters.ModelChoiceFilter(
        queryset=Locality.objects.all(), empty_label="Any locality", widget=NameSelect
    )
    tag = django_filters.ModelChoiceFilter(
        field_name="tags",
        queryset=Tag.objects.all(),
        label="Community of interest",
        empty_label="Any community",
        widget=NameSelect,
    )
    group = django_filters.ModelChoiceFilter(
        field_name="groups",
        queryset=Group.objects.all(),
        label="Group",
        distinct=True,
        empty_label="Any group",
        widget=NameSelect,
    )
    role = django_filters.ChoiceFilter(
        label="Account",
        choices=[("any", "Has an account"), *Role.choices, ("none", "No account")],
        empty_label="Any",
        method="filter_role",
    )

    class Meta:
        model = Person
        fields = ["q", "locality", "tag", "group", "role"]

    def search(self, queryset, name, value):
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
        return queryset

    def filter_role(self, queryset, name, value):
        if value == "none":
            return queryset.filter(user__isnull=True)
        if value == "any":
            return queryset.filter(user__isnull=False)
        return queryset.filter(user__role=value)
