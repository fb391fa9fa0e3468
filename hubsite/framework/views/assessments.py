"""The self-assessment: staff start dated rounds, staff and organisers rate how the hub lives
each practice of the framework, and everyone of them sees where they agree and differ, and how
each area moves from round to round. Members and volunteers never see it."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from hubsite.forms import show_service_errors
from hubsite.people.rules import STAFF, STAFF_AND_ORGANISERS, has_role, role_required

from ..forms import AssessmentAnswersForm, AssessmentRoundForm
from ..selectors import assessments as selectors
from ..services import assessments as services


@role_required(*STAFF_AND_ORGANISERS)
def assessment_list(request):
    page = Paginator(selectors.round_list(), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    for round_ in page.object_list:
        round_.state = selectors.round_state(round_)
    return render(
        request,
        "framework/assessment_list.html",
        {"page": page, "can_start": has_role(request.user, STAFF)},
    )


@role_required(*STAFF)
def assessment_create(request):
    form = AssessmentRoundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"The round “{round_}” is ready for answers.")
            return redirect(round_)
    return render(request, "framework/assessment_form.html", {"form": form})


@role_required(*STAFF_AND_ORGANISERS)
def assessment_detail(request, pk):
    round_ = get_object_or_404(selectors.round_list(), pk=pk)
    summary = selectors.round_summary(round_)
    return render(
        request,
        "framework/assessment_detail.html",
        {
            "round": round_,
            "state": selectors.round_state(round_),
            "summary": summary,
            "chart": summary.chart(),
            "answered": any(user.pk == request.user.pk for user in summary.respondents),
        },
    )


@role_required(*STAFF_AND_ORGANISERS)
def assessment_answer(request, pk):
    round_ = get_object_or_404(selectors.round_list(), pk=pk)
    earlier = selectors.answers_of(round_, request.user)
    form = AssessmentAnswersForm(
        request.POST if request.method == "POST" else None,
        practices=selectors.practice_list(),
        earlier=earlier,
    )
    if request.method == "POST" and form.is_valid():
        try:
            rated = services.answers_save(
                round=round_, respondent=request.user, answers=form.answers()
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Your answers are saved: {rated} practice{'s' if rated != 1 else ''} rated. "
                "You can change them while the round is open.",
            )
            return redirect(round_)
    return render(
        request,
        "framework/assessment_answer.html",
        {
            "round": round_,
            "form": form,
            "closed_message": selectors.round_state_message(round_),
            "answered_before": bool(earlier),
        },
    )


@role_required(*STAFF_AND_ORGANISERS)
def assessment_trend(request):
    trend = selectors.trend()
    return render(
        request,
        "framework/assessment_trend.html",
        {"trend": trend, "chart": trend.chart()},
    )


urlpatterns = [
    path("assessments/", assessment_list, name="assessment_list"),
    path("assessments/new/", assessment_create, name="assessment_create"),
    path("assessments/trend/", assessment_trend, name="assessment_trend"),
    path("assessments/<int:pk>/", assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/answer/", assessment_answer, name="assessment_answer"),
]
