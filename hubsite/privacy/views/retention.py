"""Retention for staff: how long each kind of record is kept (the hub's setting or the app's
default), changing it, applying the periods now, and the reports of the runs (the nightly
one and those started here)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from hubsite.forms import show_service_errors
from hubsite.people.rules import STAFF, role_required

from .. import selectors, services
from ..forms import RetentionForm
from ..registry import retention_kinds

RUNS_SHOWN = 10


def _render(request, *, posted=None, status=200):
    """The page, with ``posted`` (a bound form with its errors) in place of its kind's form."""
    kinds = retention_kinds()
    settings = selectors.retention_settings()
    for n, setting in enumerate(settings):
        if posted is not None and posted.data.get("kind") == setting.kind:
            setting.form = posted
        else:
            setting.form = RetentionForm(
                kinds=kinds,
                initial={"kind": setting.kind, "months": setting.months},
                auto_id=f"retention-{n}-%s",
            )
    runs = list(selectors.retention_run_list()[:RUNS_SHOWN])
    for run in runs:
        run.counts = selectors.retention_results(run)
    unknown = posted is not None and not any(s.form is posted for s in settings)
    return render(
        request,
        "privacy/retention_list.html",
        {"settings": settings, "runs": runs, "unknown": posted if unknown else None},
        status=status,
    )


@role_required(*STAFF)
def retention(request):
    if request.method != "POST":
        return _render(request)
    kinds = retention_kinds()
    kind = request.POST.get("kind", "")
    index = next((n for n, k in enumerate(selectors.retention_settings()) if k.kind == kind), 0)
    data = request.POST
    if "default" in data:  # back to the default: the months typed do not matter
        data = data.copy()
        data["months"] = ""
    form = RetentionForm(data, kinds=kinds, auto_id=f"retention-{index}-%s")
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        label = kinds[kind].label
        try:
            if "default" in request.POST:
                services.retention_default(kind=kind, updated_by=request.user)
            else:
                services.retention_set(
                    kind=kind, months=form.cleaned_data["months"], updated_by=request.user
                )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            months = services.retention_months(kind)
            kept = f"{months} months" if months else "until the person asks for erasure"
            messages.success(request, f"{label} are now kept {kept}.")
            return redirect("privacy:retention")
    return _render(request, posted=form, status=400)


@role_required(*STAFF)
def retention_apply(request):
    """Apply every kind's period now (the nightly task does the same), and show the report."""
    if request.method != "POST":
        return redirect("privacy:retention")
    run = services.retention_run(started_by=request.user)
    messages.success(
        request, f"Retention applied: {run.total} record{'s' if run.total != 1 else ''} changed."
    )
    return redirect("privacy:retention_run", pk=run.pk)


@role_required(*STAFF)
def retention_run(request, pk):
    run = get_object_or_404(selectors.retention_run_list(), pk=pk)
    return render(
        request,
        "privacy/retention_run.html",
        {"run": run, "results": selectors.retention_results(run)},
    )


urlpatterns = [
    path("retention/", retention, name="retention"),
    path("retention/apply/", retention_apply, name="retention_apply"),
    path("retention/runs/<int:pk>/", retention_run, name="retention_run"),
]
