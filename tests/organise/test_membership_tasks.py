"""The membership's daily ticks: a reminder before the renewal date, once per term however
often the tick runs, and not sent for a membership renewed meanwhile; the lapse after the
grace period, once, with one notice to the member. Also on a real Celery worker."""

import datetime
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from hubsite import celery_app
from hubsite.notify import registry
from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_deliver, site_url
from organise.models import Membership, MembershipEvent
from organise.services import members as services
from organise.services.membership import GRACE_DAYS, REMIND_DAYS_BEFORE, membership_renew
from organise.tasks import membership as tasks
from tests.conftest import TaskWatch
from tests.organise.factories import MembershipFactory, MembershipTypeFactory
from tests.people.factories import PersonFactory

DAY = datetime.timedelta(days=1)
HUB = f"[{settings.HUB_NAME}]"


def renewing_in(days, first_name="Amina", kind=None, **fields):
    today = timezone.localdate()
    person = PersonFactory(
        first_name=first_name, email=fields.pop("email", f"{first_name.lower()}@example.test")
    )
    return MembershipFactory(
        person=person,
        term_started_on=today + days * DAY - 365 * DAY,
        renews_on=today + days * DAY,
        **({"type": kind} if kind else {}),
        **fields,
    )


def reminders():
    return OutboxMessage.objects.filter(key__startswith="organise:renewal:").order_by("to_email")


def notices():
    return OutboxMessage.objects.filter(key__startswith="organise:lapsed:").order_by("to_email")


@pytest.fixture
def send_checks():
    """The outbox's checks of Organise's membership emails, as the app registers them."""
    saved = dict(registry._send_checks)
    registry.register_send_check("organise:renewal:", services.renewal_message_still_wanted)
    registry.register_send_check("organise:lapsed:", services.lapse_message_still_wanted)
    yield
    registry._send_checks.clear()
    registry._send_checks.update(saved)


# Renewal reminders --------------------------------------------------------------------


@pytest.mark.django_db
def test_members_due_for_renewal_soon_are_reminded_once_however_often_the_tick_runs():
    due = [renewing_in(0, "Today"), renewing_in(7, "Week"), renewing_in(REMIND_DAYS_BEFORE, "Edge")]
    renewing_in(REMIND_DAYS_BEFORE + 1, "Later")
    renewing_in(-1, "Overdue")  # in the grace period: past its renewal date
    renewing_in(5, "Lapsed", status=Membership.Status.LAPSED, ended_on=timezone.localdate())
    renewing_in(5, "Left", status=Membership.Status.LEFT, ended_on=timezone.localdate())
    renewing_in(5, "Pending", status=Membership.Status.PENDING)
    renewing_in(5, "Noemail", email="")

    first = tasks.memberships_remind_renewal()
    second = tasks.memberships_remind_renewal()

    assert first == second == 3
    assert sorted(reminders().values_list("key", flat=True)) == sorted(
        f"organise:renewal:{m.pk}:{m.renews_on.isoformat()}" for m in due
    )
    assert set(reminders().values_list("category", flat=True)) == {"account"}


@pytest.mark.django_db
def test_the_reminder_says_when_links_to_the_members_page_and_suggests_the_contribution():
    household = MembershipTypeFactory(name="Household", suggested_contribution=Decimal("12.00"))
    membership = renewing_in(10, kind=household)
    free = renewing_in(10, "Bo", kind=MembershipTypeFactory(name="Individual"))

    services.renewal_reminders_send()

    message = reminders().get(person=membership.person)
    when = membership.renews_on.strftime("%-d %B %Y")
    assert message.to_email == "amina@example.test"
    assert message.subject == f"{HUB} Your membership renews on {when}"
    assert "Hello Amina" in message.body_text
    assert site_url() + reverse("organise:my_membership") in message.body_text
    assert "£12.00" in message.body_text and "Household" in message.body_text
    free_message = reminders().get(person=free.person)
    assert "suggested contribution" not in free_message.body_text


@pytest.mark.django_db
def test_a_member_is_reminded_again_in_their_next_term():
    membership = renewing_in(3)
    services.renewal_reminders_send()

    renewed = membership_renew(membership=membership)
    services.renewal_reminders_send(today=renewed.renews_on - 5 * DAY)

    assert list(reminders().values_list("key", flat=True)) == [
        f"organise:renewal:{membership.pk}:{membership.renews_on.isoformat()}",
        f"organise:renewal:{membership.pk}:{renewed.renews_on.isoformat()}",
    ]


@pytest.mark.django_db
def test_a_reminder_for_a_membership_renewed_meanwhile_is_not_sent(send_checks):
    renewed, waiting = renewing_in(3, "Renewed"), renewing_in(3, "Waiting")
    services.renewal_reminders_send()

    membership_renew(membership=renewed)  # before the worker sends the reminder
    for message in reminders():
        message_deliver(message_id=message.pk)

    assert [m.to[0] for m in mail.outbox] == ["waiting@example.test"]
    statuses = dict(reminders().values_list("person_id", "status"))
    assert statuses == {
        renewed.person_id: OutboxMessage.Status.CANCELLED,
        waiting.person_id: OutboxMessage.Status.SENT,
    }


@pytest.mark.django_db
def test_the_send_check_wants_a_reminder_only_while_the_membership_waits_for_renewal():
    membership = renewing_in(3)
    message = services.renewal_remind(membership_id=membership.pk)

    assert services.renewal_message_still_wanted(message)
    Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.LEFT)
    assert not services.renewal_message_still_wanted(message)
    Membership.objects.filter(pk=membership.pk).update(
        status=Membership.Status.ACTIVE, renews_on=membership.renews_on + 365 * DAY
    )
    assert not services.renewal_message_still_wanted(message)
    message.key = "organise:renewal:not-a-key"
    assert services.renewal_message_still_wanted(message)


