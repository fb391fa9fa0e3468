"""Views of the Reach area."""

from django.shortcuts import render

from hubsite.framework.registry import Offer
from hubsite.framework.selectors import area_get, offers_for
from hubsite.framework.selectors.tags import area_page
from hubsite.people.rules import EVERYONE_SIGNED_IN, STAFF, role_required

# What this area offers now, and to whom; each later feature adds its own line.
OFFERS = [
    Offer("Localities", "people:locality_list", STAFF),
    Offer("Communities of interest", "people:tag_list", STAFF),
]


@role_required(*EVERYONE_SIGNED_IN)
def home(request):
    return render(
        request,
        "framework/area_home.html",
        {
            "area": area_get("reach"),
            "offers": offers_for(OFFERS, request.user),
            "practice_activity": area_page("reach", request.user),
        },
    )
