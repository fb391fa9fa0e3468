"""Views of the Connect area."""

from django.shortcuts import render

from hubsite.framework.registry import Offer
from hubsite.framework.selectors import area_get, offers_for
from hubsite.people.rules import EVERYONE_SIGNED_IN, STAFF_AND_ORGANISERS, role_required

# What this area offers now, and to whom; each later feature adds its own line.
OFFERS = [
    Offer("Groups", "people:group_list", STAFF_AND_ORGANISERS),
]


@role_required(*EVERYONE_SIGNED_IN)
def home(request):
    return render(
        request,
        "framework/area_home.html",
        {"area": area_get("connect"), "offers": offers_for(OFFERS, request.user)},
    )
