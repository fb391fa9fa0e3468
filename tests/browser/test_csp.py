"""The Content-Security-Policy in a real browser: Chromium visits the hub's kinds of page (public
pages, staff lists and a person, a conversation form on a phone, the charts, the admin) as the
role that uses each, uses htmx on them, and fails on anything the policy refused."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from hubsite.people.models import Role, User
from organise.models import MembershipEvent
from tests.action.factories import CampaignFactory
from tests.browser.conftest import AXE_RUN, AXE_SCRIPTS, BLOCKING_IMPACTS, sign_in
from tests.conftest import make_user
from tests.connect.factories import EventFactory
from tests.organise.factories import MembershipFactory, MembershipTypeFactory
from tests.people.factories import LocalityFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What Chromium says when the policy refuses something, on the console.
REFUSALS = ("Content Security Policy", "Refused to")
# Every refusal also fires this event in the page, whatever the console shows.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__violations.push(`${event.violatedDirective} refused ${event.blockedURI}`);
});
"""


class Watch:
    """A page whose console, errors and policy violations are kept for the test to check."""

    def __init__(self, context):
        context.add_init_script(RECORD_VIOLATIONS)
        self.page = context.new_page()
        self.messages = []
        self.page.on("console", lambda message: self.messages.append(message.text))
        self.page.on("pageerror", lambda error: self.messages.append(f"error: {error}"))

    def visit(self, url):
        response = self.page.goto(url)
        assert response.status == 200, f"{url} answered {response.status}"
        header = response.headers.get("content-security-policy", "")
        assert "default-src 'self'" in header, f"{url} has no policy"
        assert "unsafe-inline" not in header and "unsafe-eval" not in header, header
        self.page.wait_for_load_state("load")
        self.assert_nothing_refused(url)

    def assert_nothing_refused(self, url):
        violations = self.page.evaluate("window.__violations")
        refused = [text for text in self.messages if any(word in text for word in REFUSALS)]
        errors = [text for text in self.messages if text.startswith("error:")]
        assert not (violations or refused or errors), f"on {url}: {violations + refused + errors}"


@pytest.fixture
def hub():
    riverside = LocalityFactory(name="Riverside")
    household = MembershipTypeFactory(name="Household", slug="household")
    amina = PersonFactory(first_name="Amina", last_name="Hassan", locality=riverside)
    membership = MembershipFactory(person=amina, type=household)
    MembershipEvent.objects.create(
        membership=membership,
        kind=MembershipEvent.Kind.JOINED,
        on=timezone.localdate() - datetime.timedelta(days=40),
        locality=riverside,
        type=household,
    )
    PersonFactory(first_name="Bo", last_name="Okafor", locality=riverside)
    return {
        "campaign": CampaignFactory(name="Fix the lifts"),
        "event": EventFactory(title="Residents' meeting"),
        "amina": amina,
    }


def test_public_pages_break_no_rule_of_the_policy(new_context, hub):
    watch = Watch(new_context())
    for url in [
        reverse("home"),
        reverse("action:campaign_list"),
        hub["campaign"].get_absolute_url(),
        hub["event"].get_absolute_url(),
        reverse("connect:event_list"),
        reverse("organise:join"),
        reverse("account_login"),
        reverse("account_signup"),
    ]:
        watch.visit(url)


def test_staff_pages_and_their_htmx_break_no_rule_of_the_policy(new_context, live_server, hub):
    context = new_context()
    sign_in(context, live_server, make_user(Role.STAFF, "kim@example.test", "Kim"))
    watch = Watch(context)
    for url in [
        reverse("home"),
        reverse("people:person_list"),
        reverse("people:person_detail", args=[hub["amina"].pk]),
        reverse("organise:member_list"),
        reverse("organise:growth"),
        reverse("listening:theme_counts"),
        reverse("framework:overview"),
        reverse("account_email"),
        reverse("mfa_index"),
        reverse("mfa_activate_totp"),  # its QR code is an image in a data: address
    ]:
        watch.visit(url)
    # The growth page's chart is drawn by Chart.js, which styles its canvas from a script.
    watch.visit(reverse("organise:growth"))
    expect(watch.page.locator("canvas")).to_have_count(1)
    # An htmx search swaps the results in without a reload (and without eval or inline style).
    watch.visit(reverse("people:person_list"))
    watch.page.get_by_role("searchbox").first.fill("Okafor")
    expect(watch.page.locator("#results")).not_to_contain_text("Hassan")
    expect(watch.page.locator("#results")).to_contain_text("Okafor")
    watch.assert_nothing_refused("the people search")


def test_a_volunteer_logging_a_conversation_on_a_phone_breaks_no_rule(new_context, live_server):
    context = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    sign_in(context, live_server, make_user(Role.VOLUNTEER, "vic@example.test", "Vic"))
    watch = Watch(context)
    watch.visit(reverse("listening:home"))
    watch.visit(reverse("listening:conversation_log"))
    watch.visit(reverse("listening:conversation_list"))


def test_the_admin_works_under_the_policy(new_context, live_server):
    context = new_context()
    sign_in(context, live_server, User.objects.create_superuser(email="root@example.test"))
    watch = Watch(context)
    for url in ["/admin/", "/admin/people/person/", "/admin/people/person/add/"]:
        watch.visit(url)


def accessible(page):
    """axe-core, run as the test's own code (the policy refuses it as a page's inline script)."""
    axe = next(path for path in AXE_SCRIPTS if path.exists())
    page.evaluate(f"() => {{ {axe.read_text()} }}")
    violations = page.evaluate(AXE_RUN)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"accessibility violations on {page.url}: {blocking}"


def test_too_many_sign_ups_get_a_clear_accessible_page(new_context, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/h/ip"}
    watch = Watch(new_context())
    for n in range(2):
        watch.page.goto(reverse("account_signup"))
        watch.page.locator("#id_email").fill(f"new{n}@example.test")
        watch.page.locator("#id_password1").fill("lifts-fixed-by-spring")
        watch.page.locator("#id_password2").fill("lifts-fixed-by-spring")
        with watch.page.expect_navigation():
            watch.page.get_by_role("button", name="Sign Up").click()
    expect(watch.page.locator("h1")).to_have_text("Too many attempts from here")
    watch.assert_nothing_refused("the page of too many attempts")
    accessible(watch.page)
