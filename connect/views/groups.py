"""Interest groups: the public list of groups, a group's public page where anyone can ask to
join, and the screen where its organisers (and hub staff) welcome or decline those who ask.

The public pages show what a group is about and how many are in it, never who."""

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from hubsite.forms import show_service_errors
from hubsite.people.rules import EVERYONE_SIGNED_IN, can_manage_group, role_required

from ..forms import JoinDecisionForm, JoinRequestForm
from ..models import JoinRequest
from ..selectors import groups as selectors
from ..services import groups as services


def _page(request, queryset):
    return Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _group(slug):
    return get_object_or_404(selectors.public_group_detail_queryset(), slug=slug)


def _page_of(group):
    return reverse("connect:group_page", args=[group.slug])


@login_not_required
def group_list(request):
    return render(
        request,
        "connect/group_list.html",
        {"page": _page(request, selectors.public_group_list())},
    )


def _page_context(request, group, form):
    can_manage = can_manage_group(request.user, group)
    return {
        "group": group,
        "events": selectors.group_upcoming_events(group),
        "form": form,
        "standing": selectors.viewer_standing(group, request.user),
        "can_manage": can_manage,
        "pending_count": selectors.join_requests_pending_count(group) if can_manage else 0,
    }


@login_not_required
def group_page(request, slug):
    group = _group(slug)
    form = JoinRequestForm(user=request.user)
    return render(request, "connect/group_page.html", _page_context(request, group, form))


@login_not_required
@require_POST
def group_join(request, slug):
    group = _group(slug)
    form = JoinRequestForm(request.POST, user=request.user)
    if form.is_valid() and form.cleaned_data["website"]:
        return redirect(_page_of(group))  # a bot: say nothing, save nothing
    if form.is_valid() and not form.known and not ratelimit.consume(request, action="group_join"):
        form.add_error(None, "Too many requests from here in the last hour. Please try later.")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.join_request_create(
                group=group,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=data.get("email", ""),
                message=data["message"],
                consent_contact=data["consent_contact"],
                user=request.user,
            )
        except ValidationError as error:
            if form.known or getattr(error, "code", None) != "already_member":
                show_service_errors(form, error)
            else:
                # Whether an address is in a group is not for a stranger to find out: they
                # hear what anyone asking hears.
                messages.success(request, _asked(group, form.known))
                return redirect(_page_of(group))
        else:
            messages.success(request, _asked(group, form.known))
            return redirect(_page_of(group))
    return render(
        request, "connect/group_page.html", _page_context(request, group, form), status=400
    )


def _asked(group, known):
    if known:
        return f"Your request to join {group.name} has gone to its organisers."
    return (
        f"Thank you for asking to join {group.name}. Its organisers will answer you by "
        "email (unless you are in the group already)."
    )


@role_required(*EVERYONE_SIGNED_IN)
def join_requests(request):
    return render(
        request,
        "connect/group_requests.html",
        {"page": _page(request, selectors.join_requests_pending(request.user))},
    )


@role_required(*EVERYONE_SIGNED_IN)
@require_POST
def join_request_decide(request, pk):
    join_request = get_object_or_404(selectors.join_requests_managed(request.user), pk=pk)
    form = JoinDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to welcome or to decline the request.")
        return redirect("connect:join_requests")
    approve = form.cleaned_data["decision"] == "approve"
    already = join_request.status != JoinRequest.Status.PENDING
    try:
        join_request = services.join_request_decide(
            request=join_request, approve=approve, decided_by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("connect:join_requests")
    person, group = join_request.person.full_name, join_request.group.name
    wanted = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    if already or join_request.status != wanted:  # answered before, here or elsewhere
        outcome = f"{person}'s request had already been answered."
    elif approve:
        outcome = f"{person} is now in {group}; we have emailed them."
    else:
        outcome = f"{person}'s request to join {group} is declined; we have emailed them."
    if request.htmx:  # the row of the list becomes the answer
        return render(
            request,
            "connect/group_requests.html#request-row",
            {"join_request": join_request, "outcome": outcome},
        )
    messages.success(request, outcome)
    return redirect("connect:join_requests")


urlpatterns = [
    path("groups/", group_list, name="group_list"),
    # Before the group pages: "requests" is a reserved slug no group can take.
    path("groups/requests/", join_requests, name="join_requests"),
    path("groups/requests/<int:pk>/", join_request_decide, name="join_request_decide"),
    path("groups/<slug:slug>/", group_page, name="group_page"),
    path("groups/<slug:slug>/join/", group_join, name="group_join"),
]
