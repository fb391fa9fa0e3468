"""Asks: the people who run a campaign say what supporters can do; supporters say they did it
(signed in, in one click; or from the link emailed to the address they signed with); and the
runners invite their supporters to a campaign that stands with theirs."""

from contextlib import suppress

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from hubsite.people.rules import EVERYONE_SIGNED_IN, role_required

from .. import rules
from ..forms import ActionsLinkForm, AskForm, SolidarityInviteForm
from ..selectors import asks as selectors
from ..selectors.campaigns import campaign_managed, campaign_public
from ..services import asks as services


def _managed(request, slug):
    campaign = get_object_or_404(campaign_managed(request.user), slug=slug)
    if not rules.can_manage_campaign(request.user, campaign):
        raise PermissionDenied
    return campaign


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _ask_anchor(campaign, ask):
    return f"{campaign.get_absolute_url()}#ask-{ask.pk}"


# Managing asks ---------------------------------------------------------------------------


@role_required(*rules.RUNNERS)
def ask_list(request, slug):
    campaign = _managed(request, slug)
    asks = selectors.ask_list(campaign, active_only=False)
    return render(request, "action/ask_list.html", {"campaign": campaign, "asks": asks})


@role_required(*rules.RUNNERS)
def ask_create(request, slug):
    campaign = _managed(request, slug)
    form = AskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ask = services.ask_create(
                campaign=campaign, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{ask}” is on the campaign's page.")
            return redirect("action:ask_list", slug=campaign.slug)
    status = 400 if form.is_bound else 200
    return render(
        request, "action/ask_form.html", {"campaign": campaign, "form": form}, status=status
    )


@role_required(*rules.RUNNERS)
def ask_edit(request, slug, pk):
    campaign = _managed(request, slug)
    ask = get_object_or_404(selectors.ask_list(campaign, active_only=False), pk=pk)
    form = AskForm(request.POST or None, instance=ask)
    if request.method == "POST" and form.is_valid():
        try:
            ask = services.ask_update(ask=ask, edited_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{ask}” has been saved.")
            return redirect("action:ask_list", slug=campaign.slug)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "action/ask_form.html",
        {"campaign": campaign, "form": form, "ask_pk": pk, "action_count": ask.action_count},
        status=status,
    )


@role_required(*rules.RUNNERS)
@require_POST
def ask_delete(request, slug, pk):
    campaign = _managed(request, slug)
    ask = get_object_or_404(selectors.ask_list(campaign, active_only=False), pk=pk)
    try:
        services.ask_delete(ask=ask, deleted_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{ask}” has been removed.")
    return redirect("action:ask_list", slug=campaign.slug)


# Saying what one did ---------------------------------------------------------------------


def _record(request, ask, person):
    """Record the action; the message says kindly when it was already there."""
    try:
        _, new = services.action_record(ask=ask, person=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    if new:
        messages.success(request, "Thank you: your action counts.")
    else:
        messages.info(request, "You had already said you did this. Thank you!")
    return True


@role_required(*EVERYONE_SIGNED_IN)
@require_POST
def action_record(request, slug, pk):
    """A signed-in person's "I did this": one click, as themselves."""
    campaign = get_object_or_404(campaign_public(), slug=slug)
    ask = get_object_or_404(selectors.ask_list(campaign, viewer=request.user), pk=pk)
    person = getattr(request.user, "person", None)
    if person is None:
        messages.error(request, "Your account has no profile yet: ask the hub to add one.")
        return redirect(_ask_anchor(campaign, ask))
    if request.htmx and not request.htmx.boosted:
        # Should the ask close meanwhile, the fresh card below shows it as it is.
        with suppress(ValidationError):
            services.action_record(ask=ask, person=person)
        ask = selectors.ask_list(campaign, viewer=request.user).filter(pk=pk).first()
        if ask is None:
            return render(request, "action/_campaign_asks.html#ask-closed")
        return render(request, "action/_campaign_asks.html#ask", {"ask": ask, "campaign": campaign})
    _record(request, ask, person)
    return redirect(_ask_anchor(campaign, ask))


@login_not_required
def actions_link(request, slug):
    """A supporter who does not sign in asks for their link, sent to the address they signed
    with. The answer is the same whether or not that address signed."""
    campaign = get_object_or_404(campaign_public(), slug=slug)
    form = ActionsLinkForm(request.POST or None)
    context = {"campaign": campaign, "form": form}
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        if form.cleaned_data["website"]:  # a bot: send nothing
            return render(request, "action/ask_link.html", {**context, "sent": True})
        if not ratelimit.consume(request, action="actions_link", key=email):
            return render(
                request, "action/ask_link.html", {**context, "rate_limited": True}, status=429
            )
        services.actions_link_send(campaign=campaign, email=email)
        return render(request, "action/ask_link.html", {**context, "sent": True})
    return render(request, "action/ask_link.html", context, status=400 if form.is_bound else 200)


@login_not_required
def supporter_actions(request, slug, token):
    """The page the emailed link opens: the asks, each with its "I did this" button. Opening
    it records nothing (mail scanners follow links); the button's POST does."""
    campaign = get_object_or_404(campaign_public(), slug=slug)
    signup = services.signup_from_actions_token(token, campaign=campaign)
    if signup is None:
        return render(
            request, "action/ask_mine.html", {"campaign": campaign, "invalid": True}, status=400
        )
    asks = selectors.ask_list(campaign, person=signup.person)
    here = reverse("action:supporter_actions", args=[campaign.slug, token])
    if request.method == "POST":
        ask = asks.filter(pk=_int(request.POST.get("ask"))).first()
        if ask is None:
            messages.error(request, "That ask is no longer open.")
            return redirect(here)
        _record(request, ask, signup.person)
        return redirect(f"{here}#ask-{ask.pk}")
    return render(
        request,
        "action/ask_mine.html",
        {"campaign": campaign, "signup": signup, "asks": asks, "supporter_token": token},
    )


# Solidarity ------------------------------------------------------------------------------


@role_required(*rules.RUNNERS)
def campaign_invite(request, slug):
    """Invite this campaign's supporters to sign a campaign it stands with: choose it, see
    how many people it would email, then send."""
    campaign = _managed(request, slug)
    related = selectors.campaigns_related(campaign)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = SolidarityInviteForm(data, campaigns=related)
    preview = None
    if form.is_bound and form.is_valid():
        to_campaign = form.cleaned_data["to_campaign"]
        if request.method == "POST":
            try:
                people = services.solidarity_invite(
                    from_campaign=campaign, to_campaign=to_campaign, invited_by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if people:
                    plural = "s" if people != 1 else ""
                    messages.success(
                        request,
                        f"{people} supporter{plural} will be invited to sign “{to_campaign}”.",
                    )
                else:
                    messages.info(request, "There is no one new to invite to it.")
                return redirect("action:campaign_invite", slug=campaign.slug)
        else:
            preview = {
                "to_campaign": to_campaign,
                **selectors.solidarity_preview(campaign, to_campaign),
            }
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "action/invite.html",
        {"campaign": campaign, "form": form, "preview": preview, "related": related},
        status=status,
    )


urlpatterns = [
    path("campaigns/<slug:slug>/asks/", ask_list, name="ask_list"),
    path("campaigns/<slug:slug>/asks/new/", ask_create, name="ask_create"),
    path("campaigns/<slug:slug>/asks/link/", actions_link, name="actions_link"),
    path(
        "campaigns/<slug:slug>/asks/mine/<str:token>/",
        supporter_actions,
        name="supporter_actions",
    ),
    path("campaigns/<slug:slug>/asks/<int:pk>/edit/", ask_edit, name="ask_edit"),
    path("campaigns/<slug:slug>/asks/<int:pk>/delete/", ask_delete, name="ask_delete"),
    path("campaigns/<slug:slug>/asks/<int:pk>/done/", action_record, name="action_record"),
    path("campaigns/<slug:slug>/invite/", campaign_invite, name="campaign_invite"),
]
