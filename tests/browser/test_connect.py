"""Connect in a real browser: a visitor without an account answers a public event on a
phone, gets the confirmation email and cancels from its link; the pages pass axe-core."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from connect.models import Rsvp
from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_deliver
from tests.browser.conftest import assert_accessible
from tests.connect.factories import EventFactory
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def deliver_outbox():
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        message_deliver(message_id=pk)


def test_a_visitor_answers_gets_the_email_and_cancels_from_its_link(new_context, live_server):
    event = EventFactory(
        title="Riverside supper",
        capacity=10,
        accessibility="Step-free entrance; hearing loop.",
    )
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto(event.get_absolute_url())
    expect(page.get_by_role("heading", name="Riverside supper")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("textbox", name="First name").fill("Amina")
    page.get_by_role("textbox", name="Email").fill("amina@example.test")
    page.get_by_label("The hub may email me about this and other events").check()
    page.get_by_role("button", name="I’m coming").click()
    expect(page.get_by_text("You have a place.").first).to_be_visible()
    assert Rsvp.objects.get().status == Rsvp.Status.CONFIRMED

    deliver_outbox()
    (message,) = mail.outbox
    assert message.to == ["amina@example.test"]
    link = next(word for word in message.body.split() if "/rsvp/cancel/" in word)
    page.goto(live_server.url + link.split("localhost:8000", 1)[1])
    expect(page.get_by_role("heading", name="Cancel your answer?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Yes, cancel my answer").click()
    expect(page.get_by_role("heading", name="Cancelled")).to_be_visible()
    assert Rsvp.objects.get().status == Rsvp.Status.CANCELLED
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_a_full_event_offers_the_waiting_list_without_javascript(new_context):
    event = EventFactory(title="Tiny workshop", capacity=1)
    Rsvp.objects.create(event=event, person=PersonFactory(), status=Rsvp.Status.CONFIRMED)
    page = new_context(java_script_enabled=False).new_page()
    page.goto(event.get_absolute_url())
    page.get_by_role("textbox", name="First name").fill("Bo")
    page.get_by_role("textbox", name="Email").fill("bo@example.test")
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.get_by_text("on the waiting list").first).to_be_visible()
    assert Rsvp.objects.get(person__email="bo@example.test").status == Rsvp.Status.WAITING


def test_the_connect_pages_are_accessible_on_a_phone(new_context, live_server, subtests):
    import datetime

    from django.utils import timezone

    from hubsite.people.models import GroupMembership
    from tests.browser.conftest import sign_in
    from tests.conftest import make_user
    from tests.connect.factories import (
        JoinRequestFactory,
        OpportunityFactory,
        RsvpFactory,
        ShiftFactory,
        ShiftSignupFactory,
        VolunteerOfferFactory,
    )
    from tests.people.factories import GroupFactory, GroupMembershipFactory

    organiser = make_user("organiser", "organiser@example.test", first_name="Olu")
    group = GroupFactory(name="Riverside tenants", public=True)
    GroupMembershipFactory(
        group=group, person=organiser.person, role=GroupMembership.Role.ORGANISER
    )
    event = EventFactory(title="Tenants' meeting", group=group, host=organiser)
    RsvpFactory.create_batch(3, event=event)
    started = timezone.now() - datetime.timedelta(hours=1)
    EventFactory(starts_at=started, ends_at=started + datetime.timedelta(hours=3), group=group)
    opportunity = OpportunityFactory(group=group, created_by=organiser)
    shift = ShiftFactory(opportunity=opportunity)
    ShiftSignupFactory(shift=shift)
    VolunteerOfferFactory(person=organiser.person)
    JoinRequestFactory(group=group)

    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(page.context, live_server, organiser)
    for path in [
        "/connect/",
        "/connect/events/",
        "/connect/events/month/",
        event.get_absolute_url(),
        f"/connect/events/{event.pk}/check-in/",
        f"/connect/events/{event.pk}/edit/",
        "/connect/events/new/",
        "/connect/volunteering/",
        opportunity.get_absolute_url(),
        "/connect/volunteering/offer/",
        "/connect/volunteering/offers/",
        "/connect/volunteering/my-shifts/",
        "/connect/groups/",
        f"/connect/groups/{group.slug}/",
        "/connect/groups/requests/",
        "/",
    ]:
        with subtests.test(path=path):
            assert page.goto(path).status == 200
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
            assert_accessible(page)
