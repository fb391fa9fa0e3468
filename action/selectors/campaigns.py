"""Read queries of campaigns and their supporters. A campaign's public figures count only
confirmed sign-ups; names shown are only of those who chose to show them."""

from typing import NamedTuple

from django.db.models import BooleanField, CharField, Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from hubsite.people.models import Consent, Group, GroupMembership, Role
from hubsite.people.rules import has_role
from listening.models import Theme

from ..models import ActionTaken, Campaign, Signup
from ..rules import ORGANISING_ROLES, is_staff

CONFIRMED = Signup.Status.CONFIRMED


def _counted(rows, by):
    """How many of ``rows`` each campaign of the outer query has (0 for none), as a subquery
    the database runs for the campaigns it returns only, on the index of ``by``: never a join
    of every row followed by a GROUP BY over the whole table."""
    return Coalesce(
        Subquery(
            rows.filter(**{by: OuterRef("pk")})
            .order_by()
            .values(by)
            .annotate(n=Count("*"))
            .values("n")
        ),
        0,
    )


def with_supporters(campaigns):
    """Each campaign with ``supporter_count``: its confirmed sign-ups, counted on the index
    of them alone (``signup_confirmed_idx``) without reading the sign-ups themselves."""
    return campaigns.annotate(
        supporter_count=_counted(Signup.objects.filter(status=CONFIRMED), "campaign")
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
    """What the list shows of each campaign: its groups and its count of supporters."""
    return (
        with_supporters(campaign_visible(viewer))
        .prefetch_related("groups")
        .order_by("-status", "name")
    )


def campaign_counted(viewer):
    """Campaigns with their count of supporters and nothing else, for the count the page
    refreshes (the page itself: ``campaign_page_queryset``)."""
    return with_supporters(campaign_visible(viewer))


def campaign_page_queryset(viewer):
    """Campaigns with the figures their page shows, counted in the query that loads them:
    supporters and actions taken on any of its asks (``campaign_related`` brings the names
    it is tied to)."""
    return campaign_counted(viewer).annotate(
        actions_count=_counted(ActionTaken.objects.all(), "ask__campaign")
    )


class Related(NamedTuple):
    """One thing a campaign's page names: a group, theme or campaign, with what its link
    needs (``public``: a group's public page, or a campaign that has one)."""

    relation: str
    name: str
    slug: str
    public: bool


# What ``campaign_related`` returns, in the order of its keys.
RELATIONS = ("groups", "themes", "partner_groups", "stands_with", "stood_with_by")


def campaign_related(campaign):
    """The names the campaign's page shows of what it is tied to, by relation (``RELATIONS``),
    each by name: the groups behind it, Listening's themes, its partner groups, the public
    campaigns it stands with and those that stand with it. One query (a UNION of the five)
    whatever their number, where each relation would otherwise cost its own."""

    def part(queryset, relation, public=True):
        public = F("public") if public is None else Value(public, BooleanField())
        return (
            queryset.order_by()
            .annotate(relation=Value(relation, CharField()), shown=public)
            .values_list("relation", "name", "slug", "shown")
        )

    public = campaign_public()
    rows = part(Group.objects.filter(campaigns=campaign), "groups", public=None).union(
        part(Theme.objects.filter(campaigns=campaign), "themes"),
        part(Group.objects.filter(partner_campaigns=campaign), "partner_groups", public=None),
        part(public.filter(endorsed_by=campaign), "stands_with"),
        part(public.filter(endorsements=campaign), "stood_with_by"),
        all=True,
    )
    related = {relation: [] for relation in RELATIONS}
    for row in sorted(Related(*row) for row in rows):
        related[row.relation].append(row)
    return related


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
