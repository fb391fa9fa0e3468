"""The learning log: anyone signed in records a learning linked to what it is about (a subject
from the areas' providers, never a forged one), everyone searches and filters it, and only its
author or staff correct it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from hubsite.framework.models import Area, Learning, Practice
from hubsite.framework.services.learnings import SUBJECT_UNKNOWN, learning_record
from tests.action.factories import CampaignFactory
from tests.conftest import make_user
from tests.connect.factories import EventFactory
from tests.listening.factories import ListeningRoundFactory

pytestmark = pytest.mark.django_db

LIST = reverse("framework:learning_list")
CREATE = reverse("framework:learning_create")


def learning(author, title="Stalls on Saturdays", **fields):
    practices = fields.pop("practices", [])
    areas = fields.pop("areas", [])
    found = Learning.objects.create(
        author=author,
        title=title,
        happened=fields.pop("happened", "We ran the stall on a weekday."),
        learned=fields.pop("learned", "Families are out on Saturdays."),
        **fields,
    )
    found.practices.set(practices)
    found.areas.set(areas)
    return found


def answers(**overrides):
    return {
        "title": "The supper reached new people",
        "happened": "Forty people came; half had never been to the hub.",
        "learned": "Food brings people who would not come to a meeting.",
        "differently": "Ask each guest what they care about.",
        "subject_key": "",
        **overrides,
    }


def test_a_member_records_a_learning_about_an_event_they_can_see(member_client, member_user):
    event = EventFactory(title="Community supper", starts_at=timezone.now())
    practice = Practice.objects.get(text="Map local assets and resources")

    response = member_client.post(
        CREATE,
        answers(subject_key=f"connect.event:{event.pk}", practices=[practice.pk]),
    )

    found = Learning.objects.get()
    assert response.status_code == 302
    assert response["Location"] == found.get_absolute_url()
    assert found.author == member_user
    assert found.subject_key == f"connect.event:{event.pk}"
    assert found.subject_label.startswith("Event: Community supper (")
    assert list(found.practices.all()) == [practice]
    assert list(found.areas.values_list("slug", flat=True)) == ["strategy"]  # the practice's area
    page = member_client.get(found.get_absolute_url()).content.decode()
    assert "The supper reached new people" in page
    assert "Food brings people who would not come to a meeting." in page


def test_the_about_list_holds_every_providers_subjects_for_the_viewer(staff_client, member_client):
    round_ = ListeningRoundFactory(name="Riverside round")
    event = EventFactory(title="Community supper", starts_at=timezone.now())
    campaign = CampaignFactory(name="Fix the lifts")

    staff_page = staff_client.get(CREATE).content.decode()
    member_page = member_client.get(CREATE).content.decode()

    for key in (f"listening.round:{round_.pk}", f"connect.event:{event.pk}"):
        assert f'value="{key}"' in staff_page
    assert f'value="action.campaign:{campaign.pk}"' in staff_page
    assert "Listening round: Riverside round" in staff_page
    # Members see nothing of Listening, so a round is not theirs to link to.
    assert f'value="listening.round:{round_.pk}"' not in member_page
    assert f'value="connect.event:{event.pk}"' in member_page


def test_the_record_page_preselects_what_it_is_about(member_client):
    event = EventFactory(starts_at=timezone.now())
    page = member_client.get(CREATE, {"about": f"connect.event:{event.pk}"}).content.decode()
    assert f'value="connect.event:{event.pk}" selected' in page


@pytest.mark.parametrize(
    "forged",
    ["listening.round:{round}", "connect.event:999999", "action.campaign:{campaign}", "nonsense"],
)
def test_a_subject_the_writer_may_not_see_is_refused_with_a_clear_message(member_client, forged):
    round_ = ListeningRoundFactory()
    campaign = CampaignFactory(status="planning")  # only those who run it see it in planning
    key = forged.format(round=round_.pk, campaign=campaign.pk)

    response = member_client.post(CREATE, answers(subject_key=key))

    assert response.status_code == 400
    assert escape(SUBJECT_UNKNOWN) in response.content.decode()
    assert not Learning.objects.exists()


def test_the_service_rechecks_the_subject(volunteer_user):
    round_ = ListeningRoundFactory()  # the volunteer is not on it
    with pytest.raises(ValidationError) as raised:
        learning_record(
            author=volunteer_user,
            title="t",
            happened="h",
            learned="l",
            subject_key=f"listening.round:{round_.pk}",
        )
    assert raised.value.message_dict["subject_key"] == [SUBJECT_UNKNOWN]
    assert not Learning.objects.exists()


def test_bad_input_is_explained_and_saves_nothing(member_client):
    response = member_client.post(
        CREATE, answers(title="", learned="", practices=["999999", "x"], areas=["abc"])
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "Give the learning a short title." in content
    assert "Say what we learned from it." in content
    assert "Choose practices from the list." in content
    assert "Choose areas from the list." in content
    assert not Learning.objects.exists()


# The log ---------------------------------------------------------------------------------------


def test_the_log_searches_words_in_the_four_texts(member_client, member_user):
    learning(member_user, title="Stalls", differently="Bring a gazebo next time")
    learning(member_user, title="Suppers", learned="Food brings neighbours")
    learning(member_user, title="Leaflets", happened="Nobody read the leaflets")

    def titles(**params):
        return [item.title for item in member_client.get(LIST, params).context["page"]]

    assert titles(q="gazebo") == ["Stalls"]
    assert titles(q="FOOD neighbours") == ["Suppers"]
    assert titles(q="leaflets") == ["Leaflets"]
    assert titles(q="food gazebo") == []
    assert sorted(titles()) == ["Leaflets", "Stalls", "Suppers"]


def test_the_log_filters_by_area_practice_and_kind(member_client, member_user):
    connect = Area.objects.get(slug="connect")
    practice = Practice.objects.filter(area__slug="listening").first()
    event = EventFactory(starts_at=timezone.now())
    learning(member_user, title="Tagged to Connect", areas=[connect])
    learning(member_user, title="Tagged to a listening practice", practices=[practice])
    learning(
        member_user,
        title="About an event",
        subject_key=f"connect.event:{event.pk}",
        subject_label="Event: supper",
    )

    def titles(**params):
        return [item.title for item in member_client.get(LIST, params).context["page"]]

    assert titles(area="connect") == ["Tagged to Connect"]
    assert titles(area="listening") == ["Tagged to a listening practice"]  # through its practice
    assert titles(practice=practice.pk) == ["Tagged to a listening practice"]
    assert titles(kind="connect.event") == ["About an event"]


def test_filters_not_understood_are_reported_and_left_out(member_client, member_user):
    learning(member_user)
    response = member_client.get(LIST, {"area": "nowhere", "practice": "x", "kind": "nope"})
    assert response.status_code == 200
    assert "were not understood" in response.content.decode()
    assert len(response.context["page"].object_list) == 1


def test_htmx_gets_only_the_results(member_client, member_user):
    learning(member_user, title="Stalls on Saturdays")
    response = member_client.get(LIST, {"q": "stalls"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="results"' in content and "Stalls on Saturdays" in content
    assert "<html" not in content
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_the_log_costs_the_same_queries_for_5_and_50_learnings(member_client, member_user):
    practices = list(Practice.objects.all()[:3])
    areas = list(Area.objects.all()[:2])
    EventFactory(starts_at=timezone.now())
    CampaignFactory()

    def make(count):
        for n in range(count):
            learning(member_user, title=f"Learning {n}", practices=practices, areas=areas)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = member_client.get(LIST)
        assert response.status_code == 200
        return len(captured)

    make(5)
    few = queries()
    make(45)
    many = queries()
    assert few == many


# Correcting --------------------------------------------------------------------------------


def test_only_the_author_or_staff_edit_a_learning(member_client, member_user, staff_client):
    found = learning(member_user, title="Stalls")
    edit = reverse("framework:learning_edit", args=[found.pk])
    other = Client()
    other.force_login(make_user("member", email="other@example.test"))

    assert other.get(edit).status_code == 403
    assert other.post(edit, answers(title="Hijacked")).status_code == 403
    assert "Edit" not in other.get(found.get_absolute_url()).content.decode().split("<h1>")[1]

    assert member_client.post(edit, answers(title="Stalls, corrected")).status_code == 302
    assert staff_client.post(edit, answers(title="Stalls, by staff")).status_code == 302
    found.refresh_from_db()
    assert found.title == "Stalls, by staff"
    assert found.author == member_user


def test_an_edit_keeps_a_subject_no_longer_offered(member_client, member_user):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    event = EventFactory(title="Old supper", starts_at=long_ago)
    found = learning(
        member_user, subject_key=f"connect.event:{event.pk}", subject_label="Event: Old supper"
    )
    edit = reverse("framework:learning_edit", args=[found.pk])

    response = member_client.post(edit, answers(subject_key=f"connect.event:{event.pk}"))

    assert response.status_code == 302
    found.refresh_from_db()
    assert found.subject_label == "Event: Old supper"


def test_the_detail_links_to_its_subject_for_those_who_may_open_it(staff_client, member_client):
    campaign = CampaignFactory(name="Fix the lifts")
    staff = make_user("staff", email="boss@example.test")
    found = learning(
        staff, subject_key=f"action.campaign:{campaign.pk}", subject_label="Campaign: Fix the lifts"
    )
    staff_page = staff_client.get(found.get_absolute_url()).content.decode()
    member_page = member_client.get(found.get_absolute_url()).content.decode()
    assert f'href="{campaign.get_absolute_url()}"' in staff_page
    # Campaigns are described only to those who run them: a member reads what it is about
    # without its name (it could be one still in planning).
    assert "Campaign: Fix the lifts" not in member_page
    assert "about a campaign" in member_page.lower()


def test_a_learnings_subject_is_named_only_to_its_author_and_staff(client, staff_user, member_user):
    from hubsite.framework.models import Learning

    learning = Learning.objects.create(
        title="Quiet supper",
        happened="Few came",
        learned="Ask earlier",
        subject_key="connect.event:99999",
        subject_label="SECRETEVENT",
        author=staff_user,
    )
    client.force_login(member_user)
    for url in (reverse("framework:learning_list"), learning.get_absolute_url()):
        content = client.get(url).content.decode()
        assert "SECRETEVENT" not in content
        assert "an event" in content
    client.force_login(staff_user)
    assert "SECRETEVENT" in client.get(learning.get_absolute_url()).content.decode()


def test_huge_ids_in_the_learning_form_get_a_message_not_an_error(client, member_user):
    client.force_login(member_user)
    response = client.post(
        reverse("framework:learning_create"),
        {"title": "T", "happened": "H", "learned": "L", "areas": "99999999999999999999999"},
    )
    assert response.status_code in (200, 400)
    assert "areas" in response.context["form"].errors


def test_unticking_a_practice_on_edit_takes_its_area_away(client, member_user):
    from hubsite.framework.models import Area, Learning, Practice

    practice = Practice.objects.select_related("area").first()
    chosen = Area.objects.exclude(pk=practice.area_id).first()
    learning = Learning.objects.create(title="T", happened="H", learned="L", author=member_user)
    learning.practices.set([practice])
    learning.areas.set([practice.area, chosen])
    client.force_login(member_user)
    url = reverse("framework:learning_edit", args=[learning.pk])
    form = client.get(url).context["form"]
    assert form.initial["areas"] == [chosen.pk]
    response = client.post(
        url, {"title": "T", "happened": "H", "learned": "L", "areas": [chosen.pk]}
    )
    assert response.status_code == 302
    assert set(learning.areas.all()) == {chosen}
