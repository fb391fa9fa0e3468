"""What Action contributes to the core about a person and the hub: timeline, data export,
erasure and dashboard figures."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from action.models import ActionTaken, Activity, Signup, Story
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
    assert not ActionTaken.objects.exists()
    assert not Story.objects.exists()
    assert Activity.objects.get().people.count() == 0


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
