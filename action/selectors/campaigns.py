"""Read queries of campaigns and their supporters. A campaign's public figures count only
confirmed sign-ups; names shown are only of those who chose to show them."""

from django.db.models import Count, OuterRef, Q, Subquery

from hubsite.people.models import Consent, GroupMembership, Role
from hubsite.people.rules import has_role

from ..models import Campaign, Signup
from ..rules import ORGANISING_ROLES, is_staff

CONFIRMED = Signup.Status.CONFIRMED


def with_supporters(campaigns):
    return campaigns.annotate(
        supporter_count=Count("signups", filter=Q(signups__status=CONFIRMED), distinct=True)
    )


def campaign_public():
    """Campaigns with a public page: everything out of planning."""
    return Campaign.objects.exclude(status=Campaign.Status.PLANNING)


def campaign_managed(viewer):
    campaigns = Campaign.objects.all()
    if is_staff(viewer):
        return campaigns
    if not has_role(viewer, (Role.ORGANISER,)):
        return campaigns.none()
    organised = GroupMembership.objects.filter(
        person__user=viewer, role__in=ORGANISING_ROLES
    ).values("group_id")
    return campaigns.filter(
        Q(created_by=viewer) | Q(pk__in=Campaign.objects.filter(groups__in=organised).values("pk"))
    )


def campaign_visible(viewer):
    """Public campaigns, and those in planning for the people who run them."""
    return Campaign.objects.filter(
        Q(pk__in=campaign_public().values("pk")) | Q(pk__in=campaign_managed(viewer).values("pk"))
    )


def campaign_list(viewer):
    return (
        with_supporters(campaign_visible(viewer))
        .prefetch_related("groups", "themes")
        .order_by("-status", "name")
    )


def campaign_page_queryset(viewer):
    return with_supporters(campaign_visible(viewer)).prefetch_related(
        "groups", "themes", "partners", "endorsements"
    )


def supporters_shown(campaign, limit=30):
    """The latest confirmed supporters who chose to show their name."""
    still_agrees = Consent.objects.filter(
        person=OuterRef("person_id"), purpose=Consent.Purpose.SHOW_NAME
    ).order_by("-recorded_at", "-id")
    return (
        Signup.objects.filter(campaign=campaign, status=CONFIRMED, show_name=True)
        .annotate(still_agrees=Subquery(still_agrees.values("given")[:1]))
        .filter(still_agrees=True)
        .only("first_name", "last_name", "confirmed_at", "comment")
        .order_by("-confirmed_at", "-id")[:limit]
    )


def supporter_list(campaign):
    """Every sign-up of a campaign, for the people who run it."""
    return (
        Signup.objects.filter(campaign=campaign)
        .select_related("person", "locality")
        .order_by("status", "-confirmed_at", "-id")
    )


def supporters_reachable(campaign):
    """Confirmed supporters who agreed to hear about the campaign and have not left it."""
    return Signup.objects.filter(
        campaign=campaign,
        status=CONFIRMED,
        consent_contact=True,
        unsubscribed_at__isnull=True,
        person__isnull=False,
    )


def groups_to_back(viewer):
    """Groups ``viewer`` may put behind a campaign: all for staff, their own for organisers."""
    from hubsite.people.models import Group

    groups = Group.objects.order_by("name")
    if is_staff(viewer):
        return groups
    return groups.filter(
        memberships__person__user=viewer, memberships__role__in=ORGANISING_ROLES
    ).distinct()


# The framework's registries: campaigns tagged with practices, and as what a learning is about


def campaign_described(viewer, object_id):
    """A campaign as the framework names it on tags, if ``viewer`` runs it: those who run a
    campaign tag it with the practices it serves."""
    from hubsite.framework.registry import Described

    campaign = campaign_managed(viewer).filter(pk=object_id).only("pk", "name", "slug").first()
    if campaign is None:
        return None
    return Described(label=f"Campaign: {campaign.name}", url=campaign.get_absolute_url())


def campaign_subjects(viewer, limit=50):
    """The campaigns ``viewer`` may see, the latest started first, for a learning to be
    about."""
    from hubsite.framework.registry import Subject

    campaigns = campaign_visible(viewer).only("pk", "name").order_by("-created_at", "-id")
    return [
        Subject(key=f"action.campaign:{campaign.pk}", label=f"Campaign: {campaign.name}")
        for campaign in campaigns[:limit]
    ]
