"""The data-protection core: the audit log is append-only (in the ORM and in the database),
what is audited is audited, history is kept of changes to people, accounts and
conversations, deadlines follow UK GDPR's "one month", and a retention run reports what it
did and is safe to repeat."""

from datetime import date, datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from hubsite.people import services as people_services
from hubsite.people.models import Person, Role
from hubsite.privacy import registry, services
from hubsite.privacy.models import AppendOnlyError, AuditEntry, DataRequest, add_one_month
from tests.listening.factories import ConversationFactory
from tests.people.factories import PersonFactory, UserFactory

Action = AuditEntry.Action
pytestmark = pytest.mark.django_db


def test_an_audit_entry_cannot_be_changed_or_deleted_through_the_orm():
    entry = services.audit_record(action=Action.EXPORTED, subject=7)
    entry.detail = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(detail="changed")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().detail == ""


def test_the_database_itself_refuses_to_rewrite_the_audit_log():
    entry = services.audit_record(action=Action.EXPORTED, subject=7, detail="as written")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE privacy_auditentry SET detail = 'rewritten'")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM privacy_auditentry")
    assert AuditEntry.objects.get(pk=entry.pk).detail == "as written"


def test_an_audit_entry_keeps_the_person_by_id_only():
    person = PersonFactory(first_name="Ottoline", last_name="Quibble")
    entry = services.audit_record(action=Action.EXPORTED, subject=person)
    assert entry.subject_id == person.pk
    assert "Ottoline" not in f"{entry.target} {entry.detail} {entry}"


def test_changing_a_role_from_the_person_page_is_audited(staff_client, staff_user):
    user = UserFactory(role=Role.VOLUNTEER)
    person = PersonFactory(user=user, email=user.email)
    staff_client.post(reverse("people:person_set_role", args=[person.pk]), {"role": "organiser"})
    entry = AuditEntry.objects.get(action=Action.ROLE_CHANGED)
    assert (entry.actor, entry.subject_id, entry.detail) == (
        staff_user,
        person.pk,
        "volunteer → organiser",
    )


def test_setting_the_same_role_again_writes_nothing():
    user = UserFactory(role=Role.VOLUNTEER)
    people_services.user_set_role(user=user, role=Role.VOLUNTEER)
    assert not AuditEntry.objects.filter(action=Action.ROLE_CHANGED).exists()


def test_recording_consent_is_audited_with_who_and_how(staff_client, staff_user):
    person = PersonFactory()
    response = staff_client.post(
        reverse("people:consent_record", args=[person.pk]),
        {"purpose": "contact_email", "given": "yes", "method": "verbal", "note": ""},
    )
    assert response.status_code in (200, 302)
    consent = person.consents.get()
    assert (consent.recorded_by, consent.method) == (staff_user, "verbal")
    entry = AuditEntry.objects.get(action=Action.CONSENT_CHANGED)
    assert (entry.actor, entry.subject_id) == (staff_user, person.pk)
    assert entry.detail == "contact_email given (verbal)"


def test_reading_sensitive_notes_is_audited_and_a_conversation_without_any_is_not(
    staff_client, staff_user
):
    noted = ConversationFactory(sensitive_notes="Spoke about a hard time at home.")
    plain = ConversationFactory(sensitive_notes="")
    for conversation in (noted, plain):
        url = reverse("listening:conversation_detail", args=[conversation.pk])
        assert staff_client.get(url).status_code == 200
    entry = AuditEntry.objects.get(action=Action.VIEWED_SENSITIVE)
    assert (entry.actor, entry.subject_id) == (staff_user, noted.person_id)
    assert entry.target == f"listening.conversation:{noted.pk}"


def test_an_export_is_audited_as_such_and_one_of_ones_own_data_as_a_download(staff_user):
    person = PersonFactory()
    people_services.personal_data_export(person=person, viewer=staff_user)
    own = staff_user.person
    people_services.personal_data_export(person=own, viewer=staff_user)
    actions = dict(AuditEntry.objects.values_list("subject_id", "action"))
    assert actions == {person.pk: Action.EXPORTED, own.pk: Action.DOWNLOADED_OWN}


def test_erasing_is_audited_without_the_person_and_takes_their_history_with_them(staff_user):
    person = PersonFactory(first_name="Ottoline", last_name="Quibble", phone="07700 900999")
    people_services.person_update(person=person, phone="07700 900111")
    person_id = person.pk
    assert Person.history.filter(id=person_id).count() >= 2

    people_services.person_erase(person=person, erased_by=staff_user, reason="request #4")

    assert not Person.objects.filter(pk=person_id).exists()
    assert not Person.history.filter(id=person_id).exists()
    entry = AuditEntry.objects.get(action=Action.ERASED)
    assert (entry.actor, entry.subject_id, entry.detail) == (staff_user, person_id, "request #4")


def test_history_records_who_changed_a_persons_record(staff_user):
    person = PersonFactory(phone="")
    people_services.person_update(person=person, phone="07700 900222")
    latest = person.history.first()
    assert latest.phone == "07700 900222"
    assert latest.history_type == "~"


