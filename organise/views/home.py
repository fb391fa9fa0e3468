"""Views of the Organise area."""

from django.shortcuts import render

from hubsite.framework.registry import Offer
from hubsite.framework.selectors import area_get, offers_for
from hubsite.framework.selectors.tags import area_page
from hubsite.people.rules import EVERYONE_SIGNED_IN, STAFF, STAFF_AND_ORGANISERS, role_required

# What this area offers, and to whom.
OFFERS = [
    Offer("Your membership", "organise:my_membership", EVERYONE_SIGNED_IN),
    Offer("Your profile", "organise:my_profile", EVERYONE_SIGNED_IN),
    Offer("Your data and how the hub may contact you", "privacy:mine", EVERYONE_SIGNED_IN),
    Offer("Meetings and decisions", "organise:meeting_list", EVERYONE_SIGNED_IN),
    Offer("Decisions to see through", "organise:decision_list", EVERYONE_SIGNED_IN),
    Offer("Propose a group", "organise:proposal_create", EVERYONE_SIGNED_IN),
    Offer("Your proposals of groups", "organise:proposal_mine", EVERYONE_SIGNED_IN),
    Offer("You said, we did", "organise:you_said_we_did", EVERYONE_SIGNED_IN),
    Offer("Members", "organise:member_list", STAFF),
    Offer("Membership growth", "organise:growth", STAFF),
    Offer("Kinds of membership", "organise:type_list", STAFF),
    Offer("Segments", "organise:segment_list", STAFF_AND_ORGANISERS),
    Offer("Calls to action", "organise:call_list", STAFF_AND_ORGANISERS),
    Offer("Proposals of groups", "organise:proposal_list", STAFF_AND_ORGANISERS),
    Offer("Keep You said, we did current", "organise:you_said_manage", STAFF),
    Offer("People", "people:person_list", STAFF),
    # Everyone signed in: a member may run a self-organised group; the list holds only the
    # groups the viewer may manage.
    Offer("Groups you run", "people:group_list", EVERYONE_SIGNED_IN),
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
