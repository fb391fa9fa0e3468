"""The core's retention period: a person nothing in the hub refers to any more (no login, no
row of any area), and whose record has not changed for 36 months, is deleted with their
consents, tags, history and the admin's log entries about them. Anything that still refers
to them keeps them."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hubsite.people.models import Consent, GroupMembership, Person
from hubsite.people.retention import unlinked_people_retain
from hubsite.privacy.models import DataRequest
from hubsite.privacy.registry import retention_kinds
from hubsite.privacy.services import months_before
from listening.models import Conversation
from listening.retention import conversations_retain
from tests.action.factories import SignupFactory
from tests.connect.factories import RsvpFactory
from tests.listening.factories import ConversationFactory
from tests.organise.factories import MembershipFactory
from tests.people.factories import (
    GroupMembershipFactory,
    PersonFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def cutoff():
    return months_before(timezone.now(), 36)


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def aged(person, days=1200):
    """The record last changed ``days`` ago (``updated_at`` moves on every save)."""
    Person.objects.filter(pk=person.pk).update(updated_at=days_ago(days))
    return person


def doorstep_contact(held_days=1200, **fields):
    """Someone met once on a doorstep, with a consent, a community and a change history."""
    person = PersonFactory(first_contact=Person.FirstContact.DOORSTEP, **fields)
    person.tags.add(TagFactory())
    person.phone = "07700 900123"
    person.save()  # a second history row
    Consent.objects.create(
        person=person,
        purpose=Consent.Purpose.CONTACT_PHONE,
        given=True,
        method=Consent.Method.VERBAL,
        recorded_at=days_ago(held_days),
    )
    ConversationFactory(person=person, held_on=timezone.localdate() - timedelta(days=held_days))
    return person


def old_and_unlinked():
    """A doorstep contact whose conversations listening's own retention anonymised."""
    person = doorstep_contact()
    conversations_retain(months_before(timezone.now(), 24))
    return aged(person)


def test_the_kind_is_registered_for_staff_with_a_default_period():
    kind = retention_kinds()["people.unlinked"]
    assert kind.default_months == 36
    assert kind.label and len(kind.description) > 80
    assert kind.apply is unlinked_people_retain


def test_an_old_doorstep_contact_whose_conversations_were_anonymised_is_deleted():
    person = old_and_unlinked()
    conversation = Conversation.objects.get()
    assert conversation.person is None and Person.history.filter(id=person.pk).count() == 2

    entry = LogEntry.objects.log_actions(
        user_id=UserFactory().pk, queryset=[person], action_flag=CHANGE, single_object=True
    )

    assert unlinked_people_retain(cutoff()) == 1

    assert not Person.objects.filter(pk=person.pk).exists()
    assert not LogEntry.objects.filter(pk=entry.pk).exists()
    assert not Consent.objects.exists()
    assert not Person.tags.through.objects.exists()
    assert not Person.history.filter(id=person.pk).exists()
    assert Conversation.objects.filter(pk=conversation.pk).exists()  # the counts stay


def test_a_second_run_deletes_nothing():
    old_and_unlinked()
    old_and_unlinked()

    assert unlinked_people_retain(cutoff()) == 2
    assert unlinked_people_retain(cutoff()) == 0


def test_a_person_changed_recently_stays():
    person = doorstep_contact()
    conversations_retain(months_before(timezone.now(), 24))
    aged(person, days=300)

    assert unlinked_people_retain(cutoff()) == 0
    assert Person.objects.filter(pk=person.pk).exists()


def kept_by_a_recent_conversation():
    return doorstep_contact(held_days=30)


def kept_by_a_login():
    return PersonFactory(user=UserFactory())


def kept_by_a_membership():
    return MembershipFactory().person


def kept_by_an_rsvp():
    return RsvpFactory().person


def kept_by_a_group_membership():
    return GroupMembershipFactory().person


def kept_by_a_sign_up():
    return SignupFactory().person


def kept_by_an_open_data_request():
    person = PersonFactory()
    DataRequest.objects.create(
        kind=DataRequest.Kind.ACCESS, person=person, due_on=timezone.localdate()
    )
    return person


@pytest.mark.parametrize(
    "linked",
    [
        kept_by_a_recent_conversation,
        kept_by_a_login,
        kept_by_a_membership,
        kept_by_an_rsvp,
        kept_by_a_group_membership,
        kept_by_a_sign_up,
        kept_by_an_open_data_request,
    ],
)
def test_a_person_something_still_refers_to_stays(linked):
    person = aged(linked())
    history = Person.history.filter(id=person.pk).count()

    assert unlinked_people_retain(cutoff()) == 0

    assert Person.objects.filter(pk=person.pk).exists()
    assert Person.history.filter(id=person.pk).count() == history


def test_a_closed_data_request_stays_in_the_log_without_the_person():
    person = aged(PersonFactory())
    request = DataRequest.objects.create(
        kind=DataRequest.Kind.ACCESS,
        status=DataRequest.Status.DONE,
        person=person,
        subject_id=person.pk,
        due_on=timezone.localdate(),
        details="Wants a copy of everything about them",
        outcome="Sent",
    )

    assert unlinked_people_retain(cutoff()) == 1

    request.refresh_from_db()
    assert (request.person, request.subject_id) == (None, person.pk)
    assert request.details == request.outcome == ""


def queries_to_retain(count):
    for _ in range(count):
        old_and_unlinked()
    with CaptureQueriesContext(connection) as queries:
        assert unlinked_people_retain(cutoff()) == count
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_people():
    assert queries_to_retain(30) == queries_to_retain(3)
    assert not GroupMembership.objects.exists()
