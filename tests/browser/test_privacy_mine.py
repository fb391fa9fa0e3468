"""A person's own data in a real browser, on a phone: a member withdraws their email consent,
downloads their data and asks to be erased; staff open the page that erases a person. Every
page passes axe-core and none scrolls sideways."""

import io
import zipfile

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from hubsite.people.models import Consent
from hubsite.privacy.models import AuditEntry, DataRequest
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import make_user
from tests.people.factories import ConsentFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def checked(page):
    expect(page.locator("h1")).to_have_count(1)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"
    assert_accessible(page)


def test_a_member_manages_their_data_on_a_phone(new_context, live_server):
    user = make_user("member", email="amina@example.test", first_name="Amina")
    ConsentFactory(person=user.person, purpose="contact_email", given=True, method="paper")
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, accept_downloads=True)
    sign_in(context, live_server, user)
    page = context.new_page()
    page.goto(reverse("account_email"))
    page.get_by_role("navigation", name="Your account").get_by_role(
        "link", name="Your data and consents"
    ).click()
    expect(page.get_by_role("heading", name="Your data", exact=True)).to_be_visible()
    checked(page)

    email = page.get_by_role("checkbox", name="Email")
    expect(email).to_be_checked()
    email.uncheck()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Email")).not_to_be_checked()
    history = page.get_by_role("table", name="Every choice about your data, newest first")
    expect(history.locator("tbody tr").first).to_contain_text("Withdrawn")
    latest = Consent.objects.filter(person=user.person).first()
    assert (latest.purpose, latest.given, latest.method) == ("contact_email", False, "online")
    checked(page)

    with page.expect_download() as waiting:
        page.get_by_role("button", name="Download my data").click()
    download = waiting.value
    assert download.suggested_filename == "my-data.zip"
    with open(download.path(), "rb") as file:
        archive = zipfile.ZipFile(io.BytesIO(file.read()))
    assert "amina@example.test" in archive.read("data.json").decode()
    assert AuditEntry.objects.filter(action="downloaded_own", actor=user).count() == 1

    page.get_by_role("radio", name="Erase my data").check()
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_text("Your request has been sent.")).to_be_visible()
    requests = page.get_by_role("table", name="What you asked the hub, newest first")
    expect(requests).to_contain_text("Erasure")
    expect(requests).to_contain_text("Open")
    request = DataRequest.objects.get()
    assert (request.kind, request.channel, request.person) == ("erasure", "online", user.person)
    checked(page)


def test_staff_open_the_page_that_erases_a_person(new_context, live_server):
    staff = make_user("staff", email="kim@example.test", first_name="Kim")
    person = PersonFactory(first_name="Nadia", last_name="Quinton")
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(context, live_server, staff)
    page = context.new_page()
    page.goto(person.get_absolute_url())
    page.get_by_role("link", name="Erase this person…").click()
    expect(page.get_by_role("heading", name="Erase Nadia Quinton?")).to_be_visible()
    checked(page)
    page.get_by_label("To confirm, type the person's full name or the word ERASE").fill("Nadia")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_text("Type the person's full name as shown")).to_be_visible()
    checked(page)
    page.get_by_label("To confirm, type the person's full name or the word ERASE").fill("ERASE")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_text("The person has been erased.")).to_be_visible()
    assert page.url.endswith(reverse("people:person_list"))
