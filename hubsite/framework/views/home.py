"""The hub's front page (the dashboard when signed in) and the framework overview."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from hubsite.people.models import Role
from hubsite.people.rules import (
    EVERYONE_SIGNED_IN,
    STAFF,
    STAFF_AND_ORGANISERS,
    has_role,
    role_required,
)

from .. import selectors


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
        areas = selectors.area_list(with_practices=False)
        return render(request, "framework/landing.html", {"areas": areas})
    return dashboard(request)


def _suggest_mfa(user):
    """Staff hold everyone's data: the dashboard asks them to add a second factor. Where the
    hub requires one (``STAFF_MFA_REQUIRED``), staff reach the dashboard only with one set
    up (``StaffSecondFactorMiddleware``), so nothing needs asking."""
    if user.role != Role.STAFF or settings.STAFF_MFA_REQUIRED:
        return False
    return not Authenticator.objects.filter(user=user).exists()


@role_required(*EVERYONE_SIGNED_IN)
def dashboard(request):
    """What waits on the viewer is read afresh on every load; the overview (figures, coming
    up, practices, groups, areas) is kept for a minute (``selectors.dashboard_overview``).
    A fixed number of queries whatever the hub holds."""
    user = request.user
    person = getattr(user, "person", None)
    tasks = selectors.dashboard_tasks(user)
    overview = selectors.dashboard_overview(user, person)
    return render(
        request,
        "framework/dashboard.html",
        {
            "figures": overview.figures,
            "tasks": tasks,
            "coming_up": overview.coming_up,
            "least_served": overview.least_served,
            "areas": overview.areas,
            "person": person,
            "memberships": overview.memberships,
            "counted_at": overview.counted_at,
            "kept_for": settings.DASHBOARD_FIGURES_SECONDS,
            "suggest_mfa": _suggest_mfa(user),
            **_reflection_links(user),
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
