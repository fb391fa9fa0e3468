"""Forms of joining the hub: the public application, a signed-in person's join, and the
password a new member may choose once their address is confirmed. They validate what a
person can type; the services in organise/services/joining.py re-check what they own."""

from django import forms
from django.contrib.auth import password_validation
from django.utils.html import format_html

from hubsite.forms import IdChoiceField, IdsChoiceField
from hubsite.people.models import Locality, Tag, User

from ..selectors.mine import types_open_to_join


def money(amount):
    """£10 for a whole amount, £2.50 otherwise."""
    return f"£{amount:,.0f}" if amount == amount.to_integral_value() else f"£{amount:,.2f}"


def term_text(type):
    months = type.term_months
    if months % 12 == 0:
        years = months // 12
        return "renewed every year" if years == 1 else f"renewed every {years} years"
    return f"renewed every {months} months" if months > 1 else "renewed every month"


def contribution_text(type):
    if type.is_free:
        return "free"
    amount = money(type.suggested_contribution)
    return f"suggested contribution {amount} (optional, no payment taken here)"


class MembershipTypeField(IdChoiceField):
    """A kind of membership as a radio button that says what it costs and how long it lasts."""

    widget = forms.RadioSelect

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("empty_label", None)
        kwargs.setdefault(
            "error_messages",
            {
                "required": "Choose a kind of membership.",
                "invalid_choice": "That kind of membership is not offered: choose one of the list.",
            },
        )
        super().__init__(queryset, **kwargs)

    def label_from_instance(self, type):
        return format_html(
            '<strong>{}</strong> <span class="kind-terms">{}, {}</span>{}',
            type.name,
            contribution_text(type).capitalize(),
            term_text(type),
            format_html(' <span class="kind-description">{}</span>', type.description)
            if type.description
            else "",
        )


def consent_field():
    return forms.BooleanField(
        label="Yes, email me news of the hub and ways to get involved",
        required=False,
        help_text="Optional. You can stop these emails at any time from your membership page.",
    )


class JoinForm(forms.Form):
    first_name = forms.CharField(
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": "Enter your first name."},
    )
    last_name = forms.CharField(
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We send you a link to confirm it is yours.",
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.org.",
        },
    )
    postcode = forms.CharField(
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    locality = IdChoiceField(
        queryset=Locality.objects.order_by("name"),
        required=False,
        empty_label="Choose if you like",
        label="Where you live",
        error_messages={"invalid_choice": "Choose a place from the list, or leave it empty."},
    )
    type = MembershipTypeField(queryset=types_open_to_join(), label="Kind of membership")
    tags = IdsChoiceField(
        queryset=Tag.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Communities you belong to or care about (optional)",
        error_messages={"invalid_choice": "Choose communities from the list."},
    )
    consent_contact = consent_field()
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

    def clean_last_name(self):
        return " ".join(self.cleaned_data.get("last_name", "").split())

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_postcode(self):
        return clean_postcode(self.cleaned_data.get("postcode", ""))


def clean_postcode(value):
    value = " ".join((value or "").upper().split())
    compact = value.replace(" ", "")
    if value and not (2 <= len(compact) <= 7 and compact.isalnum()):
        raise forms.ValidationError("Enter a postcode like KE1 4AB, or leave it empty.")
    return value


class MemberJoinForm(forms.Form):
    """Joining when signed in: the hub knows who you are, so only the kind is asked."""

    type = MembershipTypeField(queryset=types_open_to_join(), label="Kind of membership")
    consent_contact = consent_field()


class AccountPasswordForm(forms.Form):
    """The password a new member chooses to sign in later, checked by the hub's validators."""

    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=" ".join(password_validation.password_validators_help_texts()),
        error_messages={"required": "Choose a password."},
    )
    password2 = forms.CharField(
        label="The same password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the password a second time."},
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ: type the same one twice.")
        elif first:
            try:
                password_validation.validate_password(first, User(email=self.email))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
