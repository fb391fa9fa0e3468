"""What every app's views share about forms: a service's ValidationError shown on the form."""

from django import forms


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
