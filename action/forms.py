"""Forms of Action. They validate what a person can type; the services re-check the rules
they own and their errors land on the same fields. Each part keeps its block."""

from django import forms

from hubsite.people.models import Group, Locality

from .models import Campaign

# Campaigns and sign-ups -----------------------------------------------------------------


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "summary",
            "need",
            "demand",
            "decision_makers",
            "status",
            "groups",
            "themes",
            "partners",
            "endorsements",
        ]
        widgets = {
            "need": forms.Textarea(attrs={"rows": 3}),
            "demand": forms.Textarea(attrs={"rows": 3}),
            "decision_makers": forms.Textarea(attrs={"rows": 3}),
            "groups": forms.CheckboxSelectMultiple,
            "themes": forms.CheckboxSelectMultiple,
            "partners": forms.CheckboxSelectMultiple,
            "endorsements": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = groups
        self.fields["partners"].queryset = Group.objects.order_by("name")
        others = Campaign.objects.order_by("name")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["endorsements"].queryset = others
        self.fields["endorsements"].label = "Campaigns it stands with"


class SignupForm(forms.Form):
    first_name = forms.CharField(max_length=80)
    last_name = forms.CharField(max_length=80, required=False)
    email = forms.EmailField(
        max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    postcode = forms.CharField(
        max_length=10, required=False, widget=forms.TextInput(attrs={"autocomplete": "postal-code"})
    )
    locality = forms.ModelChoiceField(
        queryset=Locality.objects.order_by("name"),
        required=False,
        empty_label="Choose if you like",
        label="Where you live",
    )
    comment = forms.CharField(
        label="Why it matters to you (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    show_name = forms.BooleanField(
        label="Show my first name and initial on the campaign's page", required=False
    )
    consent_contact = forms.BooleanField(
        label="Send me news of this campaign by email",
        required=False,
        help_text="You can stop them at any time with the link in each email.",
    )
    # Left empty by people; filled by bots that fill every field.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_first_name(self):
        value = " ".join(self.cleaned_data["first_name"].split())
        if not value:
            raise forms.ValidationError("Enter your first name.")
        return value

    def clean_postcode(self):
        value = " ".join(self.cleaned_data.get("postcode", "").upper().split())
        if value and not (
            2 <= len(value.replace(" ", "")) <= 7 and value.replace(" ", "").isalnum()
        ):
            raise forms.ValidationError("Enter a postcode like KE1 4AB, or leave it empty.")
        return value
