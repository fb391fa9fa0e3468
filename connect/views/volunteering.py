"""Volunteering: a person's offer of skills and time, the opportunities staff and organisers
post with their shifts, signing up to a shift and giving the place back, the people to ask
for each opportunity, and the hours logged after a shift."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hubsite.forms import show_service_errors
from hubsite.people.models import Group, Person
from hubsite.people.rules import EVERYONE_SIGNED_IN, STAFF, role_required

from .. import rules
from ..forms import HoursForm, OfferFilterForm, OpportunityForm, ShiftForm, VolunteerOfferForm
from ..selectors import events as event_selectors
from ..selectors import volunteering as selectors
from ..services import volunteering as services


def _page(request, queryset):
    return Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _person(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise PermissionDenied("Your account is not linked to a person in the hub yet.")
    return person


def _bound(request):
    return request.POST if request.method == "POST" else None


# Offers --------------------------------------------------------------------------------


def _offer_page(request, person, *, own):
    offer = selectors.offer_of(person)
    form = VolunteerOfferForm(_bound(request), initial=VolunteerOfferForm.initial_from(offer))
    if form.is_bound and form.is_valid():
        try:
            services.offer_save(person=person, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            if own:
                messages.success(
                    request,
                    "Thank you: your offer is saved. Staff and organisers will see it when "
                    "they look for volunteers.",
                )
                return redirect("connect:opportunity_list")
            messages.success(request, f"The offer of {person.full_name} is saved.")
            return redirect("connect:offer_list")
    return render(
        request,
        "connect/volunteering_offer.html",
        {"form": form, "offer": offer, "person": person, "own": own},
    )


@role_required(*EVERYONE_SIGNED_IN)
def offer_mine(request):
    return _offer_page(request, _person(request), own=True)


@role_required(*STAFF)
def offer_record(request, person_pk):
    person = get_object_or_404(Person, pk=person_pk)
    return _offer_page(request, person, own=False)


@role_required(*rules.RUNNERS)
def offer_list(request):
    filters = OfferFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    offers = selectors.offer_list(
        request.user, skill=data.get("skill"), locality=data.get("locality")
    )
    page = _page(request, offers)
    page.object_list = list(page.object_list)
    for offer in page.object_list:
        offer.free_at = selectors.availability_labels(offer.availability)
    return render(
        request,
        "connect/volunteering_offer_list.html",
        {
            "page": page,
            "filters": filters,
            "is_staff": rules.is_staff(request.user),
        },
    )


# Opportunities -------------------------------------------------------------------------


@role_required(*EVERYONE_SIGNED_IN)
def opportunity_list(request):
    return render(
        request,
        "connect/volunteering_list.html",
        {
            "page": _page(request, selectors.opportunity_list(request.user)),
            "can_create": rules.can_run_events(request.user),
        },
    )


@role_required(*EVERYONE_SIGNED_IN)
def opportunity_detail(request, pk):
    opportunity = get_object_or_404(selectors.opportunity_detail_queryset(request.user), pk=pk)
    can_manage = rules.can_manage_opportunity(request.user, opportunity)
    mine = selectors.shift_ids_signed_up(request.user, opportunity)
    people = selectors.signups_by_shift(opportunity) if can_manage else {}
    now = timezone.now()
    upcoming, past = [], []
    for shift in opportunity.shifts.all():
        shift.mine = shift.pk in mine
        shift.people = people.get(shift.pk, [])
        shift.started = shift.starts_at <= now
        (upcoming if shift.ends_at > now else past).append(shift)
    return render(
        request,
        "connect/volunteering_detail.html",
        {
            "opportunity": opportunity,
            "upcoming": upcoming,
            "past": list(reversed(past)) if can_manage else [],
            "can_manage": can_manage,
            "is_staff": rules.is_staff(request.user),
            "is_open": opportunity.status == opportunity.Status.OPEN,
            "matches": selectors.opportunity_matches(opportunity) if can_manage else [],
        },
    )


def _groups_for(request, opportunity=None):
    groups = event_selectors.groups_to_host(request.user)
    if opportunity is not None and opportunity.group_id:  # it keeps its group
        groups = Group.objects.filter(
            Q(pk__in=groups.values("pk")) | Q(pk=opportunity.group_id)
        ).order_by("name")
    return groups


@role_required(*rules.RUNNERS)
def opportunity_create(request):
    form = OpportunityForm(_bound(request), groups=_groups_for(request))
    if form.is_bound and form.is_valid():
        try:
            opportunity = services.opportunity_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"“{opportunity}” is posted. Now add its shifts.")
            return redirect("connect:shift_add", opportunity.pk)
    return render(request, "connect/volunteering_form.html", {"form": form})


def _managed(request, pk):
    opportunity = get_object_or_404(selectors.opportunity_visible(request.user), pk=pk)
    if not rules.can_manage_opportunity(request.user, opportunity):
        raise PermissionDenied
    return opportunity


@role_required(*rules.RUNNERS)
def opportunity_edit(request, pk):
    opportunity = _managed(request, pk)
    form = OpportunityForm(
        _bound(request), instance=opportunity, groups=_groups_for(request, opportunity)
    )
    if form.is_bound and form.is_valid():
        try:
            opportunity = services.opportunity_update(
                opportunity=opportunity, updated_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"“{opportunity}” has been saved.")
            return redirect(opportunity)
    if form.is_bound:  # the form wrote what was typed onto the instance
        opportunity.refresh_from_db()
    return render(
        request, "connect/volunteering_form.html", {"form": form, "opportunity": opportunity}
    )


@role_required(*rules.RUNNERS)
@require_POST
def opportunity_close(request, pk):
    opportunity = services.opportunity_close(
        opportunity=_managed(request, pk), closed_by=request.user
    )
    messages.success(
        request, f"“{opportunity}” is closed to new volunteers; places already taken stay."
    )
    return redirect(opportunity)


# Shifts --------------------------------------------------------------------------------


@role_required(*rules.RUNNERS)
def shift_add(request, pk):
    opportunity = _managed(request, pk)
    form = ShiftForm(_bound(request))
    if form.is_bound and form.is_valid():
        try:
            shift = services.shift_add(
                opportunity=opportunity, added_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request, f"Shift added: {timezone.localtime(shift.starts_at):%A %-d %B, %H:%M}."
            )
            if "another" in request.POST:
                return redirect("connect:shift_add", opportunity.pk)
            return redirect(opportunity)
    return render(
        request,
        "connect/volunteering_shift_form.html",
        {"form": form, "opportunity": opportunity},
    )


def _shift(request, pk):
    visible = selectors.opportunity_visible(request.user)
    return get_object_or_404(selectors.shift_queryset().filter(opportunity__in=visible), pk=pk)


def _next(request, fallback):
    target = request.POST.get("next", "")
    # A path only: ``redirect`` takes a bare word for the name of a view.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _back_to(request, shift):
    """The opportunity's page, or the list when it has closed out of the viewer's sight."""
    visible = selectors.opportunity_visible(request.user).filter(pk=shift.opportunity_id)
    if visible.exists():
        return shift.opportunity.get_absolute_url()
    return reverse("connect:opportunity_list")


@role_required(*EVERYONE_SIGNED_IN)
@require_POST
def shift_signup(request, pk):
    # Any shift, not only those in sight: a role closed since the page was loaded gets its
    # message rather than "not found".
    shift = get_object_or_404(selectors.shift_queryset(), pk=pk)
    try:
        _, created = services.shift_signup(shift=shift, person=_person(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        when = f"{timezone.localtime(shift.starts_at):%A %-d %B, %H:%M}"
        if created:
            messages.success(request, f"You are signed up for {when}. Thank you!")
        else:
            messages.info(request, f"You were already signed up for {when}: nothing has changed.")
    return redirect(_back_to(request, shift))


@role_required(*EVERYONE_SIGNED_IN)
@require_POST
def shift_cancel(request, pk):
    shift = _shift(request, pk)
    signup = get_object_or_404(shift.signups, person=_person(request))
    try:
        services.shift_signup_cancel(signup=signup)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "You have given your place back. Thank you for letting us know.")
    return redirect(_next(request, shift.opportunity.get_absolute_url()))


@role_required(*EVERYONE_SIGNED_IN)
def shift_mine(request):
    person = _person(request)
    return render(
        request,
        "connect/volunteering_my_shifts.html",
        {
            "upcoming": selectors.shift_signups_of(person, upcoming=True),
            "page": _page(request, selectors.shift_signups_of(person, upcoming=False)),
            "hours": selectors.hours_of(person),
            "offer": selectors.offer_of(person),
        },
    )


# Hours ---------------------------------------------------------------------------------


@role_required(*rules.RUNNERS)
def hours_log(request, pk):
    shift = _shift(request, pk)
    if not rules.can_manage_opportunity(request.user, shift.opportunity):
        raise PermissionDenied
    ended = shift.ends_at <= timezone.now()
    signups = selectors.shift_signups(shift)
    form = HoursForm(
        _bound(request) if ended else None, signups=signups, limit=selectors.hours_limit(shift)
    )
    if form.is_bound and form.is_valid():
        try:
            changed = services.hours_log(shift=shift, logged_by=request.user, hours=form.hours())
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Hours saved ({len(changed)} change{'s' if len(changed) != 1 else ''}).",
            )
            return redirect(shift.opportunity)
    elif request.method == "POST" and not ended:
        messages.error(request, "Hours can be logged once the shift has ended.")
    return render(
        request,
        "connect/volunteering_hours.html",
        {"shift": shift, "form": form, "ended": ended},
    )


urlpatterns = [
    path("volunteering/", opportunity_list, name="opportunity_list"),
    path("volunteering/new/", opportunity_create, name="opportunity_create"),
    path("volunteering/<int:pk>/", opportunity_detail, name="opportunity_detail"),
    path("volunteering/<int:pk>/edit/", opportunity_edit, name="opportunity_edit"),
    path("volunteering/<int:pk>/close/", opportunity_close, name="opportunity_close"),
    path("volunteering/<int:pk>/shifts/new/", shift_add, name="shift_add"),
    path("volunteering/shifts/<int:pk>/signup/", shift_signup, name="shift_signup"),
    path("volunteering/shifts/<int:pk>/cancel/", shift_cancel, name="shift_cancel"),
    path("volunteering/shifts/<int:pk>/hours/", hours_log, name="hours_log"),
    path("volunteering/my-shifts/", shift_mine, name="shift_mine"),
    path("volunteering/offer/", offer_mine, name="offer_mine"),
    path("volunteering/offers/", offer_list, name="offer_list"),
    path("volunteering/offers/<int:person_pk>/", offer_record, name="offer_record"),
]
