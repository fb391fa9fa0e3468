"""The accessibility sweep (issue #9): every page each role reaches, at a desktop's width and
a phone's, passes axe-core with nothing serious, has one visible h1, a skip link first in the
tab order that leads somewhere, a label on every form control, and no sideways scrolling on
the phone; and the hub's main journeys work by keyboard alone."""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from action.models import Signup
from connect.models import Rsvp
from hubsite.people.models import Role
from tests.action.factories import CampaignFactory
from tests.browser.conftest import (
    BLOCKING_RULES,
    add_axe,
    axe_violations,
    form_problems,
    sign_in,
    tab_to,
)
from tests.conftest import make_user
from tests.connect.factories import EventFactory
from tests.people.factories import PersonFactory
from tests.robustness import ROLES, pages, seed_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# The answers that are pages a person reads: the page itself, and the pages that say it is
# not for them or not there (each checked once per different text, see below).
SHOWN = {200, 403, 404}
# What differs between two renderings of one page and is not the page: the CSRF token (in
# forms and in htmx's headers) and the policy's nonce.
PER_REQUEST = re.compile(rb'(csrfmiddlewaretoken" value="|"X-CSRFToken": "|nonce=")[^"]*')

# The checks axe-core does not make, in one evaluation: the visible h1s, the first stop of
# the Tab key (the first element that takes the focus in document order: axe's "tabindex"
# rule fails a positive tabindex, which would jump the queue), whether that link's target
# exists, and how far the page scrolls sideways.
PAGE_CHECKS = """() => {
    const shown = el => el.checkVisibility({visibilityProperty: true});
    const focusable = [...document.querySelectorAll(
        "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]")]
        .filter(el => !el.disabled && el.tabIndex >= 0 && shown(el) && !el.closest("[inert]"));
    const first = focusable[0];
    const href = first && first.getAttribute("href") || "";
    return {
        h1: [...document.querySelectorAll("h1")].filter(shown).length,
        first: first ? first.outerHTML.slice(0, 80) : null,
        skip: Boolean(first && first.matches("a.skip-link") && href.startsWith("#")),
        target: href.startsWith("#") && Boolean(document.getElementById(href.slice(1))),
        sideways: document.documentElement.scrollWidth - window.innerWidth,
    };
}"""
SIDEWAYS = "() => document.documentElement.scrollWidth - window.innerWidth"
# For the report: the last element in the document (the innermost) that ends past the screen.
TOO_WIDE = """() => ([...document.body.querySelectorAll("*")]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth).pop() || {})
    .outerHTML?.slice(0, 100)"""
# On the phone, with the skip link focused: whether it shows inside the screen.
SKIP_LINK_SHOWN = """() => {
    const link = document.querySelector("a.skip-link");
    link.focus();
    const box = link.getBoundingClientRect();
    return box.left >= 0 && box.top >= 0 && box.right <= window.innerWidth && box.width > 0;
}"""


def settles_without_sideways_scrolling(page):
    """Whether the page stops scrolling sideways within a second: a chart is drawn again at
    its new width a frame or more after the viewport changes, and only then fits."""
    try:
        page.wait_for_function(f"() => ({SIDEWAYS})() <= 0", timeout=1_000)
    except PlaywrightTimeoutError:
        return False
    return True


def page_problems(page, width, axe_options):
    """What is wrong with the page as it is now, at ``width``, one line each."""
    problems = axe_violations(page, axe_options)
    found = page.evaluate(PAGE_CHECKS)
    if found["h1"] != 1:
        problems.append(f"{found['h1']} visible h1 instead of one")
    if found["sideways"] > 0 and not settles_without_sideways_scrolling(page):
        too_wide = page.evaluate(TOO_WIDE)
        problems.append(f"scrolls sideways by {page.evaluate(SIDEWAYS)}px: {too_wide}")
    if width == "desktop":
        # The tab order and the labels are the document's, the same at every width.
        if not found["skip"]:
            problems.append(f"the first stop of the Tab key is not a skip link: {found['first']}")
        elif not found["target"]:
            problems.append("the skip link's target is missing")
        problems += form_problems(page)
    elif found["skip"] and not page.evaluate(SKIP_LINK_SHOWN):
        problems.append("the focused skip link is outside the screen")
    return problems


