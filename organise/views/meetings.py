"""Meetings and decisions: the hub's members' meetings and AGM, and groups' own meetings,
with their agenda, minutes and decisions; the decisions people follow and see through, and
their review (htmx swaps a decision on the meeting's page; without JavaScript the review has
a page of its own).

A meeting the viewer may not see is not found; one they see but do not run cannot be
changed by them (403)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateformat import format as date_format

from hubsite.forms import show_service_errors
from hubsite.people.rules import EVERYONE_SIGNED_IN, STAFF_AND_ORGANISERS, has_role, role_required

from .. import rules
from ..forms.meetings import DecisionForm, DecisionReviewForm, MeetingForm
from ..models import Decision, Meeting
from ..selectors import meetings as selectors
from ..services import meetings as services


def _posted(request):
    """The data of a POST, even an empty one (which must be refused, not shown as new)."""
    return request.POST if request.method == "POST" else None


def _page(request, queryset):
    return Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _swap(request):
    """An htmx request that replaces part of the page (not a boosted page or history)."""
    htmx = request.htmx
    return bool(htmx and not htmx.boosted and not htmx.history_restore_request)


def _person_id(user):
    person = getattr(user, "person", None)
    return person.pk if person else None


def _managed_meeting(request, pk):
    meeting = get_object_or_404(
        selectors.meeting_visible(request.user).select_related("group"), pk=pk
    )
    if not rules.can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    return meeting


def _meeting_arguments(form):
    data = form.cleaned_data
    return {name: data.get(name) for name in MeetingForm.base_fields}


def _meeting_initial(meeting):
    return {name: getattr(meeting, name) for name in MeetingForm.base_fields}


# Meetings ------------------------------------------------------------------------------


@role_required(*EVERYONE_SIGNED_IN)
def meeting_list(request):
    return render(
        request,
        "organise/meetings/meeting_list.html",
        {
            "page": _page(request, selectors.meeting_list(request.user)),
            "can_call": rules.is_staff(request.user)
            or selectors.groups_to_meet(request.user).exists(),
            "can_follow_decisions": has_role(request.user, STAFF_AND_ORGANISERS),
        },
    )


@role_required(*EVERYONE_SIGNED_IN)
def meeting_create(request):
    """Call a meeting: staff call the hub's own and any group's; a group's organisers (of
    whatever role on the hub) call their group's. Anyone else hears who can."""
    hub_meetings = rules.is_staff(request.user)
    groups = selectors.groups_to_meet(request.user)
    if not hub_meetings and not groups.exists():
        if request.method == "POST":
            raise PermissionDenied
        return render(request, "organise/meetings/meeting_form.html", {"not_allowed": True})
    initial = {}
    chosen = request.GET.get("group", "")
    if chosen.isascii() and chosen.isdigit():
        group = groups.filter(pk=chosen).first()
        if group is not None:
            initial = {"kind": Meeting.Kind.GROUP, "group": group}
    form = MeetingForm(_posted(request), groups=groups, hub_meetings=hub_meetings, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(created_by=request.user, **_meeting_arguments(form))
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"The meeting “{meeting.title}” is on the calendar.")
            return redirect(meeting)
    return render(
        request,
        "organise/meetings/meeting_form.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


def _prepare_decision(decision, *, person_id, can_manage, form=None):
    """What a decision's box on the meeting's page needs: whether the viewer may review it
    (its owner while it is open, or the meeting's runners), and the review form when it is
    open."""
    owns = person_id is not None and decision.owner_id == person_id
    decision.can_review = can_manage or (owns and decision.status == Decision.Status.OPEN)
    if decision.can_review and (form is not None or decision.status == Decision.Status.OPEN):
        decision.review_form = form or DecisionReviewForm(
            prefix=f"decision-{decision.pk}", initial={"outcome": decision.outcome}
        )
    else:
        decision.review_form = None
    return decision


@role_required(*EVERYONE_SIGNED_IN)
def meeting_detail(request, pk):
    meeting = get_object_or_404(selectors.meeting_detail_queryset(request.user), pk=pk)
    can_manage = rules.can_manage_meeting(request.user, meeting)
    person_id = _person_id(request.user)
    decisions = [
        _prepare_decision(decision, person_id=person_id, can_manage=can_manage)
        for decision in meeting.decisions.all()
    ]
    return render(
        request,
        "organise/meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "decisions": decisions,
            "can_manage": can_manage,
            "today": timezone.localdate(),
        },
    )


