"""Membership for staff: the kinds of membership the hub offers, the members list and a
member's page (contributions, renewal, leaving, a change of kind), adding a person the hub
knows as a member, and the growth of the membership over time. Staff only."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from hubsite.forms import show_service_errors
from hubsite.people.rules import STAFF, role_required

from ..filters import MembershipFilter
from ..forms.members import (
    ContributionForm,
    GrowthForm,
    MemberAddForm,
    MembershipTypeForm,
    MemberTypeForm,
)
from ..forms.mine import RenewForm
from ..models import Membership
from ..selectors import members as selectors
from ..services import members as services
from ..services import membership as terms


def _page(request, queryset):
    return Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _swap(request):
    """An htmx request that replaces the results only (not a boosted page or history)."""
    htmx = request.htmx
    return bool(htmx and not htmx.boosted and not htmx.history_restore_request)


# Kinds of membership -------------------------------------------------------------------


@role_required(*STAFF)
def type_list(request):
    return render(
        request,
        "organise/members/type_list.html",
        {"page": _page(request, selectors.membership_type_list())},
    )


@role_required(*STAFF)
def type_create(request):
    form = MembershipTypeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            type = services.membership_type_create(**form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"“{type}” is now a kind of membership.")
            return redirect("organise:type_list")
    return render(
        request,
        "organise/members/type_form.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@role_required(*STAFF)
def type_edit(request, pk):
    type = get_object_or_404(selectors.membership_type_list(), pk=pk)
    form = MembershipTypeForm.for_type(type, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            type = services.membership_type_update(type=type, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"“{type}” has been saved.")
            return redirect("organise:type_list")
    return render(
        request,
        "organise/members/type_form.html",
        {"form": form, "type": type},
        status=400 if form.is_bound else 200,
    )


# Members -------------------------------------------------------------------------------


@role_required(*STAFF)
def member_list(request):
    members = MembershipFilter(request.GET, queryset=selectors.member_list())
    swap = _swap(request)
    template = "organise/members/member_list.html" + ("#results" if swap else "")
    listed = members.qs
    status_counts = selectors.member_status_counts(members.without_status())
    # The counts by status have counted the list (the same filters, but for the status):
    # the pages need no second count of the members.
    chosen = members.form.cleaned_data.get("status")
    paginator = Paginator(listed, settings.PAGE_SIZE)
    paginator.count = sum(n for status, _, n in status_counts if status == chosen or not chosen)
    response = render(
        request,
        template,
        {
            "filter": members,
            "page": paginator.get_page(request.GET.get("page")),
            "status_counts": status_counts,
            "applications_waiting": selectors.join_applications_waiting_count(),
            "swap": swap,
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _membership(pk):
    return get_object_or_404(selectors.member_detail_queryset(), pk=pk)


def _detail(request, membership, *, contribution_form=None, type_form=None, status=200):
    return render(
        request,
        "organise/members/member_detail.html",
        {
            "membership": membership,
            "person": membership.person,
            "contribution_form": contribution_form or ContributionForm(),
            "type_form": type_form or MemberTypeForm(membership=membership),
            "can_renew": selectors.renewal_due_soon(membership),
            "renew_form": RenewForm(membership=membership),
        },
        status=status,
    )


@role_required(*STAFF)
def member_detail(request, pk):
    return _detail(request, _membership(pk))


@role_required(*STAFF)
@require_POST
def member_contribution(request, pk):
    membership = _membership(pk)
    form = ContributionForm(request.POST)
    if form.is_valid():
        try:
            contribution = services.contribution_record(
                membership=membership, recorded_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"A contribution of £{contribution.amount} is recorded.")
            return redirect(membership)
    return _detail(request, membership, contribution_form=form, status=400)


@role_required(*STAFF)
@require_POST
def member_renew(request, pk):
    membership = _membership(pk)
    form = RenewForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(
                "The renewal was not made: open the member's page again and renew from there."
            )
        membership = terms.membership_renew(
            membership=membership, expected_renews_on=form.cleaned_data["renews_on"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{membership.person.full_name}'s membership is renewed until "
            f"{date_format(membership.renews_on, 'j F Y')}.",
        )
    return redirect(membership)


@role_required(*STAFF)
@require_POST
def member_leave(request, pk):
    membership = _membership(pk)
    if membership.status == Membership.Status.LEFT:
        messages.info(request, f"{membership.person.full_name} had already left.")
    else:
        terms.membership_leave(membership=membership)
        messages.success(request, f"{membership.person.full_name} is marked as having left.")
    return redirect(membership)


@role_required(*STAFF)
@require_POST
def member_type(request, pk):
    membership = _membership(pk)
    form = MemberTypeForm(request.POST, membership=membership)
    if form.is_valid():
        try:
            terms.membership_change_type(membership=membership, type=form.cleaned_data["type"])
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request, f"{membership.person.full_name} is now a {membership.type} member."
            )
            return redirect(membership)
    membership = _membership(pk)  # as saved, not as the refused form left it
    return _detail(request, membership, type_form=form, status=400)


@role_required(*STAFF)
def member_add(request):
    """Find a person the hub knows (by name, email or postcode), choose a kind, and make
    them a member. ``?person=<id>`` comes chosen, from a link on the person's page."""
    # No name holds a NUL byte, and PostgreSQL cannot compare one.
    text = request.GET.get("q", "").replace("\x00", "")
    if request.method == "POST":
        form = MemberAddForm(request.POST)
        if form.is_valid():
            person = form.cleaned_data["person"]
            try:
                membership, kind = terms.membership_start(
                    person=person, type=form.cleaned_data["type"]
                )
            except ValidationError as error:
                show_service_errors(form, error)
            else:
                if kind is None:
                    messages.info(request, f"{person.full_name} is already a member.")
                else:
                    messages.success(request, f"{person.full_name} is now a member.")
                return redirect(membership)
        chosen = selectors.person_to_make_member(form["person"].value())
    else:
        chosen = selectors.person_to_make_member(request.GET.get("person"))
        form = MemberAddForm(initial={"person": chosen.pk if chosen else None})
    context = {
        "form": form,
        "chosen": chosen,
        "people": selectors.people_to_make_members(text),
        "searched": len(text.strip()) >= 2,
        "q": text,
        "types_offered": form.fields["type"].queryset.exists(),
    }
    if _swap(request):
        response = render(request, "organise/members/member_add.html#found", context)
    else:
        status = 400 if form.is_bound else 200
        response = render(request, "organise/members/member_add.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# Growth --------------------------------------------------------------------------------


@role_required(*STAFF)
def growth(request):
    form = GrowthForm(request.GET or None)
    form.is_valid()  # the fields that validate still filter; the others show their errors
    filters = getattr(form, "cleaned_data", {})
    figures = selectors.growth(
        locality=filters.get("locality"), tag=filters.get("tag"), type=filters.get("type")
    )
    return render(
        request,
        "organise/members/growth.html",
        {"form": form, "growth": figures, "chart": _chart_data(figures)},
    )


def _chart_data(figures):
    return {
        "labels": [month.month.strftime("%b %Y") for month in figures.months],
        "datasets": [
            {"label": "Joined", "data": [month.joined for month in figures.months]},
            {"label": "Lapsed", "data": [month.lapsed for month in figures.months]},
            {"label": "Left", "data": [month.left for month in figures.months]},
        ],
    }


urlpatterns = [
    path("members/", member_list, name="member_list"),
    path("members/new/", member_add, name="member_add"),
    path("members/growth/", growth, name="growth"),
    path("members/kinds/", type_list, name="type_list"),
    path("members/kinds/new/", type_create, name="type_create"),
    path("members/kinds/<int:pk>/", type_edit, name="type_edit"),
    path("members/<int:pk>/", member_detail, name="member_detail"),
    path("members/<int:pk>/contribution/", member_contribution, name="member_contribution"),
    path("members/<int:pk>/renew/", member_renew, name="member_renew"),
    path("members/<int:pk>/leave/", member_leave, name="member_leave"),
    path("members/<int:pk>/kind/", member_type, name="member_type"),
]
