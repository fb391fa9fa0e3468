"""The Action area's home page: what it offers, to whom."""

from django.shortcuts import render

from hubsite.framework.registry import Offer
from hubsite.framework.selectors import area_get, offers_for
from hubsite.people.rules import EVERYONE_SIGNED_IN, STAFF_AND_ORGANISERS, role_required

# What this area offers, and to whom; each part adds its own line.
OFFERS = [
    Offer("Campaigns", "action:campaign_list", EVERYONE_SIGNED_IN),
    Offer("Start a campaign", "action:campaign_create", STAFF_AND_ORGANISERS),
]


@role_required(*EVERYONE_SIGNED_IN)
def home(request):
    return render(
        request,
        "framework/area_home.html",
        {"area": area_get("action"), "offers": offers_for(OFFERS, request.user)},
    )
