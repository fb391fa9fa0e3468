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
    paginator = Paginator(selectors.audit_list(**filters), settings.PAGE_SIZE)
    if not any(value not in ("", None) for value in filters.values()):
        paginator.count = selectors.audit_total()  # the whole log: a cached total
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/audit_list.html",
        {"page": page, "search": search, "bad_search": search.is_bound and search.errors},
    )


urlpatterns = [
    path("audit/", audit_list, name="audit_list"),
]
