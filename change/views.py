"""Views of the Change area."""

from django.shortcuts import render

from hubsite.framework.selectors import area_get, offers_for
from hubsite.framework.selectors.tags import area_page
from hubsite.people.rules import EVERYONE_SIGNED_IN, role_required

# What this area offers now, and to whom; each later feature adds its own line.
OFFERS = []


@role_required(*EVERYONE_SIGNED_IN)
def home(request):
    return render(
        request,
        "framework/area_home.html",
        {
            "area": area_get("change"),
            "offers": offers_for(OFFERS, request.user),
            "practice_activity": area_page("change", request.user),
        },
    )
