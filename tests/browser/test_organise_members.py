"""Membership for staff in a real browser: the members list filters as staff type, a person
the hub knows is found, made a member and their contribution recorded, and the growth page
draws its chart from the figures of its table; every page passes axe-core and none scrolls
sideways on a 390-px phone."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organise.models import Contribution, Membership, MembershipEvent
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import make_user
from tests.organise.factories import MembershipFactory, MembershipTypeFactory
from tests.people.factories import LocalityFactory, PersonFactory, TagFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def membership():
    """A few members in two places, and a resident the hub knows who is not a member."""
    riverside, hill = LocalityFactory(name="Riverside"), LocalityFactory(name="Hill")
    carers = TagFactory(name="Young carers")
    household = MembershipTypeFactory(name="Household", slug="household")
    for first_name, place, status in (
        ("Amina", riverside, Membership.Status.ACTIVE),
        ("Bo", hill, Membership.Status.ACTIVE),
        ("Chen", riverside, Membership.Status.LAPSED),
    ):
        person = PersonFactory(
            first_name=first_name, last_name="Member", locality=place, tags=[carers]
        )
        membership = MembershipFactory(person=person, type=household, status=status)
        MembershipEvent.objects.create(
            membership=membership,
            kind=MembershipEvent.Kind.JOINED,
            on=timezone.localdate() - datetime.timedelta(days=40),
            locality=place,
            type=household,
        )
    PersonFactory(first_name="Grace", last_name="Okafor", locality=hill)
    return {"household": household, "riverside": riverside}


@pytest.fixture
def staff_page(new_context, live_server):
    context = new_context()
    sign_in(context, live_server, make_user("staff", "staff@example.test", "Kim"))
    return context.new_page()


@pytest.fixture
def staff_phone(new_context, live_server):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(context, live_server, make_user("staff", "staff2@example.test", "Sam"))
    return context.new_page()


def assert_no_sideways_scrolling(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def test_the_members_list_filters_as_staff_type(staff_page, membership):
    staff_page.goto("/organise/members/")
    expect(staff_page.get_by_role("heading", name="Members", exact=True)).to_be_visible()
    rows = staff_page.locator("#results tbody tr")
    expect(rows).to_have_count(3)
    assert_accessible(staff_page)

    staff_page.get_by_label("Name or email").fill("chen")

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Chen Member")
    expect(staff_page).to_have_url(
        "/organise/members/?q=chen&status=&type=&locality=&tag=&renews_within="
    )


def test_staff_make_a_known_person_a_member_and_record_their_contribution(staff_page, membership):
    staff_page.goto("/organise/members/new/")
    staff_page.get_by_label("Find them by name, email or postcode").fill("grace")
    staff_page.get_by_label("Grace Okafor, Hill").check()
    staff_page.get_by_label("Kind of membership").select_option(label="Household (free)")
    assert_accessible(staff_page)
    staff_page.get_by_role("button", name="Make them a member").click()

    expect(staff_page.get_by_role("heading", name="Grace Okafor’s membership")).to_be_visible()
    expect(staff_page.get_by_text("Grace Okafor is now a member.")).to_be_visible()
    staff_page.get_by_label("Amount (£)").fill("7.50")
    staff_page.get_by_label("Note").fill("Cash at the coffee morning")
    staff_page.get_by_role("button", name="Record it").click()

    expect(staff_page.get_by_text("A contribution of £7.50 is recorded.")).to_be_visible()
    expect(staff_page.get_by_role("cell", name="Cash at the coffee morning")).to_be_visible()
    assert_accessible(staff_page)
    grace = Membership.objects.get(person__first_name="Grace")
    assert grace.status == Membership.Status.ACTIVE
    assert Contribution.objects.get().membership == grace


def test_the_growth_page_draws_its_chart_with_the_table_behind_it(staff_page, membership):
    staff_page.goto("/organise/members/growth/")

    expect(staff_page.get_by_role("heading", name="Membership growth")).to_be_visible()
    staff_page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('membership-chart'))"
    )
    drawn = staff_page.evaluate(
        "() => Chart.getChart(document.getElementById('membership-chart')).data.datasets"
        ".map(d => [d.label, d.data.reduce((a, b) => a + b, 0)])"
    )
    assert drawn == [["Joined", 3], ["Lapsed", 0], ["Left", 0]]
    expect(staff_page.get_by_role("table", name="By month")).to_be_visible()
    assert_accessible(staff_page)


def test_the_pages_fit_a_phone(staff_phone, membership):
    amina = Membership.objects.get(person__first_name="Amina")
    for path in (
        "/organise/members/",
        f"/organise/members/{amina.pk}/",
        "/organise/members/growth/",
        "/organise/members/kinds/",
        "/organise/members/new/",
    ):
        staff_phone.goto(path)
        assert_no_sideways_scrolling(staff_phone)
        assert_accessible(staff_phone)