def test_conversation_history_never_copies_sensitive_notes():
    conversation = ConversationFactory(sensitive_notes="Never copied")
    historical = conversation.history.model
    assert "sensitive_notes" not in {field.name for field in historical._meta.fields}


def test_erasing_a_person_removes_the_history_of_their_conversations(staff_user):
    conversation = ConversationFactory(concerns="The damp in the flats")
    assert conversation.history.exists()
    people_services.person_erase(person=conversation.person, erased_by=staff_user)
    conversation.refresh_from_db()
    assert conversation.person is None and conversation.concerns == ""
    assert not conversation.history.filter(concerns__contains="damp").exists()


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 15), date(2026, 2, 15)),
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 12, 20), date(2027, 1, 20)),
        (date(2026, 3, 31), date(2026, 4, 30)),
    ],
)
def test_a_request_is_due_one_calendar_month_after_it_was_received(received, due):
    assert add_one_month(received) == due
    assert services.due_date(received, extended=False) == due


def test_an_extended_request_is_due_three_months_after_receipt():
    assert services.due_date(date(2026, 1, 31), extended=True) == date(2026, 4, 30)
    assert services.due_date(date(2026, 11, 30), extended=True) == date(2027, 2, 28)
    assert services.due_date(date(2026, 5, 10), extended=True) == date(2026, 8, 10)


def test_a_request_is_logged_with_its_deadline_and_audited(staff_user):
    person = PersonFactory()
    request = services.data_request_create(
        kind=DataRequest.Kind.ACCESS,
        person=person,
        received_on=date(2026, 11, 2),
        channel=DataRequest.Channel.EMAIL,
        logged_by=staff_user,
    )
    assert request.due_on == date(2026, 12, 2)
    assert AuditEntry.objects.get(action=Action.REQUEST_LOGGED).subject_id == person.pk


def test_erasure_keeps_a_request_in_the_log_without_the_person_or_their_words(staff_user):
    person = PersonFactory()
    request = services.data_request_create(
        kind=DataRequest.Kind.ERASURE,
        person=person,
        channel=DataRequest.Channel.EMAIL,
        details="Please forget my address at 4 Elm Row",
        logged_by=staff_user,
    )
    person_id = person.pk
    people_services.person_erase(person=person, erased_by=staff_user)
    request.refresh_from_db()
    assert (request.person, request.details, request.subject_id) == (None, "", person_id)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 12, 7, 3, 15), 24, datetime(2024, 12, 7, 3, 15)),
        (datetime(2026, 3, 31, 3, 15), 1, datetime(2026, 2, 28, 3, 15)),
        (datetime(2026, 1, 10, 3, 15), 13, datetime(2024, 12, 10, 3, 15)),
    ],
)
def test_months_before_counts_calendar_months(moment, months, expected):
    assert services.months_before(moment, months) == expected


@pytest.fixture
def fake_kinds(monkeypatch):
    calls = []
    kept = {"old": 3}

    def anonymise_old(cutoff):
        calls.append(cutoff)
        done, kept["old"] = kept["old"], 0
        return done

    kinds = {
        "test.old": registry.RetentionKind(
            "test.old", "Old things", "Kept 6 months.", 6, anonymise_old
        ),
        "test.kept": registry.RetentionKind(
            "test.kept", "Kept things", "Kept.", None, lambda cutoff: 1 / 0
        ),
    }
    monkeypatch.setattr(registry, "_kinds", kinds)
    return calls


def test_a_retention_run_applies_each_period_reports_it_and_repeats_harmlessly(fake_kinds):
    now = timezone.make_aware(datetime(2026, 12, 7, 3, 15))
    first = services.retention_run(now=now)
    second = services.retention_run(now=now)

    assert first.results == {
        "test.kept": {"months": None, "cutoff": None, "count": 0},
        "test.old": {"months": 6, "cutoff": "2026-06-07", "count": 3},
    }
    assert second.results["test.old"]["count"] == 0
    assert (first.total, second.total) == (3, 0)
    assert first.finished_at is not None
    assert fake_kinds == [services.months_before(now, 6)] * 2
    runs = AuditEntry.objects.filter(action=Action.RETENTION_RUN).order_by("id")
    assert [e.detail for e in runs] == ["test.old: 3", "nothing past its time"]


def test_the_hubs_own_period_replaces_the_default_and_is_audited(fake_kinds, staff_user):
    services.retention_set(kind="test.old", months=12, updated_by=staff_user)
    assert services.retention_months("test.old") == 12
    services.retention_set(kind="test.kept", months=None, updated_by=staff_user)
    entries = AuditEntry.objects.filter(action=Action.RETENTION_CHANGED)
    assert [e.detail for e in entries] == ["6 → 12 months"]


@pytest.mark.parametrize("months", [0, 241, -1])
def test_a_period_out_of_range_is_refused(fake_kinds, staff_user, months):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.retention_set(kind="test.old", months=months, updated_by=staff_user)
    with pytest.raises(ValidationError):
        services.retention_set(kind="no.such", months=6, updated_by=staff_user)
