"""Listening in a real browser: a volunteer logs a conversation on a 390-px phone with the
keyboard alone, and the area's pages pass axe-core without sideways scrolling."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hubsite.people.models import Consent
from listening.models import Conversation
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import make_user
from tests.listening.factories import (
    ConversationFactory,
    FollowUpFactory,
    ListeningRoundFactory,
    ThemeFactory,
)
from tests.people.factories import LocalityFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def volunteer():
    return make_user("volunteer", "volunteer@example.test", first_name="Priya")


@pytest.fixture
def doorstep(volunteer):
    """A round the volunteer is on, in a place, with a few themes and a resident."""
    riverside = LocalityFactory(name="Riverside")
    round_ = ListeningRoundFactory(
        name="Winter listening", volunteers=[volunteer], localities=[riverside]
    )
    themes = [ThemeFactory(name=name) for name in ("Housing", "Buses", "Loneliness")]
    grace = PersonFactory(first_name="Grace", last_name="Okafor", locality=riverside)
    return {"round": round_, "riverside": riverside, "themes": themes, "grace": grace}


@pytest.fixture
def phone(new_context, live_server, volunteer):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(context, live_server, volunteer)
    return context.new_page()


def tab_to(page, selector, limit=150):
    """Press Tab until ``selector`` has the focus: proof that the keyboard reaches it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"the Tab key never reaches {selector}")


def assert_no_sideways_scrolling(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def test_a_volunteer_logs_a_conversation_on_a_phone_with_the_keyboard_alone(
    phone, live_server, doorstep, volunteer
):
    phone.goto("/listening/conversations/new/")
    expect(phone.get_by_role("heading", name="Log a conversation")).to_be_visible()
    assert_no_sideways_scrolling(phone)
    assert_accessible(phone)

    # Who: someone the hub knows, found by name and picked from the results.
    tab_to(phone, "#id_who_0")
    phone.keyboard.press("ArrowDown")  # "Someone the hub knows"
    expect(phone.locator("#id_who_1")).to_be_checked()
    expect(phone.locator("#id_first_name")).to_be_hidden()
    tab_to(phone, "#person-search")
    phone.keyboard.type("grac")
    result = phone.get_by_label("Grace Okafor, Riverside")
    expect(result).to_be_visible()
    tab_to(phone, "#pick-results input[type=radio]")
    phone.keyboard.press("Space")
    expect(result).to_be_checked()

    # How, and what they said.
    tab_to(phone, "#id_method_0")
    phone.keyboard.press("ArrowDown")  # street stall
    tab_to(phone, "#id_concerns")
    phone.keyboard.type("Damp in the back bedroom since October.")
    tab_to(phone, "#id_talents")
    phone.keyboard.type("Bakes for the whole street")
    tab_to(phone, "#id_themes_0")  # Buses
    tab_to(phone, "#id_themes_1")  # Housing
    phone.keyboard.press("Space")
    tab_to(phone, "#id_willingness_0")
    phone.keyboard.press("ArrowDown")
    phone.keyboard.press("ArrowDown")  # might help out
    tab_to(phone, "#id_keep_record")
    phone.keyboard.press("Space")
    tab_to(phone, "#id_sensitive_notes")
    phone.keyboard.type("Caring for her mother.")
    tab_to(phone, "#id_follow_up_action")
    phone.keyboard.type("Send the damp advice leaflet")
    tab_to(phone, "#id_follow_up_due_on")
    due = timezone.localdate() + datetime.timedelta(days=2)
    # Chromium's date field takes the digits in its own locale's order (month first here).
    order = phone.evaluate("new Intl.DateTimeFormat().formatToParts(new Date(2000, 10, 30))")
    fields = {"day": "%d", "month": "%m", "year": "%Y"}
    phone.keyboard.type(
        "".join(due.strftime(fields[part["type"]]) for part in order if part["type"] in fields)
    )
    tab_to(phone, "button[type=submit]:not([name])")
    phone.keyboard.press("Enter")

    expect(phone.get_by_text("Your conversation with Grace Okafor has been logged")).to_be_visible()
    conversation = Conversation.objects.get()
    assert conversation.person == doorstep["grace"]
    assert conversation.round == doorstep["round"]  # the one round they are on, chosen for them
    assert conversation.method == Conversation.Method.STREET_STALL
    assert conversation.concerns == "Damp in the back bedroom since October."
    assert [theme.name for theme in conversation.themes.all()] == ["Housing"]
    assert conversation.willingness == Conversation.Willingness.MIGHT_HELP
    assert conversation.sensitive_notes == "Caring for her mother."
    assert conversation.follow_ups.get().due_on == due
    assert doorstep["grace"].consents.filter(purpose=Consent.Purpose.KEEP_RECORD).exists()
    # The author reads back what they wrote, sensitive notes included.
    expect(phone.get_by_text("Caring for her mother.")).to_be_visible()
    assert_no_sideways_scrolling(phone)
    assert_accessible(phone)


def test_a_mistake_is_shown_on_the_phone_and_nothing_is_saved(phone, doorstep):
    phone.goto("/listening/conversations/new/")
    tab_to(phone, "#id_who_0")
    phone.keyboard.press("ArrowDown")
    phone.keyboard.press("ArrowDown")  # anonymous: the name fields and consent go away
    expect(phone.locator("#id_keep_record")).to_be_hidden()
    tab_to(phone, "button[type=submit]:not([name])")
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("alert")).to_contain_text("Some answers need another look")
    expect(phone.get_by_text("Choose where this was")).to_be_visible()
    expect(phone.get_by_text("Write down at least what they care about")).to_be_visible()
    assert not Conversation.objects.exists()
    assert_accessible(phone)


def test_the_listening_pages_are_accessible_on_a_phone(phone, doorstep, volunteer, subtests):
    conversation = ConversationFactory(
        logged_by=volunteer,
        round=doorstep["round"],
        locality=doorstep["riverside"],
        themes=doorstep["themes"][:2],
    )
    FollowUpFactory(conversation=conversation, owner=volunteer)
    pages = [
        "/listening/",
        "/listening/conversations/",
        conversation.get_absolute_url(),
        f"/listening/conversations/{conversation.pk}/edit/",
        "/listening/rounds/",
        doorstep["round"].get_absolute_url(),
        "/listening/themes/",
        "/listening/follow-ups/",
        "/",
    ]
    for path in pages:
        with subtests.test(path=path):
            assert phone.goto(path).status == 200
            assert_no_sideways_scrolling(phone)
            assert_accessible(phone)


def test_staff_pages_of_listening_are_accessible(new_context, live_server, doorstep, subtests):
    staff = make_user("staff", "staff@example.test")
    context = new_context()
    sign_in(context, live_server, staff)
    page = context.new_page()
    ConversationFactory(round=doorstep["round"], themes=doorstep["themes"])
    theme = doorstep["themes"][0]
    for path in [
        "/listening/rounds/new/",
        f"/listening/rounds/{doorstep['round'].pk}/edit/",
        "/listening/themes/manage/",
        f"/listening/themes/{theme.pk}/",
        "/listening/themes/",
    ]:
        with subtests.test(path=path):
            assert page.goto(path).status == 200
            assert_accessible(page)
