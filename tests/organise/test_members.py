"""Staff manage the membership: the kinds of membership offered, the members list (filters,
counts by status, applications waiting, a fixed number of queries at any size), a member's
page (history, contributions, renewal, leaving, a change of kind) and adding a person the
hub knows as a member. No one but staff reaches any of it, and bad input saves nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hubsite.people.models import Person, Role
from organise.models import Contribution, Membership, MembershipEvent, MembershipType
from organise.services import members as services
from organise.services.membership import add_months
from tests.conftest import make_user
from tests.organise.factories import MembershipFactory, MembershipTypeFactory
from tests.organise.factories_members import (
    ContributionFactory,
    JoinApplicationFactory,
    MembershipEventFactory,
)
from tests.people.factories import LocalityFactory, PersonFactory, TagFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
LIST = reverse("organise:member_list")
ADD = reverse("organise:member_add")
KINDS = reverse("organise:type_list")
NEW_KIND = reverse("organise:type_create")


def url(name, *args):
    return reverse(f"organise:{name}", args=args)


def listed(response):
    return [membership.person.full_name for membership in response.context["page"].object_list]


def counts(response):
    return {status: n for status, _, n in response.context["status_counts"]}


def kind_data(**fields):
    return {
        "name": "Household",
        "description": "Everyone living at one address.",
        "suggested_contribution": "12.00",
        "term_months": "12",
        "open_to_join": "on",
        "order": "1",
        **fields,
    }


def member(first_name, **fields):
    person_fields = {key: fields.pop(key) for key in ("locality", "tags", "email") if key in fields}
    person = PersonFactory(first_name=first_name, last_name="Member", **person_fields)
    return MembershipFactory(person=person, **fields)


# Who may use it ----------------------------------------------------------------------


def every_url():
    membership = MembershipFactory()
    return [
        ("get", LIST),
        ("get", ADD),
        ("post", ADD),
        ("get", url("growth")),
        ("get", KINDS),
        ("get", NEW_KIND),
        ("post", NEW_KIND),
        ("get", url("type_edit", membership.type_id)),
        ("post", url("type_edit", membership.type_id)),
        ("get", url("member_detail", membership.pk)),
        ("post", url("member_contribution", membership.pk)),
        ("post", url("member_renew", membership.pk)),
        ("post", url("member_leave", membership.pk)),
        ("post", url("member_type", membership.pk)),
    ]


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VOLUNTEER, Role.ORGANISER])
def test_no_one_but_staff_reaches_the_membership_screens(role):
    client = Client()
    client.force_login(make_user(role))
    urls = every_url()

    for method, path in urls:
        assert getattr(client, method)(path).status_code == 403, (method, path)

    assert Membership.objects.get().status == Membership.Status.ACTIVE
    assert not Contribution.objects.exists()
    assert MembershipType.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for method, path in every_url():
        response = getattr(client, method)(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path


def test_an_unknown_member_or_kind_is_not_found(staff_client):
    assert staff_client.get(url("member_detail", 999999)).status_code == 404
    assert staff_client.post(url("member_renew", 999999)).status_code == 404
    assert staff_client.get(url("type_edit", 999999)).status_code == 404


# Kinds of membership -----------------------------------------------------------------


def test_staff_add_a_kind_of_membership(staff_client):
    response = staff_client.post(NEW_KIND, kind_data(name="  Household   member "))

    assert response.status_code == 302
    assert response.url == KINDS
    kind = MembershipType.objects.get()
    assert (kind.name, kind.slug) == ("Household member", "household-member")
    assert kind.suggested_contribution == Decimal("12.00")
    assert (kind.term_months, kind.open_to_join, kind.order) == (12, True, 1)
    page = staff_client.get(KINDS)
    assert "Household member" in page.text and "£12.00" in page.text


def test_a_kind_with_no_suggested_contribution_is_free(staff_client):
    staff_client.post(NEW_KIND, kind_data(name="Individual", suggested_contribution=""))
    staff_client.post(NEW_KIND, kind_data(name="Supporter", suggested_contribution="0"))

    assert list(MembershipType.objects.values_list("suggested_contribution", flat=True)) == [
        None,
        None,
    ]
    assert "Free" in staff_client.get(KINDS).text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "household"}, "name", "already a kind of membership with this name"),
        ({"name": "   "}, "name", "This field is required"),
        ({"term_months": "0"}, "term_months", "greater than or equal to 1"),
        ({"term_months": "121"}, "term_months", "less than or equal to 120"),
        ({"term_months": "twelve"}, "term_months", "Enter a whole number"),
        ({"suggested_contribution": "-5"}, "suggested_contribution", "greater than or equal"),
        ({"suggested_contribution": "1.234"}, "suggested_contribution", "2 decimal places"),
        ({"order": "-1"}, "order", "greater than or equal to 0"),
    ],
)
def test_a_kind_with_bad_details_is_refused_and_nothing_saved(staff_client, fields, field, message):
    MembershipTypeFactory(name="Household", slug="household")

    response = staff_client.post(NEW_KIND, kind_data(**{"name": "Solidarity", **fields}))

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert list(MembershipType.objects.values_list("name", flat=True)) == ["Household"]


def test_the_service_rechecks_what_the_form_checks():
    MembershipTypeFactory(name="Household", slug="household")

    for fields in (
        {"name": "HOUSEHOLD"},
        {"name": "Other", "term_months": 0},
        {"name": "Other", "term_months": 200},
        {"name": "Other", "suggested_contribution": Decimal("-1")},
        {"name": ""},
    ):
        with pytest.raises(ValidationError):
            services.membership_type_create(**fields)

    assert MembershipType.objects.count() == 1


def test_staff_edit_a_kind_and_its_slug_follows_the_name(staff_client):
    kind = MembershipTypeFactory(name="Individual", slug="individual")

    response = staff_client.post(
        url("type_edit", kind.pk),
        kind_data(name="Single adult", suggested_contribution="", open_to_join=""),
    )

    assert response.status_code == 302
    kind.refresh_from_db()
    assert (kind.name, kind.slug, kind.is_free, kind.open_to_join) == (
        "Single adult",
        "single-adult",
        True,
        False,
    )


def test_a_kind_keeps_its_own_name_in_another_case_but_not_anothers(staff_client):
    kind = MembershipTypeFactory(name="Individual", slug="individual")
    MembershipTypeFactory(name="Household", slug="household")

    assert (
        staff_client.post(url("type_edit", kind.pk), kind_data(name="INDIVIDUAL")).status_code
        == 302
    )
    refused = staff_client.post(url("type_edit", kind.pk), kind_data(name="household"))

    assert refused.status_code == 400
    assert "already a kind" in refused.text
    kind.refresh_from_db()
    assert kind.name == "INDIVIDUAL"


def test_the_edit_form_shows_the_kind_as_it_is(staff_client):
    kind = MembershipTypeFactory(
        name="Group member", slug="group-member", suggested_contribution=Decimal("25.00")
    )
    MembershipFactory(type=kind)

    response = staff_client.get(url("type_edit", kind.pk))

    assert response.status_code == 200
    assert response.context["form"]["name"].value() == "Group member"
    assert "1 member holds this kind" in response.text


def test_the_kinds_list_counts_the_active_members_of_each(staff_client):
    kind = MembershipTypeFactory(name="Individual", slug="individual")
    MembershipFactory.create_batch(2, type=kind)
    MembershipFactory(type=kind, status=Membership.Status.LEFT)

    response = staff_client.get(KINDS)

    row = next(row for row in response.context["page"].object_list if row.pk == kind.pk)
    assert (row.active_count, row.member_count) == (2, 3)
    assert f"?type={kind.pk}&amp;status=active" in response.text


# The members list --------------------------------------------------------------------


def test_the_list_shows_each_member_with_their_place_kind_status_and_dates(staff_client):
    place = LocalityFactory(name="Riverside")
    kind = MembershipTypeFactory(name="Household")
    member(
        "Amina",
        locality=place,
        type=kind,
        joined_on=datetime.date(2024, 5, 2),
        term_started_on=datetime.date(2024, 5, 2),
        renews_on=datetime.date(2025, 5, 2),
    )

    response = staff_client.get(LIST)

    assert response.status_code == 200
    assert listed(response) == ["Amina Member"]
    for text in ("Riverside", "Household", "Active", "2 May 2025", "2 May 2024"):
        assert text in response.text


def test_the_list_filters_by_status_kind_place_community_and_words(staff_client):
    riverside, hill = LocalityFactory(), LocalityFactory()
    carers = TagFactory(name="Young carers")
    household = MembershipTypeFactory()
    member("Amina", locality=riverside, tags=[carers], email="amina@example.test")
    member("Bo", locality=hill, type=household)
    member("Chen", locality=riverside, status=Membership.Status.LAPSED)
    member("Dee", status=Membership.Status.LEFT)

    def names(**params):
        return sorted(listed(staff_client.get(LIST, params)))

    assert names(status="lapsed") == ["Chen Member"]
    assert names(type=household.pk) == ["Bo Member"]
    assert names(locality=riverside.pk) == ["Amina Member", "Chen Member"]
    assert names(locality="null") == ["Dee Member"]
    assert names(tag=carers.pk) == ["Amina Member"]
    assert names(q="amina@example") == ["Amina Member"]
    assert names(q="chen member") == ["Chen Member"]


def test_the_list_finds_active_members_whose_renewal_is_due_within_some_days(staff_client):
    today = timezone.localdate()
    for name, days in (("Soon", 10), ("Later", 40), ("Overdue", -5)):
        member(name, term_started_on=today - 300 * DAY, renews_on=today + days * DAY)
    member(
        "Lapsed",
        status=Membership.Status.LAPSED,
        term_started_on=today - 300 * DAY,
        renews_on=today + 3 * DAY,
    )

    response = staff_client.get(LIST, {"renews_within": "14"})

    assert listed(response) == ["Overdue Member", "Soon Member"]  # soonest first


@pytest.mark.parametrize("bad", [{"renews_within": "-3"}, {"renews_within": "soon"}, {"type": "x"}])
def test_filters_not_understood_are_left_out_and_said_so(staff_client, bad):
    member("Amina")

    response = staff_client.get(LIST, bad)

    assert response.status_code == 200
    assert "Some filters were not understood" in response.text


def test_the_counts_by_status_follow_the_other_filters(staff_client):
    place = LocalityFactory()
    member("Amina", locality=place)
    member("Bo", locality=place, status=Membership.Status.LAPSED)
    member("Chen", status=Membership.Status.LAPSED)
    member("Dee", status=Membership.Status.LEFT)

    everyone = staff_client.get(LIST, {"status": "active"})
    here = staff_client.get(LIST, {"locality": place.pk, "status": "active"})

    assert counts(everyone) == {"pending": 0, "active": 1, "lapsed": 2, "left": 1}
    assert counts(here) == {"pending": 0, "active": 1, "lapsed": 1, "left": 0}
    assert listed(here) == ["Amina Member"]
    # The pages count what the counts by status counted.
    assert here.context["page"].paginator.count == 1
    assert staff_client.get(LIST, {"locality": place.pk}).context["page"].paginator.count == 2
    assert staff_client.get(LIST, {"status": "x"}).context["page"].paginator.count == 4


def test_the_list_counts_join_applications_waiting_for_their_email(staff_client):
    JoinApplicationFactory.create_batch(2)
    JoinApplicationFactory(confirmed_at=timezone.now())
    JoinApplicationFactory(created_at=timezone.now() - 31 * DAY)

    response = staff_client.get(LIST)

    assert response.context["applications_waiting"] == 2
    assert "2</strong> waiting to confirm their email" in response.text


def test_live_filtering_answers_htmx_with_the_results_only(staff_client):
    member("Amina")

    response = staff_client.get(LIST, {"q": "amina"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="results"' in response.text and "Amina Member" in response.text
    assert "HX-Request" in response["Vary"]


def add_members(n, *, kind, place, tag):
    """``n`` members in bulk, each with a place and a community, half of them active."""
    today = timezone.localdate()
    start = len(Person.objects.all())
    people = Person.objects.bulk_create(
        Person(first_name=f"Bulk{start + i}", last_name="Person", locality=place) for i in range(n)
    )
    Person.tags.through.objects.bulk_create(
        Person.tags.through(person_id=person.pk, tag_id=tag.pk) for person in people
    )
    Membership.objects.bulk_create(
        Membership(
            person=person,
            type=kind,
            status=Membership.Status.ACTIVE if i % 2 else Membership.Status.LAPSED,
            joined_on=today - 200 * DAY,
            term_started_on=today - 200 * DAY,
            renews_on=today + 165 * DAY,
        )
        for i, person in enumerate(people)
    )


def test_the_list_costs_the_same_queries_for_10_and_1000_members(staff_client):
    kind, place, tag = MembershipTypeFactory(), LocalityFactory(), TagFactory()
    JoinApplicationFactory()
    params = {"q": "bulk", "tag": tag.pk, "locality": place.pk, "renews_within": "365"}

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.get(LIST, params)
        assert response.status_code == 200
        return len(captured), response

    add_members(10, kind=kind, place=place, tag=tag)
    few, response = queries()
    assert response.context["page"].paginator.count == 5
    add_members(990, kind=kind, place=place, tag=tag)
    many, response = queries()
    assert response.context["page"].paginator.count == 500

    assert few == many


def test_the_unfiltered_list_costs_the_same_queries_for_10_and_1000_members(staff_client):
    kind, place, tag = MembershipTypeFactory(), LocalityFactory(), TagFactory()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(LIST).status_code == 200
        return len(captured)

    add_members(10, kind=kind, place=place, tag=tag)
    few = queries()
    add_members(990, kind=kind, place=place, tag=tag)

    assert queries() == few


# A member's page ---------------------------------------------------------------------


def test_a_members_page_shows_their_record_history_and_contributions(staff_client):
    staff = make_user(Role.STAFF, "kim@example.test", "Kim")
    membership = member("Amina")
    MembershipEventFactory(membership=membership, on=datetime.date(2024, 1, 5))
    MembershipEventFactory(
        membership=membership, kind=MembershipEvent.Kind.RENEWED, on=datetime.date(2025, 1, 5)
    )
    ContributionFactory(
        membership=membership, amount=Decimal("15.50"), note="Cash at the AGM", recorded_by=staff
    )

    response = staff_client.get(url("member_detail", membership.pk))

    assert response.status_code == 200
    assert reverse("people:person_detail", args=[membership.person.pk]) in response.text
    for text in ("Joined</strong> on 5 January 2024", "Renewed</strong> on 5 January 2025"):
        assert text in response.text
    assert "£15.50" in response.text and "Cash at the AGM" in response.text
    assert "Kim" in response.text


def test_the_members_page_costs_the_same_queries_whatever_its_history(staff_client):
    membership = member("Amina")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(url("member_detail", membership.pk)).status_code == 200
        return len(captured)

    MembershipEventFactory(membership=membership)
    ContributionFactory(membership=membership)
    few = queries()
    MembershipEventFactory.create_batch(20, membership=membership)
    ContributionFactory.create_batch(
        20, membership=membership, recorded_by=make_user("staff", "x@example.test")
    )

    assert queries() == few


def contribute(client, membership, **fields):
    data = {
        "contribution-amount": "12.50",
        "contribution-received_on": timezone.localdate().isoformat(),
        "contribution-note": "Standing order",
        **{f"contribution-{key}": value for key, value in fields.items()},
    }
    return client.post(url("member_contribution", membership.pk), data)


def test_staff_record_a_contribution(staff_client, staff_user):
    membership = member("Amina")

    response = contribute(staff_client, membership)

    assert response.status_code == 302
    assert response.url == url("member_detail", membership.pk)
    contribution = Contribution.objects.get()
    assert (contribution.amount, contribution.note, contribution.recorded_by) == (
        Decimal("12.50"),
        "Standing order",
        staff_user,
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"amount": "-5"}, "amount", "greater than or equal to 0.01"),
        ({"amount": "0"}, "amount", "greater than or equal to 0.01"),
        ({"amount": "lots"}, "amount", "Enter a number"),
        ({"amount": ""}, "amount", "required"),
        ({"amount": "1.005"}, "amount", "2 decimal places"),
        ({"received_on": "2999-01-01"}, "received_on", "cannot be in the future"),
        ({"received_on": "31/02/2025"}, "received_on", "Enter a valid date"),
        ({"note": "x" * 201}, "note", "at most 200 characters"),
    ],
)
def test_a_bad_contribution_is_refused_and_nothing_saved(staff_client, fields, field, message):
    membership = member("Amina")

    response = contribute(staff_client, membership, **fields)

    assert response.status_code == 400
    assert message in " ".join(response.context["contribution_form"].errors[field])
    assert not Contribution.objects.exists()


def test_the_contribution_service_rechecks_the_amount_and_the_date(staff_user):
    membership = member("Amina")
    today = timezone.localdate()

    for amount, received_on in (
        (Decimal("-1"), today),
        (Decimal("0"), today),
        (Decimal("5"), today + DAY),
        (None, today),
        (Decimal("5"), None),
    ):
        with pytest.raises(ValidationError):
            services.contribution_record(
                membership=membership,
                amount=amount,
                received_on=received_on,
                recorded_by=staff_user,
            )

    assert not Contribution.objects.exists()


def renew(client, membership, renews_on=None, **extra):
    """Press "Renew for another term", which sends the renewal date the page showed."""
    shown = (renews_on or membership.renews_on).isoformat()
    return client.post(url("member_renew", membership.pk), {"renews_on": shown}, **extra)


def test_staff_renew_a_membership_due_for_renewal(staff_client):
    today = timezone.localdate()
    membership = member("Amina", term_started_on=today - 300 * DAY, renews_on=today + 20 * DAY)
    page = staff_client.get(url("member_detail", membership.pk))
    assert f'name="renews_on" value="{membership.renews_on.isoformat()}"' in page.text

    response = renew(staff_client, membership, follow=True)

    membership.refresh_from_db()
    assert membership.term_started_on == today + 20 * DAY
    assert "renewed until" in response.text
    assert MembershipEvent.objects.filter(membership=membership, kind="renewed").count() == 1


def test_a_membership_not_due_is_not_renewed_and_staff_are_told_why(staff_client):
    today = timezone.localdate()
    membership = member("Amina", term_started_on=today, renews_on=today + 365 * DAY)

    response = renew(staff_client, membership, follow=True)

    assert "not due for renewal yet" in response.text
    membership.refresh_from_db()
    assert membership.renews_on == today + 365 * DAY
    assert not MembershipEvent.objects.exists()


def test_a_renewal_sent_twice_renews_once(staff_client):
    today = timezone.localdate()
    monthly = MembershipTypeFactory(term_months=1)
    membership = member(
        "Amina", type=monthly, term_started_on=today - 20 * DAY, renews_on=today + 10 * DAY
    )
    shown = membership.renews_on

    renew(staff_client, membership, shown)
    again = renew(staff_client, membership, shown, follow=True)

    membership.refresh_from_db()
    assert membership.renews_on == add_months(shown, 1)  # one more month, not two
    assert membership.term_started_on == shown
    assert MembershipEvent.objects.filter(kind="renewed").count() == 1
    assert f"already renewed until {membership.renews_on:%-d %B %Y}" in again.text


@pytest.mark.parametrize("data", [{}, {"renews_on": "x"}])
def test_a_renewal_without_the_date_shown_renews_nothing(staff_client, data):
    today = timezone.localdate()
    membership = member("Amina", term_started_on=today - 300 * DAY, renews_on=today + 20 * DAY)

    response = staff_client.post(url("member_renew", membership.pk), data, follow=True)

    assert "The renewal was not made" in response.text
    membership.refresh_from_db()
    assert membership.renews_on == today + 20 * DAY
    assert not MembershipEvent.objects.exists()


def test_staff_mark_a_member_as_left_once(staff_client):
    membership = member("Amina")

    staff_client.post(url("member_leave", membership.pk))
    again = staff_client.post(url("member_leave", membership.pk), follow=True)

    membership.refresh_from_db()
    assert (membership.status, membership.ended_on) == ("left", timezone.localdate())
    assert MembershipEvent.objects.filter(membership=membership, kind="left").count() == 1
    assert "had already left" in again.text
    assert renew(staff_client, membership, follow=True).status_code == 200
    membership.refresh_from_db()
    assert membership.status == "left"


def test_staff_change_a_members_kind_to_one_offered(staff_client):
    membership = member("Amina")
    household = MembershipTypeFactory(name="Household")

    response = staff_client.post(url("member_type", membership.pk), {"kind-type": household.pk})

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.type == household


@pytest.mark.parametrize("value", ["closed", "999999", "x", "", "9" * 30])
def test_a_kind_not_offered_or_unknown_is_refused(staff_client, value):
    membership = member("Amina")
    closed = MembershipTypeFactory(open_to_join=False)
    chosen = closed.pk if value == "closed" else value

    response = staff_client.post(url("member_type", membership.pk), {"kind-type": chosen})

    assert response.status_code == 400
    assert response.context["type_form"].errors
    membership.refresh_from_db()
    assert membership.type != closed


# Adding a member ---------------------------------------------------------------------


def test_staff_find_people_who_are_not_members_yet(staff_client):
    PersonFactory(first_name="Amina", last_name="Yusuf")
    member("Amina")  # an active member: not offered
    lapsed = member("Amina", status=Membership.Status.LAPSED)

    response = staff_client.get(ADD, {"q": "amina"})

    found = {person.full_name for person in response.context["people"]}
    assert found == {"Amina Yusuf", "Amina Member"}
    assert lapsed.person in response.context["people"]
    assert "(lapsed member)" in response.text


def test_the_search_answers_htmx_with_the_people_found_only(staff_client):
    PersonFactory(first_name="Amina", last_name="Yusuf")

    response = staff_client.get(ADD, {"q": "yus"}, headers={"HX-Request": "true"})

    assert "<html" not in response.text
    assert 'id="found"' in response.text and "Amina Yusuf" in response.text


def test_a_link_from_a_persons_record_comes_with_them_chosen(staff_client):
    person = PersonFactory(first_name="Amina", last_name="Yusuf")

    response = staff_client.get(ADD, {"person": person.pk})

    assert response.context["chosen"] == person
    assert f'value="{person.pk}" checked' in response.text
    assert staff_client.get(ADD, {"person": "abc"}).context["chosen"] is None


def test_staff_make_a_person_a_member(staff_client):
    place = LocalityFactory()
    person = PersonFactory(locality=place)
    kind = MembershipTypeFactory(term_months=12)

    response = staff_client.post(ADD, {"person": person.pk, "type": kind.pk})

    membership = Membership.objects.get(person=person)
    assert response.status_code == 302
    assert response.url == url("member_detail", membership.pk)
    assert (membership.status, membership.type) == ("active", kind)
    event = MembershipEvent.objects.get(membership=membership)
    assert (event.kind, event.locality) == ("joined", place)


def test_a_lapsed_person_made_a_member_again_rejoins(staff_client):
    membership = member("Amina", status=Membership.Status.LAPSED)

    staff_client.post(ADD, {"person": membership.person.pk, "type": membership.type_id})

    membership.refresh_from_db()
    assert membership.status == "active"
    assert MembershipEvent.objects.get(membership=membership).kind == "rejoined"


@pytest.mark.parametrize(
    "case",
    [
        "active member",
        "unknown person",
        "no person",
        "closed kind",
        "no kind",
        "person beyond any id",
        "kind beyond any id",
    ],
)
def test_a_member_cannot_be_added_twice_or_without_a_person_and_an_offered_kind(staff_client, case):
    active = member("Amina")
    person = PersonFactory()
    kind, closed = MembershipTypeFactory(), MembershipTypeFactory(open_to_join=False)
    data = {
        "active member": {"person": active.person.pk, "type": kind.pk},
        "unknown person": {"person": "999999", "type": kind.pk},
        "no person": {"type": kind.pk},
        "closed kind": {"person": person.pk, "type": closed.pk},
        "no kind": {"person": person.pk},
        "person beyond any id": {"person": "9" * 30, "type": kind.pk},
        "kind beyond any id": {"person": person.pk, "type": "9" * 30},
    }[case]

    response = staff_client.post(ADD, data)

    assert response.status_code == 400
    assert response.context["form"].errors
    assert Membership.objects.count() == 1
    assert not MembershipEvent.objects.exists()
    active.refresh_from_db()
    assert active.type != kind


def test_adding_a_person_made_a_member_meanwhile_says_so(staff_client, monkeypatch):
    from organise.services import membership as terms

    person, kind = PersonFactory(first_name="Amina"), MembershipTypeFactory()
    add_months = terms.add_months

    def joined_meanwhile(day, months):
        # Between the look for a membership and the insert, another request (the person
        # confirming their email, a second click) makes them a member and commits.
        if not Membership.objects.filter(person=person).exists():
            MembershipFactory(person=person, type=kind)
        return add_months(day, months)

    monkeypatch.setattr(terms, "add_months", joined_meanwhile)
    response = staff_client.post(ADD, {"person": person.pk, "type": kind.pk}, follow=True)

    assert response.status_code == 200
    assert "is already a member" in response.text
    assert Membership.objects.filter(person=person).count() == 1


@pytest.mark.parametrize("field", ["locality", "tag", "type"])
def test_growth_filters_beyond_any_id_are_refused_not_a_crash(staff_client, field):
    response = staff_client.get(url("growth"), {field: "9" * 30})

    assert response.status_code == 200
    assert response.context["form"].errors[field]
