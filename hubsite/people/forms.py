"""Forms of the core. They validate what a person can type; the services re-check the rules
they own (unique email, unique names) and their errors land on the same fields."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from hubsite.forms import IdChoiceField

from .models import Consent, Group, GroupMembership, Locality, Person, Role, Tag
from .selectors import person_by_email


class NameSelect(forms.Select):
    """The select of a model choice field whose rows are shown by their ``name`` (groups,
    localities, communities of interest), for lists that grow with the hub: the options are
    read as (id, name) pairs and written in one pass. Django's own select makes a model
    instance and renders a template for each option, which with a hub's thousands of groups
    cost more than the rest of the page."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        field = self.choices.field
        pairs = [("", field.empty_label)] if field.empty_label is not None else []
        if getattr(field, "null_label", None) is not None:  # django-filter's "none" choice
            pairs.append((field.null_value, field.null_label))
        pairs += self.choices.queryset.values_list("pk", "name")
        options = "".join(
            f'<option value="{escape(str(pk))}"{" selected" if str(pk) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for pk, label in pairs
        )
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attrs, mark_safe(options))


class PersonForm(forms.ModelForm):
    consents = forms.MultipleChoiceField(
        label="They agree to",
        choices=Consent.Purpose.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only tick what the person has said yes to.",
    )
    consent_method = forms.ChoiceField(
        label="How they agreed", choices=Consent.Method.choices, initial=Consent.Method.VERBAL
    )

    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "postcode",
            "locality",
            "tags",
            "first_contact",
            "languages",
            "accessibility_needs",
        ]
        widgets = {
            "tags": forms.CheckboxSelectMultiple,
            "accessibility_needs": forms.Textarea(attrs={"rows": 3}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # consent changes go through the consent form, with history
            del self.fields["consents"]
            del self.fields["consent_method"]
        if self.instance.user_id:
            # The address is their login: it changes only from their own account.
            self.fields["email"].disabled = True
            self.fields["email"].help_text = "They sign in with this address."

    def clean_first_name(self):
        value = self.cleaned_data["first_name"].strip()
        if not value:
            raise forms.ValidationError("Enter a first name.")
        return value

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        existing = person_by_email(email)
        if existing and existing.pk != self.instance.pk:
            raise forms.ValidationError(
                format_html(
                    'This email address belongs to <a href="{}">{}</a>, who is already known '
                    "to the hub.",
                    reverse("people:person_detail", args=[existing.pk]),
                    existing.full_name,
                ),
                code="duplicate_email",
            )
        return email

    def clean_postcode(self):
        return " ".join(self.cleaned_data.get("postcode", "").upper().split())


class ConsentForm(forms.ModelForm):
    given = forms.TypedChoiceField(
        label="Their answer",
        choices=[("yes", "Yes, they agree"), ("no", "No, or they withdraw it")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Consent
        fields = ["purpose", "given", "method", "note"]
        labels = {"purpose": "What for", "method": "How they told us"}


class InviteForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class AddToGroupForm(forms.Form):
    group = IdChoiceField(queryset=Group.objects.all(), widget=NameSelect)
    role = forms.ChoiceField(
        label="Role in the group",
        choices=GroupMembership.Role.choices,
        initial=GroupMembership.Role.MEMBER,
    )


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=GroupMembership.Role.choices)


class GroupForm(forms.ModelForm):
    """A group's details. Only staff set its kind: a group's own organisers who are not staff
    run it because of its kind (a self-organised group), so changing it would lock them out.
    Its organisers give it a public page, or take it away, whenever they like."""

    class Meta:
        model = Group
        fields = ["name", "kind", "description", "locality", "public"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "public": (
                "With a public page, anyone can find the group and ask to join, and its "
                "organisers answer them. Without one, hub staff add its members."
            )
        }

    def __init__(self, *args, can_set_kind=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_set_kind:
            del self.fields["kind"]


class LocalityForm(forms.ModelForm):
    class Meta:
        model = Locality
        fields = ["name", "kind", "description", "population", "latitude", "longitude"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        lat, lng = cleaned.get("latitude"), cleaned.get("longitude")
        if (lat is None) != (lng is None):
            raise forms.ValidationError("Give both latitude and longitude, or neither.")
        if lat is not None and not -90 <= lat <= 90:
            self.add_error("latitude", "Latitude is between -90 and 90.")
        if lng is not None and not -180 <= lng <= 180:
            self.add_error("longitude", "Longitude is between -180 and 180.")
        return cleaned


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "description"]
