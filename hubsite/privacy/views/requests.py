"""The data-protection home for staff, and the log of data-protection requests: the open ones
first with the days left before their statutory deadline, logging one (the person found by a
search, or no one yet), and a request's page where staff act on it, extend its deadline or
close it. A closed request is kept as it was."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateformat import format as date_format

from hubsite.forms import show_service_errors
from hubsite.people.rules import STAFF, role_required

from .. import selectors, services
from ..forms import (
    DataRequestCloseForm,
    DataRequestExtendForm,
    DataRequestFilterForm,
    DataRequestForm,
)
from ..models import DataRequest


def _page(request, queryset):
    return Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _swap(request):
    """An htmx request that replaces part of the page (not a boosted page or history)."""
    htmx = request.htmx
    return bool(htmx and not htmx.boosted and not htmx.history_restore_request)


def _mark_days_left(requests, today):
    for data_request in requests:
        data_request.days_left = (data_request.due_on - today).days
        data_request.days_overdue = -data_request.days_left
    return requests


@role_required(*STAFF)
def home(request):
    today = timezone.localdate()
    counts = selectors.data_request_counts(today)
    return render(
        request,
        "privacy/home.html",
        {
            "open_requests": counts["open"],
            "overdue_requests": counts["overdue"],
            "audit_today": selectors.audit_entries_on(today),
            "last_run": selectors.retention_run_list().first(),
        },
    )


@role_required(*STAFF)
def request_list(request):
    filters = DataRequestFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    page = _page(
        request,
        selectors.data_request_list(status=chosen.get("status", ""), kind=chosen.get("kind", "")),
    )
    _mark_days_left(page.object_list, timezone.localdate())
    return render(
        request,
        "privacy/requests_list.html",
        {"page": page, "filters": filters, "bad_filters": filters.is_bound and filters.errors},
    )


@role_required(*STAFF)
def request_create(request):
    """Log a request. ``?person=<id>`` comes chosen, from a link on the person's page."""
    text = request.GET.get("q", "")[:100].replace("\x00", "")
    if request.method == "POST":
        form = DataRequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                data_request = services.data_request_create(
                    kind=data["kind"],
                    channel=data["channel"],
                    received_on=data["received_on"],
                    person=data["person"],
                    details=data["details"],
                    logged_by=request.user,
                )
            except ValidationError as error:
                show_service_errors(form, error)
            else:
                due = date_format(data_request.due_on, "j F Y")
                messages.success(request, f"The request is logged; it is due on {due}.")
                return redirect("privacy:request_detail", pk=data_request.pk)
        chosen = selectors.person_to_pick(form["person"].value())
    else:
        chosen = selectors.person_to_pick(request.GET.get("person"))
        form = DataRequestForm(initial={"person": chosen.pk if chosen else None})
    context = {
        "form": form,
        "chosen": chosen,
        "people": selectors.people_to_pick(text),
        "searched": len(text.strip()) >= 2,
        "q": text,
    }
    if _swap(request):
        response = render(request, "privacy/requests_form.html#found", context)
    else:
        status = 400 if form.is_bound else 200
        response = render(request, "privacy/requests_form.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _erase_link(person_id):
    """The erasure screen for the person, where the hub has one; else their page."""
    try:
        return reverse("privacy:person_erase", args=[person_id])
    except NoReverseMatch:
        return reverse("people:person_detail", args=[person_id])


def _render_detail(request, data_request, *, extend_form=None, close_form=None, status=200):
    today = timezone.localdate()
    _mark_days_left([data_request], today)
    person = data_request.person
    act_link = None
    if person is not None and data_request.is_open:
        if data_request.kind == DataRequest.Kind.ACCESS:
            act_link = (
                reverse("people:person_export", args=[person.pk]),
                "Download everything the hub holds about them",
            )
        elif data_request.kind == DataRequest.Kind.ERASURE:
            act_link = (_erase_link(person.pk), "Erase them from the hub")
        elif data_request.kind == DataRequest.Kind.CORRECTION:
            act_link = (reverse("people:person_edit", args=[person.pk]), "Correct their details")
        else:
            act_link = (person.get_absolute_url(), "See what the hub holds and how it is used")
    # Errors of a form the page no longer shows (the request was closed or extended meanwhile).
    hidden = [
        form
        for form, shown in (
            (extend_form, data_request.is_open and not data_request.extended),
            (close_form, data_request.is_open),
        )
        if form is not None and not shown
    ]
    return render(
        request,
        "privacy/requests_detail.html",
        {
            "data_request": data_request,
            "act_link": act_link,
            "refused": [error for form in hidden for error in form.non_field_errors()],
            "extend_form": extend_form or DataRequestExtendForm(),
            "close_form": close_form or DataRequestCloseForm(),
        },
        status=status,
    )


def _request(pk):
    return get_object_or_404(selectors.data_request_detail_queryset(), pk=pk)


@role_required(*STAFF)
def request_detail(request, pk):
    return _render_detail(request, _request(pk))


@role_required(*STAFF)
def request_extend(request, pk):
    data_request = _request(pk)
    if request.method != "POST":
        return redirect("privacy:request_detail", pk=pk)
    form = DataRequestExtendForm(request.POST)
    if form.is_valid():
        try:
            data_request = services.data_request_extend(
                request=data_request, updated_by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request, f"The deadline is extended to {date_format(data_request.due_on, 'j F Y')}."
            )
            return redirect("privacy:request_detail", pk=pk)
    return _render_detail(request, _request(pk), extend_form=form, status=400)


@role_required(*STAFF)
def request_close(request, pk):
    data_request = _request(pk)
    if request.method != "POST":
        return redirect("privacy:request_detail", pk=pk)
    form = DataRequestCloseForm(request.POST)
    if form.is_valid():
        try:
            data_request = services.data_request_close(
                request=data_request,
                closed_by=request.user,
                status=form.cleaned_data["status"],
                outcome=form.cleaned_data["outcome"],
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request, f"The request is closed: {data_request.get_status_display().lower()}."
            )
            return redirect("privacy:request_detail", pk=pk)
    return _render_detail(request, _request(pk), close_form=form, status=400)


urlpatterns = [
    path("", home, name="home"),
    path("requests/", request_list, name="request_list"),
    path("requests/new/", request_create, name="request_create"),
    path("requests/<int:pk>/", request_detail, name="request_detail"),
    path("requests/<int:pk>/extend/", request_extend, name="request_extend"),
    path("requests/<int:pk>/close/", request_close, name="request_close"),
]
