"""The hub's pages in a real browser: accessible (axe-core finds nothing serious), the people
filters work with JavaScript (htmx, no reload) and without it, and phones get no sideways
scrolling."""

import re

import pytest
from playwright.sync_api import expect

from hubsite.people.models import GroupMembership, Role
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import make_user
from tests.people.factories import (
    ConsentFactory,
    GroupFactory,
    GroupMembershipFactory,
    LocalityFactory,
    PersonFactory,
    TagFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = '#results td[data-label="Name"]'
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def neighbours():
    """A few people to look at and filter: two places, a community, a group."""
    riverside, hilltop = LocalityFactory(name="Riverside"), LocalityFactory(name="Hilltop")
    cyclists = TagFactory(name="Cyclists")
    choir = GroupFactory(name="Community choir", locality=riverside)
    amina = PersonFactory(
        first_name="Amina",
        last_name="Hassan",
        # Long enough not to fit a phone's width in one piece.
        email="amina.hassanokonkwo@riversideresidentsassociation.example.test",
        locality=riverside,
        tags=[cyclists],
    )
    bob = PersonFactory(first_name="Bob", last_name="Okafor", locality=hilltop)
    cora = PersonFactory(first_name="Cora", last_name="Hassan", email="", locality=riverside)
    GroupMembershipFactory(person=amina, group=choir)
    GroupMembershipFactory(person=bob, group=choir, role=GroupMembership.Role.LEADER)
    ConsentFactory(person=amina)
    return {"riverside": riverside, "choir": choir, "amina": amina, "bob": bob, "cora": cora}


@pytest.fixture
def staff_page(page, live_server, staff_user):
    sign_in(page.context, live_server, staff_user)
    return page


# Accessibility: axe-core finds no serious or critical violation ------------------------


def test_public_pages_are_accessible(page, subtests):
    for path in ["/", "/accounts/login/", "/accounts/signup/"]:
        with subtests.test(path=path):
            assert page.goto(path).status == 200
            expect(page.locator("h1")).to_be_visible()
            assert_accessible(page)


def test_staff_pages_are_accessible(staff_page, neighbours, subtests):
    # One test with a subtest per page: the browser and the data are set up once.
    paths = [
        "/",  # the hub dashboard
        "/people/",
        neighbours["amina"].get_absolute_url(),
        "/people/groups/",
        neighbours["choir"].get_absolute_url(),
        "/people/localities/",
        "/organise/",  # an area's home
        "/framework/",
    ]
    for path in paths:
        with subtests.test(path=path):
            assert staff_page.goto(path).status == 200
            expect(staff_page.locator("h1")).to_be_visible()
            assert_accessible(staff_page)


def test_add_person_form_with_errors_is_accessible(staff_page):
    staff_page.goto("/people/new/")
    staff_page.get_by_role("button", name="Save").click()
    expect(staff_page.locator(".field-errors").first).to_contain_text("This field is required.")
    assert_accessible(staff_page)


def test_member_dashboard_is_accessible(page, live_server, neighbours):
    member = make_user(Role.MEMBER, first_name="Mel")
    GroupMembershipFactory(person=member.person, group=neighbours["choir"])
    sign_in(page.context, live_server, member)
    page.goto("/")
    expect(page.get_by_role("heading", name="Hello, Mel")).to_be_visible()
    expect(page.get_by_text("Community choir (member)")).to_be_visible()
    assert_accessible(page)


# The people filters ---------------------------------------------------------------------


def test_people_search_updates_the_results_as_you_type(staff_page, neighbours):
    staff_page.goto("/people/")
    expect(staff_page.locator(NAMES)).to_have_count(4)  # the three and the staff member
    staff_page.evaluate("window.notReloaded = true")

    staff_page.get_by_role("searchbox", name="Name or email").press_sequentially("Hass")

    expect(staff_page).to_have_url(re.compile(r"[?&]q=Hass(&|$)"))
    expect(staff_page.locator(NAMES)).to_have_text(["Amina Hassan", "Cora Hassan"])
    assert staff_page.evaluate("window.notReloaded"), "the page reloaded instead of htmx"


def test_people_locality_choice_narrows_the_results(staff_page, neighbours):
    staff_page.goto("/people/")
    staff_page.evaluate("window.notReloaded = true")

    staff_page.get_by_label("Locality").select_option(label="Hilltop")

    expect(staff_page.locator(NAMES)).to_have_text(["Bob Okafor"])
    expect(staff_page).to_have_url(re.compile(rf"[?&]locality={neighbours['bob'].locality_id}"))
    assert staff_page.evaluate("window.notReloaded"), "the page reloaded instead of htmx"


def test_people_filters_work_without_javascript(new_context, live_server, staff_user, neighbours):
    context = new_context(java_script_enabled=False)
    sign_in(context, live_server, staff_user)
    page = context.new_page()
    page.goto("/people/")

    page.get_by_role("searchbox", name="Name or email").fill("okafor")
    page.get_by_role("button", name="Filter").click()

    expect(page).to_have_url(re.compile(r"[?&]q=okafor(&|$)"))
    expect(page.locator(NAMES)).to_have_text(["Bob Okafor"])
    expect(page.get_by_role("searchbox", name="Name or email")).to_have_value("okafor")


# Phones and keyboards -----------------------------------------------------------------------


def sideways_overflow(page):
    """What is wider than the phone's screen: the page, or content in a table's scroll box.
    A phone browser widens its layout to fit content that is too wide, so window.innerWidth
    alone would hide the overflow: the screen's width is the bound."""
    return page.evaluate(
        """(width) => ({
            page: document.documentElement.scrollWidth,
            screen: Math.min(window.innerWidth, width),
            tables: [...document.querySelectorAll(".table-wrap")]
                .filter(el => el.scrollWidth > el.clientWidth).length,
        })""",
        PHONE["width"],
    )


def test_people_pages_fit_a_phone_screen(new_context, live_server, staff_user, neighbours):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(context, live_server, staff_user)
    page = context.new_page()
    for path in ["/people/", neighbours["amina"].get_absolute_url()]:
        page.goto(path)
        overflow = sideways_overflow(page)
        assert overflow["page"] <= overflow["screen"], f"{path} scrolls sideways: {overflow}"
        assert not overflow["tables"], f"{path} hides a table's content sideways: {overflow}"
        main_nav = page.get_by_role("navigation", name="Main")
        expect(main_nav.get_by_role("link", name="Dashboard")).to_be_in_viewport()
        expect(main_nav.get_by_role("button", name="Sign out")).to_be_in_viewport()

    page.get_by_role("navigation", name="Areas of the hub").get_by_role(
        "link", name="Organise"
    ).click()
    expect(page).to_have_url(re.compile(r"/organise/$"))


def test_the_first_tab_reaches_the_skip_link(staff_page):
    staff_page.set_viewport_size(PHONE)
    staff_page.goto("/people/")

    staff_page.keyboard.press("Tab")

    skip = staff_page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    staff_page.keyboard.press("Enter")
    expect(staff_page).to_have_url(re.compile(r"#main$"))


# Static files --------------------------------------------------------------------------------


def test_pages_load_the_vendored_css(page):
    response = page.request.get("/static/vendor/pico/pico.min.css")
    assert response.status == 200, "static/vendor is missing: run `make assets`"
    assert response.headers["content-type"].startswith("text/css")

    page.goto("/")
    applied = page.evaluate(
        """[...document.styleSheets].filter(s => s.href).map(s => [
            new URL(s.href).pathname, s.cssRules.length])"""
    )
    assert dict(applied).get("/static/vendor/pico/pico.min.css", 0) > 0, applied
