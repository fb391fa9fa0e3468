"""Self-organised groups in a real browser: a member proposes a group on a phone, staff
approve it, and the member, now its organiser, opens the group's page; every page passes
axe-core and fits a phone's width."""

import pytest
from playwright.sync_api import expect

from hubsite.people.models import Group, Role
from organise.models import GroupProposal
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import make_user
from tests.people.factories import LocalityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def fits_the_width(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_a_member_proposes_staff_approve_and_the_member_runs_the_group(new_context, live_server):
    LocalityFactory(name="Northfield")
    member = make_user(Role.MEMBER, "amina@example.test", "Amina")
    staff = make_user(Role.STAFF, "staff@example.test", "Sam")

    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, live_server, member)
    page = phone.new_page()
    page.goto("/organise/groups/propose/")
    expect(page.get_by_role("heading", name="Propose a group")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("textbox", name="Name of the group").fill("Elm Street Gardeners")
    page.get_by_role("textbox", name="What it is about").fill("Grow food on the spare land.")
    page.get_by_label("Where (optional)").select_option(label="Northfield")
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.get_by_role("heading", name="Your proposals of groups")).to_be_visible()
    expect(page.get_by_text("Waiting for an answer")).to_be_visible()
    assert_accessible(page)
    assert fits_the_width(page)

    desk = new_context()
    sign_in(desk, live_server, staff)
    staff_page = desk.new_page()
    staff_page.goto("/organise/groups/proposals/")
    assert_accessible(staff_page)
    staff_page.get_by_role("link", name="Elm Street Gardeners").click()
    expect(staff_page.get_by_role("heading", name="Elm Street Gardeners")).to_be_visible()
    assert_accessible(staff_page)
    staff_page.get_by_role("button", name="Decline").click()
    expect(staff_page.get_by_text("Say why the group is not approved").first).to_be_visible()
    assert GroupProposal.objects.get().status == GroupProposal.Status.PENDING
    staff_page.get_by_role("textbox", name="Your answer to the proposer").fill("Welcome!")
    staff_page.get_by_role("button", name="Approve").click()
    expect(staff_page.get_by_text("is approved: the group is made")).to_be_visible()
    assert_accessible(staff_page)
    group = Group.objects.get()

    page.goto("/organise/groups/proposals/mine/")
    expect(page.get_by_text("Approved")).to_be_visible()
    assert fits_the_width(page)
    page.get_by_role("link", name="Its members").click()
    expect(page.get_by_role("heading", name="Elm Street Gardeners")).to_be_visible()
    assert page.url.endswith(f"/people/groups/{group.slug}/")
