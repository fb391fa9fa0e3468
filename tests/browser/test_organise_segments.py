"""Segments and calls to action in a real browser: an organiser builds a segment and sees its
count change as they tick filters (htmx), writes a call to it, checks and sends it; a
resident answers "yes" from the emailed link without an account. The pages pass axe-core
and fit a phone's width."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_deliver
from hubsite.people.models import GroupMembership, Role
from organise.models import CallToAction, Delivery, Segment
from organise.services import calls as services
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import make_user
from tests.connect.factories import EventFactory
from tests.organise.factories_calls import reachable
from tests.people.factories import GroupFactory, GroupMembershipFactory, LocalityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def deliver_outbox():
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        message_deliver(message_id=pk)


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_an_organiser_builds_a_segment_sends_a_call_and_a_resident_answers(
    new_context, live_server
):
    organiser = make_user(Role.ORGANISER, first_name="Olu")
    group = GroupFactory(name="Riverside tenants")
    GroupMembershipFactory(
        group=group, person=organiser.person, role=GroupMembership.Role.ORGANISER
    )
    riverside, hilltop = (
        LocalityFactory(name="Riverside"),
        LocalityFactory(name="Hilltop"),
    )
    amina = reachable(first_name="Amina", locality=riverside)
    for person in (amina, reachable(locality=hilltop), reachable(locality=riverside)):
        GroupMembershipFactory(group=group, person=person)
    event = EventFactory(title="Lifts meeting")

    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(context, live_server, organiser)
    page = context.new_page()
    page.goto("/organise/segments/new/")
    assert_accessible(page)
    page.get_by_role("textbox", name="Name").fill("Riverside neighbours")
    page.get_by_role("checkbox", name="Riverside", exact=True).check()
    expect(page.locator("#segment-count")).to_contain_text("match 2 people")
    page.get_by_role("checkbox", name="Hilltop", exact=True).check()
    expect(page.locator("#segment-count")).to_contain_text("match 3 people")
    page.get_by_role("checkbox", name="Hilltop", exact=True).uncheck()
    expect(page.locator("#segment-count")).to_contain_text("match 2 people")
    assert fits(page)
    page.get_by_role("button", name="Save the segment").click()

    expect(page.get_by_role("heading", name="Riverside neighbours")).to_be_visible()
    assert Segment.objects.get().filters == {"localities": [riverside.pk]}
    expect(page.get_by_role("cell", name=amina.full_name)).to_be_visible()
    assert_accessible(page)
    assert fits(page)

    page.get_by_role("button", name="Write a call to action").click()
    page.get_by_role("textbox", name="Subject").fill("Come to the lifts meeting")
    page.get_by_role("textbox", name="The message").fill("We meet on Thursday.")
    page.get_by_label("Ask them to come to an event").select_option(str(event.pk))
    assert_accessible(page)
    page.get_by_role("button", name="Save the draft").click()

    expect(page.get_by_role("heading", name="Check “Come to the lifts meeting”")).to_be_visible()
    expect(page.locator(".email-preview")).to_contain_text("Hello Olu,")
    assert_accessible(page)
    page.get_by_role("button", name="Send…").click()
    page.get_by_label("Yes, this call is ready to go").check()
    assert_accessible(page)
    page.get_by_role("button", name="Send the call").click()
    expect(page.get_by_text("The call is on its way.")).to_be_visible()

    call = CallToAction.objects.get()
    services.call_deliver_batch(call_id=call.pk)  # the worker's part, here
    deliver_outbox()
    (message,) = [m for m in mail.outbox if m.to == [amina.email]]
    link = next(word for word in message.body.split() if "/respond/" in word)

    visitor = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    visitor.goto(live_server.url + link.split("localhost:8000", 1)[1])
    expect(visitor.get_by_text("Will you come to Lifts meeting")).to_be_visible()
    assert_accessible(visitor)
    visitor.get_by_role("button", name="Yes, I will come").click()
    expect(visitor.get_by_role("link", name="Lifts meeting")).to_be_visible()
    assert Delivery.objects.get(person=amina).response == "yes"

    page.goto(call.get_absolute_url())
    expect(page.locator("#call-progress")).to_contain_text("Sent on")
    assert_accessible(page)
    assert fits(page)
