"""The Connect area's home page: what it offers, to whom."""

from django.shortcuts import render

from hubsite.framework.registry import Offer
from hubsite.framework.selectors import area_get, offers_for
from hubsite.people.rules import EVERYONE_SIGNED_IN, STAFF_AND_ORGANISERS, role_required

# What this area offers, and to whom; each part adds its own line.
OFFERS = [
    Offer("Plan an event", "connect:event_create", STAFF_AND_ORGANISERS),
    Offer("Groups", "people:group_list", STAFF_AND_ORGANISERS),
]


@role_required(*EVERYONE_SIGNED_IN)
def home(request):
    return render(
        request,
        "framework/area_home.html",
        {"area": area_get("connect"), "offers": offers_for(OFFERS, request.user)},
    )
