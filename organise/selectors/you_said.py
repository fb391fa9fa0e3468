"""Read queries of "You said, we did": the published lines of the public page, each with
what the community said (its Listening themes and how many conversations raised each: a
count, never a name) and what the hub did (its public campaigns with their confirmed
supporters, its public events, the decisions of its own meetings and of public groups,
without their owners). A page of lines costs the same few queries however many people and
conversations stand behind it."""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Prefetch, Q

from action.models import Campaign
from action.selectors.campaigns import campaign_public, with_supporters
from connect.models import Event
from listening.models import Conversation, Theme

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
    query for the lines and one for each kind of thing they link to (the count of each
    theme's conversations: ``you_said_counted``)."""
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
            Prefetch("themes", queryset=Theme.objects.order_by("name")),
            Prefetch(
                "campaigns", queryset=with_supporters(campaign_public()).order_by("name", "id")
            ),
            Prefetch("events", queryset=public_events().order_by("starts_at", "id")),
            Prefetch("decisions", queryset=decisions),
        )
        .order_by("order", "-updated_at", "-id")
    )


# The busiest themes have been raised in tens of thousands of conversations, a count that
# grows with the years of listening and that every visitor of a public page would ask for.
# So the counts of a page's themes are kept for a short while, as the dashboard's figures are
# (``DASHBOARD_FIGURES_SECONDS``, a minute): a conversation logged since counts within it.
THEME_COUNTS_KEY = "organise:you-said:theme-counts"


def theme_conversation_counts(theme_ids):
    """How many conversations raised each of ``theme_ids``, by theme id: one query on the
    index of the themes' links (no conversation is read), or none while a counting is
    kept."""
    ids = sorted(set(theme_ids))
    if not ids:
        return {}
    seconds = settings.DASHBOARD_FIGURES_SECONDS
    key = f"{THEME_COUNTS_KEY}:" + ",".join(map(str, ids))
    counts = cache.get(key) if seconds else None
    if counts is None:
        rows = (
            Conversation.themes.through.objects.filter(theme_id__in=ids)
            .order_by()
            .values_list("theme_id")
            .annotate(n=Count("*"))
        )
        counts = dict(rows)
        if seconds:
            cache.set(key, counts, seconds)
    return counts


def you_said_counted(lines):
    """``lines`` (of ``you_said_published``), each of their themes with its
    ``conversation_count``."""
    themes = [theme for line in lines for theme in line.themes.all()]
    counts = theme_conversation_counts(theme.pk for theme in themes)
    for theme in themes:
        theme.conversation_count = counts.get(theme.pk, 0)
    return lines


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
