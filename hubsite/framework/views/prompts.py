"""Reflection prompts: staff choose which questions go to whom and how often, and read the
answers; everyone signed in sees the prompts sent to them and answers them here."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from hubsite.forms import show_service_errors
from hubsite.people.rules import EVERYONE_SIGNED_IN, STAFF, role_required

from ..forms import PromptAnswerForm, PromptScheduleForm
from ..models import PromptSchedule
from ..selectors import prompts as selectors
from ..services import prompts as services


def _page(request, queryset):
    return Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


@role_required(*STAFF)
def prompt_list(request):
    return render(
        request, "framework/prompt_list.html", {"page": _page(request, selectors.schedule_list())}
    )


@role_required(*STAFF)
def prompt_create(request):
    form = PromptScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            schedule = services.schedule_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request, f"“{schedule}” is scheduled; the next hourly round sends what is due."
            )
            return redirect("framework:prompt_list")
    return render(request, "framework/prompt_form.html", {"form": form})


@role_required(*STAFF)
def prompt_edit(request, pk):
    schedule = get_object_or_404(PromptSchedule, pk=pk)
    if request.method == "POST" and "deactivate" in request.POST:
        services.schedule_deactivate(schedule=schedule, by=request.user)
        messages.success(request, f"“{schedule}” will not be sent again.")
        return redirect("framework:prompt_list")
    initial = {
        name: getattr(schedule, name)
        for name in ("question", "audience", "frequency", "self_assessment", "active")
    }
    form = PromptScheduleForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            schedule = services.schedule_update(
                schedule=schedule, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            schedule.refresh_from_db()
            show_service_errors(form, error)
        else:
            messages.success(request, f"“{schedule}” has been saved.")
            return redirect("framework:prompt_list")
    return render(request, "framework/prompt_form.html", {"form": form, "schedule": schedule})


@role_required(*STAFF)
def prompt_answers(request, pk):
    schedule = get_object_or_404(PromptSchedule, pk=pk)
    page = _page(request, selectors.schedule_answers(schedule))
    page.object_list = selectors.with_labels(list(page.object_list))
    return render(request, "framework/prompt_answers.html", {"schedule": schedule, "page": page})


@role_required(*EVERYONE_SIGNED_IN)
def prompt_mine(request):
    page = _page(request, selectors.prompt_list_mine(request.user))
    page.object_list = selectors.with_labels(list(page.object_list))
    return render(request, "framework/prompt_mine.html", {"page": page})


@role_required(*EVERYONE_SIGNED_IN)
def prompt_answer(request, pk):
    # Only the person the prompt reached may open it; to anyone else it does not exist.
    delivery = get_object_or_404(selectors.prompt_list_mine(request.user), pk=pk)
    selectors.with_labels([delivery])
    form = PromptAnswerForm(request.POST or None, initial={"answer": delivery.answer})
    if request.method == "POST" and form.is_valid():
        try:
            services.prompt_answer(
                delivery=delivery, answer=form.cleaned_data["answer"], by=request.user
            )
        except ValidationError as error:
            delivery.refresh_from_db()
            show_service_errors(form, error)
        else:
            messages.success(request, "Thank you: your answer is saved.")
            return redirect("framework:prompt_mine")
    round_url = selectors.open_round_url(request.user) if delivery.schedule.self_assessment else ""
    return render(
        request,
        "framework/prompt_answer.html",
        {"delivery": delivery, "form": form, "round_url": round_url},
    )


urlpatterns = [
    path("prompts/", prompt_list, name="prompt_list"),
    path("prompts/new/", prompt_create, name="prompt_create"),
    path("prompts/mine/", prompt_mine, name="prompt_mine"),
    path("prompts/answer/<int:pk>/", prompt_answer, name="prompt_answer"),
    path("prompts/<int:pk>/edit/", prompt_edit, name="prompt_edit"),
    path("prompts/<int:pk>/answers/", prompt_answers, name="prompt_answers"),
]
