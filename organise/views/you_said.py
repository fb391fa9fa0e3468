""" "You said, we did": the public page that links what the community said to what the hub
did and what came of it (works without JavaScript), and the screens where staff keep it
current."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from hubsite.forms import show_service_errors
from hubsite.people.rules import STAFF, has_role, role_required

from ..forms.you_said import YouSaidForm
from ..selectors import you_said as selectors
from ..services import you_said as services


def _posted(request):
    return request.POST if request.method == "POST" else None


def _page(request, queryset):
    return Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


@login_not_required
def you_said_we_did(request):
    page = _page(request, selectors.you_said_published())
    lines = selectors.you_said_counted(list(page.object_list))
    return render(
        request,
        "organise/you_said/page.html",
        {
            "page": page,
            "lines": lines,
            "updated_at": max((line.updated_at for line in lines), default=None),
            "can_manage": has_role(request.user, STAFF),
        },
    )


@role_required(*STAFF)
def you_said_manage(request):
    return render(
        request,
        "organise/you_said/manage.html",
        {"page": _page(request, selectors.you_said_list())},
    )


def _saved(request, line, verb):
    shown = "shown on the public page" if line.published else "not shown on the public page yet"
    messages.success(request, f"The line has been {verb}; it is {shown}.")
    return redirect("organise:you_said_manage")


@role_required(*STAFF)
def you_said_create(request):
    form = YouSaidForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            line = services.you_said_create(updated_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            return _saved(request, line, "added")
    return render(
        request, "organise/you_said/form.html", {"form": form}, status=400 if form.is_bound else 200
    )


@role_required(*STAFF)
def you_said_edit(request, pk):
    line = get_object_or_404(selectors.you_said_list(), pk=pk)
    form = YouSaidForm(_posted(request), initial=YouSaidForm.initial_of(line))
    if request.method == "POST" and form.is_valid():
        try:
            line = services.you_said_edit(line=line, updated_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            return _saved(request, line, "saved")
    return render(
        request,
        "organise/you_said/form.html",
        {"form": form, "line": line},
        status=400 if form.is_bound else 200,
    )


urlpatterns = [
    path("you-said-we-did/", you_said_we_did, name="you_said_we_did"),
    path("you-said-we-did/manage/", you_said_manage, name="you_said_manage"),
    path("you-said-we-did/new/", you_said_create, name="you_said_create"),
    path("you-said-we-did/<int:pk>/edit/", you_said_edit, name="you_said_edit"),
]
