"""The learning log: anyone signed in records what happened, what we learned and what we'll do
differently, tagged with areas and practices and linked to what it is about; everyone signed
in searches and filters the log. A learning is corrected by its author or staff."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.cache import patch_vary_headers

from hubsite.forms import show_service_errors
from hubsite.people.rules import EVERYONE_SIGNED_IN, STAFF, has_role, role_required

from ..forms import LearningFilterForm, LearningForm
from ..selectors import learnings as selectors
from ..services import learnings as services


def _swap(request):
    """An htmx request that replaces the results only (not a boosted page or history)."""
    htmx = request.htmx
    return bool(htmx and not htmx.boosted and not htmx.history_restore_request)


@role_required(*EVERYONE_SIGNED_IN)
def learning_list(request):
    kinds = selectors.subject_kinds()
    form = LearningFilterForm(request.GET or None, kinds=kinds)
    form.is_valid()  # the fields that validate still filter; the others show their errors
    learnings = selectors.learning_list(**form.filters())
    page = Paginator(learnings, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    swap = _swap(request)
    template = "framework/learning_list.html" + ("#results" if swap else "")
    response = render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "swap": swap,
            "viewer_is_staff": has_role(request.user, STAFF),
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(*EVERYONE_SIGNED_IN)
def learning_create(request):
    subjects = selectors.subjects_for(request.user)
    initial = {}
    about = request.GET.get("about", "")
    if any(subject.key == about for subject in subjects):
        initial["subject_key"] = about  # "Record a learning" from the page of what it is about
    form = LearningForm(request.POST or None, subjects=subjects, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            learning = services.learning_record(author=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"Thank you: “{learning}” is in the learning log.")
            return redirect(learning)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "framework/learning_form.html", {"form": form}, status=status)


@role_required(*EVERYONE_SIGNED_IN)
def learning_detail(request, pk):
    learning = get_object_or_404(selectors.learning_list(), pk=pk)
    subject = None
    if learning.subject_key:
        subject = selectors.subject_described(request.user, learning.subject_key)
    return render(
        request,
        "framework/learning_detail.html",
        {
            "learning": learning,
            "subject": subject,
            "can_edit": selectors.can_edit_learning(request.user, learning),
            "viewer_is_staff": has_role(request.user, STAFF),
        },
    )


@role_required(*EVERYONE_SIGNED_IN)
def learning_edit(request, pk):
    learning = get_object_or_404(selectors.learning_list(), pk=pk)
    if not selectors.can_edit_learning(request.user, learning):
        raise PermissionDenied
    initial = {
        "title": learning.title,
        "happened": learning.happened,
        "learned": learning.learned,
        "differently": learning.differently,
        "subject_key": learning.subject_key,
        # Only the areas chosen for themselves: those its practices bring are added again on
        # saving, and unticking a practice takes its area away.
        "areas": sorted(
            {area.pk for area in learning.areas.all()}
            - {practice.area_id for practice in learning.practices.all()}
        ),
        "practices": [practice.pk for practice in learning.practices.all()],
    }
    form = LearningForm(
        request.POST or None,
        subjects=selectors.subjects_for(request.user),
        current_subject=(learning.subject_key, learning.subject_label),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            learning = services.learning_update(
                learning=learning, editor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"“{learning}” has been saved.")
            return redirect(learning)
    if form.is_bound:
        learning.refresh_from_db(fields=["title"])
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "framework/learning_form.html",
        {"form": form, "learning": learning},
        status=status,
    )


urlpatterns = [
    path("learning/", learning_list, name="learning_list"),
    path("learning/new/", learning_create, name="learning_create"),
    path("learning/<int:pk>/", learning_detail, name="learning_detail"),
    path("learning/<int:pk>/edit/", learning_edit, name="learning_edit"),
]
