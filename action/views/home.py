"""The Action area's home page: what it offers, to whom."""

from django.shortcuts import render

from hubsite.framework.registry import Offer
from hubsite.framework.selectors import area_get, offers_for
from hubsite.framework.selectors.tags import area_page
from hubsite.people.rules import EVERYONE_SIGNED_IN, STAFF, STAFF_AND_ORGANISERS, role_required

# What this area offers, and to whom; each part adds its own line.
OFFERS = [
    Offer("Campaigns", "action:campaign_list", EVERYONE_SIGNED_IN),
    Offer("Start a campaign", "action:campaign_create", STAFF_AND_ORGANISERS),
    Offer("Stories told in people's own words", "action:story_list", EVERYONE_SIGNED_IN),
    Offer("Tell your story", "action:story_create", EVERYONE_SIGNED_IN),
    Offer("My stories", "action:story_mine", EVERYONE_SIGNED_IN),
    Offer("Stories to review", "action:story_queue", STAFF),
    Offer("Community activities", "action:activity_list", EVERYONE_SIGNED_IN),
    Offer("Propose an activity", "action:activity_propose", EVERYONE_SIGNED_IN),
]


@role_required(*EVERYONE_SIGNED_IN)
def home(request):
    return render(
        request,
        "framework/area_home.html",
        {
            "area": area_get("action"),
            "offers": offers_for(OFFERS, request.user),
            "practice_activity": area_page("action", request.user),
        },
    )
