"""Segments: staff and organisers build a set of people from filters, see its live count
(and, while building, the count of the filters chosen so far), the people it reaches, and
write calls to action to it. An organiser sees and changes only their own segments."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.cache import patch_vary_headers

from hubsite.forms import show_service_errors
from hubsite.people.rules import role_required

from .. import rules
from ..forms.segments import SegmentForm
from ..selectors import segments as selectors
from ..services import segments as services


def _posted(request):
    """The data of a POST, even an empty one (which must be refused, not shown as new)."""
    return request.POST if request.method == "POST" else None


def _segment(request, pk):
    """The segment, if the viewer may open it: others' segments are not found."""
    segment = get_object_or_404(selectors.segment_visible(request.user), pk=pk)
    if not rules.can_manage_segment(request.user, segment):
        raise PermissionDenied
    return segment


def _live_count(request, owner, template):
    """While the builder is being filled in (htmx, on each change), the count of the
    filters chosen so far, as the partial of the same template."""
    form = SegmentForm(request.GET, owner=owner)
    counts = None
    if form.filters_valid():
        counts = selectors.segment_counts(selectors.segment_people(form.filters(), owner))
    response = render(request, f"{template}#count", {"counts": counts, "form": form})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _is_live_count(request):
    return bool(request.method == "GET" and request.htmx and not request.htmx.boosted)


@role_required(*rules.SEGMENT_BUILDERS)
def segment_list(request):
    page = Paginator(selectors.segment_list(request.user), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "organise/segments/segment_list.html", {"page": page})


@role_required(*rules.SEGMENT_BUILDERS)
def segment_create(request):
    template = "organise/segments/segment_form.html"
    if _is_live_count(request):
        return _live_count(request, request.user, template)
    form = SegmentForm(_posted(request), owner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            segment = services.segment_create(
                created_by=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                filters=form.filters(),
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"“{segment.name}” is saved.")
            return redirect(segment)
    counts = (
        None
        if form.is_bound
        else selectors.segment_counts(selectors.segment_people({}, request.user))
    )
    return render(
        request,
        template,
        {"form": form, "counts": counts, "is_staff": rules.is_staff(request.user)},
        status=400 if form.is_bound else 200,
    )


@role_required(*rules.SEGMENT_BUILDERS)
def segment_detail(request, pk):
    """The segment's live figures, its filters in words, and the people its channel
    reaches, a page at a time (a fixed number of queries whatever their number)."""
    segment = _segment(request, pk)
    counts = selectors.segment_counts(selectors.segment_of(segment), segment.channel)
    paginator = Paginator(selectors.segment_members(segment), settings.PAGE_SIZE)
    # The figures have counted the people the list holds: no second count of the segment.
    paginator.count = counts["reachable"]
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "organise/segments/segment_detail.html",
        {
            "segment": segment,
            "counts": counts,
            "described": selectors.filters_described(segment.filters),
            "page": page,
            "show_links": rules.is_staff(request.user),
            "orphan": segment.created_by_id is None,
        },
    )


@role_required(*rules.SEGMENT_BUILDERS)
def segment_edit(request, pk):
    segment = _segment(request, pk)
    template = "organise/segments/segment_form.html"
    owner = segment.created_by or request.user
    if _is_live_count(request):
        return _live_count(request, owner, template)
    form = SegmentForm(_posted(request), owner=owner, segment=segment)
    if request.method == "POST" and form.is_valid():
        try:
            segment = services.segment_edit(
                segment=segment,
                edited_by=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                filters=form.filters(),
                remove_lost=form.cleaned_data.get("remove_lost_filters", False),
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"“{segment.name}” is saved.")
            return redirect(segment)
    counts = (
        None
        if form.is_bound
        else selectors.segment_counts(selectors.segment_of(segment), segment.channel)
    )
    # Said before anyone fills the form in; a POST gets the service's refusal instead.
    in_flight = (
        services.in_flight_message(segment)
        if not form.is_bound and selectors.segment_calls_in_flight(segment).exists()
        else ""
    )
    return render(
        request,
        template,
        {
            "form": form,
            "segment": segment,
            "counts": counts,
            "is_staff": rules.is_staff(owner),
            "in_flight": in_flight,
        },
        status=400 if form.is_bound else 200,
    )


@role_required(*rules.SEGMENT_BUILDERS)
def segment_delete(request, pk):
    """A page that asks, then the POST that deletes; refused while a call uses it."""
    segment = _segment(request, pk)
    error = None
    if request.method == "POST":
        try:
            services.segment_delete(segment=segment)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, f"“{segment.name}” is deleted.")
            return redirect("organise:segment_list")
    return render(
        request,
        "organise/segments/segment_delete.html",
        {"segment": segment, "call_count": segment.calls.count(), "error": error},
        status=400 if error else 200,
    )


urlpatterns = [
    path("segments/", segment_list, name="segment_list"),
    path("segments/new/", segment_create, name="segment_create"),
    path("segments/<int:pk>/", segment_detail, name="segment_detail"),
    path("segments/<int:pk>/edit/", segment_edit, name="segment_edit"),
    path("segments/<int:pk>/delete/", segment_delete, name="segment_delete"),
]
