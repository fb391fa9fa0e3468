"""Retention for staff: every registered kind of record with how long it is kept now (the
hub's setting or the default, marked), setting or clearing it (audited), going back to the
default, applying the periods now with the run's report, and the last runs. Only staff see
it; bad input changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from hubsite.people.models import Role
from hubsite.privacy import registry, services
from hubsite.privacy.models import AuditEntry, RetentionPolicy, RetentionRun
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

RETENTION = reverse("privacy:retention")
APPLY = reverse("privacy:retention_apply")


@pytest.fixture(autouse=True)
def kinds(monkeypatch):
    """Two made-up kinds of record in place of the apps' own (restored after the test)."""
    monkeypatch.setattr(registry, "_kinds", {})
    applied = []

    def apply_notes(cutoff):
        applied.append(cutoff)
        return 3 if len(applied) == 1 else 0  # idempotent: the second run finds nothing

    registry.register_retention(
        "test.notes",
        label="Doorstep notes",
        description="Two years after the last contact.",
        default_months=24,
        apply=apply_notes,
    )
    registry.register_retention(
        "test.members",
        label="Lapsed members",
        description="Kept until erasure unless set.",
        default_months=None,
        apply=lambda cutoff: 0,
    )
    return applied


def screens():
    run = services.retention_run()
    return [RETENTION, APPLY, reverse("privacy:retention_run", args=[run.pk])]


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VOLUNTEER, Role.ORGANISER])
def test_only_staff_reach_the_retention_screens(role):
    client = Client()
    client.force_login(make_user(role))
    for url in screens():
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"kind": "test.notes", "months": "1"}).status_code == 403, url
    assert RetentionRun.objects.count() == 1
    assert not RetentionPolicy.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in screens():
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/"), url
    assert RetentionRun.objects.count() == 1


def test_the_page_lists_every_kind_with_its_period_and_whether_it_is_the_default(staff_client):
    services.retention_set(kind="test.members", months=36, updated_by=None)

    response = staff_client.get(RETENTION)

    assert response.status_code == 200
    settings = {s.kind: s for s in response.context["settings"]}
    assert (settings["test.notes"].months, settings["test.notes"].is_default) == (24, True)
    assert (settings["test.members"].months, settings["test.members"].is_default) == (36, False)
    page = response.content.decode()
    assert "Doorstep notes" in page and "Two years after the last contact." in page
    assert "(the default)" in page
    assert "36 months" in page


def test_staff_set_and_clear_a_period_and_each_change_is_audited(staff_client, staff_user):
    response = staff_client.post(RETENTION, {"kind": "test.notes", "months": "12"})
    assert response.status_code == 302
    assert services.retention_months("test.notes") == 12
    entry = AuditEntry.objects.get(action=AuditEntry.Action.RETENTION_CHANGED)
    assert (entry.actor, entry.target, entry.detail) == (staff_user, "test.notes", "24 → 12 months")

    staff_client.post(RETENTION, {"kind": "test.notes", "months": ""})
    assert services.retention_months("test.notes") is None
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RETENTION_CHANGED).count() == 2

    staff_client.post(RETENTION, {"kind": "test.notes", "months": "", "default": "1"})
    assert services.retention_months("test.notes") == 24
    assert not RetentionPolicy.objects.filter(kind="test.notes").exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RETENTION_CHANGED).count() == 3


def test_use_the_default_works_whatever_the_months_box_holds(staff_client):
    staff_client.post(RETENTION, {"kind": "test.notes", "months": "12"})
    response = staff_client.post(RETENTION, {"kind": "test.notes", "months": "abc", "default": "1"})
    assert response.status_code == 302
    assert services.retention_months("test.notes") == 24


def test_saving_the_same_period_again_adds_no_audit_entry(staff_client):
    staff_client.post(RETENTION, {"kind": "test.notes", "months": "24"})
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.RETENTION_CHANGED).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "test.notes", "months": "0"},
        {"kind": "test.notes", "months": "241"},
        {"kind": "test.notes", "months": "9" * 30},
        {"kind": "test.notes", "months": "twelve"},
        {"kind": "no.such.kind", "months": "12"},
        {"kind": "", "months": "12"},
        {"months": "12"},
    ],
)
def test_bad_input_is_refused_and_nothing_changes(staff_client, data):
    response = staff_client.post(RETENTION, data)
    assert response.status_code == 400
    assert not RetentionPolicy.objects.exists()
    assert not AuditEntry.objects.exists()
    page = response.content.decode()
    assert 'role="alert"' in page or 'class="field-errors"' in page


def test_apply_now_runs_the_periods_and_shows_the_report(staff_client, staff_user, kinds):
    response = staff_client.post(APPLY)

    run = RetentionRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:retention_run", args=[run.pk])
    assert run.started_by == staff_user
    assert run.total == 3
    assert len(kinds) == 1  # the kind kept until erasure was not applied

    report = staff_client.get(response["Location"])
    assert report.status_code == 200
    page = report.content.decode()
    assert "Doorstep notes" in page and "Lapsed members" in page
    assert staff_user.email in page
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RETENTION_RUN, actor=staff_user)

    staff_client.post(APPLY)
    assert RetentionRun.objects.first().total == 0


def test_the_last_runs_are_listed_with_who_started_them(staff_client, staff_user):
    services.retention_run()
    services.retention_run(started_by=staff_user)

    response = staff_client.get(RETENTION)

    runs = response.context["runs"]
    assert [r.started_by for r in runs] == [staff_user, None]
    page = response.content.decode()
    assert "Nightly" in page
    assert "Doorstep notes: 3" in page


def test_a_kind_that_fails_does_not_stop_the_others(staff_client):
    def broken(cutoff):
        raise RuntimeError("the records could not be read")

    registry.register_retention(
        "test.broken", label="Broken", description="", default_months=1, apply=broken
    )

    run = services.retention_run()

    assert run.results["test.broken"]["failed"]
    assert run.results["test.notes"]["count"] == 3
    assert run.finished_at is not None
    page = staff_client.get(reverse("privacy:retention_run", args=[run.pk])).content.decode()
    assert "Failed" in page


def test_an_unknown_run_is_not_found(staff_client):
    assert staff_client.get(reverse("privacy:retention_run", args=[99999])).status_code == 404


def test_the_page_works_with_no_kind_registered(staff_client, monkeypatch):
    monkeypatch.setattr(registry, "_kinds", {})
    response = staff_client.get(RETENTION)
    assert response.status_code == 200
    assert "No app has registered" in response.content.decode()
