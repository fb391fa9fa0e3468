"""What keeps personal data out of the hub's logs and error reports. The hub's own log lines
name records by id; these are the safety net for what a library or an exception message says:
every log record has its email addresses and signed tokens masked, and an error report
carries no form values, cookies, query values, signed-in address or local variables'
contents."""

import logging
import re

from django.db.models import Model
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

REDACTED = "[email]"
# Wide on purpose: anything shaped like an address is masked, even in a URL or an exception.
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)


# A signed token (django.core.signing: ``payload:signature`` or ``payload:time:signature``)
# in a link's path: its payload is readable base64 and may carry a name or an address.
SIGNED = re.compile(r"[\w-]{16,}(?::[\w-]{4,}){1,2}(?=[/?#\s\"']|$)")
TOKEN = "[token]"


def redact(text):
    """``text`` with every email address and signed token in it masked."""
    return SIGNED.sub(TOKEN, EMAIL.sub(REDACTED, text))


class RedactEmailsFilter(logging.Filter):
    """Masks the email addresses in a log record's message and traceback. The message is
    formatted here, once, so an address passed as an argument is masked too."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit: log what there is
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class HubExceptionReporterFilter(SafeExceptionReporterFilter):
    """An error report (the page with DEBUG on, the email to ADMINS with it off) shows where it
    broke, never what a person sent: every POST value and cookie is hidden, and a frame's
    variables show only numbers and which record they held."""

    def is_active(self, request):
        return True  # whatever DEBUG says: an error page may be shown or mailed anywhere

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return self._cleanse_multivaluedict(request.POST, "__ALL__")

    def get_cleansed_multivaluedict(self, request, multivaluedict):
        return self._cleanse_multivaluedict(multivaluedict, "__ALL__")

    def get_safe_cookies(self, request):
        return dict.fromkeys(getattr(request, "COOKIES", {}), self.cleansed_substitute)

    def get_safe_request_meta(self, request):
        return {
            name: redact(value) if isinstance(value, str) else value
            for name, value in super().get_safe_request_meta(request).items()
        }

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.shown(value)) for name, value in tb_frame.f_locals.items()]

    def shown(self, value):
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, Model):
            return f"<{type(value).__name__} {value.pk}>"
        return self.cleansed_substitute


class HubExceptionReporter(ExceptionReporter):
    """Django's report without the signed-in person's address, the query string's values or an
    address quoted in the exception's message."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        user = getattr(self.request, "user", None)
        if user is not None:
            data["user_str"] = f"user {user.pk}" if user.is_authenticated else "anonymous"
        if "request_GET_items" in data:
            substitute = self.filter.cleansed_substitute
            data["request_GET_items"] = [(name, substitute) for name in self.request.GET]
        if "request_insecure_uri" in data:
            data["request_insecure_uri"] = redact(data["request_insecure_uri"])
        if "exception_value" in data:
            data["exception_value"] = redact(str(data["exception_value"]))
        return data

    def _get_raw_insecure_uri(self):
        return redact(super()._get_raw_insecure_uri())
