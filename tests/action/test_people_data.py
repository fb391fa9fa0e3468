"""What Action contributes to the core about a person and the hub: timeline, data export,
erasure and dashboard figures."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from action.models import ActionTaken, Activity, Signup, Story
from action.selectors.asks import actions_count, ask_list
from hubsite.notify.models import OutboxMessage
from hubsite.people import services as people_services
from hubsite.people.models import Person
from tests.action.factories import (
    ActivityFactory,
    AskFactory,
    CampaignFactory,
    SignupFactory,
    StoryFactory,
)
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaigner():
    person = PersonFactory(first_name="Cam", last_name="Paigner", email="cam@example.test")
    campaign = CampaignFactory(name="Fix the lifts")
    SignupFactory(campaign=campaign, person=person, comment="My mum is stuck")
    ActionTaken.objects.create(ask=AskFactory(campaign=campaign), person=person, note="Sent")
    StoryFactory(person=person, title="Ninth floor")
    activity = ActivityFactory(name="Repair café")
    activity.people.add(person)
    return person


def test_the_timeline_holds_signatures_actions_stories_and_activities(staff_client, campaigner):
    response = staff_client.get(campaigner.get_absolute_url())
    titles = [entry.title for entry in response.context["timeline"]]
    assert "Signed Fix the lifts" in titles
    assert "Told a story: Ninth floor" in titles
    assert "Involved in Repair café" in titles
    assert any("Write to the housing director" in title for title in titles)


def test_the_export_holds_everything_action_knows(staff_client, campaigner):
    response = staff_client.get(reverse("people:person_export", args=[campaigner.pk]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))["holdings"]["action"]["data"]
    assert data["campaigns_signed"][0]["comment"] == "My mum is stuck"
    assert data["actions_taken"][0]["note"] == "Sent"
    assert data["stories"][0]["title"] == "Ninth floor"
    assert data["activities"][0]["activity"] == "Repair café"


def test_erasure_removes_it_all_including_unconfirmed_sign_ups_and_their_emails(client, campaigner):
    other = CampaignFactory()
    client.post(
        reverse("action:signup", args=[other.slug]),
        {"first_name": "Cam", "email": "CAM@example.test"},
    )
    assert OutboxMessage.objects.filter(to_email="cam@example.test").exists()
    people_services.person_erase(person=campaigner)
    assert not Person.objects.filter(last_name="Paigner").exists()
    assert not Signup.objects.filter(email__iexact="cam@example.test").exists()
    assert not OutboxMessage.objects.filter(to_email="cam@example.test").exists()
    # The action they took stays, as a count, with nothing of who took it.
    assert list(ActionTaken.objects.values_list("person", "note")) == [(None, "")]
    assert not Story.objects.exists()
    assert Activity.objects.get().people.count() == 0


def test_erasure_keeps_the_number_of_actions_taken_on_the_campaign_and_each_ask(client):
    campaign = CampaignFactory(name="Fix the lifts")
    ask = AskFactory(campaign=campaign)
    taker = PersonFactory(first_name="Quenby")
    SignupFactory(campaign=campaign, person=taker, show_name=True)
    ActionTaken.objects.create(ask=ask, person=taker, note="Wrote to Cllr Smith")
    ActionTaken.objects.create(ask=ask, person=SignupFactory(campaign=campaign).person)
    before = {
        "total": actions_count(campaign),
        "per_ask": [a.action_count for a in ask_list(campaign)],
    }
    assert before == {"total": 2, "per_ask": [2]}
    assert taker.first_name in client.get(campaign.get_absolute_url()).content.decode()

    people_services.person_erase(person=taker)

    after = {
        "total": actions_count(campaign),
        "per_ask": [a.action_count for a in ask_list(campaign)],
    }
    assert after == before
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "2</strong> actions taken so far" in page
    assert "None" not in page and taker.first_name not in page
    assert page.count("A supporter:") == 2
    recorded = ActionTaken.objects.get(person=None)
    assert str(recorded) == f"Someone: {ask}"
    # Another person may still say they did the same (the anonymous row holds no place).
    ActionTaken.objects.create(ask=ask, person=PersonFactory())


def test_the_dashboard_shows_action_figures_to_staff_not_members(
    staff_client, member_client, campaigner
):
    figures = {
        f.label: f.value
        for f in staff_client.get(reverse("home")).context["figures"]
        if f.area == "action"
    }
    assert figures["Active campaigns"] == 1
    assert figures["Campaign supporters"] == 1
    member_figures = member_client.get(reverse("home")).context["figures"]
    assert not [f for f in member_figures if f.area == "action"]
