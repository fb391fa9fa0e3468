"""Accountability in a real browser: the public "You said, we did" page reads the same
without JavaScript; an owner reviews their decision on the meeting's page (htmx swaps the
decision in place); the meeting and decision pages pass axe-core without sideways scrolling
on a phone."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hubsite.people.models import Role
from organise.models import Decision, Membership
from tests.action.factories import CampaignFactory, SignupFactory
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import make_user
from tests.connect.factories import EventFactory
from tests.listening.factories import ConversationFactory, ThemeFactory
from tests.organise.factories import DecisionFactory, MeetingFactory, MembershipFactory
from tests.organise.factories_meetings import YouSaidWeDidFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DAY = datetime.timedelta(days=1)


def assert_no_sideways_scrolling(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


@pytest.mark.parametrize("javascript", [True, False])
def test_the_public_page_reads_the_same_with_or_without_javascript(new_context, javascript):
    housing = ThemeFactory(name="Housing repairs")
    ConversationFactory(themes=[housing])
    ConversationFactory(themes=[housing])
    campaign = CampaignFactory(name="Fix the lifts")
    SignupFactory(campaign=campaign)
    event = EventFactory(title="Tenants' public meeting")
    decision = DecisionFactory(
        summary="Press the council for a repair contract", status="done", outcome="Agreed."
    )
    YouSaidWeDidFactory(
        you_said="The lifts break every week.",
        themes=[housing],
        campaigns=[campaign],
        events=[event],
        decisions=[decision],
    )
    page = new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=javascript
    ).new_page()

    page.goto("/organise/you-said-we-did/")

    expect(page.get_by_role("heading", name="You said, we did", level=1)).to_be_visible()
    expect(page.get_by_text("Housing repairs: 2 conversations")).to_be_visible()
    expect(page.get_by_role("link", name="Fix the lifts")).to_have_attribute(
        "href", campaign.get_absolute_url()
    )
    expect(page.get_by_role("link", name="Tenants' public meeting")).to_be_visible()
    expect(page.get_by_text("Press the council for a repair contract")).to_be_visible()
    assert_no_sideways_scrolling(page)
    if javascript:
        assert_accessible(page)


def test_an_owner_reviews_their_decision_on_the_meetings_page(new_context, live_server):
    today = timezone.localdate()
    owner = make_user(Role.MEMBER, "maya@example.test", first_name="Maya")
    MembershipFactory(person=owner.person, status=Membership.Status.ACTIVE)
    meeting = MeetingFactory(
        title="Spring members' meeting",
        held_on=today - 30 * DAY,
        agenda="1. The lifts",
        minutes="We agreed to press the council.",
        attendance=34,
    )
    decision = DecisionFactory(
        meeting=meeting, owner=owner.person, summary="Write to the council", review_on=today
    )
    DecisionFactory(meeting=meeting, summary="Someone else's", review_on=today + 9 * DAY)
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(context, live_server, owner)
    page = context.new_page()

    page.goto("/organise/meetings/")
    page.get_by_role("link", name="Spring members' meeting").click()
    expect(page.get_by_role("heading", name="Spring members' meeting")).to_be_visible()
    assert_no_sideways_scrolling(page)
    assert_accessible(page)

    box = page.locator(f"#decision-{decision.pk}")
    box.locator("summary").click()
    box.get_by_label("Done").check()
    box.get_by_label("What came of it").fill("The council replied in May.")
    box.get_by_role("button", name="Save the review").click()

    expect(page.get_by_text("Reviewed: marked done.")).to_be_visible()
    decision.refresh_from_db()
    assert (decision.status, decision.outcome) == (
        Decision.Status.DONE,
        "The council replied in May.",
    )
    assert page.url.endswith(meeting.get_absolute_url())  # swapped in place, not a new page
    assert_accessible(page)

    page.goto("/organise/decisions/")
    expect(page.get_by_role("heading", name="Decisions you see through")).to_be_visible()
    assert_accessible(page)


def test_staff_pages_of_meetings_and_the_page_they_keep_pass_axe(new_context, live_server):
    staff = make_user(Role.STAFF, first_name="Sam")
    meeting = MeetingFactory(title="AGM", kind="agm")
    DecisionFactory(meeting=meeting, review_on=timezone.localdate() - DAY)
    line = YouSaidWeDidFactory(themes=[ThemeFactory()], campaigns=[CampaignFactory()])
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(context, live_server, staff)
    page = context.new_page()

    for path in [
        "/organise/meetings/",
        "/organise/meetings/new/",
        meeting.get_absolute_url(),
        f"/organise/meetings/{meeting.pk}/edit/",
        f"/organise/meetings/{meeting.pk}/decisions/new/",
        "/organise/decisions/",
        "/organise/you-said-we-did/manage/",
        "/organise/you-said-we-did/new/",
        f"/organise/you-said-we-did/{line.pk}/edit/",
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_no_sideways_scrolling(page)
        assert_accessible(page)

    page.goto(f"/organise/meetings/{meeting.pk}/decisions/new/")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("a decision needs an owner")).to_be_visible()
    assert_accessible(page)
