"""The admin site keeps the data-protection rules: history of people and accounts is there to
read, a role changed there is audited, sensitive notes and emails' bodies (with a person's own
links in them) are not shown."""

import pytest
from django.test import Client
from django.urls import reverse

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue
from hubsite.people import services as people_services
from hubsite.people.models import Role
from hubsite.privacy.models import AuditEntry
from tests.listening.factories import ConversationFactory
from tests.people.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(staff_user):
    staff_user.is_staff = staff_user.is_superuser = True
    staff_user.save()
    client = Client()
    client.force_login(staff_user)
    return client


def test_a_persons_history_is_listed_in_the_admin(admin_client):
    person = PersonFactory(phone="")
    people_services.person_update(person=person, phone="07700 900333")
    response = admin_client.get(reverse("admin:people_person_history", args=[person.pk]))
    assert response.status_code == 200
    assert (
        response.content.decode().count("Changed") + response.content.decode().count("Created") >= 2
    )


def test_a_role_changed_in_the_admin_is_audited(admin_client, staff_user):
    user = UserFactory(role=Role.VOLUNTEER)
    response = admin_client.post(
        reverse("admin:people_user_change", args=[user.pk]),
        {
            "email": user.email,
            "role": Role.ORGANISER,
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ROLE_CHANGED)
    assert (entry.actor, entry.detail) == (staff_user, "volunteer → organiser (admin)")


def test_the_conversation_admin_never_shows_sensitive_notes(admin_client):
    conversation = ConversationFactory(sensitive_notes="SENSITIVE-IN-ADMIN")
    for url in (
        reverse("admin:listening_conversation_change", args=[conversation.pk]),
        reverse("admin:listening_conversation_history", args=[conversation.pk]),
        reverse("admin:listening_conversation_changelist"),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert "SENSITIVE-IN-ADMIN" not in response.content.decode(), url


def test_the_outbox_admin_does_not_show_a_persons_own_links(admin_client):
    message_queue(
        key="test:admin-body",
        to_email="someone@example.org",
        subject="Will you come?",
        body_text="Answer here: https://hub.example/organise/calls/answer/SECRET-TOKEN/",
        person=None,
        category="work",
    )
    message = OutboxMessage.objects.get()
    response = admin_client.get(reverse("admin:notify_outboxmessage_change", args=[message.pk]))
    assert response.status_code == 200
    assert "SECRET-TOKEN" not in response.content.decode()


def test_a_campaign_won_in_the_admin_is_dated_for_retention(admin_client, staff_user):
    from action.models import Campaign
    from tests.action.factories import CampaignFactory

    campaign = CampaignFactory(status=Campaign.Status.ACTIVE)
    url = reverse("admin:action_campaign_change", args=[campaign.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(
        {
            name: [v.pk for v in form.initial[name]]
            for name in form.initial
            if isinstance(form.initial[name], list)
        }
    )
    data["status"] = Campaign.Status.WON
    data.setdefault("created_by", staff_user.pk)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    campaign.refresh_from_db()
    assert campaign.ended_at is not None
