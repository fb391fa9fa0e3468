"""Views of the Organise area."""

from django.shortcuts import render

from hubsite.framework.registry import Offer
from hubsite.framework.selectors import area_get, offers_for
from hubsite.framework.selectors.tags import area_page
from hubsite.people.rules import EVERYONE_SIGNED_IN, STAFF, STAFF_AND_ORGANISERS, role_required

# What this area offers now, and to whom; each later feature adds its own line.
OFFERS = [
    Offer("People", "people:person_list", STAFF),
    Offer("Groups", "people:group_list", STAFF_AND_ORGANISERS),
    Offer("Communities of interest", "people:tag_list", STAFF),
]


@role_required(*EVERYONE_SIGNED_IN)
def home(request):
    return render(
        request,
        "framework/area_home.html",
        {
            "area": area_get("organise"),
            "offers": offers_for(OFFERS, request.user),
            "practice_activity": area_page("organise", request.user),
        },
    )
