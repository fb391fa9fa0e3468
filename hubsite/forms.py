"""What every app's views share about forms: a service's ValidationError shown on the form,
ids sent back checked, and a select for long lists."""

from django import forms
from django.utils.html import escape
from django.utils.safestring import mark_safe


def show_service_errors(form, error, rename=None):
    """Put a service's ValidationError on the form: on the field it names when the form has
    it (``rename`` maps the service's names to the form's), else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    rename = rename or {}
    for name, errors in error.error_dict.items():
        name = rename.get(name, name)
        form.add_error(name if name in form.fields else None, errors)


# Ids sent back by a form ------------------------------------------------------------------

# The largest integer the hub's databases compare (SQLite's and PostgreSQL's bigint).
LARGEST_ID = 2**63 - 1


def is_plausible_id(value):
    """Whether ``value`` (as posted) can be a row's id: digits only, within LARGEST_ID."""
    text = str(value)
    # The length first: int() of thousands of digits is refused by Python itself.
    return (
        text.isascii()
        and text.isdigit()
        and len(text) <= len(str(LARGEST_ID))
        and int(text) <= LARGEST_ID
    )


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that refuses anything but a plausible id before the database
    sees it: a choice is a person's input, and SQLite cannot even compare an integer of
    30 digits (OverflowError, a 500 instead of the field's own message)."""

    def to_python(self, value):
        if (
            value not in self.empty_values
            and not isinstance(value, self.queryset.model)
            and not is_plausible_id(value)
        ):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses anything but plausible ids before the
    database sees them, for the reason IdChoiceField gives."""

    def _check_values(self, value):
        for pk in value:
            if not is_plausible_id(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


# Long lists ---------------------------------------------------------------------------------


class LongSelect(forms.Select):
    """Django's select for a long list without groups of options (every group, every place
    of the hub), its options written here in one pass: Django's own template renders a
    template for each option, which was most of a calendar page's time with hundreds of
    groups (about eight times slower)."""

    template_name = "widgets/long_select.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        options = [option for _, group, _ in context["widget"]["optgroups"] for option in group]
        context["widget"]["options"] = mark_safe(
            "\n".join(
                f'<option value="{escape(option["value"])}"'
                f"{' selected' if option['selected'] else ''}>{escape(option['label'])}</option>"
                for option in options
            )
        )
        return context