@role_required(*EVERYONE_SIGNED_IN)
def meeting_edit(request, pk):
    meeting = _managed_meeting(request, pk)
    hub_meetings = rules.is_staff(request.user)
    form = MeetingForm(
        _posted(request),
        groups=selectors.groups_to_meet(request.user),
        hub_meetings=hub_meetings,
        initial=_meeting_initial(meeting),
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_edit(
                meeting=meeting, edited_by=request.user, **_meeting_arguments(form)
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"The meeting “{meeting.title}” has been saved.")
            return redirect(meeting)
    return render(
        request,
        "organise/meetings/meeting_form.html",
        {"form": form, "meeting": meeting},
        status=400 if form.is_bound else 200,
    )


# Decisions -----------------------------------------------------------------------------


def _decision_arguments(form):
    return {name: form.cleaned_data.get(name) for name in DecisionForm.base_fields}


@role_required(*EVERYONE_SIGNED_IN)
def decision_create(request, pk):
    meeting = _managed_meeting(request, pk)
    form = DecisionForm(_posted(request), meeting=meeting, owners=selectors.owner_choices(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_create(
                meeting=meeting, created_by=request.user, **_decision_arguments(form)
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, "The decision has been recorded.")
            if "another" in request.POST:
                return redirect("organise:decision_create", pk=meeting.pk)
            return redirect(decision)
    return render(
        request,
        "organise/meetings/decision_form.html",
        {"form": form, "meeting": meeting},
        status=400 if form.is_bound else 200,
    )


@role_required(*EVERYONE_SIGNED_IN)
def decision_edit(request, pk):
    decision = get_object_or_404(selectors.decision_detail_queryset(request.user), pk=pk)
    meeting = decision.meeting
    if not rules.can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    form = DecisionForm(
        _posted(request),
        meeting=meeting,
        owners=selectors.owner_choices(meeting, current=decision.owner),
        initial={name: getattr(decision, name) for name in DecisionForm.base_fields},
    )
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_edit(
                decision=decision, edited_by=request.user, **_decision_arguments(form)
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, "The decision has been saved.")
            return redirect(decision)
    return render(
        request,
        "organise/meetings/decision_form.html",
        {"form": form, "meeting": meeting, "decision": decision},
        status=400 if form.is_bound else 200,
    )


@role_required(*EVERYONE_SIGNED_IN)
def decision_list(request):
    """Open decisions by review date, the overdue marked: those they may see for staff and
    organisers, and for everyone the ones they see through themselves."""
    follows_all = has_role(request.user, STAFF_AND_ORGANISERS)
    mine = not follows_all or request.GET.get("show") == "mine"
    return render(
        request,
        "organise/meetings/decision_list.html",
        {
            "page": _page(request, selectors.decision_list(request.user, mine=mine)),
            "mine": mine,
            "follows_all": follows_all,
            "person_id": _person_id(request.user),
        },
    )


def _reviewed(decision):
    if decision.status == Decision.Status.OPEN:
        return f"Reviewed: it comes back on {date_format(decision.review_on, 'j F Y')}."
    return f"Reviewed: marked {decision.get_status_display().lower()}."


@role_required(*EVERYONE_SIGNED_IN)
def decision_review(request, pk):
    """Review a decision (its owner, or the people who run its meeting): what came of it,
    and done, dropped, or still in hand until a new date. From the meeting's page htmx
    swaps the decision's box; without JavaScript this is a page of its own.

    Once it is done or dropped, its owner no longer has the form: only the meeting's
    runners reopen it or change what came of it (the service refuses anyone else)."""
    decision = get_object_or_404(selectors.decision_detail_queryset(request.user), pk=pk)
    if not rules.can_review_decision(request.user, decision):
        raise PermissionDenied
    can_manage = rules.can_manage_meeting(request.user, decision.meeting)
    can_open = rules.can_see_meeting(request.user, decision.meeting)
    swap = _swap(request)
    closed = decision.status != Decision.Status.OPEN and not can_manage
    notice = services.closed_message(decision) if closed else ""
    form = None
    if not closed:
        form = DecisionReviewForm(
            _posted(request),
            prefix=f"decision-{decision.pk}",
            initial={"outcome": decision.outcome},
        )
    saved = ""
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.decision_review(
                decision=decision,
                reviewed_by=request.user,
                status=data["status"],
                outcome=data["outcome"],
                review_on=data.get("review_on"),
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            saved = _reviewed(decision)
            if not swap:
                messages.success(request, saved)
                if can_open:
                    return redirect(decision)
                return redirect(reverse("organise:decision_list") + "?show=mine")
            form = None
    if swap:
        # 200 even for an error: htmx swaps only successful answers, and the box says it.
        _prepare_decision(
            decision,
            person_id=_person_id(request.user),
            can_manage=can_manage,
            form=form if form is not None and form.errors else None,
        )
        response = render(
            request,
            "organise/meetings/meeting_detail.html#decision",
            {
                "decision": decision,
                "meeting": decision.meeting,
                "can_manage": can_manage,
                "saved": saved,
                "notice": notice,
                "today": timezone.localdate(),
            },
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    return render(
        request,
        "organise/meetings/decision_review.html",
        {
            "decision": decision,
            "meeting": decision.meeting,
            "form": form,
            "notice": notice,
            "can_open_meeting": can_open,
            "today": timezone.localdate(),
        },
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("meetings/", meeting_list, name="meeting_list"),
    path("meetings/new/", meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/decisions/new/", decision_create, name="decision_create"),
    path("decisions/", decision_list, name="decision_list"),
    path("decisions/<int:pk>/edit/", decision_edit, name="decision_edit"),
    path("decisions/<int:pk>/review/", decision_review, name="decision_review"),
]
