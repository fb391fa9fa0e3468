"""A signed-in person's own pages: their membership (renew, change its kind, leave) and their
profile (how the hub may contact them is chosen on their data page, privacy:mine). Each page
reads and writes only the viewer's own person; an account without one gets a page that says
so."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format

from hubsite.forms import show_service_errors
from hubsite.people.rules import EVERYONE_SIGNED_IN, role_required
from hubsite.people.services import person_update

from ..forms.join import contribution_text, term_text
from ..forms.mine import ProfileForm, RenewForm, TypeChangeForm
from ..models import Membership
from ..selectors import mine as selectors
from ..services import membership as membership_services


def _posted(request):
    """The data of a POST (even an empty one, which must be refused, not taken for a GET)."""
    return request.POST if request.method == "POST" else None


def _no_person(request):
    return render(request, "organise/mine/no_person.html")


def _membership(person):
    return getattr(person, "membership", None)


def _kind_terms(type):
    return f"{contribution_text(type)}, {term_text(type)}"


def _held(membership):
    """A membership its holder can still manage (renew, change, leave): not one they left."""
    return membership is not None and membership.status in (
        Membership.Status.ACTIVE,
        Membership.Status.LAPSED,
    )


def own_page(view):
    """Give the view the viewer's own person, or answer with the page that says they have
    none (an account opened without one, such as the first administrator's)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        person = selectors.own_person(request.user)
        if person is None:
            return _no_person(request)
        return view(request, person, *args, **kwargs)

    return wrapped


@role_required(*EVERYONE_SIGNED_IN)
@own_page
def my_membership(request, person):
    membership = _membership(person)
    page = None
    if membership is not None:
        page = Paginator(selectors.contributions_of(membership), settings.PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "organise/mine/membership.html",
        {
            "person": person,
            "membership": membership,
            "page": page,
            "renewal_open": selectors.renewal_open(membership),
            "renew_form": RenewForm(membership=membership) if membership else None,
            "held": _held(membership),
            "kind_terms": _kind_terms(membership.type) if membership else "",
        },
    )


def _not_held(request, person, membership):
    """The answer to a change of a membership the viewer does not hold (any more)."""
    if request.method == "POST":
        messages.error(request, "You are not a member of the hub at the moment: join first.")
        return redirect("organise:my_membership")
    return render(
        request,
        "organise/mine/not_member.html",
        {"person": person, "membership": membership},
    )


@role_required(*EVERYONE_SIGNED_IN)
@own_page
def membership_renew(request, person):
    """Renewing: the page says what the next term will be, the button renews."""
    membership = _membership(person)
    if not _held(membership):
        return _not_held(request, person, membership)
    if request.method == "POST":
        form = RenewForm(request.POST)
        try:
            if not form.is_valid():  # no date, as from an old page: renew from a new one
                raise ValidationError(
                    "The renewal was not made: open the page again and renew from there."
                )
            membership = membership_services.membership_renew(
                membership=membership, expected_renews_on=form.cleaned_data["renews_on"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                "Thank you: your membership is renewed until "
                f"{date_format(membership.renews_on, 'j F Y')}.",
            )
        return redirect("organise:my_membership")
    today = timezone.localdate()
    start = membership.renews_on if membership.status == Membership.Status.ACTIVE else today
    return render(
        request,
        "organise/mine/renew.html",
        {
            "membership": membership,
            "renewal_open": selectors.renewal_open(membership, today),
            "renew_form": RenewForm(membership=membership),
            "opens_on": membership_services.add_months(
                membership.renews_on, -membership_services.RENEW_MONTHS_AHEAD
            ),
            "next_start": start,
            "next_renews_on": membership_services.add_months(start, membership.type.term_months),
        },
    )


@role_required(*EVERYONE_SIGNED_IN)
@own_page
def membership_change_type(request, person):
    membership = _membership(person)
    if not _held(membership):
        return _not_held(request, person, membership)
    form = TypeChangeForm(
        _posted(request),
        types=selectors.types_to_choose(membership),
        initial={"type": membership.type_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership = membership_services.membership_change_type(
                membership=membership, type=form.cleaned_data["type"]
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"Your membership is now: {membership.type.name}.")
            return redirect("organise:my_membership")
    status = 400 if form.is_bound else 200
    return render(
        request,
        "organise/mine/change_type.html",
        {"membership": membership, "form": form},
        status=status,
    )


@role_required(*EVERYONE_SIGNED_IN)
@own_page
def membership_leave(request, person):
    """Leaving: a page that asks, a POST that leaves."""
    membership = _membership(person)
    if not _held(membership):
        return _not_held(request, person, membership)
    if request.method == "POST":
        membership_services.membership_leave(membership=membership)
        messages.success(
            request, "You have left the hub. Thank you for all you did; you are welcome back."
        )
        return redirect("organise:my_membership")
    return render(request, "organise/mine/leave.html", {"membership": membership})


@role_required(*EVERYONE_SIGNED_IN)
@own_page
def profile(request, person):
    form = ProfileForm(_posted(request), initial=ProfileForm.initial_from(person))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            person_update(person=person, tags=data.pop("tags"), **data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("organise:my_profile")
    status = 400 if form.is_bound else 200
    return render(
        request, "organise/mine/profile.html", {"person": person, "form": form}, status=status
    )


@role_required(*EVERYONE_SIGNED_IN)
def preferences(request):
    """How the hub may contact a person is one of their consents, all chosen on one page:
    their data page, where every change is dated and kept."""
    return redirect("privacy:mine")


urlpatterns = [
    path("me/", my_membership, name="my_membership"),
    path("me/renew/", membership_renew, name="my_membership_renew"),
    path("me/kind/", membership_change_type, name="my_membership_kind"),
    path("me/leave/", membership_leave, name="my_membership_leave"),
    path("me/profile/", profile, name="my_profile"),
    path("me/preferences/", preferences, name="my_preferences"),
]
