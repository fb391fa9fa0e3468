"""Organise's retention period: a membership that lapsed or ended 36 months ago goes, with
its contributions, join applications and emails; the dated changes that the growth figures
count stay, without the person; the person's record stays."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Person
from hubsite.privacy.services import months_before
from organise.models import Contribution, JoinApplication, Membership, MembershipEvent
from organise.selectors.members import growth
from organise.services.membership import add_months
from organise.services.retention import former_members_retain
from tests.organise.factories import MembershipFactory
from tests.organise.factories_members import (
    ContributionFactory,
    JoinApplicationFactory,
    MembershipEventFactory,
)
from tests.people.factories import LocalityFactory, PersonFactory

pytestmark = pytest.mark.django_db

Kind = MembershipEvent.Kind
Status = Membership.Status


def cutoff():
    return months_before(timezone.now(), 36)


def months_ago(months):
    return add_months(timezone.localdate(), -months)


def former_member(ended_months_ago, status=Status.LAPSED, place=None):
    joined = months_ago(ended_months_ago + 12)
    membership = MembershipFactory(
        person=PersonFactory(locality=place),
        status=status,
        joined_on=joined,
        term_started_on=joined,
        renews_on=months_ago(ended_months_ago),
        ended_on=months_ago(ended_months_ago),
    )
    MembershipEventFactory(membership=membership, kind=Kind.JOINED, on=joined)
    MembershipEventFactory(
        membership=membership,
        kind=Kind.LAPSED if status == Status.LAPSED else Kind.LEFT,
        on=membership.ended_on,
    )
    ContributionFactory(membership=membership, received_on=joined, note="Cash at the AGM")
    application = JoinApplicationFactory(
        membership=membership, email=membership.person.email, confirmed_at=timezone.now()
    )
    for key in (
        f"organise:renewal:{membership.pk}:{membership.renews_on}",
        f"organise:lapsed:{membership.pk}:{membership.ended_on}",
        f"organise:join:{application.pk}:welcome",
    ):
        OutboxMessage.objects.create(
            key=key,
            person=membership.person,
            to_email=membership.person.email,
            subject="Your membership",
            body_text=f"Dear {membership.person.first_name}",
            category="contact",
            status=OutboxMessage.Status.SENT,
        )
    return membership


def test_a_membership_ended_long_ago_goes_and_its_events_stay_anonymous():
    membership = former_member(40)
    left = former_member(37, status=Status.LEFT)
    person = membership.person
    events = list(MembershipEvent.objects.values_list("pk", flat=True))

    assert former_members_retain(cutoff()) == 2

    assert not Membership.objects.exists()
    assert not Contribution.objects.exists()
    assert not JoinApplication.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert set(MembershipEvent.objects.values_list("pk", flat=True)) == set(events)
    assert not MembershipEvent.objects.filter(membership__isnull=False).exists()
    assert Person.objects.filter(pk__in=[person.pk, left.person.pk]).count() == 2


def test_recent_former_members_and_members_stay():
    recent = former_member(20)
    active = MembershipFactory()
    unknown_end = MembershipFactory(status=Status.LAPSED, ended_on=None)

    assert former_members_retain(cutoff()) == 0

    assert Membership.objects.filter(pk__in=[recent.pk, active.pk, unknown_end.pk]).count() == 3
    assert Contribution.objects.filter(membership=recent).exists()
    assert OutboxMessage.objects.count() == 3


def test_a_second_run_changes_nothing():
    former_member(40)

    assert former_members_retain(cutoff()) == 1
    assert former_members_retain(cutoff()) == 0


def test_the_growth_figures_stay_the_same():
    place = LocalityFactory()
    for ended in (40, 42, 45):
        former_member(ended, place=place)
    then = months_ago(38)
    before = growth(today=then), growth(today=then, locality=place)

    assert former_members_retain(cutoff()) == 3

    after = growth(today=then), growth(today=then, locality=place)
    for old, new in zip(before, after, strict=True):
        assert (old.months, old.totals) == (new.months, new.totals)
    assert before[0].totals.joined == 3 and before[0].totals.lapsed == 3


def queries_to_retain(count):
    for _ in range(count):
        former_member(40)
    with CaptureQueriesContext(connection) as queries:
        assert former_members_retain(cutoff()) == count
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_rows():
    assert queries_to_retain(50) == queries_to_retain(3)
