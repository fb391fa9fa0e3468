"""Erasing a person (staff only): a page that says what will go, from every app's
personal-data provider, and asks the member of staff to type the person's name (or ERASE) to
confirm; the POST erases everything in one transaction and may close the person's erasure
request as done in the same one. A GET never erases."""

import logging
import re

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format

from hubsite.forms import IdChoiceField, show_service_errors
from hubsite.people.models import Person
from hubsite.people.registry import personal_data_providers
from hubsite.people.rules import STAFF, role_required
from hubsite.people.services import person_erase

from ..models import DataRequest
from ..services import data_request_update

log = logging.getLogger(__name__)

CONFIRM_WORD = "ERASE"


def _words(text):
    return re.findall(r"\w+", text.casefold())


class EraseForm(forms.Form):
    confirm = forms.CharField(
        label=f"To confirm, type the person's full name or the word {CONFIRM_WORD}",
        max_length=300,
    )
    reason = forms.CharField(
        label="Why (optional)",
        required=False,
        max_length=200,
        help_text=(
            "Kept in the audit log, so never the person's name or contact details: for "
            "example “erasure request #12”."
        ),
    )
    data_request = IdChoiceField(
        label="Close this erasure request as done (optional)",
        queryset=DataRequest.objects.none(),
        required=False,
        empty_label="None",
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["data_request"].queryset = open_erasure_requests(person)
        self.fields["data_request"].label_from_instance = lambda r: (
            f"Request #{r.pk}, received {date_format(r.received_on, 'j F Y')}, "
            f"due {date_format(r.due_on, 'j F Y')}"
        )

    def clean_confirm(self):
        typed = " ".join(self.cleaned_data["confirm"].split())
        name = " ".join(self.person.full_name.split())
        if typed != CONFIRM_WORD and (not name or typed.casefold() != name.casefold()):
            raise ValidationError(
                f"Type the person's full name as shown on this page, or the word {CONFIRM_WORD}."
            )
        return typed

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        # What identified the person must not outlive them in the audit log.
        person = self.person
        identifying = {w for w in _words(person.full_name) if len(w) > 1}
        said = set(_words(reason))
        contacts = [c.casefold() for c in (person.email, person.phone) if c]
        if identifying & said or any(c in reason.casefold() for c in contacts):
            raise ValidationError(
                "Leave the person's name and contact details out of the reason: it is kept "
                "after they are erased."
            )
        return reason


def open_erasure_requests(person):
    return DataRequest.objects.filter(
        person=person, kind=DataRequest.Kind.ERASURE, status=DataRequest.Status.OPEN
    ).order_by("received_on", "id")


def _holdings(person):
    """What each provider holds, by its label, with a rough count of its records."""
    return [
        (provider.label, _count(provider.export(person, None)))
        for provider in personal_data_providers().values()
    ]


def _count(data):
    """Records in a provider's export: a list counts its items, a record counts one (and
    the lists it holds, theirs)."""
    if isinstance(data, list):
        return sum(_count(item) if isinstance(item, list) else 1 for item in data)
    if isinstance(data, dict):
        nested = [v for v in data.values() if isinstance(v, (list, dict))]
        own = any(
            v not in (None, "", False) for v in data.values() if not isinstance(v, (list, dict))
        )
        return int(own) + sum(_count(v) for v in nested)
    return 0


@role_required(*STAFF)
def person_erase_confirm(request, pk):
    person = get_object_or_404(Person.objects.select_related("user"), pk=pk)
    if person.user_id is not None and person.user_id == request.user.pk:
        return render(request, "privacy/erase_own.html", {"person": person}, status=403)
    form = EraseForm(request.POST if request.method == "POST" else None, person=person)
    status = 400 if form.is_bound else 200
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["data_request"]
        try:
            with transaction.atomic():
                person_erase(
                    person=person, erased_by=request.user, reason=form.cleaned_data["reason"]
                )
                if chosen is not None:
                    data_request_update(
                        request=chosen,
                        updated_by=request.user,
                        status=DataRequest.Status.DONE,
                        outcome=f"Erased on {date_format(timezone.localdate(), 'j F Y')}",
                    )
        except ValidationError as error:
            show_service_errors(form, error, rename={"status": "data_request"})
        except Exception as error:  # noqa: BLE001 - a provider's fault: nothing was erased
            # The error's type only: its text could hold what the records hold.
            log.error("Erasing person %s failed and was undone: %s", pk, type(error).__name__)
            # The same page, as unavailable for now: nothing was saved, and trying again later
            # is what the member of staff can do (a 500 would read as the page crashing).
            status = 503
            form.add_error(
                None,
                "The erasure could not be finished, so nothing was erased. The fault has been "
                "logged; try again later or tell the hub's administrator.",
            )
        else:
            messages.success(request, "The person has been erased.")
            return redirect("people:person_list")
        # Undone in the database, not in memory: the deleted object lost its id.
        person = get_object_or_404(Person.objects.select_related("user"), pk=pk)
    return render(
        request,
        "privacy/erase.html",
        {"person": person, "form": form, "holdings": _holdings(person)},
        status=status,
    )


urlpatterns = [
    path("people/<int:pk>/erase/", person_erase_confirm, name="person_erase"),
]
