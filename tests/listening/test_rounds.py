"""Listening rounds: who starts and edits them, who sees them, and their progress."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from listening.models import Conversation, ListeningRound
from tests.conftest import make_user
from tests.listening.factories import ConversationFactory, ListeningRoundFactory
from tests.people.factories import LocalityFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("listening:round_create")
LIST = reverse("listening:round_list")


def round_data(**overrides):
    data = {
        "name": "Spring listening",
        "purpose": "Find out what matters on the estates.",
        "starts_on": timezone.localdate().isoformat(),
        "ends_on": "",
        "target": "200",
        "prompts": "What do you love here?\nWhat would you change?",
    }
    data.update(overrides)
    return data


def test_an_organiser_starts_a_round_and_runs_it(organiser_client, organiser_user):
    place = LocalityFactory()
    volunteer = make_user("volunteer", "v@example.test")
    response = organiser_client.post(
        CREATE, round_data(localities=[place.pk], volunteers=[volunteer.pk])
    )
    round_ = ListeningRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == round_.get_absolute_url()
    assert list(round_.organisers.all()) == [organiser_user]
    assert list(round_.volunteers.all()) == [volunteer]
    assert list(round_.localities.all()) == [place]
    assert round_.prompt_list == ["What do you love here?", "What would you change?"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "required"),
        ({"purpose": ""}, "purpose", "required"),
        ({"starts_on": "soon"}, "starts_on", "valid date"),
        ({"ends_on": "2000-01-01"}, "ends_on", "cannot end before it starts"),
        ({"target": "0"}, "target", "at least one"),
        ({"target": "-4"}, "target", "greater than or equal to 0"),
        ({"volunteers": ["999999"]}, "volunteers", "valid choice"),
    ],
)
def test_a_round_with_bad_answers_is_refused(staff_client, overrides, field, message):
    response = staff_client.post(CREATE, round_data(**overrides))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not ListeningRound.objects.exists()


def test_a_round_name_is_unique_whatever_its_case(staff_client):
    ListeningRoundFactory(name="Spring listening")
    response = staff_client.post(CREATE, round_data(name="SPRING listening"))
    assert "already exists" in str(response.context["form"].errors["name"])
    assert ListeningRound.objects.count() == 1


def test_a_member_cannot_be_put_on_a_round(staff_client):
    member = make_user("member", "m@example.test")
    response = staff_client.post(CREATE, round_data(volunteers=[member.pk]))
    assert "volunteers" in response.context["form"].errors
    assert not ListeningRound.objects.exists()


def test_volunteers_and_members_cannot_start_rounds(client, volunteer_user, member_client):
    client.force_login(volunteer_user)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, round_data()).status_code == 403
    assert member_client.post(CREATE, round_data()).status_code == 403
    assert not ListeningRound.objects.exists()


def test_only_the_rounds_organisers_and_staff_edit_it(
    organiser_client, organiser_user, staff_client
):
    mine = ListeningRoundFactory(organisers=[organiser_user])
    other_organiser = make_user("organiser", "o2@example.test")
    theirs = ListeningRoundFactory(organisers=[other_organiser], volunteers=[organiser_user])
    edit = "listening:round_edit"
    response = organiser_client.post(
        reverse(edit, args=[mine.pk]), round_data(name="Renamed", organisers=[organiser_user.pk])
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.name == "Renamed"
    assert organiser_client.get(reverse(edit, args=[theirs.pk])).status_code == 403
    assert staff_client.get(reverse(edit, args=[theirs.pk])).status_code == 200


def test_who_sees_which_rounds(
    client, organiser_client, organiser_user, staff_client, member_client
):
    volunteer = make_user("volunteer", "v@example.test")
    on_it = ListeningRoundFactory(volunteers=[volunteer])
    runs = ListeningRoundFactory(organisers=[organiser_user])
    other = ListeningRoundFactory()
    client.force_login(volunteer)
    assert list(client.get(LIST).context["page"].object_list) == [on_it]
    assert client.get(other.get_absolute_url()).status_code == 404
    assert list(organiser_client.get(LIST).context["page"].object_list) == [runs]
    assert len(staff_client.get(LIST).context["page"].object_list) == 3
    assert member_client.get(LIST).status_code == 403
    assert member_client.get(on_it.get_absolute_url()).status_code == 403


def test_the_round_page_shows_progress_by_locality_and_volunteer(staff_client):
    north, south = LocalityFactory(name="North"), LocalityFactory(name="South")
    volunteer = make_user("volunteer", "v@example.test", first_name="Priya")
    round_ = ListeningRoundFactory(target=10, localities=[north, south], volunteers=[volunteer])
    ConversationFactory.create_batch(3, round=round_, locality=north, logged_by=volunteer)
    ConversationFactory(round=round_, locality=south, logged_by=volunteer)
    ConversationFactory(locality=north)  # not in the round
    response = staff_client.get(round_.get_absolute_url())
    progress = response.context["progress"]
    assert (progress.total, progress.percent) == (4, 40)
    assert progress.by_locality == [("North", 3), ("South", 1)]
    assert progress.by_volunteer == [("Priya", 4)]
    assert b"4</strong> conversations of a target of 10" in response.content


def test_a_volunteer_may_log_in_an_open_round_they_are_on_only(client):
    volunteer = make_user("volunteer", "v@example.test")
    client.force_login(volunteer)
    ended = ListeningRoundFactory(
        volunteers=[volunteer],
        starts_on=timezone.localdate() - datetime.timedelta(days=60),
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    open_round = ListeningRoundFactory(volunteers=[volunteer])
    response = client.get(reverse("listening:conversation_log"))
    rounds = list(response.context["form"].fields["round"].queryset)
    assert rounds == [open_round]
    assert response.context["form"].initial["round"] == open_round
    assert not client.get(ended.get_absolute_url()).context["can_log"]


def test_the_round_list_counts_each_rounds_conversations_in_the_same_queries_for_3_and_30(
    staff_client, django_assert_num_queries
):
    place, volunteer = LocalityFactory(), make_user("volunteer", "v@example.test")

    def add_rounds(n):
        for round_ in ListeningRoundFactory.create_batch(n, localities=[place]):
            Conversation.objects.bulk_create(
                Conversation(round=round_, locality=place, method="phone", logged_by=volunteer)
                for _ in range(2)
            )

    add_rounds(3)
    staff_client.get(LIST)  # the first request of a client fills its caches
    # The session, the user, the count of rounds, the page with each count, their places.
    with django_assert_num_queries(5):
        few = staff_client.get(LIST)
    add_rounds(27)
    with django_assert_num_queries(5):
        many = staff_client.get(LIST)

    assert [r.conversation_count for r in few.context["page"]] == [2, 2, 2]
    assert {r.conversation_count for r in many.context["page"]} == {2}
    assert b"2 of 50" in many.content