# Lapsing ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_membership_lapses_once_and_its_member_is_told_once():
    today = timezone.localdate()
    due = renewing_in(-(GRACE_DAYS + 1), "Due")
    in_grace = renewing_in(-GRACE_DAYS, "Grace")
    renewing_in(-(GRACE_DAYS + 5), "Noemail", email="")

    assert tasks.memberships_lapse() == 2
    assert tasks.memberships_lapse() == 0

    due.refresh_from_db()
    assert (due.status, due.ended_on) == (Membership.Status.LAPSED, today)
    assert MembershipEvent.objects.filter(membership=due, kind="lapsed").count() == 1
    in_grace.refresh_from_db()
    assert in_grace.status == Membership.Status.ACTIVE
    message = notices().get()
    assert message.key == f"organise:lapsed:{due.pk}:{today.isoformat()}"
    assert (message.to_email, message.category) == ("due@example.test", "account")
    assert message.subject == f"{HUB} Your membership has lapsed"
    assert site_url() + reverse("organise:my_membership") in message.body_text


@pytest.mark.django_db
def test_a_notice_lost_with_a_worker_is_written_on_the_next_tick_but_old_lapses_are_left():
    today = timezone.localdate()
    missed = renewing_in(-40, "Missed", status=Membership.Status.LAPSED, ended_on=today - 2 * DAY)
    renewing_in(-400, "Old", status=Membership.Status.LAPSED, ended_on=today - 300 * DAY)

    services.lapse_notices_send()
    services.lapse_notices_send()

    assert list(notices().values_list("person_id", flat=True)) == [missed.person_id]


@pytest.mark.django_db
def test_a_lapse_notice_is_not_sent_to_a_member_who_rejoined_meanwhile(send_checks):
    lapsing = renewing_in(-(GRACE_DAYS + 1))
    services.lapse_notices_send()

    membership_renew(membership=lapsing)
    message_deliver(message_id=notices().get().pk)

    assert mail.outbox == []
    assert notices().get().status == OutboxMessage.Status.CANCELLED


# On a real worker ---------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_ticks_on_a_real_worker_send_one_email_per_member_also_when_run_twice():
    renewing_in(5, "Soon")
    renewing_in(-(GRACE_DAYS + 2), "Gone")
    renewing_in(60, "Later")

    with (
        TaskWatch() as watch,
        start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30),
    ):
        for _ in range(2):
            tasks.memberships_remind_renewal.delay()
            tasks.memberships_lapse.delay()
            watch.wait()

    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("gone@example.test", f"{HUB} Your membership has lapsed"),
        (
            "soon@example.test",
            f"{HUB} Your membership renews on "
            + (timezone.localdate() + 5 * DAY).strftime("%-d %B %Y"),
        ),
    ]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert Membership.objects.filter(status=Membership.Status.LAPSED).count() == 1


def test_applications_never_confirmed_are_forgotten_after_thirty_days_and_no_others(db):
    from datetime import timedelta

    from django.utils import timezone

    from organise.models import JoinApplication
    from organise.tasks.membership import join_applications_forget
    from tests.organise.factories import MembershipTypeFactory

    kind = MembershipTypeFactory()
    now = timezone.now()
    old = JoinApplication.objects.create(
        email="old@example.test", first_name="Old", type=kind, created_at=now - timedelta(days=31)
    )
    fresh = JoinApplication.objects.create(
        email="new@example.test", first_name="New", type=kind, created_at=now - timedelta(days=3)
    )
    confirmed = JoinApplication.objects.create(
        email="yes@example.test",
        first_name="Yes",
        type=kind,
        created_at=now - timedelta(days=90),
        confirmed_at=now - timedelta(days=89),
    )

    assert join_applications_forget() == 1
    assert join_applications_forget() == 0
    remaining = set(JoinApplication.objects.values_list("pk", flat=True))
    assert remaining == {fresh.pk, confirmed.pk}
    assert old.pk not in remaining


@pytest.mark.django_db
def test_forgetting_an_application_forgets_the_emails_about_it_too():
    from datetime import timedelta

    from organise.models import JoinApplication
    from organise.services import joining
    from organise.tasks.membership import join_applications_forget

    kind = MembershipTypeFactory()
    old = joining.application_submit(email="old@example.test", first_name="Old", type=kind)
    fresh = joining.application_submit(email="new@example.test", first_name="New", type=kind)
    confirmed = joining.application_submit(email="yes@example.test", first_name="Yes", type=kind)
    joining.application_confirm(application=confirmed)
    # An address whose application has a number that starts like the old one's.
    neighbour = OutboxMessage.objects.create(
        key=f"organise:join:{old.pk}0:confirm",
        to_email="n@example.test",
        subject="Please confirm",
        body_text="",
        category=OutboxMessage.Category.ACCOUNT,
    )
    long_ago = timezone.now() - timedelta(days=31)
    JoinApplication.objects.filter(pk__in=[old.pk, confirmed.pk]).update(created_at=long_ago)
    assert OutboxMessage.objects.filter(to_email="old@example.test").exists()

    assert join_applications_forget() == 1

    assert not JoinApplication.objects.filter(pk=old.pk).exists()
    assert not OutboxMessage.objects.filter(to_email="old@example.test").exists()
    assert not OutboxMessage.objects.filter(key__startswith=f"organise:join:{old.pk}:").exists()
    kept = set(OutboxMessage.objects.values_list("to_email", flat=True))
    assert kept == {"new@example.test", "yes@example.test", neighbour.to_email}
    assert fresh.pk in set(JoinApplication.objects.values_list("pk", flat=True))
