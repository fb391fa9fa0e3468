"""The management commands that set up a hub: the first staff login and the demo hub."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.urls import reverse

from hubsite.people.models import (
    Consent,
    Group,
    GroupMembership,
    Locality,
    Person,
    Role,
    Tag,
    User,
)
from hubsite.people.selectors import group_list

DEMO_ACCOUNTS = {
    "staff@example.org": Role.STAFF,
    "organiser@example.org": Role.ORGANISER,
    "volunteer@example.org": Role.VOLUNTEER,
    "member@example.org": Role.MEMBER,
}
STRONG_PASSWORD = "correct-horse-kelmington-42"


def seed():
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)  # pytest-django runs with DEBUG off
    return out.getvalue()


def create_staff(*args):
    out = StringIO()
    call_command("create_staff", *args, stdout=out)
    return out.getvalue()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Person, Locality, Tag, Group, GroupMembership, Consent, User, EmailAddress)
    } | {"person tags": Person.tags.through.objects.count()}


def test_seed_demo_builds_a_small_hub(db):
    seed()

    assert Person.objects.count() == 200
    assert Locality.objects.count() == 6
    assert not Locality.objects.filter(population__isnull=True).exists()
    assert not Locality.objects.filter(latitude__isnull=True).exists()
    assert Tag.objects.count() == 8
    assert Person.tags.through.objects.exists()
    # The demo's approved proposal adds a self-organised group of Organise's.
    assert Group.objects.exclude(kind=Group.Kind.SELF_ORGANISED).count() == 7
    assert set(Group.objects.values_list("kind", flat=True)) >= {
        Group.Kind.RESIDENTS,
        Group.Kind.INTEREST,
        Group.Kind.CAMPAIGN,
        Group.Kind.PARTNER,
    }
    sizes = Group.objects.annotate(
        size=Count("memberships"),
        leads=Count("memberships", filter=~Q(memberships__role=GroupMembership.Role.MEMBER)),
    )
    for group in sizes:
        assert group.size >= 10, group
        assert group.leads >= 1, f"{group} has nobody leading or organising it"


def test_seed_demo_people_look_like_a_town(db):
    seed()

    with_email = Person.objects.exclude(email="")
    assert 150 <= with_email.count() < 200, "most people have an email, some have none"
    assert not with_email.exclude(email__endswith="@example.org").exists()
    assert Person.objects.exclude(phone="").count() > 50
    assert Person.objects.exclude(postcode="").count() > 150
    assert Person.objects.values("last_name").distinct().count() > 80


def test_seed_demo_records_consent_with_its_history(db):
    seed()

    assert Consent.objects.values("person").distinct().count() > 180
    methods = dict(Consent.objects.values_list("method").annotate(n=Count("id")))
    assert (
        methods[Consent.Method.ONLINE] + methods[Consent.Method.VERBAL] > sum(methods.values()) / 2
    ), "consent is mostly given online or in person"
    withdrawn = Consent.objects.filter(given=False)
    assert withdrawn.exists()
    for statement in withdrawn:
        earlier = Consent.objects.filter(
            person=statement.person,
            purpose=statement.purpose,
            given=True,
            recorded_at__lt=statement.recorded_at,
        )
        assert earlier.exists(), "a withdrawal follows the consent it withdraws"


def test_seed_demo_opens_the_four_demo_accounts(db):
    seed()

    for email, role in DEMO_ACCOUNTS.items():
        user = User.objects.get(email=email)
        assert user.role == role
        assert user.is_active
        assert user.check_password("hub-demo-2026")
        assert EmailAddress.objects.filter(
            user=user, email=email, verified=True, primary=True
        ).exists()
        assert user.person.email == email
    staff = User.objects.get(email="staff@example.org")
    assert staff.is_staff and staff.is_superuser
    assert not User.objects.filter(is_superuser=True).exclude(pk=staff.pk).exists()
    organiser = User.objects.get(email="organiser@example.org")
    assert group_list(organiser).exists(), "the demo organiser organises at least one group"


def test_seed_demo_takes_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("HUB_DEMO_PASSWORD", "another-demo-secret")

    out = seed()

    assert User.objects.get(email="member@example.org").check_password("another-demo-secret")
    assert "another-demo-secret" in out


def test_seed_demo_prints_counts_and_the_staff_login(db):
    out = seed()

    assert "200 people" in out
    assert "staff@example.org" in out
    assert "hub-demo-2026" in out


def test_seed_demo_twice_keeps_the_same_counts(db):
    seed()
    first = counts()

    seed()

    assert counts() == first


def test_demo_staff_can_sign_in(client, db):
    seed()

    response = client.post(
        reverse("account_login"),
        {"login": "staff@example.org", "password": "hub-demo-2026"},
    )

    assert response.status_code == 302, "a form error would answer 200"
    assert client.session["_auth_user_id"] == str(User.objects.get(email="staff@example.org").pk)


def test_create_staff_opens_a_staff_login_ready_to_use(db):
    out = create_staff("--email", "Lead@Example.org", "--password", STRONG_PASSWORD)

    user = User.objects.get(email="lead@example.org")
    assert user.role == Role.STAFF
    assert user.is_staff and user.is_superuser
    assert user.check_password(STRONG_PASSWORD)
    assert EmailAddress.objects.filter(
        user=user, email="lead@example.org", verified=True, primary=True
    ).exists()
    assert Person.objects.get(user=user).email == "lead@example.org"
    assert "lead@example.org" in out


def test_create_staff_links_the_person_the_hub_already_knows(db):
    known = Person.objects.create(first_name="Nadia", last_name="Iqbal", email="nadia@example.org")

    create_staff("--email", "nadia@example.org", "--password", STRONG_PASSWORD)

    known.refresh_from_db()
    assert known.user.email == "nadia@example.org"
    assert Person.objects.count() == 1


def test_create_staff_refuses_an_email_already_in_use(db):
    create_staff("--email", "lead@example.org", "--password", STRONG_PASSWORD)

    with pytest.raises(CommandError, match="already exists"):
        create_staff("--email", "LEAD@example.org", "--password", STRONG_PASSWORD)
    assert User.objects.count() == 1


def test_create_staff_refuses_a_weak_password(db):
    with pytest.raises(CommandError, match="not accepted"):
        create_staff("--email", "lead@example.org", "--password", "12345")
    assert not User.objects.exists()


def test_create_staff_refuses_an_invalid_email(db):
    with pytest.raises(CommandError, match="not a valid email"):
        create_staff("--email", "not-an-address", "--password", STRONG_PASSWORD)


def test_create_staff_without_input_reads_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("HUB_STAFF_PASSWORD", STRONG_PASSWORD)

    create_staff("--email", "lead@example.org", "--noinput")

    assert User.objects.get(email="lead@example.org").check_password(STRONG_PASSWORD)


def test_create_staff_without_input_or_password_explains_what_to_set(db, monkeypatch):
    monkeypatch.delenv("HUB_STAFF_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="HUB_STAFF_PASSWORD"):
        create_staff("--email", "lead@example.org", "--noinput")
    assert not User.objects.exists()


def test_create_staff_asks_for_the_password_twice(db, monkeypatch):
    answers = iter([STRONG_PASSWORD, STRONG_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    create_staff("--email", "lead@example.org")

    assert User.objects.get(email="lead@example.org").check_password(STRONG_PASSWORD)


def test_create_staff_refuses_passwords_that_differ(db, monkeypatch):
    answers = iter([STRONG_PASSWORD, STRONG_PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    with pytest.raises(CommandError, match="differ"):
        create_staff("--email", "lead@example.org")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_on_a_production_hub(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()
