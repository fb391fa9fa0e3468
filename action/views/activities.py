"""Community activities and enterprises: the list every signed-in person sees, proposing one,
its page with its stages and people, "I'd like to help" and stepping back, and the screens
where those who run it (its proposer, staff, organisers of its group) edit it, move it on and
add or remove people. Who may do what: ``action.rules``."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from hubsite.forms import show_service_errors
from hubsite.people.rules import EVERYONE_SIGNED_IN, role_required

from .. import rules
from ..filters import ActivityFilter
from ..forms import ActivityForm, ActivityPersonForm, ActivityStageForm
from ..models import Activity
from ..selectors import activities as selectors
from ..services import activities as services


def _swap(request):
    """An htmx request that replaces a part of the page only (not a boosted page or history)."""
    htmx = request.htmx
    return bool(htmx and not htmx.boosted and not htmx.history_restore_request)


def _activity(pk):
    return get_object_or_404(selectors.activity_detail_queryset(), pk=pk)


def _managed(request, pk):
    activity = _activity(pk)
    if not rules.can_manage_activity(request.user, activity):
        raise PermissionDenied
    return activity


@role_required(*EVERYONE_SIGNED_IN)
def activity_list(request):
    activities = ActivityFilter(request.GET, queryset=selectors.activity_list())
    page = Paginator(activities.qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    swap = _swap(request)
    counts = selectors.activity_counts()
    context = {
        "filter": activities,
        "page": page,
        "swap": swap,
        "stage_counts": [(stage, label, counts[stage]) for stage, label in Activity.Stage.choices],
    }
    template = "action/activity_list.html" + ("#results" if swap else "")
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(*EVERYONE_SIGNED_IN)
def activity_propose(request):
    form = ActivityForm(request.POST or None, groups=selectors.groups_to_choose(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_propose(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"Thank you: “{activity}” has been proposed.")
            return redirect(activity)
    status = 400 if form.is_bound else 200
    return render(request, "action/activity_form.html", {"form": form}, status=status)


def _next_stage(activity):
    """The stage a move most likely goes to: the next one, or planning again once stopped."""
    stages = Activity.Stage.values
    after = stages.index(activity.stage) + 1
    return stages[after] if after < len(stages) else Activity.Stage.PLANNING


def _detail(request, activity, *, status=200, **forms):
    user = request.user
    can_add = rules.can_add_people(user, activity)
    # No name holds a NUL byte, and PostgreSQL cannot compare one.
    text = request.GET.get("q", "").replace("\x00", "") if can_add else ""
    context = {
        "activity": activity,
        "stages": Activity.Stage.choices,
        "can_manage": rules.can_manage_activity(user, activity),
        "can_add_people": can_add,
        "is_involved": rules.is_involved(user, activity),
        "stage_form": forms.get("stage_form")
        or ActivityStageForm(initial={"stage": _next_stage(activity)}),
        "person_form": forms.get("person_form"),
        "q": text,
        "found": selectors.people_to_add(activity, text) if text else [],
        "searched": len(text.strip()) >= 2,
    }
    template = "action/activity_detail.html"
    if can_add and "q" in request.GET and _swap(request):
        template += "#people-found"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(*EVERYONE_SIGNED_IN)
def activity_detail(request, pk):
    return _detail(request, _activity(pk))


@role_required(*EVERYONE_SIGNED_IN)
def activity_edit(request, pk):
    activity = _managed(request, pk)
    form = ActivityForm(
        request.POST or None,
        instance=activity,
        groups=selectors.groups_to_choose(request.user, activity.group),
        can_record_support=rules.can_record_support(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_update(
                activity=activity, edited_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"“{activity}” has been saved.")
            return redirect(activity)
    if form.is_bound:  # the heading keeps the saved name, not what was typed
        activity.refresh_from_db(fields=["name"])
    status = 400 if form.is_bound else 200
    return render(
        request, "action/activity_form.html", {"form": form, "activity": activity}, status=status
    )


@role_required(*EVERYONE_SIGNED_IN)
@require_POST
def activity_move(request, pk):
    activity = _managed(request, pk)
    form = ActivityStageForm(request.POST)
    if form.is_valid():
        try:
            activity = services.activity_move(activity=activity, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request, f"“{activity}” is now at the “{activity.get_stage_display()}” stage."
            )
            return redirect(activity)
    return _detail(request, activity, status=400, stage_form=form)


@role_required(*EVERYONE_SIGNED_IN)
@require_POST
def activity_join(request, pk):
    """ "I'd like to help": one click, and sending it twice changes nothing."""
    activity = _activity(pk)
    try:
        joined = services.activity_join(activity=activity, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if joined:
            messages.success(request, f"Thank you! You are now one of the people in “{activity}”.")
        else:
            messages.info(request, f"You are already one of the people in “{activity}”.")
    return redirect(activity)


@role_required(*rules.RUNNERS)
@require_POST
def activity_person_add(request, pk):
    activity = _activity(pk)
    if not rules.can_add_people(request.user, activity):
        raise PermissionDenied
    form = ActivityPersonForm(request.POST)
    if not form.is_valid():
        return _detail(request, activity, status=400, person_form=form)
    person = form.cleaned_data["person"]
    if services.activity_person_add(activity=activity, person=person):
        messages.success(request, f"{person.full_name} is now involved in “{activity}”.")
    else:
        messages.info(request, f"{person.full_name} was already involved.")
    return redirect(activity)


# The same answer for any id that is not one of the people involved, known to the hub or not:
# the form must not let anyone read the hub's names by stepping through ids.
NOT_INVOLVED = "That person is not one of the people involved in this activity."


@role_required(*EVERYONE_SIGNED_IN)
@require_POST
def activity_person_remove(request, pk):
    """Take someone off the activity: those who run it take anyone involved off, anyone
    else involved only themself (stepping back)."""
    activity = _activity(pk)
    user = request.user
    if not (rules.can_manage_activity(user, activity) or rules.is_involved(user, activity)):
        raise PermissionDenied
    form = ActivityPersonForm(request.POST)
    form.fields["person"].queryset = activity.people.all()
    form.fields["person"].error_messages["invalid_choice"] = NOT_INVOLVED
    if not form.is_valid():
        return _detail(request, activity, status=400, person_form=form)
    person = form.cleaned_data["person"]
    if not rules.can_remove_from_activity(user, activity, person):
        raise PermissionDenied
    myself = person.user_id is not None and person.user_id == user.pk
    try:
        removed = services.activity_person_remove(activity=activity, person=person, by=user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if not removed:  # taken off by someone else a moment ago
            messages.info(request, NOT_INVOLVED)
        elif myself:
            messages.success(request, f"You have stepped back from “{activity}”.")
        else:
            messages.success(request, f"{person.full_name} is no longer involved.")
    return redirect(activity)


urlpatterns = [
    path("activities/", activity_list, name="activity_list"),
    path("activities/new/", activity_propose, name="activity_propose"),
    path("activities/<int:pk>/", activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", activity_edit, name="activity_edit"),
    path("activities/<int:pk>/stage/", activity_move, name="activity_move"),
    path("activities/<int:pk>/join/", activity_join, name="activity_join"),
    path("activities/<int:pk>/people/add/", activity_person_add, name="activity_person_add"),
    path(
        "activities/<int:pk>/people/remove/",
        activity_person_remove,
        name="activity_person_remove",
    ),
]