# About 400 pages at two widths: some 80 s of CPU, so well under the timeout on a busy machine.
@pytest.mark.timeout(600)
def test_every_page_each_role_reaches_passes_the_sweep(new_context, live_server, settings):
    """Each role's pages come from the robustness module's routes (tests/robustness.py
    ``pages``: every route without parameters and every one the world has an object for,
    plus the world's pages that show a form only in a state of their own). Left out:
    - what is not an HTML page for the role: a download or feed (a CSV or ZIP export,
      iCalendar, the health check's text), a redirect, a POST-only route (405). A refusal
      (403) or a page not found (404) is checked as a page, once per text it shows;
    - htmx fragments (a page's live count, the people picker's results): they have no
      document of their own and are checked inside the pages that show them;
    - sign-out, which ends the session the sweep walks in;
    - the Django admin, which is Django's own and not among the routes;
    - a page that renders exactly the same HTML (but for the CSRF token and the nonce) as
      one already checked, for this role or an earlier one: the same document has the same
      findings (member, volunteer and organiser share most pages; staff's navigation
      differs, so their pages are all checked).
    Each page is opened once, checked at the desktop's width, then at the phone's without
    reloading (the layout follows the viewport; the document is the same), with axe's rules
    that can find something serious or critical."""
    settings.STAFF_MFA_REQUIRED = False
    world = seed_world()
    failures, seen, checked, blocking_only = [], set(), 0, None
    for role in ("anonymous", *ROLES):
        client = world.client(role)
        context = new_context(viewport=DESKTOP)
        add_axe(context)
        if role != "anonymous":
            sign_in(context, live_server, world.users[role])
        page = context.new_page()
        for _name, path in pages(world, role, extra=True):
            response = client.get(path)
            status = response.status_code
            if status >= 500:  # the roles matrix says more; here, the page would go unchecked
                failures.append(f"{path} as {role}: {status}")
            if status not in SHOWN or not response["Content-Type"].startswith("text/html"):
                continue
            body = PER_REQUEST.sub(rb"\1", response.content)
            if not body.lstrip()[:15].lower().startswith(b"<!doctype html") or body in seen:
                continue
            seen.add(body)
            page.set_viewport_size(DESKTOP)
            answer = page.goto(path)
            if answer.status != status:
                failures.append(f"{path} as {role}: {answer.status} in the browser, not {status}")
                continue
            blocking_only = blocking_only or page.evaluate(BLOCKING_RULES)
            for width, size in (("desktop", DESKTOP), ("390px", PHONE)):
                page.set_viewport_size(size)
                failures += [
                    f"{path} as {role} at {width}: {problem}"
                    for problem in page_problems(page, width, blocking_only)
                ]
            checked += 1
        context.close()  # one role's browser at a time
    assert checked > 300, f"only {checked} pages were swept"  # guard: the walk found them
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


# The main journeys by keyboard alone: Tab, Space and Enter, no click. (A volunteer logging a
# conversation is test_listening's; the first Tab reaching the skip link, test_pages'.)


def test_a_visitor_signs_a_campaign_by_keyboard(new_context):
    campaign = CampaignFactory(name="Fix the lifts", slug="fix-the-lifts")
    page = new_context(viewport=PHONE).new_page()
    page.goto(campaign.get_absolute_url())

    tab_to(page, "#id_first_name")
    page.keyboard.type("Amina")
    tab_to(page, "#id_email")
    page.keyboard.type("amina@example.test")
    tab_to(page, "#id_show_name")
    page.keyboard.press("Space")
    tab_to(page, ".signup button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    signup = Signup.objects.get(email="amina@example.test")
    assert (signup.first_name, signup.show_name, signup.status) == ("Amina", True, "pending")


def test_a_visitor_answers_an_event_by_keyboard(new_context):
    event = EventFactory(title="Riverside supper", capacity=10)
    page = new_context(viewport=PHONE).new_page()
    page.goto(event.get_absolute_url())

    tab_to(page, "#id_first_name")
    page.keyboard.type("Bo")
    tab_to(page, "#id_email")
    page.keyboard.type("bo@example.test")
    tab_to(page, "form[action$='/rsvp/'] button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.get_by_text("You have a place.").first).to_be_visible()
    assert Rsvp.objects.get(person__email="bo@example.test").status == Rsvp.Status.CONFIRMED


def test_staff_find_a_person_by_searching_and_open_their_page_by_keyboard(
    new_context, live_server, staff_user
):
    PersonFactory(first_name="Bob", last_name="Okafor")
    grace = PersonFactory(first_name="Grace", last_name="Adeyemi")
    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page.context, live_server, staff_user)
    page.goto("/people/")

    tab_to(page, "input[type=search]")
    page.keyboard.type("adey")
    expect(page.locator('#results td[data-label="Name"]')).to_have_text(["Grace Adeyemi"])
    tab_to(page, f'#results a[href="{grace.get_absolute_url()}"]')
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Grace Adeyemi")
    assert page.url.endswith(grace.get_absolute_url())


def test_a_member_reaches_their_data_from_the_navigation_by_keyboard(new_context, live_server):
    member = make_user(Role.MEMBER)
    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page.context, live_server, member)
    page.goto("/")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    tab_to(page, 'nav[aria-label="Main"] a[href="/privacy/me/"]')
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1, name="Your data")).to_be_visible()
