"""Joining the hub in a real browser, on a phone: an anonymous visitor joins, confirms from
the emailed link, chooses a password, signs out, signs in on the sign-in page and sees their
membership; the pages pass axe-core and never scroll sideways."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_deliver
from hubsite.people.models import User
from organise.models import JoinApplication, Membership
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import make_user
from tests.organise.factories import MembershipTypeFactory
from tests.people.factories import LocalityFactory, TagFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PASSWORD = "lifts-fixed-by-spring-2026"


def deliver_outbox():
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        message_deliver(message_id=pk)


def no_sideways_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def checked_page(page):
    """What every page of the journey must be: accessible, and no wider than the phone."""
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
    no_sideways_scroll(page)


def test_a_visitor_joins_confirms_chooses_a_password_and_signs_in_to_see_it(
    new_context, live_server
):
    MembershipTypeFactory(
        name="Individual", slug="individual", description="One person, one vote.", order=1
    )
    MembershipTypeFactory(
        name="Household",
        slug="household",
        suggested_contribution=Decimal("10"),
        description="Everyone living at one address.",
        order=2,
    )
    LocalityFactory(name="Riverside")
    TagFactory(name="Young carers")
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()

    page.goto(reverse("organise:join"))
    expect(page.get_by_role("heading", name="Join the hub")).to_be_visible()
    checked_page(page)
    page.get_by_role("textbox", name="First name").fill("Amina")
    page.get_by_role("textbox", name="Last name").fill("Yusuf")
    page.get_by_role("textbox", name="Email").fill("amina@example.test")
    page.get_by_role("textbox", name="Postcode").fill("ke1 4ab")
    page.get_by_label("Where you live").select_option(label="Riverside")
    page.get_by_role("radio", name="Household").check()
    page.get_by_role("checkbox", name="Young carers").check()
    page.get_by_role("checkbox", name="Yes, email me news of the hub").check()
    page.get_by_role("button", name="Join the hub").click()

    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    checked_page(page)
    assert JoinApplication.objects.get().confirmed_at is None
    assert not Membership.objects.exists()

    deliver_outbox()
    (message,) = [m for m in mail.outbox if m.to == ["amina@example.test"]]
    link = next(word for word in message.body.split() if "/join/confirm/" in word)
    page.goto(live_server.url + link.split("localhost:8000", 1)[1])
    expect(page.get_by_role("heading", name="Confirm you want to join")).to_be_visible()
    expect(page.get_by_text("Young carers")).to_be_visible()
    checked_page(page)
    page.get_by_role("button", name="Yes, make me a member").click()

    expect(page.get_by_role("heading", name="Welcome, Amina")).to_be_visible()
    expect(page.get_by_text("You are a member of")).to_be_visible()
    checked_page(page)
    page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_role("button", name="Save my password and sign in").click()

    expect(page.get_by_role("heading", name="Your membership")).to_be_visible()
    assert User.objects.get(email="amina@example.test").person.membership.status == "active"
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    page.goto(reverse("account_login") + "?next=" + reverse("organise:my_membership"))
    page.get_by_label("Email").fill("amina@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Your membership")).to_be_visible()
    details = page.locator(".membership-details")
    expect(details).to_contain_text("Active")
    expect(details).to_contain_text("Household")
    expect(details).to_contain_text("Suggested contribution £10")
    checked_page(page)

    for name, heading in [
        ("Profile", "Your profile"),
        ("Your data and consents", "Your data"),
    ]:
        page.get_by_role("navigation", name="Your pages").get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        checked_page(page)
    expect(page.get_by_role("checkbox", name="Email")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Text messages")).not_to_be_checked()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_member_changes_how_the_hub_contacts_them(new_context, live_server, javascript):
    user = make_user("member", email="bo@example.test", first_name="Bo")
    context = new_context(viewport=PHONE, is_mobile=True, java_script_enabled=javascript)
    sign_in(context, live_server, user)
    page = context.new_page()
    page.goto(reverse("organise:my_preferences"))
    page.get_by_role("checkbox", name="Letters by post").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Letters by post")).to_be_checked()
    expect(page.get_by_text("Yes since")).to_be_visible()
    assert list(user.person.consents.values_list("purpose", "given")) == [("contact_post", True)]
    if javascript:
        assert_accessible(page)
