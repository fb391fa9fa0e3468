"""Joining the hub: the public page (no account needed, double opt-in, rate-limited), the
page that says a link was sent, and the link's own page, where the visitor confirms and the
new member may choose a password (while the hub's sign-up is open). A signed-in person with a
profile joins at once."""

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path

from hubsite.forms import show_service_errors

from ..forms.join import AccountPasswordForm, JoinForm, MemberJoinForm
from ..models import Membership
from ..selectors import mine as selectors
from ..services import joining as services


def _posted(request):
    """The data of a POST (even an empty one, which must be refused, not taken for a GET)."""
    return request.POST if request.method == "POST" else None


@login_not_required
def join(request):
    person = selectors.own_person(request.user)
    if person is not None:
        return _join_signed_in(request, person)
    initial = {"email": request.user.email} if request.user.is_authenticated else None
    form = JoinForm(_posted(request), initial=initial)
    context = {"form": form, "offered": selectors.types_open_to_join().exists()}
    if request.method != "POST":
        return render(request, "organise/join/join.html", context)
    if form.is_valid() and form.cleaned_data["website"]:
        return redirect("organise:join_sent")  # a bot: say nothing, save nothing
    if form.is_valid() and not ratelimit.consume(
        request, action="membership_join", key=form.cleaned_data["email"]
    ):
        return render(request, "organise/join/rate_limited.html", status=429)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("website")
        try:
            services.application_submit(**data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            # The same answer whether or not the address was known, or a member already.
            return redirect("organise:join_sent")
    return render(request, "organise/join/join.html", context, status=400)


def _join_signed_in(request, person):
    membership = getattr(person, "membership", None)
    context = {"person": person, "membership": membership}
    if membership is not None and membership.status == Membership.Status.ACTIVE:
        return render(request, "organise/join/join.html", {**context, "already": True})
    form = MemberJoinForm(_posted(request))
    context.update(form=form, offered=selectors.types_open_to_join().exists())
    if request.method != "POST":
        return render(request, "organise/join/join.html", context)
    if form.is_valid():
        try:
            membership, kind = services.membership_join(
                person=person,
                type=form.cleaned_data["type"],
                consent_contact=form.cleaned_data["consent_contact"],
                recorded_by=request.user,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            if kind is None:
                messages.info(request, "You are already a member of the hub.")
            else:
                messages.success(request, "Welcome: you are now a member of the hub.")
            return redirect("organise:my_membership")
    return render(request, "organise/join/join.html", context, status=400)


@login_not_required
def join_sent(request):
    return render(request, "organise/join/sent.html")


def _confirm_context(request, application, **extra):
    context = {"application": application, "signup_open": settings.SIGNUP_OPEN}
    if application.confirmed_at is None:
        # What the page shows, sent back with the button: confirming checks it still holds.
        context["answers_digest"] = services.application_answers_digest(application)
    else:
        has_account = selectors.account_for(application.email) is not None
        context["has_account"] = has_account
        if not has_account and not request.user.is_authenticated and settings.SIGNUP_OPEN:
            context["password_form"] = AccountPasswordForm(email=application.email)
    context.update(extra)
    return context


@login_not_required
def join_confirm(request, token):
    """The link in the confirmation email: a page with a button (a mail scanner following
    the link confirms nothing), then the POST that makes the visitor a member; after that,
    the same page welcomes them and offers a password while no account has the address."""
    application, expired = services.application_from_token(token)
    if application is None:
        context = {"invalid": True, "expired": expired}
        return render(request, "organise/join/confirm.html", context, status=400)
    if request.method == "POST" and request.POST.get("step") == "password":
        return _choose_password(request, application)
    if request.method == "POST":
        try:
            services.application_confirm(
                application=application, answers_digest=request.POST.get("answers", "")
            )
        except ValidationError as error:
            # The answers as they stand now, to check (and confirm, if they are theirs).
            application, _ = services.application_from_token(token)
            if application is None:  # forgotten meanwhile
                context = {"invalid": True, "expired": False}
                return render(request, "organise/join/confirm.html", context, status=400)
            context = _confirm_context(request, application, errors=error.messages)
            return render(request, "organise/join/confirm.html", context, status=400)
        return redirect("organise:join_confirm", token=token)
    return render(request, "organise/join/confirm.html", _confirm_context(request, application))


def _choose_password(request, application):
    context = _confirm_context(request, application)
    if "password_form" not in context:  # nothing to choose here: say why
        if application.confirmed_at is None:
            error = "Confirm your membership first."
        elif request.user.is_authenticated:
            error = "You are signed in already."
        elif context["has_account"]:
            error = "An account already signs in with this address: sign in to see your membership."
        else:
            error = "The hub does not open accounts here at the moment: its staff can invite you."
        return render(
            request, "organise/join/confirm.html", {**context, "errors": [error]}, status=400
        )
    form = AccountPasswordForm(request.POST, email=application.email)
    if form.is_valid():
        try:
            user = services.application_account_create(
                application=application, password=form.cleaned_data["password1"]
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Your account is ready, and you are signed in.")
            return redirect("organise:my_membership")
    context["password_form"] = form
    return render(request, "organise/join/confirm.html", context, status=400)


urlpatterns = [
    path("join/", join, name="join"),
    path("join/sent/", join_sent, name="join_sent"),
    path("join/confirm/<str:token>/", join_confirm, name="join_confirm"),
]
