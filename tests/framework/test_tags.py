"""Tagging an area's records with the practices they serve: only staff, organisers and
volunteers, only records their area lets them tag; adding and removing are idempotent; and
each area's framework page shows what it lives and what it has not lived lately."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hubsite.framework.models import Practice, PracticeTag
from hubsite.framework.selectors.tags import practices_least_served
from hubsite.framework.services.tags import practice_tags_change
from tests.action.factories import CampaignFactory
from tests.conftest import make_user
from tests.connect.factories import EventFactory
from tests.listening.factories import ConversationFactory

pytestmark = pytest.mark.django_db

TAG = reverse("framework:practice_tag")
KIND = "listening.conversation"


@pytest.fixture
def volunteer_client(volunteer_user):
    client = Client()
    client.force_login(volunteer_user)
    return client


@pytest.fixture
def listening_practices(db):
    return list(Practice.objects.filter(area__slug="listening").order_by("order"))


def post(client, record, follow=False, **data):
    return client.post(TAG, {"kind": KIND, "object_id": record.pk, **data}, follow=follow)


def test_a_volunteer_tags_their_conversation_from_its_page(
    volunteer_client, volunteer_user, listening_practices
):
    conversation = ConversationFactory(logged_by=volunteer_user, person__first_name="Amina")
    page = volunteer_client.get(conversation.get_absolute_url()).content.decode()
    assert "Practices it serves" in page
    assert f'name="add" value="{listening_practices[0].pk}"' in page

    response = post(
        volunteer_client,
        conversation,
        add=[listening_practices[0].pk, listening_practices[1].pk],
        next=conversation.get_absolute_url(),
    )

    assert response.status_code == 302
    assert response["Location"] == conversation.get_absolute_url()
    tags = PracticeTag.objects.filter(kind=KIND, object_id=conversation.pk)
    assert {tag.practice for tag in tags} == set(listening_practices[:2])
    tag = tags.first()
    assert tag.url == conversation.get_absolute_url()
    assert tag.tagged_by == volunteer_user
    assert tag.label.startswith("Conversation: ")
    assert "Amina" not in tag.label  # tags are listed where the person must not be named
    page = volunteer_client.get(conversation.get_absolute_url()).content.decode()
    assert "Practice tags saved: 2 practices added." in page
    assert listening_practices[0].text in page.split("Practices it serves")[1]


def test_a_volunteer_cannot_tag_another_volunteers_conversation(
    volunteer_client, listening_practices
):
    theirs = ConversationFactory()  # logged by another volunteer
    response = post(volunteer_client, theirs, add=[listening_practices[0].pk])
    assert response.status_code == 404
    assert not PracticeTag.objects.exists()


def test_a_member_cannot_tag_at_all(member_client, member_user, listening_practices):
    conversation = ConversationFactory(logged_by=member_user)
    assert post(member_client, conversation, add=[listening_practices[0].pk]).status_code == 403
    with pytest.raises(PermissionDenied):  # the service refuses on its own too
        practice_tags_change(
            viewer=member_user, kind=KIND, object_id=conversation.pk, add=listening_practices
        )
    assert not PracticeTag.objects.exists()


def test_adding_and_removing_twice_changes_nothing_more(
    staff_client, staff_user, listening_practices
):
    conversation = ConversationFactory()
    first, second = listening_practices[:2]

    for _ in range(2):
        post(staff_client, conversation, add=[first.pk, second.pk])
    assert PracticeTag.objects.count() == 2
    response = post(staff_client, conversation, add=[first.pk], follow=True)
    assert "Nothing has changed" in response.content.decode()

    for _ in range(2):
        post(staff_client, conversation, remove=[first.pk])
    assert list(PracticeTag.objects.values_list("practice", flat=True)) == [second.pk]

    change = practice_tags_change(
        viewer=staff_user, kind=KIND, object_id=conversation.pk, add=[second], remove=[second]
    )
    assert (change.added, change.removed) == (0, 0)  # in both: it stays
    assert PracticeTag.objects.count() == 1


def test_unknown_practices_and_records_change_nothing(staff_client, listening_practices):
    conversation = ConversationFactory()
    response = post(
        staff_client,
        conversation,
        add=[listening_practices[0].pk, 999999],
        next=conversation.get_absolute_url(),
        follow=True,
    )
    assert "Some practices were not understood" in response.content.decode()
    assert not PracticeTag.objects.exists()
    for data in (
        {"kind": "nowhere.thing", "object_id": conversation.pk},
        {"kind": KIND, "object_id": "abc"},
        {"kind": KIND, "object_id": 999999},
        {},
    ):
        assert staff_client.post(TAG, data).status_code == 404


def test_next_must_be_on_this_site(staff_client, listening_practices):
    conversation = ConversationFactory()
    for unsafe in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = post(staff_client, conversation, add=[listening_practices[0].pk], next=unsafe)
        assert response["Location"] == conversation.get_absolute_url()


def test_htmx_gets_the_tags_partial_back(staff_client, listening_practices):
    conversation = ConversationFactory()
    response = staff_client.post(
        TAG,
        {"kind": KIND, "object_id": conversation.pk, "add": [listening_practices[0].pk]},
        headers={"HX-Request": "true"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<section class="practice-tags"')
    assert "Practice tags saved" in content
    assert f'name="remove" value="{listening_practices[0].pk}"' in content

    refused = staff_client.post(
        TAG,
        {"kind": KIND, "object_id": conversation.pk, "remove": ["999999"]},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 200  # htmx swaps only a success: the partial says what went wrong
    assert 'role="alert">Some practices were not understood' in refused.content.decode()
    assert PracticeTag.objects.count() == 1


def test_only_those_who_run_an_event_tag_it(client, organiser_user, volunteer_user):
    event = EventFactory(host=organiser_user)
    practice = Practice.objects.filter(area__slug="connect").first()
    for user, sees in ((organiser_user, True), (volunteer_user, False)):
        client.force_login(user)
        page = client.get(event.get_absolute_url()).content.decode()
        assert ("Practices it serves" in page) is sees
    client.logout()
    assert "Practices it serves" not in client.get(event.get_absolute_url()).content.decode()

    client.force_login(volunteer_user)  # sees the public event, but does not run it
    data = {"kind": "connect.event", "object_id": event.pk, "add": [practice.pk]}
    assert client.post(TAG, data).status_code == 404
    client.force_login(organiser_user)
    assert client.post(TAG, data).status_code == 302
    assert PracticeTag.objects.get().label.startswith(f"Event: {event.title} (")


def test_only_those_who_run_a_campaign_tag_it(client, staff_client, organiser_user):
    campaign = CampaignFactory()
    practice = Practice.objects.filter(area__slug="action").first()
    assert "Practices it serves" in staff_client.get(campaign.get_absolute_url()).content.decode()
    assert "Practices it serves" not in client.get(campaign.get_absolute_url()).content.decode()
    data = {"kind": "action.campaign", "object_id": campaign.pk, "add": [practice.pk]}
    client.force_login(organiser_user)  # not one of its organisers
    assert client.post(TAG, data).status_code == 404
    assert staff_client.post(TAG, data).status_code == 302
    assert PracticeTag.objects.get().url == campaign.get_absolute_url()


# The area's framework page -------------------------------------------------------------------


def tag(practice, record_id, days_ago=0, label=None):
    found = PracticeTag.objects.create(
        practice=practice,
        kind=KIND,
        object_id=record_id,
        label=label or f"Conversation {record_id}",
        url=f"/listening/conversations/{record_id}/",
    )
    if days_ago:
        PracticeTag.objects.filter(pk=found.pk).update(
            tagged_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
    return found


def test_the_area_page_shows_what_is_lived_and_what_is_not_lived_lately(
    staff_client, member_client, listening_practices
):
    lived, lapsed, *never = listening_practices
    tag(lived, 1, label="Conversation: 1 Mar")
    tag(lived, 2, days_ago=10, label="Conversation: 2 Mar")
    tag(lived, 3, days_ago=200, label="Conversation: long ago")
    tag(lapsed, 4, days_ago=120)

    page = staff_client.get(reverse("listening:home")).content.decode()

    assert "<strong>2</strong> records tagged in the last 90 days (3 in all)." in page
    assert page.count("Not lived lately") == 1 + len(never)
    assert "(1 before)" in page
    assert '<a href="/listening/conversations/1/">Conversation: 1 Mar</a>' in page
    member_page = member_client.get(reverse("listening:home")).content.decode()
    assert "<strong>2</strong> records tagged in the last 90 days" in member_page
    assert "Conversation: 1 Mar" not in member_page  # members see the counts only


def test_the_area_page_costs_the_same_queries_for_few_and_many_tags(
    staff_client, listening_practices
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(reverse("listening:home")).status_code == 200
        return len(captured)

    for practice in listening_practices:
        tag(practice, 1)
    few = queries()
    for practice in listening_practices:
        for n in range(2, 40):
            tag(practice, n, days_ago=n * 5)
    assert queries() == few


def test_the_practices_least_served_lately_come_first(listening_practices):
    busy = listening_practices[0]
    tag(busy, 1)
    tag(busy, 2)
    for practice in Practice.objects.exclude(pk=busy.pk):
        tag(practice, 3)
    lapsed = Practice.objects.exclude(pk=busy.pk).order_by("area__order", "order").last()
    PracticeTag.objects.filter(practice=lapsed).update(
        tagged_at=timezone.now() - datetime.timedelta(days=91)
    )

    least = list(practices_least_served(limit=3))

    assert least[0] == lapsed
    assert least[0].tagged_recently == 0 and least[0].tagged_in_all == 1
    assert busy not in least
    assert len(least) == 3


def test_a_second_volunteer_cannot_tag_through_the_service(listening_practices):
    author = make_user("volunteer", email="author@example.test")
    other = make_user("volunteer", email="other@example.test")
    conversation = ConversationFactory(logged_by=author)
    with pytest.raises(PermissionDenied):
        practice_tags_change(
            viewer=other, kind=KIND, object_id=conversation.pk, add=listening_practices[:1]
        )
