"""The Connect area's home page: what it offers, to whom."""

from django.shortcuts import render

from hubsite.framework.registry import Offer
from hubsite.framework.selectors import area_get, offers_for
from hubsite.framework.selectors.tags import area_page
from hubsite.people.rules import EVERYONE_SIGNED_IN, STAFF_AND_ORGANISERS, role_required

# What this area offers, and to whom; each part adds its own line.
OFFERS = [
    Offer("Upcoming events", "connect:event_list", EVERYONE_SIGNED_IN),
    Offer("This month's calendar", "connect:event_month", EVERYONE_SIGNED_IN),
    Offer("Plan an event", "connect:event_create", STAFF_AND_ORGANISERS),
    Offer("Volunteering opportunities", "connect:opportunity_list", EVERYONE_SIGNED_IN),
    Offer("Offer your skills and time", "connect:offer_mine", EVERYONE_SIGNED_IN),
    Offer("My volunteering shifts", "connect:shift_mine", EVERYONE_SIGNED_IN),
    Offer("Offers of help", "connect:offer_list", STAFF_AND_ORGANISERS),
    Offer("Groups you can join", "connect:group_list", EVERYONE_SIGNED_IN),
    Offer("Requests to join a group", "connect:join_requests", STAFF_AND_ORGANISERS),
    Offer("Groups", "people:group_list", STAFF_AND_ORGANISERS),
]


@role_required(*EVERYONE_SIGNED_IN)
def home(request):
    return render(
        request,
        "framework/area_home.html",
        {
            "area": area_get("connect"),
            "offers": offers_for(OFFERS, request.user),
            "practice_activity": area_page("connect", request.user),
        },
    )
