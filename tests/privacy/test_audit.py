"""The audit log for staff: the newest first, searchable by what was done, who did it, whom it
was about and when; a person still held is linked, an erased one is named by number only; a
page costs the same queries however long the log; nothing anywhere changes or removes an
entry, the admin included."""

import datetime

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hubsite.people.models import Role, User
from hubsite.privacy.models import AuditEntry, DataRequest, RetentionPolicy, RetentionRun
from tests.conftest import make_user
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

AUDIT = reverse("privacy:audit_list")
Action = AuditEntry.Action


def record(at=None, **kwargs):
    """An entry written at ``at`` (the log is append-only: the time is set as it is added)."""
    kwargs.setdefault("action", Action.EXPORTED)
    subject = kwargs.pop("subject", None)
    return AuditEntry.objects.create(
        at=at or timezone.now(), subject_id=getattr(subject, "pk", subject), **kwargs
    )


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VOLUNTEER, Role.ORGANISER])
def test_only_staff_read_the_audit_log(role):
    client = Client()
    client.force_login(make_user(role))
    assert client.get(AUDIT).status_code == 403
    assert client.post(AUDIT).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(AUDIT)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_log_shows_who_when_what_and_about_whom_newest_first(staff_client, staff_user):
    resident = PersonFactory(first_name="Amina")
    gone = PersonFactory()
    gone_id = gone.pk
    now = timezone.now()
    old = record(at=now - datetime.timedelta(days=2), actor=staff_user, subject=resident)
    nightly = record(
        at=now - datetime.timedelta(days=1), action=Action.RETENTION_RUN, detail="nothing"
    )
    erased = record(at=now, action=Action.ERASED, actor=staff_user, subject=gone_id)
    gone.delete()

    response = staff_client.get(AUDIT)

    assert [e.pk for e in response.context["page"].object_list] == [erased.pk, nightly.pk, old.pk]
    page = response.content.decode()
    assert reverse("people:person_detail", args=[resident.pk]) in page
    assert f"Person #{gone_id} <small>(erased)</small>" in page
    assert reverse("people:person_detail", args=[gone_id]) not in page
    assert "The hub (scheduled)" in page
    assert staff_user.email in page
    assert "Amina" not in page  # people are named by number only


def test_the_log_is_searched_by_action_actor_person_and_dates(staff_client):
    alice = make_user(Role.STAFF, "alice@example.test")
    bob = make_user(Role.STAFF, "bob@example.test")
    resident = PersonFactory()
    now = timezone.now()
    match = record(at=now, actor=alice, subject=resident, action=Action.VIEWED_SENSITIVE)
    record(at=now, actor=bob, subject=resident, action=Action.VIEWED_SENSITIVE)
    record(at=now, actor=alice, subject=resident, action=Action.EXPORTED)
    record(at=now, actor=alice, action=Action.VIEWED_SENSITIVE)
    record(
        at=now - datetime.timedelta(days=10),
        actor=alice,
        subject=resident,
        action=Action.VIEWED_SENSITIVE,
    )
    today = timezone.localdate().isoformat()

    response = staff_client.get(
        AUDIT,
        {
            "action": "viewed_sensitive",
            "actor": "ALICE@",
            "subject": resident.pk,
            "since": today,
            "until": today,
        },
    )

    assert [e.pk for e in response.context["page"].object_list] == [match.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"subject": "9" * 30},
        {"subject": "-4"},
        {"subject": "abc"},
        {"since": "2026-13-45"},
        {"since": "2026-02-01", "until": "2026-01-01"},
        {"action": "deleted_everything"},
        {"actor": "x" * 5000},
        {"page": "9" * 30},
    ],
)
def test_a_search_not_understood_is_left_out_without_an_error(staff_client, params):
    record()
    response = staff_client.get(AUDIT, params)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1


def test_a_page_costs_the_same_queries_for_5_and_60_entries(staff_client, staff_user):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(AUDIT).status_code == 200
        return len(captured)

    def add(n):
        for _ in range(n):
            person = PersonFactory()
            actor = make_user(Role.STAFF, f"staff{AuditEntry.objects.count()}@example.test")
            record(actor=actor, subject=person)
            record(actor=staff_user, subject=person.pk + 100_000)  # erased long ago

    add(3)
    few = queries()
    add(30)
    assert AuditEntry.objects.count() == 66
    assert queries() == few


def test_a_search_by_days_takes_whole_days_of_the_hubs_time(staff_client):
    today = timezone.localdate()

    def at(day, hour, minute):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    yesterday = today - datetime.timedelta(days=1)
    early, late = record(at=at(yesterday, 0, 5)), record(at=at(yesterday, 23, 55))
    record(at=at(today, 0, 5))
    record(at=at(yesterday - datetime.timedelta(days=1), 23, 55))
    day = yesterday.isoformat()

    response = staff_client.get(AUDIT, {"since": day, "until": day})

    assert [e.pk for e in response.context["page"].object_list] == [late.pk, early.pk]
    assert staff_client.get(reverse("privacy:home")).context["audit_today"] == 1


def test_the_logs_total_is_counted_once_and_again_when_an_entry_is_written(staff_client):
    record()
    assert staff_client.get(AUDIT).context["page"].paginator.count == 1

    with CaptureQueriesContext(connection) as captured:
        assert staff_client.get(AUDIT).context["page"].paginator.count == 1
    assert not [q for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]

    record()
    assert staff_client.get(AUDIT).context["page"].paginator.count == 2
    assert staff_client.get(AUDIT, {"action": "erased"}).context["page"].paginator.count == 0


def test_the_admin_neither_changes_nor_removes_an_entry(staff_user):
    staff_user.is_staff = staff_user.is_superuser = True
    staff_user.save()
    admin = Client()
    admin.force_login(staff_user)
    entry = record(detail="as it was")
    change = reverse("admin:privacy_auditentry_change", args=[entry.pk])
    delete = reverse("admin:privacy_auditentry_delete", args=[entry.pk])
    assert admin.post(change, {"detail": "changed"}).status_code == 403
    assert admin.post(delete, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.detail == "as it was"
    assert AuditEntry.objects.count() == 1


def test_an_account_named_in_the_log_is_closed_never_deleted(staff_user):
    from django.db.models import ProtectedError

    record(actor=staff_user)
    with pytest.raises(ProtectedError):
        staff_user.delete()
    assert AuditEntry.objects.get().actor == staff_user


def test_the_admin_shows_the_records_read_only():
    staff = make_user(Role.STAFF)
    request = RequestFactory().get("/admin/")
    request.user = staff
    for model in (AuditEntry, DataRequest, RetentionPolicy, RetentionRun):
        admin = site._registry[model]
        assert not admin.has_add_permission(request)
        assert not admin.has_change_permission(request)
        assert not admin.has_delete_permission(request)


def test_the_admin_lists_the_audit_log(client):
    admin = User.objects.create_superuser(email="root@example.test", password="pw-long-enough")
    client.force_login(admin)
    record(actor=admin, detail="seen in the admin")
    response = client.get(reverse("admin:privacy_auditentry_changelist"))
    assert response.status_code == 200
    assert "seen in the admin" in response.content.decode()
    assert client.get(reverse("admin:privacy_auditentry_add")).status_code == 403
