"""Action in a real browser: a visitor signs a public campaign, confirms from the emailed
link and sees the count rise, with JavaScript and without it; the pages pass axe-core."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from action.models import Signup
from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_deliver
from tests.action.factories import CampaignFactory, SignupFactory
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def deliver_outbox():
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        message_deliver(message_id=pk)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_visitor_signs_confirms_from_the_email_and_the_count_rises(
    new_context, live_server, javascript
):
    campaign = CampaignFactory(name="Fix the lifts", slug="fix-the-lifts")
    SignupFactory.create_batch(2, campaign=campaign)
    page = new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=javascript
    ).new_page()
    page.goto(campaign.get_absolute_url())
    expect(page.locator("#supporter-count")).to_contain_text("2 supporters")
    if javascript:
        assert_accessible(page)

    page.get_by_role("textbox", name="First name").fill("Amina")
    page.get_by_role("textbox", name="Email").fill("amina@example.test")
    page.get_by_label("Show my first name and initial on the campaign's page").check()
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert Signup.objects.get(email="amina@example.test").status == "pending"

    deliver_outbox()
    (message,) = [m for m in mail.outbox if m.to == ["amina@example.test"]]
    link = next(word for word in message.body.split() if "/confirm/" in word)
    page.goto(live_server.url + link.split("localhost:8000", 1)[1])
    page.get_by_role("button", name="Yes, count my name").click()
    expect(page.get_by_text("your name now counts")).to_be_visible()
    expect(page.locator("#supporter-count")).to_contain_text("3 supporters")
    expect(page.locator(".supporters").get_by_text("Amina")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
