"""The hub's front page (the dashboard when signed in) and the framework overview."""

from allauth.mfa.models import Authenticator
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from hubsite.people.models import Role
from hubsite.people.rules import (
    EVERYONE_SIGNED_IN,
    STAFF,
    STAFF_AND_ORGANISERS,
    can_manage_group_of,
    has_role,
    role_required,
)
from hubsite.people.selectors import groups_of

from .. import selectors
from ..selectors.tags import practices_least_served


def _reflection_links(user):
    """Which reflection pages ``user`` gets links to: the self-assessment is for staff and
    organisers, choosing the prompts for staff; the learning log and one's own prompts for all."""
    return {
        "can_reflect": has_role(user, STAFF_AND_ORGANISERS),
        "can_choose_prompts": has_role(user, STAFF),
    }


@login_not_required
def home(request):
    """Public landing page for visitors; the hub dashboard for everyone signed in."""
    if not request.user.is_authenticated:
        return render(request, "framework/landing.html", {"areas": selectors.area_list()})
    return dashboard(request)


@role_required(*EVERYONE_SIGNED_IN)
def dashboard(request):
    person = getattr(request.user, "person", None)
    memberships = list(groups_of(person)) if person else []
    for membership in memberships:
        # The group's page is linked only where the viewer may open it.
        membership.can_manage = can_manage_group_of(request.user, membership)
    return render(
        request,
        "framework/dashboard.html",
        {
            "figures": selectors.dashboard_figures(request.user),
            "tasks": selectors.dashboard_tasks(request.user),
            "coming_up": selectors.dashboard_coming_up(request.user),
            # Those who run the hub see which practices it has not lived lately.
            "least_served": practices_least_served()
            if request.user.role in (Role.STAFF, Role.ORGANISER)
            else [],
            "areas": selectors.area_list(),
            "person": person,
            "memberships": memberships,
            # Staff hold everyone's data: the dashboard asks them to add a second factor.
            "suggest_mfa": request.user.role == Role.STAFF
            and not Authenticator.objects.filter(user=request.user).exists(),
            **_reflection_links(request.user),
        },
    )


@role_required(*EVERYONE_SIGNED_IN)
def overview(request):
    return render(
        request,
        "framework/overview.html",
        {
            "areas": selectors.area_list(),
            "values": selectors.value_list(),
            **_reflection_links(request.user),
        },
    )
