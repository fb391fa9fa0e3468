"""Calls to action: written to a segment, checked (who it reaches, the email, a test to
oneself), sent now or at a set time to each reachable person exactly once, stopped; the
answers and unsubscribes from the email's links; and who may do what."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from action.models import Campaign
from connect.models import Event
from hubsite.notify import registry
from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_deliver
from hubsite.people.models import Consent, Person, Role
from hubsite.people.selectors import consent_given
from organise.models import CallToAction, Delivery
from organise.selectors import calls as selectors
from organise.services import calls as services
from organise.tasks import calls as tasks
from tests.action.factories import CampaignFactory
from tests.conftest import make_user
from tests.connect.factories import EventFactory
from tests.organise.factories import CallToActionFactory, SegmentFactory
from tests.organise.factories_calls import DeliveryFactory, consent, reachable
from tests.people.factories import (
    GroupFactory,
    GroupMembershipFactory,
    LocalityFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"organise:{name}", args=args)


@pytest.fixture(autouse=True)
def _send_check():
    """The outbox's last check for calls, as organise's AppConfig registers it."""
    before = dict(registry._send_checks)
    registry.register_send_check("organise:call:", services.message_still_wanted)
    yield
    registry._send_checks.clear()
    registry._send_checks.update(before)


@pytest.fixture
def no_broker(monkeypatch):
    """Tasks the beat tick queues are recorded, not sent to a broker."""
    queued = []
    monkeypatch.setattr(tasks.call_deliver, "delay", lambda *args: queued.append(args))
    return queued


def segment_with_people(owner, reach=3):
    """A segment of one place: ``reach`` people it reaches, and one of each kind it must
    never reach; plus someone reachable elsewhere."""
    place = LocalityFactory(name="Riverside")
    ours = [reachable(locality=place) for _ in range(reach)]
    PersonFactory(locality=place)  # never agreed
    withdrew = reachable(locality=place)
    consent(withdrew, given=False, when=timezone.now() + timedelta(seconds=1))
    reachable(locality=place, email="")
    reachable()  # another place
    segment = SegmentFactory(created_by=owner, filters={"localities": [place.pk]})
    return segment, ours


def draft(segment, created_by, **fields):
    data = {"subject": "Come to the lifts meeting", "body": "We meet on Thursday at 6pm."}
    data.update(fields)
    return services.call_create(segment=segment, created_by=created_by, **data)


def start(call, sender, capture, **kwargs):
    with capture(execute=False) as callbacks:
        call = services.call_send(call=call, sender=sender, **kwargs)
    assert len(callbacks) == (0 if kwargs.get("send_at") else 1)
    return call


def deliver_batches(call, batch_size, after=0):
    runs = 0
    while after is not None:
        after = services.call_deliver_batch(
            call_id=call.pk, after_person_id=after, batch_size=batch_size
        )
        runs += 1
    return runs


def deliver_outbox():
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        message_deliver(message_id=pk)


def recipients():
    return sorted(message.to[0] for message in mail.outbox)


def link_in(body, part, nth=0):
    words = [word for word in body.split() if part in word]
    return words[nth].split("localhost:8000", 1)[1]


# Who gets it, and how often -----------------------------------------------------------------


def test_a_call_reaches_each_reachable_person_once_and_no_one_else(
    staff_user, django_capture_on_commit_callbacks
):
    segment, ours = segment_with_people(staff_user, reach=5)
    event = EventFactory(title="Lifts meeting")
    call = draft(segment, staff_user, event=event)
    assert services.call_preview(call=call, viewer=staff_user)["recipients"] == 5
    call = start(call, staff_user, django_capture_on_commit_callbacks)
    assert (call.status, call.started_at is not None) == (CallToAction.Status.SENDING, True)

    assert deliver_batches(call, batch_size=2) == 3  # 5 people: 2 + 2 + 1
    deliver_outbox()

    assert recipients() == sorted(person.email for person in ours)
    call.refresh_from_db()
    assert (call.status, call.recipients) == (CallToAction.Status.SENT, 5)
    assert call.sent_at is not None
    assert Delivery.objects.filter(call=call).count() == 5
    assert all(d.message_id for d in Delivery.objects.filter(call=call))
    message = next(m for m in mail.outbox if m.to == [ours[0].email])
    assert message.subject.endswith("Come to the lifts meeting")
    assert message.reply_to == [staff_user.email]
    assert f"Hello {ours[0].first_name}," in message.body
    assert "We meet on Thursday at 6pm." in message.body
    assert "Will you come to Lifts meeting" in message.body
    assert message.body.count("/organise/calls/respond/") == 2
    assert "/organise/calls/unsubscribe/" in message.body
    assert OutboxMessage.objects.filter(
        key=f"organise:call:{call.pk}:{ours[0].pk}", category=OutboxMessage.Category.CONTACT
    ).exists()


def test_a_batch_run_again_after_an_interruption_sends_nobody_twice(
    staff_user, django_capture_on_commit_callbacks
):
    segment, ours = segment_with_people(staff_user, reach=5)
    call = start(draft(segment, staff_user), staff_user, django_capture_on_commit_callbacks)
    # A worker wrote the first batch and died; the whole send then runs again, twice.
    services.call_deliver_batch(call_id=call.pk, after_person_id=0, batch_size=2)
    assert Delivery.objects.count() == OutboxMessage.objects.count() == 2
    deliver_batches(call, batch_size=2)
    CallToAction.objects.filter(pk=call.pk).update(status=CallToAction.Status.SENDING)
    deliver_batches(call, batch_size=3)
    deliver_outbox()

    assert Delivery.objects.count() == OutboxMessage.objects.count() == 5
    assert recipients() == sorted(person.email for person in ours)
    # A task delivered again once the call is sent does nothing.
    assert tasks.call_deliver(call.pk, 0, 2) is None
    assert OutboxMessage.objects.count() == 5


def test_an_empty_segment_send_gets_a_clear_message_and_changes_nothing(staff_client, staff_user):
    place = LocalityFactory()
    PersonFactory(locality=place)  # no consent
    reachable(locality=place, email="")
    segment = SegmentFactory(created_by=staff_user, filters={"localities": [place.pk]})
    call = draft(segment, staff_user)

    with pytest.raises(ValidationError, match="No one in this segment can get this call"):
        services.call_send(call=call, sender=staff_user)
    response = staff_client.post(url("call_send", call.pk), {"when": "now", "confirm": "on"})
    assert response.status_code == 400
    assert "No one in this segment can get this call" in response.content.decode()
    call.refresh_from_db()
    assert call.status == CallToAction.Status.DRAFT
    assert not Delivery.objects.exists() and not OutboxMessage.objects.exists()


def test_a_call_is_sent_once_and_no_longer_changes(staff_user, django_capture_on_commit_callbacks):
    segment, _ = segment_with_people(staff_user)
    call = start(draft(segment, staff_user), staff_user, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="already been sent"):
        services.call_send(call=call, sender=staff_user)
    with pytest.raises(ValidationError, match="already been sent"):
        services.call_edit(call=call, subject="Changed", body="Changed")
    call.refresh_from_db()
    assert call.subject == "Come to the lifts meeting"


# Writing and checking ---------------------------------------------------------------------------


def test_staff_write_check_test_and_send_a_call(
    staff_client, staff_user, django_capture_on_commit_callbacks
):
    segment, ours = segment_with_people(staff_user, reach=22)
    campaign = CampaignFactory(name="Fix the lifts")
    response = staff_client.post(
        url("call_create", segment.pk),
        {"subject": "Sign  for\nthe lifts", "body": "Every name counts.", "campaign": campaign.pk},
    )
    call = CallToAction.objects.get()
    assert response["Location"] == url("call_preview", call.pk)
    assert (call.subject, call.campaign, call.created_by) == (
        "Sign for the lifts",
        campaign,
        staff_user,
    )

    preview = staff_client.get(url("call_preview", call.pk))
    page = preview.content.decode()
    assert preview.context["preview"]["recipients"] == 22
    first = sorted(ours, key=lambda p: (p.last_name, p.first_name, p.pk))
    assert len(preview.context["preview"]["first_people"]) == 20
    assert first[0].full_name in page and first[21].full_name not in page
    assert "Hello Staff," in page  # the sample greets the viewer
    assert "Will you sign Fix the lifts?" in page
    assert "/organise/calls/respond/sample/" in page

    for _ in range(2):
        staff_client.post(url("call_test", call.pk))
    staff_client.post(url("call_edit", call.pk), {"subject": "Sign now", "body": "Please."})
    staff_client.post(url("call_test", call.pk))
    tests = OutboxMessage.objects.filter(key__startswith="organise:call-test:")
    assert tests.count() == 2  # once per wording
    assert set(tests.values_list("to_email", "category")) == {
        (staff_user.email, OutboxMessage.Category.WORK)
    }
    assert not Delivery.objects.exists()

    assert staff_client.get(url("call_send", call.pk)).status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff_client.post(url("call_send", call.pk), {"when": "now", "confirm": "on"})
    assert response["Location"] == call.get_absolute_url()
    assert len(callbacks) == 1
    call.refresh_from_db()
    assert call.status == CallToAction.Status.SENDING and call.reply_to == staff_user.email
    assert staff_client.get(url("call_edit", call.pk)).status_code == 302


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"subject": "", "body": "Come."}, "Write a subject"),
        ({"subject": "   ", "body": "Come."}, "Write a subject"),
        ({"subject": "x" * 151, "body": "Come."}, "at most 150"),
        ({"subject": "Come", "body": ""}, "Write the message"),
        ({"subject": "Come", "body": "x" * 10_001}, "at most 10000"),
        ({"subject": "Come", "body": "Come.", "event": "999999"}, "valid choice"),
        ({"subject": "Come", "body": "Come.", "event": "9" * 30}, "valid choice"),
        ({"subject": "Come", "body": "Come.", "campaign": "9" * 30}, "valid choice"),
        ({"subject": "Come", "body": "Come.", "campaign": "-1"}, "valid choice"),
        ({"subject": "Come", "body": "Come.", "both": True}, "not both"),
        ({"subject": "Come", "body": "Come.", "past": True}, "valid choice"),
    ],
)
def test_bad_calls_get_a_clear_message_and_save_nothing(staff_client, staff_user, data, error):
    segment = SegmentFactory(created_by=staff_user)
    if data.pop("both", False):
        data.update(event=EventFactory().pk, campaign=CampaignFactory().pk)
    if data.pop("past", False):
        yesterday = timezone.now() - timedelta(days=1)
        data["event"] = EventFactory(starts_at=yesterday, ends_at=yesterday + timedelta(hours=1)).pk
    response = staff_client.post(url("call_create", segment.pk), data)
    assert response.status_code == 400
    assert error in response.content.decode().replace("&#x27;", "'").replace(",", "")
    assert not CallToAction.objects.exists()


def test_the_service_keeps_its_rules_whatever_the_form_lets_through(staff_user):
    segment = SegmentFactory(created_by=staff_user)
    past = timezone.now() - timedelta(days=1)
    for fields, message in [
        ({"subject": "", "body": "x"}, "Write a subject"),
        ({"subject": "x" * 151, "body": "x"}, "150 characters"),
        ({"subject": "x", "body": "x" * 10_001}, "10,000 characters"),
        ({"event": EventFactory(), "campaign": CampaignFactory()}, "not both"),
        ({"event": EventFactory(starts_at=past, ends_at=past + timedelta(hours=1))}, "started"),
        ({"event": EventFactory(status=Event.Status.CANCELLED)}, "cancelled"),
        ({"event": EventFactory(visibility=Event.Visibility.GROUP)}, "only for its group"),
        ({"campaign": CampaignFactory(status=Campaign.Status.WON)}, "not open"),
        ({"campaign": CampaignFactory(status=Campaign.Status.PLANNING)}, "not open"),
    ]:
        data = {"subject": "Come", "body": "Please come.", **fields}
        with pytest.raises(ValidationError, match=message):
            services.call_create(segment=segment, created_by=staff_user, **data)
    assert not CallToAction.objects.exists()


# Scheduling -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"when": "later", "send_at": "", "confirm": "on"}, "Choose when the call should go"),
        ({"when": "later", "send_at": "next tuesday", "confirm": "on"}, "Enter a date and time"),
        ({"when": "later", "send_at": "2001-01-01T10:00", "confirm": "on"}, "still to come"),
        ({"when": "later", "send_at": "2999-01-01T10:00", "confirm": "on"}, "the coming year"),
        ({"when": "sometime", "confirm": "on"}, "Select a valid choice"),
        ({"when": "now"}, "Tick the box"),
    ],
)
def test_bad_dates_get_a_clear_message_and_change_nothing(staff_client, staff_user, data, error):
    segment, _ = segment_with_people(staff_user)
    call = draft(segment, staff_user)
    response = staff_client.post(url("call_send", call.pk), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    call.refresh_from_db()
    assert (call.status, call.send_at) == (CallToAction.Status.DRAFT, None)


def test_a_scheduled_call_goes_out_when_its_time_comes(
    staff_client, staff_user, django_capture_on_commit_callbacks, no_broker
):
    segment, ours = segment_with_people(staff_user)
    call = draft(segment, staff_user)
    when = timezone.localtime() + timedelta(days=2)
    response = staff_client.post(
        url("call_send", call.pk),
        {"when": "later", "send_at": when.strftime("%Y-%m-%dT%H:%M"), "confirm": "on"},
    )
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.status == CallToAction.Status.SCHEDULED
    assert call.send_at == when.replace(second=0, microsecond=0)
    with pytest.raises(ValidationError, match="still to come"):
        services.call_send(
            call=draft(segment, staff_user), sender=staff_user, send_at=timezone.now()
        )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert tasks.calls_send_due() == {"started": 0, "resumed": 0}  # not yet
    assert not callbacks
    CallToAction.objects.filter(pk=call.pk).update(send_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert tasks.calls_send_due() == {"started": 1, "resumed": 0}
        assert tasks.calls_send_due() == {"started": 0, "resumed": 0}  # started once
    assert len(callbacks) == 1
    call.refresh_from_db()
    assert call.status == CallToAction.Status.SENDING
    deliver_batches(call, batch_size=10)
    deliver_outbox()
    assert recipients() == sorted(person.email for person in ours)


def test_a_scheduled_call_whose_event_was_cancelled_is_not_sent(staff_user):
    segment, _ = segment_with_people(staff_user)
    event = EventFactory()
    call = draft(segment, staff_user, event=event)
    services.call_send(call=call, sender=staff_user, send_at=timezone.now() + timedelta(hours=1))
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    services.call_start(call_id=call.pk, now=timezone.now() + timedelta(hours=2))
    call.refresh_from_db()
    assert call.status == CallToAction.Status.CANCELLED
    assert not Delivery.objects.exists()


def test_every_batch_records_where_it_got_to_even_one_that_writes_nothing(
    staff_user, django_capture_on_commit_callbacks
):
    segment, ours = segment_with_people(staff_user, reach=6)
    call = start(draft(segment, staff_user), staff_user, django_capture_on_commit_callbacks)
    ids = sorted(person.pk for person in ours)
    assert (call.cursor, call.last_batch_at) == (0, None)

    assert services.call_deliver_batch(call_id=call.pk, batch_size=2) == ids[1]
    call.refresh_from_db()
    assert call.cursor == ids[1] and call.last_batch_at is not None
    # The next two already have their copy (another chain wrote them): this batch writes
    # nothing, yet it too says where sending has got to, and when.
    for pk in ids[2:4]:
        DeliveryFactory(call=call, person_id=pk)
    long_ago = timezone.now() - timedelta(minutes=30)
    CallToAction.objects.filter(pk=call.pk).update(last_batch_at=long_ago)
    written = Delivery.objects.count()
    assert (
        services.call_deliver_batch(call_id=call.pk, after_person_id=ids[1], batch_size=2)
        == (ids[3])
    )
    assert Delivery.objects.count() == written
    call.refresh_from_db()
    assert call.cursor == ids[3] and call.last_batch_at > long_ago


def test_a_chain_carries_on_from_the_calls_cursor_not_from_where_it_was_queued(
    staff_user, django_capture_on_commit_callbacks, no_broker
):
    segment, ours = segment_with_people(staff_user, reach=6)
    call = start(draft(segment, staff_user), staff_user, django_capture_on_commit_callbacks)
    ids = sorted(person.pk for person in ours)
    # The first batch, then the same task delivered again: it takes the next people.
    assert services.call_deliver_batch(call_id=call.pk, after_person_id=0, batch_size=2) == ids[1]
    assert services.call_deliver_batch(call_id=call.pk, after_person_id=0, batch_size=2) == ids[3]
    assert sorted(Delivery.objects.values_list("person_id", flat=True)) == ids[:4]
    assert tasks.call_deliver(call.pk, ids[1], 2) == ids[5]
    assert no_broker == [(call.pk, ids[5], 2)]
    assert deliver_batches(call, batch_size=2, after=0) == 1  # finds the end
    call.refresh_from_db()
    assert (call.status, call.recipients, call.cursor) == (CallToAction.Status.SENT, 6, ids[5])
    deliver_outbox()
    assert recipients() == sorted(person.email for person in ours)


def test_a_call_is_stalled_only_when_no_batch_went_through_for_ten_minutes(
    staff_user, django_capture_on_commit_callbacks, no_broker
):
    segment, ours = segment_with_people(staff_user, reach=4)
    call = start(draft(segment, staff_user), staff_user, django_capture_on_commit_callbacks)
    long_ago = timezone.now() - timedelta(minutes=11)
    assert tasks.calls_send_due() == {"started": 0, "resumed": 0}  # just started
    CallToAction.objects.filter(pk=call.pk).update(started_at=long_ago)
    assert selectors.calls_stalled() == [(call.pk, 0)]  # no batch ever ran

    services.call_deliver_batch(call_id=call.pk, after_person_id=0, batch_size=2)
    call.refresh_from_db()
    # Its copies were written long ago, but a batch went through just now (slow sends, or
    # a batch of people who all had their copy): the chain is alive, not stalled.
    Delivery.objects.update(created_at=long_ago)
    assert tasks.calls_send_due() == {"started": 0, "resumed": 0}
    assert no_broker == []

    CallToAction.objects.filter(pk=call.pk).update(last_batch_at=long_ago)
    assert tasks.calls_send_due() == {"started": 0, "resumed": 1}
    assert no_broker == [(call.pk, call.cursor)]  # from where it got to, not from 0
    assert call.cursor == sorted(person.pk for person in ours)[1]
    deliver_batches(call, batch_size=2, after=call.cursor)
    deliver_outbox()
    assert recipients() == sorted(person.email for person in ours)
    assert Delivery.objects.count() == 4
    call.refresh_from_db()
    assert call.status == CallToAction.Status.SENT
    assert selectors.calls_stalled(now=timezone.now() + timedelta(hours=1)) == []


# Stopping ---------------------------------------------------------------------------------------


def test_a_call_stopped_while_sending_sends_nothing_more(
    staff_client, staff_user, django_capture_on_commit_callbacks
):
    segment, _ = segment_with_people(staff_user, reach=4)
    call = start(draft(segment, staff_user), staff_user, django_capture_on_commit_callbacks)
    services.call_deliver_batch(call_id=call.pk, after_person_id=0, batch_size=2)
    written = list(OutboxMessage.objects.all())

    assert staff_client.post(url("call_cancel", call.pk)).status_code == 302
    call.refresh_from_db()
    assert (call.status, call.recipients) == (CallToAction.Status.CANCELLED, 2)
    assert services.call_deliver_batch(call_id=call.pk, after_person_id=0, batch_size=2) is None
    deliver_outbox()
    assert mail.outbox == []
    assert Delivery.objects.count() == 2
    # Even a copy still pending (written by a batch that raced the stop) is not sent.
    OutboxMessage.objects.filter(pk=written[0].pk).update(status="pending")
    assert services.message_still_wanted(written[0]) is False
    deliver_outbox()
    assert mail.outbox == []
    page = staff_client.get(call.get_absolute_url()).content.decode()
    assert "Stopped after 2 copies were written" in page


def test_a_scheduled_call_can_be_stopped_but_not_a_draft_or_a_sent_one(
    staff_user, django_capture_on_commit_callbacks
):
    segment, _ = segment_with_people(staff_user)
    call = draft(segment, staff_user)
    with pytest.raises(ValidationError, match="scheduled or still sending"):
        services.call_cancel(call=call)
    services.call_send(call=call, sender=staff_user, send_at=timezone.now() + timedelta(hours=1))
    services.call_cancel(call=call)
    call.refresh_from_db()
    assert call.status == CallToAction.Status.CANCELLED
    assert services.call_start(call_id=call.pk, now=timezone.now() + timedelta(hours=2)) is None

    sent = start(draft(segment, staff_user), staff_user, django_capture_on_commit_callbacks)
    deliver_batches(sent, batch_size=10)
    with pytest.raises(ValidationError, match="scheduled or still sending"):
        services.call_cancel(call=sent)


def test_the_send_check_cancels_a_copy_whose_person_was_erased(staff_user):
    call = CallToActionFactory(segment=SegmentFactory(created_by=staff_user), status="sending")
    delivery = DeliveryFactory(call=call)
    message = OutboxMessage(
        key=f"organise:call:{call.pk}:{delivery.person_id}", to_email=delivery.person.email
    )
    assert services.message_still_wanted(message) is True
    Delivery.objects.filter(pk=delivery.pk).update(person=None)
    assert services.message_still_wanted(message) is False
    assert services.message_still_wanted(OutboxMessage(key="organise:call:odd")) is True


def test_the_send_check_cancels_a_copy_to_an_address_the_person_has_since_changed(
    staff_user, django_capture_on_commit_callbacks
):
    segment, ours = segment_with_people(staff_user, reach=2)
    call = start(draft(segment, staff_user), staff_user, django_capture_on_commit_callbacks)
    deliver_batches(call, batch_size=10)
    moved, stayed = ours
    waiting = OutboxMessage.objects.get(key=f"organise:call:{call.pk}:{moved.pk}")
    assert services.message_still_wanted(waiting) is True
    # The same address written differently is still theirs.
    Person.objects.filter(pk=moved.pk).update(email=moved.email.upper())
    assert services.message_still_wanted(waiting) is True
    Person.objects.filter(pk=moved.pk).update(email="new.address@example.test")
    assert services.message_still_wanted(waiting) is False

    deliver_outbox()
    waiting.refresh_from_db()
    assert waiting.status == OutboxMessage.Status.CANCELLED
    assert recipients() == [stayed.email]


# The links in the email -------------------------------------------------------------------------


def sent_call(staff_user, capture, **fields):
    segment, ours = segment_with_people(staff_user, reach=2)
    call = start(draft(segment, staff_user, **fields), staff_user, capture)
    deliver_batches(call, batch_size=10)
    deliver_outbox()
    message = next(m for m in mail.outbox if m.to == [ours[0].email])
    return call, ours[0], message.body


def test_answering_yes_to_an_event_then_changing_ones_mind(
    client, staff_user, django_capture_on_commit_callbacks
):
    event = EventFactory(title="Lifts meeting")
    call, person, body = sent_call(staff_user, django_capture_on_commit_callbacks, event=event)
    yes, no = link_in(body, "/respond/", 0), link_in(body, "/respond/", 1)
    delivery = Delivery.objects.get(call=call, person=person)

    page = client.get(yes)
    assert page.status_code == 200
    assert "Will you come to Lifts meeting" in page.content.decode()
    delivery.refresh_from_db()
    assert delivery.response == ""  # following a link records nothing

    done = client.post(yes, {"answer": "yes"}).content.decode()
    delivery.refresh_from_db()
    assert (delivery.response, delivery.responded_at is not None) == ("yes", True)
    assert event.get_absolute_url() in done and "To book your place" in done

    client.post(no, {"answer": "no"})
    delivery.refresh_from_db()
    assert delivery.response == "no"
    assert selectors.call_totals(call)["no"] == 1


def test_answering_yes_to_a_campaign_links_to_its_page(
    client, staff_user, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(name="Fix the lifts")
    _, _, body = sent_call(staff_user, django_capture_on_commit_callbacks, campaign=campaign)
    done = client.post(link_in(body, "/respond/"), {"answer": "yes"}).content.decode()
    assert campaign.get_absolute_url() in done and "sign" in done


def test_bad_links_get_a_clear_page_never_an_error(
    client, staff_user, django_capture_on_commit_callbacks
):
    call, person, body = sent_call(staff_user, django_capture_on_commit_callbacks)
    yes, unsubscribe = link_in(body, "/respond/"), link_in(body, "/unsubscribe/")
    token = yes.rstrip("/").rsplit("/", 1)[1]
    for path in [
        url("call_respond", "no-such-thing"),
        url("call_respond", token[:-3] + "abc"),  # tampered
        url("call_respond", unsubscribe.rstrip("/").rsplit("/", 1)[1]),  # the other link's
        url("call_unsubscribe", token),
        url("call_unsubscribe", "sample"),
    ]:
        for method in (client.get, client.post):
            response = method(path, {"answer": "yes"})
            assert response.status_code == 400
            assert "This link does not work" in response.content.decode()
    assert client.post(yes, {"answer": "maybe"}).status_code == 400
    Delivery.objects.filter(call=call).delete()
    assert client.get(yes).status_code == 400
    assert consent_given(person, Consent.Purpose.CONTACT_EMAIL)


def test_answers_are_rate_limited(client, staff_user, django_capture_on_commit_callbacks):
    _, _, body = sent_call(staff_user, django_capture_on_commit_callbacks)
    yes = link_in(body, "/respond/")
    statuses = [client.post(yes, {"answer": "yes"}).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429


def test_unsubscribing_withdraws_consent_and_stops_what_was_waiting(
    client, staff_user, django_capture_on_commit_callbacks
):
    call, person, body = sent_call(staff_user, django_capture_on_commit_callbacks)
    unsubscribe = link_in(body, "/unsubscribe/")
    # Another call's copy is waiting to go to them.
    second = start(draft(call.segment, staff_user), staff_user, django_capture_on_commit_callbacks)
    deliver_batches(second, batch_size=10)
    waiting = OutboxMessage.objects.get(key=f"organise:call:{second.pk}:{person.pk}")

    page = client.get(unsubscribe)
    assert page.status_code == 200 and "Stop the emails" in page.content.decode()
    assert consent_given(person, Consent.Purpose.CONTACT_EMAIL)
    assert client.post(unsubscribe).status_code == 200
    assert not consent_given(person, Consent.Purpose.CONTACT_EMAIL)
    latest = person.consents.order_by("-recorded_at", "-id").first()
    assert latest.method == Consent.Method.ONLINE
    assert "Come to the lifts meeting" in latest.note
    assert client.post(unsubscribe).status_code == 200  # twice: nothing more recorded
    assert person.consents.filter(given=False).count() == 1

    mail.outbox.clear()
    deliver_outbox()
    waiting.refresh_from_db()
    assert waiting.status == OutboxMessage.Status.CANCELLED
    assert person.email not in recipients()
    third = draft(call.segment, staff_user)
    assert person.pk not in selectors.call_recipients(third).values_list("pk", flat=True)


# The call's page ---------------------------------------------------------------------------------


def test_the_call_page_shows_each_persons_copy_and_the_totals(
    staff_client, staff_user, django_capture_on_commit_callbacks
):
    call, person, body = sent_call(staff_user, django_capture_on_commit_callbacks)
    Delivery.objects.filter(call=call, person=person).update(response="yes")
    other = Delivery.objects.filter(call=call).exclude(person=person).get()
    OutboxMessage.objects.filter(pk=other.message_id).update(status="cancelled")
    DeliveryFactory(call=call, response="no")  # no message: its person was erased first
    waiting = OutboxMessage.objects.create(
        key="waiting", to_email="w@example.test", subject="s", body_text="b"
    )
    DeliveryFactory(call=call, message=waiting)

    response = staff_client.get(call.get_absolute_url())
    page = response.content.decode()
    assert response.context["totals"] == {
        "written": 4,
        "sent": 1,
        "waiting": 1,
        "not_sent": 2,
        "yes": 1,
        "no": 1,
    }
    assert person.full_name in page and person.get_absolute_url() in page
    assert "Not sent" in page and "Yes" in page
    swap = staff_client.get(call.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in swap and 'id="call-progress"' in swap


def queries_for(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_call_pages_cost_the_same_queries_for_few_and_many_people(staff_client, staff_user):
    segment = SegmentFactory(created_by=staff_user)
    call = CallToActionFactory(segment=segment, status="sent", created_by=staff_user)
    DeliveryFactory.create_batch(2, call=call, person__locality=LocalityFactory())
    CallToActionFactory.create_batch(2, segment=segment, event=EventFactory())
    paths = [call.get_absolute_url(), url("call_preview", call.pk), url("call_list")]
    few = [queries_for(staff_client, path) for path in paths]
    for _ in range(30):
        delivery = DeliveryFactory(call=call, person=reachable(locality=LocalityFactory()))
        delivery.message = OutboxMessage.objects.create(
            key=f"x{delivery.pk}", to_email="a@example.test", subject="s", body_text="b"
        )
        delivery.save()
    CallToActionFactory.create_batch(30, segment=segment, campaign=CampaignFactory())
    many = [queries_for(staff_client, path) for path in paths]
    assert few == many


# Who may do what --------------------------------------------------------------------------------


CALL_VIEWS = ["call_detail", "call_edit", "call_preview", "call_test", "call_send", "call_cancel"]


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VOLUNTEER])
def test_members_and_volunteers_cannot_use_calls(client, staff_user, role):
    client.force_login(make_user(role, email=f"{role}@example.test"))
    call = CallToActionFactory(segment=SegmentFactory(created_by=staff_user))
    assert client.get(url("call_list")).status_code == 403
    assert client.post(url("call_create", call.segment.pk), {}).status_code == 403
    for name in CALL_VIEWS:
        assert client.get(url(name, call.pk)).status_code == 403, name
        assert client.post(url(name, call.pk)).status_code == 403, name


def test_an_organiser_writes_to_their_own_segments_only(
    organiser_client, organiser_user, staff_user, django_capture_on_commit_callbacks
):
    group = GroupFactory()
    GroupMembershipFactory(group=group, person=organiser_user.person, role="organiser")
    neighbour = reachable(first_name="Neighbour")
    GroupMembershipFactory(group=group, person=neighbour)
    reachable(first_name="Stranger")
    mine = SegmentFactory(created_by=organiser_user)
    staffs = CallToActionFactory(segment=SegmentFactory(created_by=staff_user), subject="Staff's")

    response = organiser_client.post(
        url("call_create", mine.pk), {"subject": "Garden day", "body": "Bring gloves."}
    )
    call = CallToAction.objects.get(subject="Garden day")
    assert response.status_code == 302
    listing = organiser_client.get(url("call_list")).content.decode()
    assert "Garden day" in listing and "Staff&#x27;s" not in listing
    for name in CALL_VIEWS:
        assert organiser_client.get(url(name, staffs.pk)).status_code in (404, 405), name
        assert organiser_client.post(url(name, staffs.pk)).status_code == 404, name
    assert organiser_client.get(url("call_create", staffs.segment.pk)).status_code == 404

    with django_capture_on_commit_callbacks(execute=False):
        organiser_client.post(url("call_send", call.pk), {"when": "now", "confirm": "on"})
    deliver_batches(call, batch_size=10)
    deliver_outbox()
    assert recipients() == sorted([neighbour.email])  # the organiser gave no consent


def test_anonymous_visitors_are_sent_to_sign_in(client, staff_user):
    call = CallToActionFactory(segment=SegmentFactory(created_by=staff_user))
    for path in [url("call_list"), url("call_detail", call.pk), url("call_send", call.pk)]:
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
