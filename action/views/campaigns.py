"""Campaigns: the public list and page with its sign-up (double opt-in, rate-limited), the
confirm and unsubscribe links from the emails, and the screens where staff and organisers
start, edit and follow their campaigns."""

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from hubsite.forms import show_service_errors
from hubsite.framework.selectors.tags import tag_form_context
from hubsite.people.rules import role_required

from .. import rules
from ..forms import CampaignForm, SignupForm
from ..selectors import asks as ask_selectors
from ..selectors import campaigns as selectors
from ..selectors import stories as story_selectors
from ..services import campaigns as services


@login_not_required
def campaign_list(request):
    page = Paginator(selectors.campaign_list(request.user), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "action/campaign_list.html",
        {"page": page, "can_start": rules.has_role(request.user, rules.RUNNERS)},
    )


def _campaign(request, slug, found=selectors.campaign_page_queryset):
    """The campaign ``request.user`` may see, from ``found`` (a selector of the campaigns a
    viewer may see): by default with the figures its page shows; the views that show less
    load less."""
    return get_object_or_404(found(request.user), slug=slug)


def _page_context(request, campaign, form):
    context = {
        "campaign": campaign,
        "form": form,
        **selectors.campaign_related(campaign),
        "supporters": selectors.supporters_shown(campaign),
        "can_manage": rules.can_manage_campaign(request.user, campaign),
        "share_url": request.build_absolute_uri(campaign.get_absolute_url()),
        "open_for_signups": campaign.status in (campaign.Status.ACTIVE, campaign.Status.PAUSED),
    }
    context.update(ask_selectors.campaign_page_context(campaign, request.user))
    context.update(story_selectors.campaign_page_context(campaign, request.user))
    if context["can_manage"]:  # those who run the campaign tag it with the practices it serves
        context["practice_tags"] = tag_form_context(request.user, "action.campaign", campaign.pk)
    return context


@login_not_required
def campaign_page(request, slug):
    campaign = _campaign(request, slug)
    form = SignupForm(initial={"invited_from": request.GET.get("invited_from", "")[:140]})
    return render(request, "action/campaign_page.html", _page_context(request, campaign, form))


@login_not_required
def campaign_count(request, slug):
    """The supporters' count alone, for the page to refresh it (htmx)."""
    campaign = _campaign(request, slug, selectors.campaign_counted)
    return render(request, "action/campaign_page.html#count", {"campaign": campaign})


@login_not_required
@require_POST
def signup(request, slug):
    # What signing needs of the campaign; its whole page only when the form comes back.
    campaign = _campaign(request, slug, selectors.campaign_visible)
    form = SignupForm(request.POST)
    if form.is_valid() and form.cleaned_data["website"]:
        return redirect("action:signup_sent", slug=campaign.slug)  # a bot: save nothing
    if form.is_valid() and not ratelimit.consume(
        request, action="campaign_signup", key=form.cleaned_data["email"].lower()
    ):
        return render(request, "action/rate_limited.html", {"campaign": campaign}, status=429)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("website")
        invited_from = data.pop("invited_from")
        data["invited_from"] = (
            selectors.campaign_public().exclude(pk=campaign.pk).filter(slug=invited_from).first()
            if invited_from
            else None
        )
        try:
            services.signup_create(campaign=campaign, **data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            # The same answer whether or not the address had signed before.
            return redirect("action:signup_sent", slug=campaign.slug)
    campaign = _campaign(request, slug)
    return render(
        request, "action/campaign_page.html", _page_context(request, campaign, form), status=400
    )


@login_not_required
def signup_sent(request, slug):
    campaign = _campaign(request, slug, selectors.campaign_visible)
    return render(request, "action/signup_sent.html", {"campaign": campaign})


@login_not_required
def signup_confirm(request, token):
    """The link in the confirmation email: a page with a button (a mail scanner following
    the link confirms nothing), then the POST that makes the name count."""
    found = services.signup_from_token(
        token, salt=services.CONFIRM_SALT, max_age=services.CONFIRM_MAX_AGE
    )
    if found is None:
        return render(request, "action/signup_confirm.html", {"invalid": True}, status=400)
    if request.method == "POST":
        found = services.signup_confirm(signup=found)
        messages.success(request, f"Thank you, {found.first_name}: your name now counts.")
        return redirect(found.campaign)
    return render(request, "action/signup_confirm.html", {"signup": found})


@login_not_required
def unsubscribe(request, token):
    """The link in every update: no login, a page that asks, a POST that stops them."""
    found = services.signup_from_token(token, salt=services.UNSUBSCRIBE_SALT)
    if found is None:
        return render(request, "action/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        found = services.signup_unsubscribe(signup=found)
        return render(request, "action/unsubscribe.html", {"signup": found, "done": True})
    return render(request, "action/unsubscribe.html", {"signup": found})


@role_required(*rules.RUNNERS)
def campaign_create(request):
    form = CampaignForm(request.POST or None, groups=selectors.groups_to_back(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"“{campaign}” has been started.")
            return redirect(campaign)
    return render(request, "action/campaign_form.html", {"form": form})


def _managed(request, slug):
    campaign = get_object_or_404(selectors.campaign_managed(request.user), slug=slug)
    if not rules.can_manage_campaign(request.user, campaign):
        raise PermissionDenied
    return campaign


@role_required(*rules.RUNNERS)
def campaign_edit(request, slug):
    campaign = _managed(request, slug)
    groups = selectors.groups_to_back(request.user)
    form = CampaignForm(request.POST or None, instance=campaign, groups=groups)
    if not rules.is_staff(request.user):  # the groups already behind it stay choosable
        from django.db.models import Q

        from hubsite.people.models import Group

        form.fields["groups"].queryset = Group.objects.filter(
            Q(pk__in=groups.values("pk")) | Q(pk__in=campaign.groups.values("pk"))
        ).order_by("name")
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_update(
                campaign=campaign, edited_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"“{campaign}” has been saved.")
            return redirect(campaign)
    if form.is_bound:
        campaign.refresh_from_db()
    return render(request, "action/campaign_form.html", {"form": form, "campaign": campaign})


@role_required(*rules.RUNNERS)
def supporter_list(request, slug):
    campaign = _managed(request, slug)
    page = Paginator(selectors.supporter_list(campaign), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "action/supporter_list.html", {"campaign": campaign, "page": page})


urlpatterns = [
    path("campaigns/", campaign_list, name="campaign_list"),
    path("campaigns/new/", campaign_create, name="campaign_create"),
    path("campaigns/confirm/<str:token>/", signup_confirm, name="signup_confirm"),
    path("campaigns/unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
    path("campaigns/<slug:slug>/", campaign_page, name="campaign_page"),
    path("campaigns/<slug:slug>/count/", campaign_count, name="campaign_count"),
    path("campaigns/<slug:slug>/sign/", signup, name="signup"),
    path("campaigns/<slug:slug>/thank-you/", signup_sent, name="signup_sent"),
    path("campaigns/<slug:slug>/edit/", campaign_edit, name="campaign_edit"),
    path("campaigns/<slug:slug>/supporters/", supporter_list, name="supporter_list"),
]
