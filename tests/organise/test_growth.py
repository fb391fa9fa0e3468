"""The growth page: memberships joined (and rejoined), renewed, lapsed and left per month
over the last 24 months, counted from the dated membership events, filtered by place (the
place kept on the event), community of interest and kind; the members now by status, by
locality and by community of interest; a chart with the same figures in a table; the same
queries at any size."""

import datetime
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hubsite.people.models import Person, Role
from organise.models import Membership, MembershipEvent
from organise.selectors.members import growth
from organise.services.membership import add_months
from tests.conftest import make_user
from tests.organise.factories import MembershipFactory, MembershipTypeFactory
from tests.organise.factories_members import MembershipEventFactory
from tests.people.factories import LocalityFactory, PersonFactory, TagFactory

pytestmark = pytest.mark.django_db

GROWTH = reverse("organise:growth")
Kind = MembershipEvent.Kind


def month_start(months_ago):
    return add_months(timezone.localdate().replace(day=1), -months_ago)


def on(months_ago, day=10):
    """A day ``months_ago`` months back (never after today)."""
    return min(month_start(months_ago).replace(day=day), timezone.localdate())


def member_of(place=None, tags=(), kind=None, **fields):
    person = PersonFactory(locality=place, tags=list(tags))
    return MembershipFactory(person=person, **({"type": kind} if kind else {}), **fields)


def event(membership, kind, months_ago, **fields):
    return MembershipEventFactory(membership=membership, kind=kind, on=on(months_ago), **fields)


def row(figures, months_ago):
    month = next(m for m in figures.months if m.month == month_start(months_ago))
    return (month.joined, month.renewed, month.lapsed, month.left)


def test_only_staff_see_the_growth_page(client):
    assert client.get(GROWTH).status_code == 302
    for role in (Role.MEMBER, Role.VOLUNTEER, Role.ORGANISER):
        other = Client()
        other.force_login(make_user(role))
        assert other.get(GROWTH).status_code == 403


def test_the_figures_count_each_kind_of_change_in_its_month_over_24_months():
    membership = member_of()
    event(membership, Kind.JOINED, 23)
    event(membership, Kind.RENEWED, 11)
    event(membership, Kind.LAPSED, 5)
    event(membership, Kind.REJOINED, 2)
    event(member_of(), Kind.JOINED, 2)
    event(member_of(), Kind.LEFT, 0)
    event(member_of(), Kind.JOINED, 24)  # before the window
    MembershipEventFactory(kind=Kind.JOINED, on=timezone.localdate() + datetime.timedelta(1))

    figures = growth()

    assert len(figures.months) == 24
    assert figures.months[0].month == month_start(23)
    assert figures.months[-1].month == month_start(0)
    assert row(figures, 23) == (1, 0, 0, 0)
    assert row(figures, 11) == (0, 1, 0, 0)
    assert row(figures, 5) == (0, 0, 1, 0)
    assert row(figures, 2) == (2, 0, 0, 0)  # joined and rejoined count together
    assert row(figures, 0) == (0, 0, 0, 1)
    totals = figures.totals
    assert (totals.joined, totals.renewed, totals.lapsed, totals.left, totals.net) == (
        3,
        1,
        1,
        1,
        1,
    )


def test_the_place_is_where_the_member_lived_when_it_happened():
    riverside, hill = LocalityFactory(name="Riverside"), LocalityFactory(name="Hill")
    moved = member_of(place=hill)
    event(moved, Kind.JOINED, 6, locality=riverside)  # they lived in Riverside then
    event(moved, Kind.LEFT, 1, locality=hill)
    event(member_of(place=hill), Kind.JOINED, 6)
    # A member erased since: the event keeps its place and still counts.
    MembershipEventFactory(membership=None, kind=Kind.JOINED, on=on(6), locality=riverside)

    by_riverside = growth(locality=riverside)
    by_hill = growth(locality=hill)

    assert row(by_riverside, 6) == (2, 0, 0, 0)
    assert row(by_riverside, 1) == (0, 0, 0, 0)
    assert row(by_hill, 6) == (1, 0, 0, 0)
    assert row(by_hill, 1) == (0, 0, 0, 1)


