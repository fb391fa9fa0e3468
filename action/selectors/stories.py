"""Read queries of stories. Public means approved *and* consented to, and that rule lives in
the queryset (``story_public``), so no page can show a story by forgetting a check. A story's
campaign is named only while the campaign is public: each story of these lists carries
``campaign_shown`` (in the same query), which its templates check. Its teller is named only
while their latest word on "Show my name publicly" is not no: the stories shown to the public
carry ``teller_shows_name`` (in the same query), which ``Story.credit_line`` reads."""

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from hubsite.people.models import Consent

from ..models import Story
from ..rules import is_staff
from .campaigns import campaign_public

# How many stories a campaign's page shows (the rest are on the stories page).
ON_CAMPAIGN_PAGE = 3


def with_teller_shows_name(stories):
    """Each story with its teller's latest word on showing their name publicly (True, False
    or None when never asked), for its credit line, in the same query."""
    latest = Consent.objects.filter(
        person=OuterRef("person_id"), purpose=Consent.Purpose.SHOW_NAME
    ).order_by("-recorded_at", "-id")
    return stories.annotate(teller_shows_name=Subquery(latest.values("given")[:1]))


def story_public():
    return with_teller_shows_name(
        Story.objects.filter(status=Story.Status.APPROVED, consent_to_publish=True)
    )


def with_campaign_shown(stories):
    """Whether each story's campaign may be named: a campaign back in planning is not."""
    return stories.annotate(
        campaign_shown=Exists(campaign_public().filter(pk=OuterRef("campaign_id")))
    )


def story_public_list(campaign=None):
    """Public stories, newest first, with what the list shows of them in the same query."""
    stories = with_campaign_shown(story_public().select_related("person", "campaign"))
    if campaign is not None:
        stories = stories.filter(campaign=campaign)
    return stories.order_by("-published_at", "-id")


def campaign_page_context(campaign, viewer):
    """What the campaign's public page shows of this part: its latest public stories."""
    return {"stories": list(story_public_list(campaign)[:ON_CAMPAIGN_PAGE])}


def story_visible(viewer):
    """Stories ``viewer`` may read: public ones; their own; every one for staff."""
    stories = with_teller_shows_name(
        with_campaign_shown(Story.objects.select_related("person", "campaign"))
    )
    if is_staff(viewer):
        return stories
    public = Q(status=Story.Status.APPROVED, consent_to_publish=True)
    if viewer.is_authenticated:
        return stories.filter(public | Q(person__user=viewer))
    return stories.filter(public)


def story_mine(user):
    """A signed-in teller's own stories, public or not."""
    return with_campaign_shown(
        Story.objects.filter(person__user=user).select_related("campaign")
    ).order_by("-created_at", "-id")


def story_queue(status=Story.Status.SUBMITTED):
    """Stories for staff to review, oldest waiting first."""
    return (
        Story.objects.filter(status=status)
        .select_related("person", "campaign", "moderated_by")
        .order_by("created_at", "id")
    )


def story_status_counts():
    """How many stories are in each state, in the order of ``Story.Status``: one query."""
    counts = dict(Story.objects.order_by().values_list("status").annotate(n=Count("id")))
    return [counts.get(value, 0) for value in Story.Status.values]


def story_waiting_count():
    """Stories waiting for staff, for the area's home page."""
    return Story.objects.filter(status=Story.Status.SUBMITTED).count()
