"""Every POST without a CSRF token is refused, for staff on every URL of the hub (with real
objects in the paths) and of the admin, and for anonymous visitors on the public ones, and
changes nothing."""

import pytest
from django.apps import apps

from tests.robustness import ADMIN_ROUTES, admin_path, failure, is_public, seed_world
from tests.test_access import ROUTES

# Views that take a POST without a token, and why. There are none: the health check only
# answers GET.
CSRF_EXEMPT = {}


def row_counts():
    """Rows in every table of the hub's apps: a refused POST must leave all of them as
    they were."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if not model._meta.label.startswith(("sessions.", "contenttypes.", "auth."))
    }


@pytest.fixture
def world(db, settings):
    settings.STAFF_MFA_REQUIRED = False
    return seed_world()


@pytest.mark.parametrize("role", ["anonymous", "staff"])
def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(world, role):
    client = world.client(role, enforce_csrf_checks=True)
    before = row_counts()
    failures = []
    for route, name, _ in ROUTES:
        if role == "anonymous" and not is_public(name) or name in CSRF_EXEMPT:
            continue
        path = world.path(route, name)
        response = client.post(path, {"name": "x", "email": "someone@example.test"})
        if response.status_code != 403 or b"CSRF" not in response.content:
            failures.append(failure(name, path, "POST", response))
    assert not failures, "\n".join(failures)
    assert row_counts() == before


def test_a_post_to_the_admin_without_a_csrf_token_is_refused(world):
    """Every admin URL, for a staff superuser: the token is checked before anything else."""
    staff = world.users["staff"]
    staff.is_staff = staff.is_superuser = True
    staff.save(update_fields=["is_staff", "is_superuser"])
    client = world.client("staff", enforce_csrf_checks=True)
    before = row_counts()
    failures = []
    for route, name in ADMIN_ROUTES:
        path = admin_path(route)
        response = client.post(path, {"name": "x", "email": "someone@example.test"})
        if response.status_code != 403 or b"CSRF" not in response.content:
            failures.append(failure(name, path, "POST", response))
    assert not failures, "\n".join(failures)
    assert row_counts() == before


def test_no_view_of_the_hub_is_exempt_from_csrf():
    exempt = {name for _, name, cb in ROUTES if getattr(cb, "csrf_exempt", False)}
    assert exempt == set(CSRF_EXEMPT)
