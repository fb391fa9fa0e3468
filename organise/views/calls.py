"""Calls to action: the people who own a segment write a call to it, check it (who it
reaches, the email as sent, a test to themselves), send it now or at a set time, stop it,
and follow what became of each person's copy. The two links in each email work without an
account: answering the ask, and stopping the hub's emails."""

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from hubsite.forms import show_service_errors
from hubsite.people.rules import role_required

from .. import rules
from ..forms.calls import CallForm, CallSendForm, RespondForm
from ..models import CallToAction
from ..selectors import calls as selectors
from ..selectors import segments as segment_selectors
from ..services import calls as services

DRAFT = CallToAction.Status.DRAFT


def _posted(request):
    """The data of a POST, even an empty one (which must be refused, not shown as new)."""
    return request.POST if request.method == "POST" else None


def _call(request, pk):
    """The call, if the viewer may manage it: others' calls are not found."""
    call = get_object_or_404(selectors.call_visible(request.user), pk=pk)
    if not rules.can_manage_call(request.user, call):
        raise PermissionDenied
    return call


def _page(request, queryset):
    return Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _ask_fields(call):
    return {
        "subject": call.subject,
        "body": call.body,
        "event": call.event,
        "campaign": call.campaign,
    }


@role_required(*rules.SEGMENT_BUILDERS)
def call_list(request):
    return render(
        request,
        "organise/calls/call_list.html",
        {"page": _page(request, selectors.call_list(request.user))},
    )


@role_required(*rules.SEGMENT_BUILDERS)
def call_create(request, pk):
    segment = get_object_or_404(segment_selectors.segment_visible(request.user), pk=pk)
    if not rules.can_manage_segment(request.user, segment):
        raise PermissionDenied
    form = CallForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_create(
                segment=segment, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, "Saved as a draft. Check who it reaches, then send it.")
            return redirect("organise:call_preview", pk=call.pk)
    return render(
        request,
        "organise/calls/call_form.html",
        {"segment": segment, "form": form},
        status=400 if form.is_bound else 200,
    )


@role_required(*rules.SEGMENT_BUILDERS)
def call_edit(request, pk):
    call = _call(request, pk)
    if call.status != DRAFT:
        messages.info(
            request, "This call has already been sent or scheduled; it can no longer change."
        )
        return redirect(call)
    form = CallForm(_posted(request), initial=_ask_fields(call))
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_edit(call=call, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, "The draft has been saved.")
            return redirect("organise:call_preview", pk=call.pk)
    return render(
        request,
        "organise/calls/call_form.html",
        {"segment": call.segment, "call": call, "form": form},
        status=400 if form.is_bound else 200,
    )


@role_required(*rules.SEGMENT_BUILDERS)
def call_preview(request, pk):
    """Who the call reaches (how many, and the first names) and the email as they get it."""
    call = _call(request, pk)
    return render(
        request,
        "organise/calls/call_preview.html",
        {"call": call, "preview": services.call_preview(call=call, viewer=request.user)},
    )


@role_required(*rules.SEGMENT_BUILDERS)
def call_detail(request, pk):
    """The call, its totals, and each person's copy a page at a time. While it is sending,
    the figures refresh on their own (htmx)."""
    call = _call(request, pk)
    context = {
        "call": call,
        "totals": selectors.call_totals(call),
        "page": _page(request, selectors.call_deliveries(call)),
        "show_links": rules.is_staff(request.user),
    }
    swap = bool(request.htmx and not request.htmx.boosted)
    template = "organise/calls/call_detail.html" + ("#progress" if swap else "")
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(*rules.SEGMENT_BUILDERS)
@require_POST
def call_test(request, pk):
    call = _call(request, pk)
    try:
        services.call_send_test(call=call, sender=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"A test is on its way to you at {request.user.email} "
            "(one for each wording of the call).",
        )
    return redirect("organise:call_preview", pk=call.pk)


@role_required(*rules.SEGMENT_BUILDERS)
def call_send(request, pk):
    """A page that says who it goes to and asks when, then the POST that sends it now or
    schedules it."""
    call = _call(request, pk)
    if call.status != DRAFT:
        messages.info(request, "This call has already been sent or scheduled.")
        return redirect(call)
    form = CallSendForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        send_at = form.cleaned_data["send_at"]
        try:
            call = services.call_send(call=call, sender=request.user, send_at=send_at)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            if send_at:
                messages.success(request, "The call is scheduled.")
            else:
                messages.success(request, "The call is on its way.")
            return redirect(call)
    return render(
        request,
        "organise/calls/call_send.html",
        {
            "call": call,
            "form": form,
            "recipients": selectors.call_recipients(call).count(),
        },
        status=400 if form.is_bound else 200,
    )


@role_required(*rules.SEGMENT_BUILDERS)
@require_POST
def call_cancel(request, pk):
    call = _call(request, pk)
    try:
        services.call_cancel(call=call)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The call is stopped: nothing more of it will be sent.")
    return redirect(call)


# The links in the email ------------------------------------------------------------------------


def _too_many(request):
    return not ratelimit.consume(request, action="call_response")


@login_not_required
def call_respond(request, token):
    """The "Yes" and "Not this time" links: a page that names the ask with both answers as
    buttons (a link followed by a mail scanner records nothing), and the POST that records
    the answer, which the person may change later."""
    delivery, data = services.delivery_from_token(token, salt=services.RESPOND_SALT)
    template = "organise/calls/respond.html"
    if delivery is None:
        return render(request, template, {"invalid": True}, status=400)
    context = {"delivery": delivery, "call": delivery.call, "suggested": data.get("answer")}
    if request.method == "POST":
        form = RespondForm(request.POST)
        if _too_many(request):
            return render(request, "organise/calls/rate_limited.html", status=429)
        if not form.is_valid():
            return render(request, template, {**context, "form": form}, status=400)
        delivery = services.call_respond(delivery=delivery, response=form.cleaned_data["answer"])
        context.update(delivery=delivery, answered=True)
    return render(request, template, context)


@login_not_required
def call_unsubscribe(request, token):
    """The link to stop the hub's emails: a page that asks, and the POST that withdraws the
    person's consent to email (whatever else was waiting to go to them is then not sent)."""
    delivery, _ = services.delivery_from_token(token, salt=services.UNSUBSCRIBE_SALT)
    template = "organise/calls/unsubscribe.html"
    if delivery is None:
        return render(request, template, {"invalid": True}, status=400)
    if request.method == "POST":
        if _too_many(request):
            return render(request, "organise/calls/rate_limited.html", status=429)
        services.call_unsubscribe(delivery=delivery)
        return render(request, template, {"delivery": delivery, "done": True})
    return render(request, template, {"delivery": delivery})


urlpatterns = [
    path("calls/", call_list, name="call_list"),
    path("segments/<int:pk>/calls/new/", call_create, name="call_create"),
    path("calls/<int:pk>/", call_detail, name="call_detail"),
    path("calls/<int:pk>/edit/", call_edit, name="call_edit"),
    path("calls/<int:pk>/preview/", call_preview, name="call_preview"),
    path("calls/<int:pk>/test/", call_test, name="call_test"),
    path("calls/<int:pk>/send/", call_send, name="call_send"),
    path("calls/<int:pk>/cancel/", call_cancel, name="call_cancel"),
    path("calls/respond/<str:token>/", call_respond, name="call_respond"),
    path("calls/unsubscribe/<str:token>/", call_unsubscribe, name="call_unsubscribe"),
]
