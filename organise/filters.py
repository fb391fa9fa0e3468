"""Filters of the members list (django-filter): status, kind, place, community of
interest, renewal due within some days, and a search by name or email."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from hubsite.people.models import Locality, Tag

from .models import Membership, MembershipType


class DaysFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class MembershipFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Name or email",
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = django_filters.ChoiceFilter(
        choices=Membership.Status.choices, empty_label="Any status"
    )
    type = django_filters.ModelChoiceFilter(
        label="Kind",
        queryset=MembershipType.objects.order_by("order", "name"),
        empty_label="Any kind",
    )
    locality = django_filters.ModelChoiceFilter(
        field_name="person__locality",
        label="Locality",
        queryset=Locality.objects.order_by("name"),
        empty_label="Any locality",
        null_label="Not recorded",
    )
    tag = django_filters.ModelChoiceFilter(
        field_name="person__tags",
        label="Community of interest",
        queryset=Tag.objects.order_by("name"),
        empty_label="Any community",
    )
    renews_within = DaysFilter(
        label="Renewal due within (days)",  # active members due by then, or overdue
        method="renewal_due",
        min_value=0,
        max_value=366,
        widget=forms.NumberInput(attrs={"min": 0, "max": 366, "inputmode": "numeric"}),
    )

    class Meta:
        model = Membership
        fields = ["q", "status", "type", "locality", "tag", "renews_within"]

    def search(self, queryset, name, value):
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(person__first_name__icontains=word)
                | Q(person__last_name__icontains=word)
                | Q(person__email__icontains=word)
            )
        return queryset

    def renewal_due(self, queryset, name, value):
        until = timezone.localdate() + timedelta(days=value)
        return queryset.filter(status=Membership.Status.ACTIVE, renews_on__lte=until).order_by(
            "renews_on", "id"
        )

    def without_status(self):
        """The memberships these filters find, whatever their status: for the counts by
        status above the list."""
        data = self.data.copy()
        data.pop("status", None)
        data.pop("page", None)
        return self.__class__(data, queryset=self.queryset).qs
