"""The benchmark's pieces that run without scale data (``make bench`` itself is never part
of the suite): the query-count header, the baseline page, seed_bench's refusals, and the
generators and measured pages at a tiny scale on whatever database the suite uses."""

import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from action.models import ActionTaken, Activity, Ask, Campaign, Signup, Story
from bench.middleware import QUERIES_HEADER
from bench.run import app_pages, core_pages, judge
from connect.models import Event, Rsvp, Shift
from hubsite.people.management.commands.seed_bench import (
    BENCH_ACCOUNTS,
    core_fill,
)
from hubsite.people.models import Consent, Person, User
from hubsite.people.registry import bench_data_providers
from listening.models import Conversation, ListeningRound
from organise.models import Membership, MembershipEvent

TINY = {
    "factor": 0.001,
    "people": 60,
    "conversations": 120,
    "events": 12,
    "rsvps": 80,
    "campaigns": 2,
    "signups": 20,
    "members": 10,
}


@pytest.fixture
def bench_settings(settings):
    settings.MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]
    settings.ROOT_URLCONF = "bench.urls"
    return settings


@pytest.fixture
def tiny_hub(db):
    out = StringIO()
    core_fill(scale=TINY, rng=random.Random("test:core"), stdout=out)
    for name, generate in bench_data_providers().items():
        generate(scale=TINY, rng=random.Random(f"test:{name}"), stdout=out)
    return out.getvalue()


def test_query_count_header_counts_every_query_of_the_request(bench_settings, staff_client):
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get("/people/")
    assert response.status_code == 200
    assert int(response[QUERIES_HEADER]) == len(queries) > 0


