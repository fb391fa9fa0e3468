"""A person's own data (/privacy/me/): the one page where they choose what the hub may do with
their data (every consent, dated, with its history), download everything the hub holds about
them, and ask the hub to erase, correct, stop using or send a copy of it. Only ever their own
person; an account without one gets a page that says so."""

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format

from hubsite.forms import show_service_errors
from hubsite.people.export import person_zip
from hubsite.people.models import Person
from hubsite.people.rules import EVERYONE_SIGNED_IN, role_required

from .. import mine as own_data
from ..models import DataRequest

DETAILS_MAX = 2000


def _said(consent):
    if consent is None:
        return "You have not told us yet, so we do not."
    when = date_format(timezone.localtime(consent.recorded_at), "j F Y")
    how = consent.get_method_display().lower()
    return f"{'Yes' if consent.given else 'No'} since {when} ({how})."


class ConsentsForm(forms.Form):
    """A box per use of the person's data, ticked where their consent holds now; the help
    under each says what it means and when they last said so, and how."""

    def __init__(self, *args, current, **kwargs):
        super().__init__(*args, **kwargs)
        for purpose in own_data.Purpose.values:
            consent = current.get(purpose)
            self.fields[purpose] = forms.BooleanField(
                label=own_data.LABELS[purpose],
                required=False,
                initial=bool(consent and consent.given),
                help_text=f"{own_data.MEANINGS[purpose]} {_said(consent)}",
            )

    def contact_fields(self):
        return [self[purpose] for purpose in own_data.CONTACT_PURPOSES]

    def other_fields(self):
        return [self[purpose] for purpose in own_data.OTHER_PURPOSES]

    def choices(self):
        return {purpose: self.cleaned_data[purpose] for purpose in own_data.Purpose.values}


class AskForm(forms.Form):
    kind = forms.ChoiceField(
        label="I would like the hub to",
        choices=own_data.ASK_CHOICES,
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label="Anything we should know",
        required=False,
        max_length=DETAILS_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="To correct something, say what is wrong and what it should say.",
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == DataRequest.Kind.CORRECTION and not data.get("details", "").strip():
            self.add_error("details", "Say what is wrong and what it should say.")
        return data


def own_person(view):
    """Give the view the viewer's own person, or answer with the page that says they have
    none (an account opened without one, such as the first administrator's)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        person = Person.objects.filter(user=request.user).first()
        if person is None:
            return render(request, "privacy/mine_no_person.html")
        return view(request, person, *args, **kwargs)

    return wrapped


def _page(request, person, *, form=None, ask_form=None, status=200):
    history = Paginator(own_data.consent_history(person), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    requests = Paginator(own_data.own_requests(person), settings.PAGE_SIZE).get_page(
        request.GET.get("requests")
    )
    context = {
        "person": person,
        "form": form or ConsentsForm(current=own_data.consents_now(person)),
        "ask_form": ask_form or AskForm(),
        "page": history,
        "history": [
            (consent, own_data.recorded_by_whom(consent, request.user))
            for consent in history.object_list
        ],
        "requests": requests,
        "open_limit": own_data.OPEN_REQUESTS_PER_KIND,
    }
    return render(request, "privacy/mine.html", context, status=status)


@role_required(*EVERYONE_SIGNED_IN)
@own_person
def mine(request, person):
    """The page, and saving the consents form: only the answers that changed are recorded."""
    if request.method != "POST":
        return _page(request, person)
    form = ConsentsForm(request.POST, current=own_data.consents_now(person))
    if form.is_valid():
        try:
            saved = own_data.own_consents_update(
                person=person, choices=form.choices(), recorded_by=request.user
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request, "Your choices are saved." if saved else "Nothing had changed."
            )
            return redirect("privacy:mine")
    return _page(request, person, form=form, status=400)


@role_required(*EVERYONE_SIGNED_IN)
@own_person
def mine_ask(request, person):
    """Ask the hub to erase, correct, stop using or send a copy of the person's data (a form
    on the data page, which a GET leads back to)."""
    if request.method != "POST":
        return redirect("privacy:mine")
    form = AskForm(request.POST)
    if form.is_valid():
        try:
            data_request, created = own_data.own_request_make(
                person=person,
                kind=form.cleaned_data["kind"],
                details=form.cleaned_data["details"],
                made_by=request.user,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            due = date_format(data_request.due_on, "j F Y")
            if created:
                message = f"Your request has been sent. The hub will answer by {due}."
            else:
                message = f"You had already sent this request. The hub will answer by {due}."
            messages.success(request, message)
            return redirect("privacy:mine")
    return _page(request, person, ask_form=form, status=400)


@role_required(*EVERYONE_SIGNED_IN)
@own_person
def mine_download(request, person):
    """Everything the hub holds about the person, as a zip (written in the audit log). A
    download is a POST, so that no link from elsewhere can make one: a GET leads back to
    the page with its button."""
    if request.method != "POST":
        return redirect("privacy:mine")
    response = HttpResponse(person_zip(person, request.user), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="my-data.zip"'
    return response


urlpatterns = [
    path("me/", mine, name="mine"),
    path("me/ask/", mine_ask, name="mine_ask"),
    path("me/download/", mine_download, name="mine_download"),
]
