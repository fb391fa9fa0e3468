"""Filters of the conversations list (django-filter). Choices offered are limited to what the
viewer may see; the queryset it filters is already limited the same way."""

import django_filters
from django import forms

from hubsite.forms import LongSelect
from hubsite.people.models import Locality

from .forms import DATE, WorkerChoiceField, hub_workers
from .models import Conversation, Theme
from .selectors import conversation_search, round_visible


class WorkerFilter(django_filters.ModelChoiceFilter):
    field_class = WorkerChoiceField


class ConversationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Words",
        method="search",
        help_text="Searches what they care about, hope for, need and offer.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    # Rounds and places grow with the years: their options are written in one pass.
    round = django_filters.ModelChoiceFilter(
        queryset=None, empty_label="Any round", widget=LongSelect
    )
    locality = django_filters.ModelChoiceFilter(
        queryset=Locality.objects.all(),
        empty_label="Any locality",
        null_label="Not recorded",
        widget=LongSelect,
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="themes",
        queryset=Theme.objects.all(),
        to_field_name="slug",
        empty_label="Any theme",
    )
    method = django_filters.ChoiceFilter(
        label="How", choices=Conversation.Method.choices, empty_label="Any way"
    )
    volunteer = WorkerFilter(
        field_name="logged_by", label="Logged by", queryset=None, empty_label="Anyone"
    )
    willingness = django_filters.ChoiceFilter(
        label="Willingness at least",
        choices=Conversation.Willingness.choices,
        lookup_expr="gte",
        empty_label="Any",
    )
    held_from = django_filters.DateFilter(
        field_name="held_on", lookup_expr="gte", label="From", widget=DATE
    )
    held_to = django_filters.DateFilter(
        field_name="held_on", lookup_expr="lte", label="To", widget=DATE
    )

    class Meta:
        model = Conversation
        fields = [
            "q",
            "round",
            "locality",
            "theme",
            "method",
            "volunteer",
            "willingness",
            "held_from",
            "held_to",
        ]

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["round"].queryset = round_visible(viewer).order_by("-starts_on", "name")
        self.filters["volunteer"].queryset = hub_workers()
        if viewer.role == "volunteer":  # they only ever see their own conversations
            del self.filters["volunteer"]

    def search(self, queryset, name, value):
        return conversation_search(queryset, value)
