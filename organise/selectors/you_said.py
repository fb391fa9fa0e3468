"""Read queries of "You said, we did": the published lines of the public page, each with
what the community said (its Listening themes and how many conversations raised each: a
count, never a name) and what the hub did (its public campaigns with their confirmed
supporters, its public events, the decisions of its own meetings and of public groups,
without their owners). A page of lines costs the same few queries however many people and
conversations stand behind it."""

from django.db.models import Prefetch, Q

from action.models import Campaign
from action.selectors.campaigns import campaign_public, with_supporters
from connect.models import Event
from listening.models import Theme
from listening.selectors import theme_list

from ..models import Decision, YouSaidWeDid


def public_events():
    """Events with a public page."""
    return Event.objects.filter(visibility=Event.Visibility.PUBLIC)


def public_decisions():
    """Decisions that may be shown on the public page: those of the hub's own meetings
    (members' meetings, the AGM) and of groups with a public page. A private group's
    meetings, and what they decided, stay among its people."""
    return Decision.objects.filter(Q(meeting__group__isnull=True) | Q(meeting__group__public=True))


def you_said_published():
    """The published lines in their order, with all the page shows of them prefetched: one
    query for the lines and one for each kind of thing they link to."""
    decisions = (
        public_decisions()
        .select_related("meeting")
        .only(
            "summary",
            "status",
            "outcome",
            "review_on",
            "reviewed_on",
            "meeting__kind",
            "meeting__held_on",
        )
        .order_by("meeting__held_on", "id")
    )
    return (
        YouSaidWeDid.objects.filter(published=True)
        .prefetch_related(
            Prefetch("themes", queryset=theme_list()),
            Prefetch(
                "campaigns", queryset=with_supporters(campaign_public()).order_by("name", "id")
            ),
            Prefetch("events", queryset=public_events().order_by("starts_at", "id")),
            Prefetch("decisions", queryset=decisions),
        )
        .order_by("order", "-updated_at", "-id")
    )


def you_said_list():
    """Every line, published or not, for the staff who keep the page current."""
    return YouSaidWeDid.objects.select_related("updated_by__person").order_by(
        "order", "-updated_at", "-id"
    )


# What a line can link to, for the form -------------------------------------------------


def themes_to_link():
    return Theme.objects.order_by("name")


def campaigns_to_link():
    """Every campaign: one in planning may be linked now and shows once it starts."""
    return Campaign.objects.order_by("name", "id")


def events_to_link():
    """Public events only: the page is public, and the others have no page to link to."""
    return public_events().order_by("-starts_at", "-id")


def decisions_to_link():
    """Decisions of the hub's meetings and of public groups' only: the page is public."""
    return public_decisions().select_related("meeting").order_by("-meeting__held_on", "-id")
