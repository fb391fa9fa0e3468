"""An event's page (public for public events) with its RSVP, the cancel link from the email,
and the screens where staff and organisers create, change and cancel events."""

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from hubsite.forms import show_service_errors
from hubsite.framework.selectors.tags import tag_form_context
from hubsite.people.models import Group
from hubsite.people.rules import role_required

from .. import rules
from ..forms import EventForm, RsvpForm
from ..models import Event, Rsvp
from ..selectors import events as selectors
from ..services import events as services
from ..services import rsvps as rsvp_services


def _event(request, pk):
    return get_object_or_404(selectors.event_detail_queryset(request.user), pk=pk)


@login_not_required
def event_detail(request, pk, slug=None):
    event = _event(request, pk)
    if slug != event.slug:
        return redirect(event, permanent=True)
    rsvp = selectors.rsvp_for_viewer(event, request.user)
    return render(
        request,
        "connect/event_detail.html",
        _detail_context(request, event, rsvp, RsvpForm(user=request.user)),
    )


def _detail_context(request, event, rsvp, form):
    can_manage = rules.can_manage_event(request.user, event)
    return {
        "event": event,
        "rsvp": rsvp if rsvp and rsvp.status != Rsvp.Status.CANCELLED else None,
        "position": selectors.waiting_position(rsvp),
        "form": form,
        "one_click": bool(request.user.is_authenticated and getattr(request.user, "person", None)),
        "can_manage": can_manage,
        "show_link": rules.can_see_online_link(request.user, event, rsvp),
        "full": event.capacity is not None and event.confirmed_count >= event.capacity,
        # Those who run the event tag it with the practices it serves.
        "practice_tags": tag_form_context(request.user, "connect.event", event.pk)
        if can_manage
        else None,
    }


@login_not_required
@require_POST
def rsvp(request, pk):
    """An answer. The event is looked up (among those the visitor may see) only by the
    service, in the query that locks it; the page is read again only to show a refusal."""
    one_click = request.user.is_authenticated and getattr(request.user, "person", None)
    form = RsvpForm(request.POST, user=request.user)
    if one_click:
        form = RsvpForm(
            {
                "first_name": request.user.person.first_name,
                "email": request.user.person.email,
                "consent_contact": request.POST.get("consent_contact", ""),
            },
            user=request.user,
        )
    if form.is_valid() and form.cleaned_data["website"]:
        return redirect(_event(request, pk))  # a bot: say nothing, save nothing
    if form.is_valid() and not one_click and not ratelimit.consume(request, action="event_rsvp"):
        form.add_error(None, "Too many answers from here in the last hour. Please try later.")
    if form.is_valid():
        data = form.cleaned_data
        try:
            answer, created = rsvp_services.rsvp_create(
                event=pk,
                first_name=data["first_name"],
                last_name=data.get("last_name", ""),
                email=data["email"],
                consent_contact=data["consent_contact"],
                user=request.user,
            )
        except Event.DoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            if not created:
                messages.info(request, "You have already answered: nothing has changed.")
            elif answer.status == Rsvp.Status.CONFIRMED:
                messages.success(
                    request,
                    "You have a place. We have emailed you the details and a link "
                    "to cancel if you cannot come.",
                )
            else:
                messages.success(
                    request,
                    "The event is full, so you are on the waiting list. We will "
                    "email you as soon as a place comes up.",
                )
            return redirect(answer.event)
    event = _event(request, pk)
    rsvp_ = selectors.rsvp_for_viewer(event, request.user)
    return render(
        request,
        "connect/event_detail.html",
        _detail_context(request, event, rsvp_, form),
        status=400,
    )


@login_not_required
def rsvp_cancel(request, token):
    """The link in every RSVP email: a page that asks, then a POST that cancels (so a mail
    scanner that follows links cancels nothing)."""
    answer = rsvp_services.rsvp_from_token(token)
    if answer is None:
        return render(request, "connect/rsvp_cancel.html", {"invalid": True}, status=400)
    if request.method == "POST":
        try:
            answer = rsvp_services.rsvp_cancel(rsvp=answer)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return render(request, "connect/rsvp_cancel.html", {"rsvp": answer}, status=400)
        messages.success(request, f"Your answer for “{answer.event}” has been cancelled.")
        return render(request, "connect/rsvp_cancel.html", {"rsvp": answer, "done": True})
    return render(request, "connect/rsvp_cancel.html", {"rsvp": answer})


@role_required(*rules.RUNNERS)
def event_create(request):
    groups = selectors.groups_to_host(request.user)
    form = EventForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            event = services.event_create(
                created_by=request.user,
                frequency=data.pop("frequency", ""),
                occurrences=data.pop("occurrences", None) or 1,
                **data,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            count = event.series.occurrences if event.series_id else 1
            messages.success(
                request,
                f"“{event}” is in the calendar"
                + (f", with its {count} gatherings." if count > 1 else "."),
            )
            return redirect(event)
    return render(request, "connect/event_form.html", {"form": form})


def _managed(request, pk):
    event = get_object_or_404(selectors.event_managed(request.user), pk=pk)
    if not rules.can_manage_event(request.user, event):
        raise PermissionDenied
    return event


@role_required(*rules.RUNNERS)
def event_edit(request, pk):
    event = _managed(request, pk)
    groups = selectors.groups_to_host(request.user)
    if event.group_id:  # the event keeps its group even if the organiser has left it
        groups = Group.objects.filter(Q(pk__in=groups.values("pk")) | Q(pk=event.group_id))
    form = EventForm(request.POST or None, instance=event, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_update(event=event, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"“{event}” has been saved.")
            return redirect(event)
    if form.is_bound:
        event.refresh_from_db()
    return render(request, "connect/event_form.html", {"form": form, "event": event})


@role_required(*rules.RUNNERS)
def event_cancel(request, pk):
    event = _managed(request, pk)
    if request.method == "POST":
        services.event_cancel(event=event)
        messages.success(request, f"“{event}” is cancelled; everyone who answered is told.")
        return redirect(event)
    if event.is_cancelled:
        raise Http404
    return render(request, "connect/event_cancel.html", {"event": event})


urlpatterns = [
    path("events/new/", event_create, name="event_create"),
    path("events/<int:pk>-<slug:slug>/", event_detail, name="event_detail"),
    path("events/<int:pk>/", event_detail, name="event_detail_short"),
    path("events/<int:pk>/rsvp/", rsvp, name="rsvp"),
    path("events/<int:pk>/edit/", event_edit, name="event_edit"),
    path("events/<int:pk>/cancel/", event_cancel, name="event_cancel"),
    path("rsvp/cancel/<str:token>/", rsvp_cancel, name="rsvp_cancel"),
]
