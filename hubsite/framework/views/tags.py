"""Tagging an area's record with the practices it serves. The record's page includes
``framework/_practice_tags.html`` (filled by ``selectors.tags.tag_form_context``); its forms
post here, and the answer is the page again (or, for htmx, the partial)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hubsite.people.rules import role_required

from ..forms import PracticeTagForm
from ..selectors import tags as selectors
from ..services import tags as services


def _safe_next(request, value):
    if value.startswith("/") and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


@role_required(*selectors.TAGGERS)
@require_POST
def practice_tag(request):
    form = PracticeTagForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    if "kind" not in data or "object_id" not in data:
        raise Http404("No such record to tag.")
    kind, object_id = data["kind"], data["object_id"]
    described = selectors.tag_target(request.user, kind, object_id)
    if described is None:  # not a kind that is tagged, or a record this person may not see
        raise Http404("No such record to tag.")
    back = (
        _safe_next(request, data.get("next", "")) or described.url or reverse("framework:overview")
    )
    error = saved = ""
    if form.errors:
        error = "Some practices were not understood, so nothing has changed. Please try again."
    else:
        change = services.practice_tags_change(
            viewer=request.user,
            kind=kind,
            object_id=object_id,
            add=data["add"],
            remove=data["remove"],
        )
        saved = _said(change)
    if request.htmx:
        context = selectors.tag_form_context(request.user, kind, object_id)
        context.update(next=back, error=error, saved=saved)
        # 200 even for an error: htmx swaps only successful answers, and the partial says it.
        response = render(request, "framework/_practice_tags.html", {"tags": context})
        patch_vary_headers(response, ["HX-Request"])
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, saved)
    return redirect(back)


def _said(change):
    if not change.added and not change.removed:
        return "Nothing has changed: the tags were already so."
    parts = []
    if change.added:
        parts.append(f"{change.added} practice{'s' if change.added != 1 else ''} added")
    if change.removed:
        parts.append(f"{change.removed} removed")
    return "Practice tags saved: " + ", ".join(parts) + "."


urlpatterns = [
    path("tags/", practice_tag, name="practice_tag"),
]