def test_the_figures_filter_by_community_of_interest_and_kind():
    carers, cyclists = TagFactory(), TagFactory()
    household = MembershipTypeFactory()
    event(member_of(tags=[carers, cyclists]), Kind.JOINED, 3)
    event(member_of(tags=[carers]), Kind.LAPSED, 3)
    event(member_of(kind=household), Kind.JOINED, 3)
    MembershipEventFactory(membership=None, kind=Kind.JOINED, on=on(3))

    assert row(growth(tag=carers), 3) == (1, 0, 1, 0)  # each event once, whatever the tags
    assert row(growth(tag=cyclists), 3) == (1, 0, 0, 0)
    assert row(growth(type=household), 3) == (1, 0, 0, 0)
    assert row(growth(), 3) == (3, 0, 1, 0)


def test_the_members_now_by_status_and_by_locality_follow_the_filters():
    riverside, hill = LocalityFactory(name="Riverside"), LocalityFactory(name="Hill")
    carers = TagFactory()
    member_of(place=riverside, tags=[carers])
    member_of(place=riverside)
    member_of(place=riverside, status=Membership.Status.LAPSED)
    member_of(place=hill, tags=[carers], status=Membership.Status.LEFT)
    member_of()

    figures = growth()
    carers_only = growth(tag=carers)

    assert {status: n for status, _, n in figures.statuses} == {
        "pending": 0,
        "active": 3,
        "lapsed": 1,
        "left": 1,
    }
    # Most active members first, the place not recorded last.
    assert figures.localities == [
        ("Riverside", [0, 2, 1, 0], 3),
        ("Hill", [0, 0, 0, 1], 1),
        (None, [0, 1, 0, 0], 1),
    ]
    assert carers_only.localities == [("Riverside", [0, 1, 0, 0], 1), ("Hill", [0, 0, 0, 1], 1)]
    assert growth(locality=hill).localities == [("Hill", [0, 0, 0, 1], 1)]


def test_the_page_draws_the_chart_from_the_same_figures_as_its_table(staff_client):
    event(member_of(), Kind.JOINED, 1)
    event(member_of(), Kind.LAPSED, 1)

    response = staff_client.get(GROWTH)

    assert response.status_code == 200
    chart = response.context["chart"]
    assert [dataset["label"] for dataset in chart["datasets"]] == ["Joined", "Lapsed", "Left"]
    assert chart["labels"][-2] == month_start(1).strftime("%b %Y")
    assert chart["datasets"][0]["data"][-2] == 1 and chart["datasets"][1]["data"][-2] == 1
    text = response.text
    start = text.index('id="membership-chart-data"')
    payload = text[text.index(">", start) + 1 : text.index("</script>", start)]
    assert json.loads(payload) == chart
    assert "<table" in text and "By month" in text
    assert 'src="/static/js/membership-chart.js"' in text
    assert "<script>" not in text.replace('<script src="', "")  # no inline script


def test_the_page_filters_and_tells_of_filters_not_understood(staff_client):
    place = LocalityFactory()
    event(member_of(place=place), Kind.JOINED, 0)
    event(member_of(), Kind.JOINED, 0)

    filtered = staff_client.get(GROWTH, {"locality": place.pk})
    confused = staff_client.get(GROWTH, {"locality": "nowhere", "tag": "999999"})

    assert filtered.context["growth"].totals.joined == 1
    assert confused.status_code == 200
    assert "Some filters were not understood" in confused.text
    assert confused.context["growth"].totals.joined == 2


