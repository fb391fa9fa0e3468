"""Organise's retention period: a membership that lapsed or ended 36 months ago goes, with
its contributions, join applications and emails; the dated changes that the growth figures
count stay, without the person; the person's record stays."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Person
from hubsite.privacy.services import months_before
from organise.models import (
    CallToAction,
    Contribution,
    Delivery,
    GroupProposal,
    JoinApplication,
    Membership,
    MembershipEvent,
)
from organise.selectors.calls import call_totals
from organise.selectors.members import growth
from organise.services.membership import add_months
from organise.services.retention import (
    call_answers_retain,
    declined_proposals_retain,
    former_members_retain,
)
from tests.organise.factories import CallToActionFactory, MembershipFactory
from tests.organise.factories_members import (
    ContributionFactory,
    JoinApplicationFactory,
    MembershipEventFactory,
)
from tests.people.factories import GroupFactory, LocalityFactory, PersonFactory

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


def days_ago(days):
    return timezone.now() - timedelta(days=days)


# Answers to calls to action ------------------------------------------------------------------


def calls_cutoff():
    return months_before(timezone.now(), 24)


def call_sent(days=800, answers=(Delivery.Response.YES, Delivery.Response.NO, "")):
    """A call sent ``days`` ago to one person per answer, each with their sent email."""
    call = CallToActionFactory(
        status=CallToAction.Status.SENT, started_at=days_ago(days), sent_at=days_ago(days)
    )
    for answer in answers:
        person = PersonFactory()
        message = OutboxMessage.objects.create(
            key=f"organise:call:{call.pk}:{person.pk}",
            person=person,
            to_email=person.email,
            subject=call.subject,
            body_text=call.body,
            category="contact",
            status=OutboxMessage.Status.SENT,
            sent_at=days_ago(days),
        )
        Delivery.objects.create(
            call=call,
            person=person,
            message=message,
            response=answer,
            responded_at=days_ago(days) if answer else None,
            created_at=days_ago(days),
        )
    return call


def test_calls_sent_long_ago_lose_who_they_went_to_and_keep_their_counts():
    old = call_sent()
    stopped = call_sent(answers=[Delivery.Response.YES])
    CallToAction.objects.filter(pk=stopped.pk).update(
        status=CallToAction.Status.CANCELLED, sent_at=None
    )
    before = call_totals(old), call_totals(stopped)

    assert call_answers_retain(calls_cutoff()) == 4

    assert not Delivery.objects.filter(person__isnull=False).exists()
    assert Delivery.objects.count() == 4
    assert (call_totals(old), call_totals(stopped)) == before
    assert call_totals(old)["yes"] == 1 and call_totals(old)["sent"] == 3
    assert Person.objects.count() == 4  # the people's records are not Organise's to remove


def test_calls_sent_lately_keep_who_they_went_to():
    call_sent(days=100)

    assert call_answers_retain(calls_cutoff()) == 0

    assert not Delivery.objects.filter(person__isnull=True).exists()


def test_a_second_run_changes_no_more_answers():
    call_sent()

    assert call_answers_retain(calls_cutoff()) == 3
    assert call_answers_retain(calls_cutoff()) == 0


def queries_to_retain_answers(count):
    call_sent(answers=[Delivery.Response.YES] * count)
    with CaptureQueriesContext(connection) as queries:
        assert call_answers_retain(calls_cutoff()) == count
    return len(queries)


def test_the_number_of_queries_for_answers_does_not_grow_with_the_rows():
    assert queries_to_retain_answers(30) == queries_to_retain_answers(3)


# Group proposals declined --------------------------------------------------------------------


def proposals_cutoff():
    return months_before(timezone.now(), 12)


def proposed(days=400, status=GroupProposal.Status.DECLINED, **fields):
    person = PersonFactory()
    proposal = GroupProposal.objects.create(
        name=f"Allotment group {GroupProposal.objects.count()}",
        purpose="Grow food together behind the flats.",
        proposed_by=person,
        status=status,
        answer="There is one already: join it!" if status != "pending" else "",
        decided_at=days_ago(days) if status != "pending" else None,
        created_at=days_ago(days + 10),
        **fields,
    )
    OutboxMessage.objects.create(
        key=f"organise:proposal:{proposal.pk}:answer",
        person=person,
        to_email=person.email,
        subject="Your proposal",
        body_text=f"Dear {person.first_name}",
        category="account",
    )
    return proposal


def test_proposals_declined_long_ago_go_with_their_emails():
    declined = proposed()

    assert declined_proposals_retain(proposals_cutoff()) == 1

    assert not GroupProposal.objects.filter(pk=declined.pk).exists()
    assert not OutboxMessage.objects.filter(key__startswith="organise:proposal:").exists()
    declined.proposed_by.refresh_from_db()


def test_approved_waiting_and_lately_declined_proposals_stay():
    approved = proposed(status=GroupProposal.Status.APPROVED, group=GroupFactory())
    waiting = proposed(days=900, status=GroupProposal.Status.PENDING)
    lately = proposed(days=30)

    assert declined_proposals_retain(proposals_cutoff()) == 0

    assert GroupProposal.objects.filter(pk__in=[approved.pk, waiting.pk, lately.pk]).count() == 3
    assert OutboxMessage.objects.count() == 3


def test_a_second_run_deletes_no_more_proposals():
    proposed()

    assert declined_proposals_retain(proposals_cutoff()) == 1
    assert declined_proposals_retain(proposals_cutoff()) == 0


def queries_to_retain_proposals(count):
    for _ in range(count):
        proposed()
    with CaptureQueriesContext(connection) as queries:
        assert declined_proposals_retain(proposals_cutoff()) == count
    return len(queries)


def test_the_number_of_queries_for_proposals_does_not_grow_with_the_rows():
    assert queries_to_retain_proposals(30) == queries_to_retain_proposals(3)
