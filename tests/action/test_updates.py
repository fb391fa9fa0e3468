"""Updates to a campaign's supporters: only confirmed supporters who agreed to hear from the
campaign get one, each exactly once however often a batch runs, never after they
unsubscribed; only the people who run the campaign write and send them."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from action import tasks
from action.models import Signup, SupporterUpdate
from action.selectors import updates as selectors
from action.services import updates as services
from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_deliver
from hubsite.people.models import Consent, GroupMembership, Role
from hubsite.people.services import consent_record
from tests.action.factories import CampaignFactory, SignupFactory
from tests.conftest import make_user
from tests.people.factories import GroupFactory, GroupMembershipFactory

pytestmark = pytest.mark.django_db


def consent(person, *, given=True):
    consent_record(
        person=person,
        purpose=Consent.Purpose.CONTACT_EMAIL,
        given=given,
        method=Consent.Method.ONLINE,
    )


def supporter(campaign, **fields):
    """A confirmed supporter who agreed to hear from the campaign (unless told otherwise)."""
    signup = SignupFactory(campaign=campaign, **fields)
    if signup.person:
        consent(signup.person)
    return signup


PENDING = {"first_name": "Pat", "email": "pending@example.test"}


def campaign_with_supporters(reachable=3):
    """A campaign with ``reachable`` supporters an update goes to, and one of each kind it
    must never reach."""
    campaign = CampaignFactory()
    ours = [supporter(campaign) for _ in range(reachable)]
    supporter(campaign, person=None, status=Signup.Status.PENDING, **PENDING)
    supporter(campaign, status=Signup.Status.PENDING)  # even were it linked to a person
    supporter(campaign, consent_contact=False)
    supporter(campaign, unsubscribed_at=timezone.now())
    withdrew = supporter(campaign)
    consent(withdrew.person, given=False)  # said no to any email from the hub since
    supporter(CampaignFactory())  # another campaign's supporter
    return campaign, ours


def draft(campaign, **fields):
    data = {"subject": "The council meets on Monday", "body": "Come at 6pm, bring a friend."}
    data.update(fields)
    return services.update_create(campaign=campaign, created_by=None, **data)


def start(update, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        update = services.update_send(update=update)
    assert len(callbacks) == 1  # the first batch, queued once the transaction commits
    return update


def deliver_batches(update, batch_size, after=0):
    runs = 0
    while after is not None:
        after = services.update_deliver_batch(
            update_id=update.pk, after_signup_id=after, batch_size=batch_size
        )
        runs += 1
    return runs


def deliver_outbox():
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        message_deliver(message_id=pk)


def recipients():
    return sorted(message.to[0] for message in mail.outbox)


def link_in(body, part):
    word = next(word for word in body.split() if part in word)
    return word.split("localhost:8000", 1)[1]


# Who gets it, and how often ----------------------------------------------------------------


def test_an_update_reaches_every_consenting_confirmed_supporter_once_and_no_one_else(
    django_capture_on_commit_callbacks,
):
    campaign, ours = campaign_with_supporters(reachable=5)
    update = draft(campaign)
    assert services.update_preview(update=update, viewer=None)["recipients"] == 5
    update = start(update, django_capture_on_commit_callbacks)
    assert update.status == SupporterUpdate.Status.SENDING

    assert deliver_batches(update, batch_size=2) == 3  # 5 to reach: 2 + 2 + 1
    deliver_outbox()

    assert recipients() == sorted(signup.email for signup in ours)
    update.refresh_from_db()
    assert (update.status, update.recipients) == (SupporterUpdate.Status.SENT, 5)
    assert update.sent_at is not None
    message = next(m for m in mail.outbox if m.to == [ours[0].email])
    assert message.subject.endswith("The council meets on Monday")
    assert f"Hello {ours[0].first_name}," in message.body
    assert "Come at 6pm, bring a friend." in message.body
    assert f"because you signed {campaign.name}" in message.body
    assert "/campaigns/unsubscribe/" in message.body
    assert "pending@example.test" not in recipients()


def test_a_batch_run_again_after_an_interruption_sends_nobody_twice(
    django_capture_on_commit_callbacks,
):
    campaign, ours = campaign_with_supporters(reachable=5)
    update = start(draft(campaign), django_capture_on_commit_callbacks)
    # A worker wrote the first batch and died; the whole send then runs again, twice.
    services.update_deliver_batch(update_id=update.pk, after_signup_id=0, batch_size=2)
    assert OutboxMessage.objects.count() == 2
    update.refresh_from_db()
    assert update.status == SupporterUpdate.Status.SENDING
    deliver_batches(update, batch_size=2)
    SupporterUpdate.objects.filter(pk=update.pk).update(status=SupporterUpdate.Status.SENDING)
    deliver_batches(update, batch_size=3)
    deliver_outbox()

    assert OutboxMessage.objects.count() == 5
    assert recipients() == sorted(signup.email for signup in ours)
    # A task delivered again once the update is sent does nothing.
    assert tasks.update_deliver(update.pk, 0, 2) is None
    assert OutboxMessage.objects.count() == 5


def test_an_update_is_sent_once_and_no_longer_changes(django_capture_on_commit_callbacks):
    campaign, _ = campaign_with_supporters()
    update = start(draft(campaign), django_capture_on_commit_callbacks)
    with pytest.raises(Exception, match="already been sent"):
        services.update_send(update=update)
    with pytest.raises(Exception, match="already been sent"):
        services.update_edit(update=update, subject="Changed", body="Changed")
    update.refresh_from_db()
    assert update.subject == "The council meets on Monday"


def test_an_update_with_no_one_to_reach_is_not_sent():
    campaign = CampaignFactory()
    supporter(campaign, person=None, status=Signup.Status.PENDING, **PENDING)
    supporter(campaign, status=Signup.Status.PENDING)
    update = draft(campaign)
    with pytest.raises(Exception, match="No one can get this update"):
        services.update_send(update=update)
    update.refresh_from_db()
    assert update.status == SupporterUpdate.Status.DRAFT


# Unsubscribing -------------------------------------------------------------------------------


def test_unsubscribing_after_the_email_was_written_stops_it(
    client, django_capture_on_commit_callbacks
):
    campaign, ours = campaign_with_supporters(reachable=3)
    update = start(draft(campaign), django_capture_on_commit_callbacks)
    deliver_batches(update, batch_size=10)
    leaving = ours[0]
    written = OutboxMessage.objects.get(key=f"action:update:{update.pk}:{leaving.pk}")

    assert client.post(link_in(written.body_text, "/unsubscribe/")).status_code == 200
    deliver_outbox()

    assert recipients() == sorted(signup.email for signup in ours[1:])
    written.refresh_from_db()
    assert written.status == OutboxMessage.Status.CANCELLED


def test_the_unsubscribe_link_works_without_signing_in_and_stops_further_updates(
    client, django_capture_on_commit_callbacks
):
    campaign, ours = campaign_with_supporters(reachable=2)
    first = start(draft(campaign), django_capture_on_commit_callbacks)
    deliver_batches(first, batch_size=10)
    deliver_outbox()
    message = next(m for m in mail.outbox if m.to == [ours[0].email])
    link = link_in(message.body, "/unsubscribe/")

    page = client.get(link)  # nobody signed in; a GET (a mail scanner) changes nothing
    assert page.status_code == 200
    assert b"Yes, stop them" in page.content
    assert Signup.objects.get(pk=ours[0].pk).unsubscribed_at is None
    assert b"No more emails" in client.post(link).content
    assert Signup.objects.get(pk=ours[0].pk).unsubscribed_at is not None

    mail.outbox.clear()
    second = start(draft(campaign, subject="We won"), django_capture_on_commit_callbacks)
    deliver_batches(second, batch_size=10)
    deliver_outbox()
    assert recipients() == [ours[1].email]
    second.refresh_from_db()
    assert second.recipients == 1


def test_the_send_check_cancels_only_what_is_no_longer_wanted():
    campaign, (staying, leaving) = campaign_with_supporters(reachable=2)
    update = draft(campaign)
    leaving.unsubscribed_at = timezone.now()
    leaving.save()

    def wanted(key):
        return services.message_still_wanted(OutboxMessage(key=key))

    assert wanted(f"action:update:{update.pk}:{staying.pk}")
    assert not wanted(f"action:update:{update.pk}:{leaving.pk}")
    assert not wanted(f"action:update:{update.pk + 1}:{staying.pk}")  # not its campaign
    assert not wanted(f"action:update:{update.pk}:999999")


# The screens -------------------------------------------------------------------------------


@pytest.fixture
def our_campaign(organiser_user):
    group = GroupFactory()
    GroupMembershipFactory(
        person=organiser_user.person, group=group, role=GroupMembership.Role.ORGANISER
    )
    campaign, _ = campaign_with_supporters(reachable=3)
    campaign.groups.add(group)
    return campaign


def url(name, campaign, update=None):
    args = [campaign.slug] + ([update.pk] if update else [])
    return reverse(f"action:{name}", args=args)


def test_an_organiser_writes_checks_tests_and_sends_an_update(
    organiser_client, organiser_user, our_campaign, django_capture_on_commit_callbacks
):
    response = organiser_client.post(
        url("update_create", our_campaign),
        {"subject": "  The council\r\nmeets ", "body": "Come at 6pm.\r\n\r\nBring a friend."},
    )
    update = SupporterUpdate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("update_preview", our_campaign, update)
    assert update.subject == "The council meets"  # one line, whatever was typed

    preview = organiser_client.get(url("update_preview", our_campaign, update))
    assert preview.context["preview"]["recipients"] == 3
    assert b"<strong>3</strong> supporters" in preview.content
    assert b"Come at 6pm." in preview.content and b"because you signed" in preview.content

    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(url("update_send_test", our_campaign, update))
    (test,) = OutboxMessage.objects.all()
    assert (test.to_email, test.category) == (organiser_user.email, OutboxMessage.Category.WORK)
    assert test.subject.startswith("[Test] ")

    confirm = organiser_client.get(url("update_send", our_campaign, update))
    assert b"<strong>3</strong> supporters" in confirm.content
    unticked = organiser_client.post(url("update_send", our_campaign, update), {})
    assert unticked.status_code == 400
    assert b"Tick the box" in unticked.content
    update.refresh_from_db()
    assert update.status == SupporterUpdate.Status.DRAFT

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sent = organiser_client.post(url("update_send", our_campaign, update), {"confirm": "on"})
    assert sent.status_code == 302
    assert len(callbacks) == 1
    update.refresh_from_db()
    assert update.status == SupporterUpdate.Status.SENDING
    # Sending again, or editing, is refused with a note.
    again = organiser_client.post(url("update_send", our_campaign, update), {"confirm": "on"})
    assert again.status_code == 302
    edit = organiser_client.get(url("update_edit", our_campaign, update))
    assert edit.status_code == 302
    assert OutboxMessage.objects.count() == 1  # the test only: the batches are Celery's


def test_while_sending_the_figures_refresh_on_their_own(organiser_client, our_campaign):
    update = draft(our_campaign)
    SupporterUpdate.objects.filter(pk=update.pk).update(status=SupporterUpdate.Status.SENDING)
    page = organiser_client.get(url("update_preview", our_campaign, update))
    assert b'hx-trigger="every 5s"' in page.content
    part = organiser_client.get(url("update_preview", our_campaign, update), HTTP_HX_REQUEST="true")
    assert part.content.strip().startswith(b'<div id="update-progress"')
    assert b"<html" not in part.content


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"body": "Hello"}, "subject", "Write a subject"),
        ({"subject": " \r\n ", "body": "Hello"}, "subject", "Write a subject"),
        ({"subject": "News", "body": ""}, "body", "Write the update"),
        ({"subject": "News", "body": " \r\n "}, "body", "Write the update"),
        ({"subject": "N" * 141, "body": "Hello"}, "subject", "at most 140"),
        ({"subject": "News", "body": "x" * 10_001}, "body", "at most 10000"),
    ],
)
def test_bad_updates_get_a_clear_message_and_save_nothing(
    organiser_client, our_campaign, data, field, message
):
    response = organiser_client.post(url("update_create", our_campaign), data)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert not SupporterUpdate.objects.exists()

    update = draft(our_campaign)
    response = organiser_client.post(url("update_edit", our_campaign, update), data)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    update.refresh_from_db()
    assert update.subject == "The council meets on Monday"
    update.delete()


def test_the_service_keeps_its_rules_whatever_the_form_lets_through():
    campaign = CampaignFactory()
    with pytest.raises(Exception, match="Write a subject"):
        draft(campaign, subject="\n")
    with pytest.raises(Exception, match="Keep the update to"):
        draft(campaign, body="x" * (services.BODY_MAX_LENGTH + 1))
    assert not SupporterUpdate.objects.exists()


def test_only_those_who_run_the_campaign_reach_its_updates(
    client, member_client, staff_client, our_campaign
):
    update = draft(our_campaign)
    other = make_user(Role.ORGANISER, "other@example.test")
    other_client = Client()
    other_client.force_login(other)
    screens = [
        url("update_list", our_campaign),
        url("update_create", our_campaign),
        url("update_preview", our_campaign, update),
        url("update_edit", our_campaign, update),
        url("update_send_test", our_campaign, update),
        url("update_send", our_campaign, update),
    ]
    for screen in screens:
        for method in ("get", "post"):
            data = {"subject": "Hijack", "body": "Hijack", "confirm": "on"}
            anonymous = getattr(client, method)(screen, data)
            assert anonymous.status_code == 302
            assert anonymous["Location"].startswith("/accounts/login/")
            assert getattr(member_client, method)(screen, data).status_code == 403
            # Not found (a POST-only screen answers a GET with 405 before looking).
            expected = 405 if method == "get" and screen.endswith("/test/") else 404
            assert getattr(other_client, method)(screen, data).status_code == expected
    update.refresh_from_db()
    assert (update.subject, update.status) == ("The council meets on Monday", "draft")
    assert SupporterUpdate.objects.count() == 1
    assert not OutboxMessage.objects.exists()
    assert staff_client.get(url("update_list", our_campaign)).status_code == 200


def test_the_list_costs_the_same_queries_with_2_and_20_updates(organiser_client, our_campaign):
    def queries():
        with CaptureQueriesContext(connection) as context:
            response = organiser_client.get(url("update_list", our_campaign))
        assert response.status_code == 200
        return len(context)

    for _ in range(2):
        draft(our_campaign)
    few = queries()
    for _ in range(18):
        draft(our_campaign)
    assert queries() == few


def test_stalled_sendings_are_found_to_be_started_again(django_capture_on_commit_callbacks):
    campaign, _ = campaign_with_supporters(reachable=3)
    update = start(draft(campaign), django_capture_on_commit_callbacks)
    assert selectors.updates_stalled() == [update.pk]  # nothing written yet
    services.update_deliver_batch(update_id=update.pk, after_signup_id=0, batch_size=1)
    assert selectors.updates_stalled() == []  # busy
    OutboxMessage.objects.update(created_at=timezone.now() - timedelta(minutes=30))
    assert selectors.updates_stalled() == [update.pk]
    deliver_batches(update, batch_size=10)
    assert selectors.updates_stalled() == []  # sent
