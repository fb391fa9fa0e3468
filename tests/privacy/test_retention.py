"""The retention periods applied together, as the nightly task does: every area's kind is
registered, each reports how many records it anonymised or deleted, and a second run finds
nothing left to do. The rules of each kind are tested beside their app
(tests/<app>/test_retention.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from action.models import Campaign, Signup, Story
from connect.models import JoinRequest, Rsvp
from hubsite.notify.models import OutboxMessage
from hubsite.privacy.models import AuditEntry, DataRequest, RetentionRun
from hubsite.privacy.registry import retention_kinds
from hubsite.privacy.retention import closed_requests_retain
from hubsite.privacy.services import months_before, retention_run, retention_set
from hubsite.privacy.tasks import retention_apply
from listening.models import Conversation
from organise.models import CallToAction, Delivery, GroupProposal, Membership
from tests.action.factories import CampaignFactory, SignupFactory, StoryFactory
from tests.connect.factories import (
    EventFactory,
    JoinRequestFactory,
    RsvpFactory,
    VolunteerOfferFactory,
)
from tests.listening.factories import ConversationFactory
from tests.organise.factories import CallToActionFactory, MembershipFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

KINDS = {
    "listening.conversations": 24,
    "organise.former_members": 36,
    "connect.event_answers": 24,
    "action.campaign_signups": 24,
    "notify.sent_messages": 12,
    "action.stories_not_published": 12,
    "connect.volunteer_offers": 24,
    "connect.join_requests": 12,
    "organise.call_answers": 24,
    "organise.declined_proposals": 12,
    "privacy.closed_requests": 72,
}


def days_ago(days):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def past_their_time():
    """One record of each kind past its default period, and one still within it."""
    for held in (900, 30):
        ConversationFactory(held_on=timezone.localdate() - timedelta(days=held))
    for ended in (1200, 30):
        day = timezone.localdate() - timedelta(days=ended)
        MembershipFactory(
            status=Membership.Status.LAPSED,
            joined_on=day - timedelta(days=365),
            term_started_on=day - timedelta(days=365),
            renews_on=day,
            ended_on=day,
        )
    for ended in (900, 30):
        RsvpFactory(event=EventFactory(starts_at=days_ago(ended + 1), ends_at=days_ago(ended)))
    for quiet in (900, 30):
        campaign = CampaignFactory(
            status=Campaign.Status.WON, created_at=days_ago(quiet + 100), ended_at=days_ago(quiet)
        )
        SignupFactory(campaign=campaign, created_at=days_ago(quiet), confirmed_at=days_ago(quiet))
    for sent in (400, 30):
        OutboxMessage.objects.create(
            key=f"test:sent:{sent}",
            to_email="someone@example.test",
            subject="Hello",
            body_text="Dear Someone",
            category="contact",
            status=OutboxMessage.Status.SENT,
            created_at=days_ago(sent),
            sent_at=days_ago(sent),
        )
    for told in (400, 30):
        StoryFactory(status=Story.Status.REJECTED, created_at=days_ago(told))
    for offered in (800, 30):
        VolunteerOfferFactory(created_at=days_ago(offered))
    for decided in (400, 30):
        JoinRequestFactory(
            status=JoinRequest.Status.DECLINED,
            created_at=days_ago(decided),
            decided_at=days_ago(decided),
        )
    for sent in (800, 30):
        call = CallToActionFactory(
            status=CallToAction.Status.SENT, started_at=days_ago(sent), sent_at=days_ago(sent)
        )
        Delivery.objects.create(call=call, person=PersonFactory(), response="yes")
    for declined in (400, 30):
        GroupProposal.objects.create(
            name=f"Proposal {declined}",
            purpose="Something to do together.",
            status=GroupProposal.Status.DECLINED,
            decided_at=days_ago(declined),
        )
    for closed in (2500, 30):
        DataRequest.objects.create(
            kind=DataRequest.Kind.ACCESS,
            status=DataRequest.Status.DONE,
            person=PersonFactory(),
            subject_id=1,
            received_on=days_ago(closed + 20).date(),
            due_on=days_ago(closed).date(),
            closed_on=days_ago(closed).date(),
            details="A copy of everything",
            outcome="Sent by email",
        )


def test_every_area_registers_its_kinds_with_a_default_period_and_a_description():
    kinds = retention_kinds()
    for kind, months in KINDS.items():
        assert kinds[kind].default_months == months
        assert kinds[kind].label and len(kinds[kind].description) > 40


def test_a_run_reports_what_each_kind_did_and_a_second_run_finds_nothing(past_their_time):
    run = retention_run()

    counts = {kind: result["count"] for kind, result in run.results.items()}
    assert {kind: counts[kind] for kind in KINDS} == dict.fromkeys(KINDS, 1)
    assert run.results["organise.former_members"]["months"] == 36
    assert run.finished_at and run.total == sum(counts.values())
    assert Conversation.objects.filter(anonymised_at__isnull=False).count() == 1
    assert Membership.objects.count() == 1
    assert Rsvp.objects.filter(person__isnull=False).count() == 1
    assert Rsvp.objects.count() == 2  # the old answer stays as a count
    assert Signup.objects.filter(person__isnull=True).count() == 1
    assert OutboxMessage.objects.filter(to_email="").count() == 1
    audit = AuditEntry.objects.filter(action=AuditEntry.Action.RETENTION_RUN).get()
    assert "listening.conversations: 1" in audit.detail

    again = retention_run()

    assert all(result["count"] == 0 for result in again.results.values())
    assert RetentionRun.objects.count() == 2


def test_a_kind_set_to_be_kept_is_left_alone_and_a_shorter_period_reaches_further(
    past_their_time, staff_user
):
    retention_set(kind="listening.conversations", months=None, updated_by=staff_user)
    retention_set(kind="notify.sent_messages", months=1, updated_by=staff_user)

    run = retention_run(started_by=staff_user)

    assert run.results["listening.conversations"] == {"months": None, "cutoff": None, "count": 0}
    assert not Conversation.objects.filter(anonymised_at__isnull=False).exists()
    assert run.results["notify.sent_messages"]["count"] == 2


def test_the_nightly_task_applies_the_periods(past_their_time):
    results = retention_apply()

    assert results["connect.event_answers"]["count"] == 1
    assert RetentionRun.objects.get().started_by is None
    assert all(result["count"] == 0 for result in retention_apply().values())


# Data-protection requests closed ---------------------------------------------------------------


def requests_cutoff():
    return months_before(timezone.now(), 72)


def request_closed(days=2500, status=DataRequest.Status.DONE, **fields):
    person = PersonFactory()
    closed = (timezone.localdate() - timedelta(days=days)) if status != "open" else None
    return DataRequest.objects.create(
        kind=DataRequest.Kind.ERASURE,
        status=status,
        channel=DataRequest.Channel.LETTER,
        person=person,
        subject_id=person.pk,
        received_on=timezone.localdate() - timedelta(days=days + 20),
        due_on=timezone.localdate() - timedelta(days=days - 10),
        closed_on=closed,
        **{
            "details": "Please delete everything about me and my son Tom.",
            "outcome": "Done; told Ms Smith by letter.",
            **fields,
        },
    )


def test_requests_closed_six_years_ago_keep_only_their_kind_dates_and_status():
    done = request_closed()
    refused = request_closed(status=DataRequest.Status.REFUSED)
    withdrawn = request_closed(status=DataRequest.Status.WITHDRAWN, outcome="")

    assert closed_requests_retain(requests_cutoff()) == 3

    for request in (done, refused, withdrawn):
        kept = DataRequest.objects.get(pk=request.pk)
        assert (kept.person, kept.subject_id, kept.details, kept.outcome) == (None, None, "", "")
        assert (kept.kind, kept.status, kept.channel) == (
            request.kind,
            request.status,
            request.channel,
        )
        assert (kept.received_on, kept.due_on, kept.closed_on) == (
            request.received_on,
            request.due_on,
            request.closed_on,
        )
    done.person.refresh_from_db()  # the person's record is not the log's to remove


def test_open_requests_and_those_closed_lately_stay_whole():
    still_open = request_closed(status=DataRequest.Status.OPEN)
    lately = request_closed(days=300)

    assert closed_requests_retain(requests_cutoff()) == 0

    for request in (still_open, lately):
        kept = DataRequest.objects.get(pk=request.pk)
        assert kept.person_id and kept.subject_id and kept.details and kept.outcome


def test_a_second_run_changes_no_more_requests():
    request_closed()

    assert closed_requests_retain(requests_cutoff()) == 1
    assert closed_requests_retain(requests_cutoff()) == 0


def queries_to_retain_requests(count):
    for _ in range(count):
        request_closed()
    with CaptureQueriesContext(connection) as queries:
        assert closed_requests_retain(requests_cutoff()) == count
    return len(queries)


def test_the_number_of_queries_for_requests_does_not_grow_with_the_rows():
    assert queries_to_retain_requests(30) == queries_to_retain_requests(3)
