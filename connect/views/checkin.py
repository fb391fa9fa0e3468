"""The check-in screen at the door of an event, for the staff and organisers who run it:
find someone, tap to mark them arrived (or undo), add walk-ins, and record who did not come.
htmx swaps a row or the results; without JavaScript every action redirects back."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from hubsite.people.rules import role_required

from .. import rules
from ..forms import AttendanceForm, WalkInForm
from ..models import Rsvp
from ..selectors import checkin as selectors
from ..selectors.events import event_managed
from ..services import checkin as services

# A hall's worth of names on one page; the search finds anyone further down.
PAGE_SIZE = 50
MAX_SEARCH_LENGTH = 100


def _event(request, pk):
    event = get_object_or_404(event_managed(request.user).select_related("group"), pk=pk)
    if not rules.can_manage_event(request.user, event):
        raise PermissionDenied
    return event


def _search(data):
    # A NUL byte cannot be compared with text in PostgreSQL; no name holds one.
    return (data.get("q") or "").replace("\x00", "").strip()[:MAX_SEARCH_LENGTH]


def _swap(request):
    """An htmx request that replaces part of the page (not a boosted page or history)."""
    htmx = request.htmx
    return bool(htmx and not htmx.boosted and not htmx.history_restore_request)


def _back(event, data, anchor=""):
    """The check-in page again, with the search and page the person was on."""
    query = {name: data[name] for name in ("q", "page") if data.get(name)}
    url = reverse("connect:checkin", args=[event.pk])
    return url + ("?" + urlencode(query) if query else "") + anchor


def _page_context(request, event, walk_in_form=None):
    search = _search(request.GET)
    page = Paginator(selectors.checkin_list(event, search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return {
        "event": event,
        "page": page,
        "page_number": page.number if page.number > 1 else "",
        "q": search,
        "counts": selectors.checkin_counts(event),
        "started": event.starts_at <= timezone.now(),
        "walk_in_form": walk_in_form or WalkInForm(),
    }


@role_required(*rules.RUNNERS)
def checkin(request, pk):
    event = _event(request, pk)
    swap = _swap(request)
    context = _page_context(request, event) | {"swap": swap}
    template = "connect/checkin.html" + ("#results" if swap else "")
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(*rules.RUNNERS)
@require_POST
def checkin_mark(request, pk, rsvp_pk):
    event = _event(request, pk)
    rsvp = get_object_or_404(Rsvp.objects.select_related("person"), pk=rsvp_pk, event=event)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Say whether they arrived.")
    try:
        rsvp = services.attendance_mark(rsvp=rsvp, attended=form.cleaned_data["attended"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        if _swap(request):
            return HttpResponseClientRedirect(_back(event, request.POST))
        return redirect(_back(event, request.POST))
    if _swap(request):
        return render(
            request,
            "connect/checkin.html#marked",
            {
                "event": event,
                "rsvp": rsvp,
                "q": _search(request.POST),
                "page_number": request.POST.get("page", ""),
                "counts": selectors.checkin_counts(event),
            },
        )
    name = rsvp.person.full_name
    if rsvp.attendance == Rsvp.Attendance.ATTENDED:
        messages.success(request, f"{name} has arrived.")
    else:
        messages.info(request, f"{name} is no longer marked as arrived.")
    return redirect(_back(event, request.POST, anchor=f"#rsvp-{rsvp.pk}"))


@role_required(*rules.RUNNERS)
def checkin_walk_in(request, pk):
    event = _event(request, pk)
    if request.method != "POST":
        return redirect(_back(event, request.GET, anchor="#walk-in"))
    form = WalkInForm(request.POST)
    if form.is_valid():
        try:
            rsvp, created = services.walk_in_add(
                event=event, recorded_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            name = rsvp.person.full_name
            if created:
                messages.success(request, f"{name} is added as a walk-in and has arrived.")
            else:
                messages.success(request, f"{name} had already answered: marked as arrived.")
            return redirect(_back(event, {}, anchor=f"#rsvp-{rsvp.pk}"))
    return render(request, "connect/checkin.html", _page_context(request, event, form), status=400)


@role_required(*rules.RUNNERS)
@require_POST
def checkin_no_shows(request, pk):
    event = _event(request, pk)
    try:
        count = services.no_shows_record(event=event)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if count:
            people = "person" if count == 1 else "people"
            messages.success(request, f"{count} {people} recorded as not come.")
        else:
            messages.info(request, "Everyone with a place was already recorded.")
    return redirect(_back(event, request.POST))


urlpatterns = [
    path("events/<int:pk>/check-in/", checkin, name="checkin"),
    path("events/<int:pk>/check-in/walk-in/", checkin_walk_in, name="checkin_walk_in"),
    path("events/<int:pk>/check-in/no-shows/", checkin_no_shows, name="checkin_no_shows"),
    path("events/<int:pk>/check-in/<int:rsvp_pk>/", checkin_mark, name="checkin_mark"),
]
