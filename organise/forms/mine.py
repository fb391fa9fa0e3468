"""Forms of a member's own pages: their profile, how the hub may contact them, and the kind
of membership they hold."""

import re

from django import forms

from hubsite.forms import IdChoiceField, IdsChoiceField
from hubsite.people.models import Locality, Tag

from .join import MembershipTypeField, clean_postcode

PHONE = re.compile(r"^\+?[0-9 ()\-]{6,}$")


class ProfileForm(forms.Form):
    first_name = forms.CharField(
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": "Enter your first name."},
    )
    last_name = forms.CharField(
        max_length=80, required=False, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    phone = forms.CharField(
        max_length=32, required=False, widget=forms.TextInput(attrs={"autocomplete": "tel"})
    )
    postcode = forms.CharField(
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    locality = IdChoiceField(
        queryset=Locality.objects.order_by("name"),
        required=False,
        empty_label="Not given",
        label="Where you live",
        error_messages={"invalid_choice": "Choose a place from the list, or leave it empty."},
    )
    tags = IdsChoiceField(
        queryset=Tag.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Communities you belong to or care about",
        error_messages={"invalid_choice": "Choose communities from the list."},
    )
    languages = forms.CharField(
        max_length=200,
        required=False,
        label="Languages you speak",
        help_text="e.g. English, Urdu",
    )
    accessibility_needs = forms.CharField(
        max_length=2000,
        required=False,
        label="Anything we should know to make our activities accessible to you",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @classmethod
    def initial_from(cls, person):
        initial = {name: getattr(person, name) for name in cls.base_fields if name != "tags"}
        initial["locality"] = person.locality_id
        initial["tags"] = [tag.pk for tag in person.tags.all()]
        return initial

    def clean_first_name(self):
        value = " ".join(self.cleaned_data["first_name"].split())
        if not value:
            raise forms.ValidationError("Enter your first name.")
        return value

    def clean_last_name(self):
        return " ".join(self.cleaned_data.get("last_name", "").split())

    def clean_phone(self):
        value = " ".join(self.cleaned_data.get("phone", "").split())
        if value and not PHONE.match(value):
            raise forms.ValidationError(
                "Enter a phone number like 07700 900123, or leave it empty."
            )
        return value

    def clean_postcode(self):
        return clean_postcode(self.cleaned_data.get("postcode", ""))

    def clean_languages(self):
        return " ".join(self.cleaned_data.get("languages", "").split())

    def clean_accessibility_needs(self):
        return self.cleaned_data.get("accessibility_needs", "").strip()


class TypeChangeForm(forms.Form):
    type = MembershipTypeField(queryset=None, label="Kind of membership")

    def __init__(self, *args, types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = types


class RenewForm(forms.Form):
    """The button that renews: it sends the renewal date its page showed, so that a second
    click (or a renewal by someone else meanwhile) does not renew again."""

    renews_on = forms.DateField(widget=forms.DateInput(attrs={"type": "hidden"}, format="%Y-%m-%d"))

    def __init__(self, *args, membership=None, **kwargs):
        if membership is not None:
            kwargs.setdefault("initial", {"renews_on": membership.renews_on})
        super().__init__(*args, **kwargs)
