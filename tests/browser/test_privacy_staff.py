"""Data protection for staff in a real browser, on a 390-px phone: the home page leads to the
requests log, a request is logged for a resident found by name and closed, and the audit log
and retention pages read well; every page passes axe-core and none scrolls sideways."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hubsite.privacy import registry, services
from hubsite.privacy.models import DataRequest
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import make_user
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def staff_phone(new_context, live_server):
    # axe-core is injected as an inline script, which the hub's Content-Security-Policy
    # refuses: the test's browser lets it in.
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    sign_in(context, live_server, make_user("staff", "staff@example.test", "Kim"))
    return context.new_page()


@pytest.fixture
def held(monkeypatch):
    """A resident with an overdue request, and a kind of record with a retention period."""
    monkeypatch.setattr(registry, "_kinds", {})
    registry.register_retention(
        "test.notes",
        label="Doorstep notes",
        description="Two years after the last contact.",
        default_months=24,
        apply=lambda cutoff: 0,
    )
    resident = PersonFactory(first_name="Grace", last_name="Okafor")
    services.data_request_create(
        kind=DataRequest.Kind.ACCESS,
        channel=DataRequest.Channel.EMAIL,
        person=resident,
        received_on=timezone.localdate() - datetime.timedelta(days=40),
    )
    services.retention_run()
    return resident


def assert_no_sideways_scrolling(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def assert_fits(page):
    assert_no_sideways_scrolling(page)
    assert_accessible(page)


def test_staff_log_a_request_and_read_the_logs_on_a_phone(staff_phone, held):
    page = staff_phone
    page.goto("/privacy/")
    expect(page.get_by_role("heading", name="Data protection", exact=True)).to_be_visible()
    assert_fits(page)

    page.get_by_role("link", name="Data-protection requests").click()
    expect(page.get_by_role("heading", name="Data-protection requests")).to_be_visible()
    expect(page.get_by_text("Overdue by")).to_be_visible()
    assert_fits(page)

    page.get_by_role("button", name="Log a request").click()
    page.get_by_label("Find them by name, email or postcode").fill("grace")
    page.get_by_label("Grace Okafor").check()
    page.get_by_label("What they asked for").select_option("erasure")
    page.get_by_label("How it came in").select_option("letter")
    page.get_by_label("What was asked").fill("Please delete everything about me.")
    assert_fits(page)
    page.get_by_role("button", name="Log the request").click()

    expect(page.get_by_role("heading", name="Erasure (be forgotten)")).to_be_visible()
    expect(page.get_by_text("The request is logged")).to_be_visible()
    assert_fits(page)
    page.get_by_label("Withdrawn by the person").check()
    page.get_by_role("button", name="Close the request").click()
    expect(page.get_by_text("The request is closed: withdrawn by the person.")).to_be_visible()
    assert DataRequest.objects.get(kind="erasure").status == "withdrawn"

    page.goto("/privacy/audit/")
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    expect(page.get_by_role("cell", name="Logged a data-protection request").first).to_be_visible()
    assert_fits(page)

    page.goto("/privacy/retention/")
    expect(page.get_by_role("heading", name="Doorstep notes")).to_be_visible()
    assert_fits(page)
    page.get_by_role("button", name="Apply now").click()
    expect(page.get_by_role("heading", name="Retention run")).to_be_visible()
    assert_fits(page)
