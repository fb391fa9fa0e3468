"""What every app's views share about forms: a service's ValidationError shown on the form."""


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
