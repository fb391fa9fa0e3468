"""The terms of a membership (organise.services.membership): starting, joining again,
renewing early or late, leaving, changing kind, and the daily lapse after the grace period.
Each change is dated in a MembershipEvent with the member's place and kind, once."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from organise.models import Membership, MembershipEvent
from organise.services import membership as terms
from organise.services.membership import (
    GRACE_DAYS,
    add_months,
    membership_change_type,
    membership_leave,
    membership_renew,
    membership_start,
    memberships_lapse_due,
)
from tests.organise.factories import MembershipFactory, MembershipTypeFactory
from tests.people.factories import LocalityFactory, PersonFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
TODAY = datetime.date(2025, 3, 15)


def events(membership):
    return list(
        MembershipEvent.objects.filter(membership=membership)
        .order_by("id")
        .values_list("kind", "on")
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2025, 1, 15), 12, datetime.date(2026, 1, 15)),
        (datetime.date(2025, 1, 31), 1, datetime.date(2025, 2, 28)),
        (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2025, 11, 30), 3, datetime.date(2026, 2, 28)),
        (datetime.date(2025, 3, 1), -23, datetime.date(2023, 4, 1)),
        (datetime.date(2025, 1, 1), -1, datetime.date(2024, 12, 1)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


# Starting ----------------------------------------------------------------------------


def test_a_person_becomes_an_active_member_for_a_term_of_their_kind():
    place = LocalityFactory()
    person = PersonFactory(locality=place)
    household = MembershipTypeFactory(term_months=6)

    membership, kind = membership_start(person=person, type=household, today=TODAY)

    assert kind == MembershipEvent.Kind.JOINED
    assert membership.status == Membership.Status.ACTIVE
    assert (membership.joined_on, membership.term_started_on) == (TODAY, TODAY)
    assert membership.renews_on == datetime.date(2025, 9, 15)
    event = MembershipEvent.objects.get(membership=membership)
    assert (event.kind, event.on, event.locality, event.type) == ("joined", TODAY, place, household)


def test_joining_twice_changes_nothing():
    person = PersonFactory()
    membership, _ = membership_start(person=person, type=MembershipTypeFactory(), today=TODAY)

    again, kind = membership_start(
        person=person, type=MembershipTypeFactory(), today=TODAY + 40 * DAY
    )

    assert kind is None
    assert again.pk == membership.pk
    assert (again.type_id, again.renews_on) == (membership.type_id, membership.renews_on)
    assert len(events(membership)) == 1


def test_a_lapsed_member_rejoins_with_a_fresh_term_and_keeps_their_first_joining_date():
    membership = MembershipFactory(
        status=Membership.Status.LAPSED,
        joined_on=datetime.date(2022, 1, 1),
        term_started_on=datetime.date(2023, 1, 1),
        renews_on=datetime.date(2024, 1, 1),
        ended_on=datetime.date(2024, 2, 1),
    )
    other_kind = MembershipTypeFactory(term_months=12)

    again, kind = membership_start(person=membership.person, type=other_kind, today=TODAY)

    assert kind == MembershipEvent.Kind.REJOINED
    assert again.pk == membership.pk
    assert again.status == Membership.Status.ACTIVE
    assert again.joined_on == datetime.date(2022, 1, 1)
    assert (again.term_started_on, again.renews_on, again.ended_on) == (
        TODAY,
        datetime.date(2026, 3, 15),
        None,
    )
    assert again.type == other_kind
    assert events(membership) == [("rejoined", TODAY)]


def test_a_member_who_left_rejoins():
    membership = MembershipFactory(status=Membership.Status.LEFT, ended_on=TODAY - 100 * DAY)

    _, kind = membership_start(person=membership.person, type=membership.type, today=TODAY)

    assert kind == MembershipEvent.Kind.REJOINED


def test_a_pending_membership_starts_as_joined():
    membership = MembershipFactory(status=Membership.Status.PENDING)

    again, kind = membership_start(person=membership.person, type=membership.type, today=TODAY)

    assert kind == MembershipEvent.Kind.JOINED
    assert again.status == Membership.Status.ACTIVE
    assert events(membership) == [("joined", TODAY)]


def test_a_pending_membership_is_first_joined_on_the_day_it_starts():
    membership = MembershipFactory(
        status=Membership.Status.PENDING,
        joined_on=TODAY - 5 * DAY,
        term_started_on=TODAY - 5 * DAY,
        renews_on=TODAY + 360 * DAY,
    )

    again, _ = membership_start(person=membership.person, type=membership.type, today=TODAY)

    assert again.joined_on == TODAY


def test_a_first_join_committed_meanwhile_by_another_request_stands(monkeypatch):
    person, kind = PersonFactory(), MembershipTypeFactory(term_months=6)
    add_months = terms.add_months

    def other_request_commits_first(day, months):
        # Between the look for a membership and the insert, another join of the same person
        # commits (a database without row locks lets both look at once).
        if not Membership.objects.filter(person=person).exists():
            MembershipFactory(person=person, type=kind, joined_on=TODAY - DAY)
        return add_months(day, months)

    monkeypatch.setattr(terms, "add_months", other_request_commits_first)
    membership, kind_written = membership_start(person=person, type=kind, today=TODAY)

    assert kind_written is None
    assert membership == Membership.objects.get(person=person)
    assert membership.joined_on == TODAY - DAY
    assert not MembershipEvent.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_two_first_joins_at_once_make_one_member(monkeypatch):
    person, kind = PersonFactory(), MembershipTypeFactory()
    add_months = terms.add_months

    def slowly(day, months):  # widens the moment between looking and inserting
        time.sleep(0.3)
        return add_months(day, months)

    monkeypatch.setattr(terms, "add_months", slowly)
    barrier = threading.Barrier(2)
    written, errors = [], []

    def join():
        try:
            barrier.wait(timeout=10)
            written.append(membership_start(person=person, type=kind, today=TODAY)[1])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=join) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(written, key=str) == [None, MembershipEvent.Kind.JOINED]
    assert Membership.objects.filter(person=person).count() == 1
    assert MembershipEvent.objects.count() == 1


def test_starting_needs_a_kind_of_membership():
    person = PersonFactory()

    with pytest.raises(ValidationError):
        membership_start(person=person, type=None, today=TODAY)

    assert not Membership.objects.filter(person=person).exists()


# Renewing ----------------------------------------------------------------------------


def test_renewing_early_adds_a_term_from_the_renewal_date_so_no_day_is_lost():
    membership = MembershipFactory(
        term_started_on=datetime.date(2024, 4, 1), renews_on=datetime.date(2025, 4, 1)
    )

    renewed = membership_renew(membership=membership, today=TODAY)

    assert renewed.term_started_on == datetime.date(2025, 4, 1)
    assert renewed.renews_on == datetime.date(2026, 4, 1)
    assert events(membership) == [("renewed", TODAY)]


def test_renewing_within_the_grace_period_counts_from_the_renewal_date():
    membership = MembershipFactory(
        term_started_on=datetime.date(2024, 3, 1), renews_on=datetime.date(2025, 3, 1)
    )

    renewed = membership_renew(membership=membership, today=TODAY)

    assert (renewed.status, renewed.renews_on) == ("active", datetime.date(2026, 3, 1))


def test_renewing_a_lapsed_membership_starts_a_term_today_and_counts_as_rejoining():
    membership = MembershipFactory(
        status=Membership.Status.LAPSED,
        term_started_on=datetime.date(2023, 10, 1),
        renews_on=datetime.date(2024, 10, 1),
        ended_on=datetime.date(2024, 11, 1),
    )

    renewed = membership_renew(membership=membership, today=TODAY)

    assert renewed.status == Membership.Status.ACTIVE
    assert (renewed.term_started_on, renewed.renews_on, renewed.ended_on) == (
        TODAY,
        datetime.date(2026, 3, 15),
        None,
    )
    assert events(membership) == [("rejoined", TODAY)]


def test_a_membership_is_not_renewed_more_than_three_months_ahead():
    membership = MembershipFactory(
        term_started_on=datetime.date(2025, 1, 1), renews_on=datetime.date(2026, 1, 1)
    )

    with pytest.raises(ValidationError, match="not due for renewal"):
        membership_renew(membership=membership, today=TODAY)

    membership.refresh_from_db()
    assert membership.renews_on == datetime.date(2026, 1, 1)
    assert events(membership) == []


@pytest.mark.parametrize("term_months", [1, 3])
def test_a_renewal_is_not_made_twice_for_the_date_one_page_showed(term_months):
    membership = MembershipFactory(
        type=MembershipTypeFactory(term_months=term_months),
        term_started_on=TODAY - 20 * DAY,
        renews_on=TODAY + 10 * DAY,
    )
    shown = membership.renews_on

    renewed = membership_renew(membership=membership, today=TODAY, expected_renews_on=shown)
    with pytest.raises(ValidationError, match="already renewed until") as refused:
        membership_renew(membership=membership, today=TODAY, expected_renews_on=shown)

    assert renewed.renews_on == add_months(shown, term_months)
    assert renewed.renews_on.strftime("%-d %B %Y") in refused.value.messages[0]
    membership.refresh_from_db()
    assert membership.renews_on == renewed.renews_on
    assert events(membership) == [("renewed", TODAY)]


def test_a_lapsed_membership_renewed_meanwhile_is_not_renewed_again():
    membership = MembershipFactory(
        status=Membership.Status.LAPSED,
        term_started_on=datetime.date(2023, 10, 1),
        renews_on=datetime.date(2024, 10, 1),
        ended_on=datetime.date(2024, 11, 1),
    )
    shown = membership.renews_on
    membership_renew(membership=membership, today=TODAY, expected_renews_on=shown)

    with pytest.raises(ValidationError, match="already renewed until 15 March 2026"):
        membership_renew(membership=membership, today=TODAY, expected_renews_on=shown)

    assert events(membership) == [("rejoined", TODAY)]


@pytest.mark.parametrize(
    ("status", "message"),
    [(Membership.Status.LEFT, "join again"), (Membership.Status.PENDING, "not started")],
)
def test_a_membership_that_left_or_has_not_started_is_not_renewed(status, message):
    membership = MembershipFactory(status=status)

    with pytest.raises(ValidationError, match=message):
        membership_renew(membership=membership, today=TODAY)

    assert events(membership) == []


# Leaving and changing kind -----------------------------------------------------------


def test_a_member_leaves_once():
    membership = MembershipFactory()

    membership_leave(membership=membership, today=TODAY)
    membership_leave(membership=membership, today=TODAY + DAY)

    membership.refresh_from_db()
    assert (membership.status, membership.ended_on) == ("left", TODAY)
    assert events(membership) == [("left", TODAY)]


def test_a_member_moves_to_another_kind_that_is_offered():
    membership = MembershipFactory()
    household = MembershipTypeFactory()

    membership_change_type(membership=membership, type=household)

    membership.refresh_from_db()
    assert membership.type == household


def test_a_member_cannot_move_to_a_kind_no_longer_offered():
    membership = MembershipFactory()
    closed = MembershipTypeFactory(open_to_join=False)

    with pytest.raises(ValidationError, match="no longer offered"):
        membership_change_type(membership=membership, type=closed)

    membership.refresh_from_db()
    assert membership.type != closed


# Lapsing -----------------------------------------------------------------------------


def test_a_membership_lapses_once_the_grace_period_is_over_and_only_once():
    renews_on = TODAY - (GRACE_DAYS + 1) * DAY
    due = MembershipFactory(term_started_on=renews_on - 365 * DAY, renews_on=renews_on)
    in_grace = MembershipFactory(
        term_started_on=TODAY - 400 * DAY, renews_on=TODAY - GRACE_DAYS * DAY
    )
    left = MembershipFactory(
        status=Membership.Status.LEFT, term_started_on=renews_on - 365 * DAY, renews_on=renews_on
    )

    first = memberships_lapse_due(today=TODAY)
    second = memberships_lapse_due(today=TODAY)
    tomorrow = memberships_lapse_due(today=TODAY + DAY)

    assert first == [due.pk]
    assert second == []
    assert tomorrow == [in_grace.pk]
    due.refresh_from_db()
    assert (due.status, due.ended_on) == ("lapsed", TODAY)
    assert events(due) == [("lapsed", TODAY)]
    left.refresh_from_db()
    assert left.status == "left"
    assert events(left) == []