def test_baseline_renders_the_base_layout_with_no_queries(
    bench_settings, client, db, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/bench/baseline/")
    assert response.status_code == 200
    assert response[QUERIES_HEADER] == "0"
    page = response.content.decode()
    assert "Skip to content" in page and "<h1>Baseline</h1>" in page


def test_baseline_is_not_part_of_the_hub(client, db):
    assert client.get("/bench/baseline/").status_code in (302, 404)


def test_seed_bench_refuses_a_database_other_than_postgresql(monkeypatch):
    monkeypatch.setattr(connections["default"], "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("seed_bench", "--scale", "hub", stdout=StringIO())


def test_seed_bench_refuses_a_database_holding_real_people(monkeypatch, db):
    Person.objects.create(first_name="Real", email="real@example.test")
    monkeypatch.setattr(connections["default"], "vendor", "postgresql")
    with pytest.raises(CommandError, match="not benchmark data"):
        call_command("seed_bench", "--scale", "hub", "--fresh", stdout=StringIO())
    assert Person.objects.filter(first_name="Real").exists()


def test_seed_bench_refuses_to_seed_twice_without_fresh(monkeypatch, tiny_hub):
    monkeypatch.setattr(connections["default"], "vendor", "postgresql")
    with pytest.raises(CommandError, match="already holds benchmark data"):
        call_command("seed_bench", "--scale", "hub", stdout=StringIO())


def test_generators_fill_a_tiny_hub(tiny_hub):
    assert {"listening", "connect"} <= set(bench_data_providers())
    assert Person.objects.count() == TINY["people"]
    assert User.objects.filter(email__in=[a.email for a in BENCH_ACCOUNTS.values()]).count() == 4
    assert Conversation.objects.count() == TINY["conversations"]
    assert ListeningRound.objects.exists()
    assert Conversation.themes.through.objects.count() >= TINY["conversations"]
    assert Event.objects.count() == TINY["events"]
    assert abs(Rsvp.objects.count() - TINY["rsvps"]) <= TINY["events"]
    assert Shift.objects.exists()
    assert Membership.objects.count() == TINY["members"]
    assert MembershipEvent.objects.filter(kind=MembershipEvent.Kind.JOINED).count() == 10


def test_action_generator_fills_campaigns_signups_and_stories(tiny_hub):
    assert "action" in bench_data_providers()
    assert Campaign.objects.count() == TINY["campaigns"]
    assert Campaign.objects.filter(status=Campaign.Status.ACTIVE).exists()
    assert Signup.objects.count() == TINY["signups"]
    confirmed = Signup.objects.filter(status=Signup.Status.CONFIRMED)
    assert confirmed.count() > TINY["signups"] // 2
    assert not confirmed.filter(person__isnull=True).exclude(email__endswith=".invalid").exists()
    assert not Signup.objects.filter(status=Signup.Status.PENDING, person__isnull=False).exists()
    # Each ticked box is the consent that confirming records, dated when it was confirmed.
    shown = confirmed.filter(show_name=True, person__isnull=False).first()
    if shown is not None:
        assert Consent.objects.filter(
            person=shown.person_id,
            purpose=Consent.Purpose.SHOW_NAME,
            recorded_at=shown.confirmed_at,
        ).exists()
    assert Ask.objects.exists() and ActionTaken.objects.exists()
    assert Story.objects.filter(status=Story.Status.APPROVED, consent_to_publish=True).exists()
    assert Activity.objects.exists()


def test_framework_generator_fills_rounds_prompts_learnings_and_tags(tiny_hub):
    from django.utils import timezone

    from hubsite.framework import models as framework

    assert "framework" in bench_data_providers()
    rounds = framework.AssessmentRound.objects.order_by("opens_on")
    assert rounds.count() == 12
    assert rounds.last().opens_on <= timezone.localdate() <= rounds.last().closes_on  # open
    staff = User.objects.get(email=BENCH_ACCOUNTS["staff"].email)
    # The bench staff answered every practice of every round, and has prompts to answer.
    practices = framework.Practice.objects.count()
    assert framework.AssessmentAnswer.objects.filter(respondent=staff).count() == 12 * practices
    assert framework.PromptDelivery.objects.filter(recipient=staff, answered_at=None).exists()
    assert framework.PromptDelivery.objects.exclude(answer="").exists()
    assert framework.Learning.objects.count() >= 12
    assert framework.Learning.practices.through.objects.exists()
    assert framework.PracticeTag.objects.exists()


def test_privacy_generator_fills_the_audit_log_requests_and_retention_runs(tiny_hub):
    from django.utils import timezone

    from hubsite.privacy.models import AuditEntry, DataRequest, RetentionRun

    assert "privacy" in bench_data_providers()
    # Two entries a person, and the nightly retention runs of three years.
    assert AuditEntry.objects.count() == 2 * TINY["people"] + 3 * 365
    assert len(set(AuditEntry.objects.values_list("action", flat=True))) >= 6
    requests = DataRequest.objects.filter(status=DataRequest.Status.OPEN)
    assert requests.filter(due_on__lt=timezone.localdate()).exists()  # some overdue
    assert DataRequest.objects.exclude(status=DataRequest.Status.OPEN).exists()
    member = Person.objects.get(user__email=BENCH_ACCOUNTS["member"].email)
    assert DataRequest.objects.filter(person=member).count() == 2
    assert RetentionRun.objects.count() == 14


def test_every_measured_page_answers_at_tiny_scale(bench_settings, tiny_hub):
    """What ``make bench`` will ask, asked once each as its bench login: nothing broken."""
    rng = random.Random("test:pages")
    pages = core_pages(rng) + app_pages(rng)
    names = {page["name"] for page in pages}
    assert {"baseline", "people: list", "listening: conversations", "connect: events"} <= names
    assert {"action: campaign (public)", "action: sign-up (public POST)"} <= names
    clients = {"public": Client()}
    for role, account in BENCH_ACCOUNTS.items():
        clients[str(role)] = Client()
        clients[str(role)].force_login(User.objects.get(email=account.email))
    for page in pages:
        assert page["paths"], page["name"]
        client = clients[page["as"]]
        path = page["paths"][0]
        if page.get("method") == "POST":
            response = client.post(path, page["form"](0))
        else:
            response = client.get(path)
        assert response.status_code == page.get("expect", 200), (page["name"], path)
        if "cleanup" in page:
            page["cleanup"]()


def test_budgets_flag_slow_pages_too_many_queries_and_growth_between_scales():
    rows = [
        {"name": "baseline", "p95": 2.0, "queries": 0},
        {"name": "quick", "p95": 5.0, "queries": 3},
        {"name": "slow", "p95": 7.0, "queries": 3},
        {"name": "heavy", "p95": 160.0, "queries": 13},
        {"name": "grows", "p95": 5.0, "queries": 4},
        {"name": "broken", "p95": 1.0, "queries": 1, "error": "3 answers not 200"},
        {"name": "signed in", "p95": 9.0, "queries": 3, "reference": True},
    ]
    judge(rows, other={"grows": {"queries": 3}})
    misses = {row["name"]: " ".join(row["misses"]) for row in rows}
    assert misses["baseline"] == misses["quick"] == misses["signed in"] == ""
    assert "3× baseline" in misses["slow"]
    assert "150 ms" in misses["heavy"] and "13 queries" in misses["heavy"]
    assert "differ between scales" in misses["grows"]
    assert "not 200" in misses["broken"]
