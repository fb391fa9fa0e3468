"""Updates to a campaign's supporters: the people who run the campaign write one, check it
(how many it reaches, the email as sent, a test to themselves), then send it, once."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from hubsite.forms import show_service_errors
from hubsite.people.rules import role_required

from .. import rules
from ..forms import UpdateForm, UpdateSendForm
from ..models import SupporterUpdate
from ..selectors import campaigns as campaign_selectors
from ..selectors import updates as selectors
from ..services import updates as services


def _posted(request):
    """The data of a POST, even an empty one (which must be refused, not shown as new)."""
    return request.POST if request.method == "POST" else None


def _campaign(request, slug):
    """The campaign, if the user runs it: others' campaigns are not found."""
    campaign = get_object_or_404(campaign_selectors.campaign_managed(request.user), slug=slug)
    if not rules.can_manage_campaign(request.user, campaign):
        raise PermissionDenied
    return campaign


def _update(request, slug, pk):
    campaign = _campaign(request, slug)
    update = get_object_or_404(selectors.update_list(campaign), pk=pk)
    update.campaign = campaign
    return update


def _to_preview(update):
    return redirect("action:update_preview", slug=update.campaign.slug, pk=update.pk)


@role_required(*rules.RUNNERS)
def update_list(request, slug):
    campaign = _campaign(request, slug)
    page = Paginator(selectors.update_list(campaign), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "action/update_list.html",
        {
            "campaign": campaign,
            "page": page,
            "recipients": selectors.recipients_count(campaign),
        },
    )


@role_required(*rules.RUNNERS)
def update_create(request, slug):
    campaign = _campaign(request, slug)
    form = UpdateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            update = services.update_create(
                campaign=campaign, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, "Saved as a draft. Check it, then send it.")
            return _to_preview(update)
    status = 400 if form.is_bound else 200
    return render(
        request, "action/update_form.html", {"campaign": campaign, "form": form}, status=status
    )


@role_required(*rules.RUNNERS)
def update_edit(request, slug, pk):
    update = _update(request, slug, pk)
    if update.status != SupporterUpdate.Status.DRAFT:
        messages.info(request, "This update has already been sent; it can no longer change.")
        return _to_preview(update)
    form = UpdateForm(_posted(request), initial={"subject": update.subject, "body": update.body})
    if request.method == "POST" and form.is_valid():
        try:
            update = services.update_edit(update=update, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, "The draft has been saved.")
            return _to_preview(update)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "action/update_form.html",
        {"campaign": update.campaign, "update": update, "form": form},
        status=status,
    )


@role_required(*rules.RUNNERS)
def update_preview(request, slug, pk):
    """The update as supporters get it, with how many it reaches (or reached). While it
    is sending, the figures refresh on their own (htmx)."""
    update = _update(request, slug, pk)
    context = {
        "campaign": update.campaign,
        "update": update,
        "preview": services.update_preview(update=update, viewer=request.user),
        "delivery": (
            None
            if update.status == SupporterUpdate.Status.DRAFT
            else selectors.update_delivery(update)
        ),
    }
    swap = bool(request.htmx and not request.htmx.boosted)
    template = "action/update_preview.html" + ("#progress" if swap else "")
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(*rules.RUNNERS)
@require_POST
def update_send_test(request, slug, pk):
    update = _update(request, slug, pk)
    try:
        services.update_send_test(update=update, sender=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"A test is on its way to you at {request.user.email} "
            "(one for each wording of the update).",
        )
    return _to_preview(update)


@role_required(*rules.RUNNERS)
def update_send(request, slug, pk):
    """A page that says who it goes to, then the POST that sends it."""
    update = _update(request, slug, pk)
    if update.status != SupporterUpdate.Status.DRAFT:
        messages.info(request, "This update has already been sent.")
        return _to_preview(update)
    form = UpdateSendForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            update = services.update_send(update=update)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, "The update is on its way to the campaign's supporters.")
            return _to_preview(update)
    return render(
        request,
        "action/update_send.html",
        {
            "campaign": update.campaign,
            "update": update,
            "form": form,
            "recipients": selectors.recipients_count(update.campaign),
        },
        status=400 if form.is_bound else 200,
    )


urlpatterns = [
    path("campaigns/<slug:slug>/updates/", update_list, name="update_list"),
    path("campaigns/<slug:slug>/updates/new/", update_create, name="update_create"),
    path("campaigns/<slug:slug>/updates/<int:pk>/", update_preview, name="update_preview"),
    path("campaigns/<slug:slug>/updates/<int:pk>/edit/", update_edit, name="update_edit"),
    path("campaigns/<slug:slug>/updates/<int:pk>/test/", update_send_test, name="update_send_test"),
    path("campaigns/<slug:slug>/updates/<int:pk>/send/", update_send, name="update_send"),
]
