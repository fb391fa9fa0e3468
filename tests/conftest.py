"""Fixtures shared by the whole suite: users of each role with their Person, and clients
signed in as them."""

import time

import pytest
from allauth.account.models import EmailAddress
from celery.signals import after_task_publish, task_postrun
from django.test import Client

from hubsite.people.models import Person, Role, User


def make_user(role, email=None, first_name=None):
    email = email or f"{role}@example.test"
    user = User.objects.create_user(email=email, password="a-long-test-password", role=role)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Person.objects.create(first_name=first_name or role.title(), email=email, user=user)
    return user


@pytest.fixture
def staff_user(db):
    return make_user(Role.STAFF)


@pytest.fixture
def organiser_user(db):
    return make_user(Role.ORGANISER)


@pytest.fixture
def volunteer_user(db):
    return make_user(Role.VOLUNTEER)


@pytest.fixture
def member_user(db):
    return make_user(Role.MEMBER)


@pytest.fixture
def staff_client(staff_user):
    client = Client()  # its own client, so two signed-in roles can be used in one test
    client.force_login(staff_user)
    return client


@pytest.fixture
def member_client(member_user):
    client = Client()  # its own client, so two signed-in roles can be used in one test
    client.force_login(member_user)
    return client


@pytest.fixture
def organiser_client(organiser_user):
    client = Client()  # its own client, so two signed-in roles can be used in one test
    client.force_login(organiser_user)
    return client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing passwords at production strength would dominate the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _figures_counted_afresh(settings):
    """Tests read the figures as they are now; the cache of them has its own test."""
    settings.DASHBOARD_FIGURES_SECONDS = 0


@pytest.fixture(autouse=True)
def _fresh_cache(settings, request):
    """Each test starts with an empty cache, so that one test's sign-in attempts do not
    count against another's rate limits (allauth keeps them in the cache)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }


class TaskWatch:
    """Which tasks were sent to the broker and which the worker has finished, so a test waits
    for exactly its own work (no result backend is needed)."""

    def __init__(self):
        self.sent, self.finished = set(), set()

    def on_publish(self, sender=None, headers=None, **kwargs):
        self.sent.add((headers or {}).get("id"))

    def on_finish(self, task_id=None, **kwargs):
        self.finished.add(task_id)

    def __enter__(self):
        after_task_publish.connect(self.on_publish, weak=False)
        task_postrun.connect(self.on_finish, weak=False)
        return self

    def __exit__(self, *exc):
        after_task_publish.disconnect(self.on_publish)
        task_postrun.disconnect(self.on_finish)

    def wait(self, timeout=90):
        """Until every task sent so far (and those they sent) has run."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.sent and self.sent <= self.finished:
                return
            time.sleep(0.05)
        raise AssertionError(f"The worker did not finish {self.sent - self.finished}")