def add_history(n, *, place, tag, kind):
    """``n`` members in bulk, each with a joining and a lapse or a departure, over the months."""
    start = Person.objects.count()
    people = Person.objects.bulk_create(
        Person(first_name=f"Bulk{start + i}", locality=place) for i in range(n)
    )
    Person.tags.through.objects.bulk_create(
        Person.tags.through(person_id=person.pk, tag_id=tag.pk) for person in people
    )
    today = timezone.localdate()
    memberships = Membership.objects.bulk_create(
        Membership(
            person=person,
            type=kind,
            status=Membership.Status.ACTIVE if i % 3 else Membership.Status.LAPSED,
            term_started_on=today,
            renews_on=today + datetime.timedelta(days=365),
        )
        for i, person in enumerate(people)
    )
    MembershipEvent.objects.bulk_create(
        MembershipEvent(
            membership=membership,
            kind=(Kind.JOINED, Kind.LAPSED, Kind.LEFT, Kind.RENEWED)[i % 4],
            on=on(i % 24),
            locality=place,
            type=kind,
        )
        for i, membership in enumerate(memberships)
    )


@pytest.mark.parametrize("filtered", [False, True])
def test_the_page_costs_the_same_queries_for_10_and_1000_members(staff_client, filtered):
    place, tag, kind = LocalityFactory(), TagFactory(), MembershipTypeFactory()
    params = {"locality": place.pk, "tag": tag.pk, "type": kind.pk} if filtered else {}

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.get(GROWTH, params)
        assert response.status_code == 200
        return len(captured), response

    add_history(10, place=place, tag=tag, kind=kind)
    few, response = queries()
    assert response.context["growth"].totals.joined == 3
    add_history(990, place=place, tag=tag, kind=kind)
    many, response = queries()
    assert response.context["growth"].totals.joined == 3 + 248

    assert few == many


def test_a_counting_is_kept_for_a_minute_and_the_page_says_when_it_was_made(
    staff_client, settings, django_assert_num_queries
):
    settings.DASHBOARD_FIGURES_SECONDS = 60
    event(member_of(), Kind.JOINED, 1)
    # The session and the user; the filters' choices (places, communities, kinds); the
    # months, the places and the communities.
    with django_assert_num_queries(8):
        first = staff_client.get(GROWTH)
    event(member_of(), Kind.JOINED, 1)
    with django_assert_num_queries(5):  # the counting kept: only the filters' choices
        kept = staff_client.get(GROWTH)

    assert kept.context["growth"].totals.joined == first.context["growth"].totals.joined == 1
    assert "Counted at" in kept.text
    place = LocalityFactory()
    assert staff_client.get(GROWTH, {"locality": place.pk}).context["growth"].totals.joined == 0


def test_the_members_now_by_community_of_interest_count_each_community_a_member_is_in():
    carers, cyclists, unused = (
        TagFactory(name="Carers"),
        TagFactory(name="Cyclists"),
        TagFactory(name="Unused"),
    )
    hill = LocalityFactory(name="Hill")
    member_of(tags=[carers, cyclists])
    member_of(tags=[carers], place=hill)
    member_of(tags=[cyclists], status=Membership.Status.LAPSED)
    member_of(tags=[cyclists], status=Membership.Status.LEFT, place=hill)
    member_of()  # in no community

    def rows(figures):
        return [(c.name, c.counts, c.total) for c in figures.communities]

    # Most active members first.
    assert rows(growth()) == [
        ("Carers", [0, 2, 0, 0], 2),
        ("Cyclists", [0, 1, 1, 1], 3),
    ]
    assert unused.name not in [c.name for c in growth().communities]
    assert rows(growth(tag=cyclists)) == [("Cyclists", [0, 1, 1, 1], 3)]
    assert rows(growth(locality=hill)) == [
        ("Carers", [0, 1, 0, 0], 1),
        ("Cyclists", [0, 0, 0, 1], 1),
    ]


def test_each_community_links_to_the_growth_chart_of_that_community(staff_client):
    carers = TagFactory(name="Carers")
    event(member_of(tags=[carers]), Kind.JOINED, 1)
    event(member_of(), Kind.JOINED, 1)

    page = staff_client.get(GROWTH)

    assert "Members now by community of interest" in page.text
    link = f"{GROWTH}?tag={carers.pk}"
    assert f'<a href="{link}">Carers</a>' in page.text
    filtered = staff_client.get(link)
    assert filtered.context["growth"].totals.joined == 1
    assert [c.name for c in filtered.context["growth"].communities] == ["Carers"]
