"""The audit log for staff: who did what with personal data, the newest first, searchable by
what was done, who did it, whom it was about and when. Read-only: nothing here changes or
removes an entry."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path

from hubsite.people.rules import STAFF, role_required

from .. import selectors
from ..forms import AuditFilterForm


@role_required(*STAFF)
def audit_list(request):
    search = AuditFilterForm(request.GET or None)
    filters = search.filters() if search.is_bound else {}
    page = Paginator(selectors.audit_list(**filters), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # One query for the whole page: which of the people it names the hub still holds.
    present = selectors.people_still_here(entry.subject_id for entry in page.object_list)
    for entry in page.object_list:
        entry.subject_present = entry.subject_id in present
    return render(
        request,
        "privacy/audit_list.html",
        {"page": page, "search": search, "bad_search": search.is_bound and search.errors},
    )


urlpatterns = [
    path("audit/", audit_list, name="audit_list"),
]
