"""Community activities and enterprises: proposing one, moving it through its stages, who may
run it (its proposer, staff, organisers of its group) and add or remove people, "I'd like to
help" (which gives a say over oneself only), the list's filters and its cost in queries."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from action.models import Activity
from action.selectors.activities import activity_counts
from action.services import activities as services
from hubsite.people.models import GroupMembership, Person
from tests.action.factories import ActivityFactory
from tests.conftest import make_user
from tests.people.factories import (
    GroupFactory,
    GroupMembershipFactory,
    LocalityFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("action:activity_list")
PROPOSE = reverse("action:activity_propose")


def url(name, activity):
    return reverse(f"action:{name}", args=[activity.pk])


def propose(client, **data):
    fields = {"name": "Repair café", "kind": "activity", "need": "Things get thrown away."}
    fields.update(data)
    return client.post(PROPOSE, fields)


# Proposing -------------------------------------------------------------------------------


def test_anyone_signed_in_proposes_an_activity_and_is_its_first_person(member_client, member_user):
    response = propose(member_client, description="Every second Saturday.")
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == activity.get_absolute_url()
    assert activity.stage == Activity.Stage.IDEA
    assert activity.proposed_by == member_user.person
    assert list(activity.people.all()) == [member_user.person]
    page = member_client.get(activity.get_absolute_url())
    assert "Repair café" in page.content.decode()
    assert page.context["can_manage"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Give the activity a name."),
        ({"name": "   "}, "name", "Give the activity a name."),
        ({"need": ""}, "need", "Say what local need it meets."),
        ({"need": "  \n "}, "need", "Say what local need it meets."),
        ({"kind": "empire"}, "kind", "Select a valid choice"),
        ({"locality": "999999"}, "locality", "Select a valid choice"),
        ({"name": "x" * 141}, "name", "at most 140 characters"),
    ],
)
def test_bad_proposals_get_a_clear_message_and_save_nothing(member_client, data, field, message):
    response = propose(member_client, **data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not Activity.objects.exists()


def test_the_service_refuses_an_empty_name_or_need_too(member_user):
    with pytest.raises(ValidationError) as error:
        services.activity_propose(user=member_user, name=" ", need="A need")
    assert error.value.message_dict == {"name": ["Give the activity a name."]}
    with pytest.raises(ValidationError) as error:
        services.activity_propose(user=member_user, name="Repair café", need="")
    assert error.value.message_dict == {"need": ["Say what local need it meets."]}
    assert not Activity.objects.exists()


def test_a_member_proposes_only_under_a_group_they_belong_to(member_client, member_user):
    mine, other = GroupFactory(), GroupFactory()
    GroupMembershipFactory(group=mine, person=member_user.person)
    form = member_client.get(PROPOSE).context["form"]
    assert list(form.fields["group"].queryset) == [mine]
    response = propose(member_client, group=other.pk)
    assert response.status_code == 400
    assert not Activity.objects.exists()
    assert propose(member_client, group=mine.pk).status_code == 302
    assert Activity.objects.get().group == mine


def test_support_is_not_set_by_a_proposal(member_client):
    propose(member_client, support="A free room")
    assert Activity.objects.get().support == ""
    assert "support" not in member_client.get(PROPOSE).context["form"].fields


# Stages ----------------------------------------------------------------------------------


def proposed(user, **kwargs):
    """An activity ``user`` proposed (and so is one of its people)."""
    activity = ActivityFactory(proposed_by=user.person, **kwargs)
    activity.people.add(user.person)
    return activity


def joined(user, **kwargs):
    """An activity someone else proposed, which ``user`` offered to help with."""
    proposer = PersonFactory(first_name="Proposer")
    activity = ActivityFactory(proposed_by=proposer, **kwargs)
    activity.people.add(proposer, user.person)
    return activity


def test_moves_forward_and_back_are_recorded_with_the_time(member_client, member_user):
    long_ago = timezone.now() - timedelta(days=30)
    activity = proposed(member_user, stage_changed_at=long_ago)
    for stage in ("planning", "running", "planning"):
        before = timezone.now()
        response = member_client.post(url("activity_move", activity), {"stage": stage})
        assert response.status_code == 302
        activity.refresh_from_db()
        assert activity.stage == stage
        assert activity.stage_changed_at >= before
    page = member_client.get(activity.get_absolute_url()).content.decode()
    assert '<li aria-current="step">Planning' in page


def test_stopping_asks_why_and_keeps_the_reason_in_the_description(member_client, member_user):
    activity = proposed(member_user, stage=Activity.Stage.RUNNING, description="Saturdays.")
    response = member_client.post(url("activity_move", activity), {"stage": "stopped"})
    assert response.status_code == 400
    assert "Say why it stopped" in response.content.decode()
    activity.refresh_from_db()
    assert activity.stage == Activity.Stage.RUNNING
    member_client.post(
        url("activity_move", activity), {"stage": "stopped", "reason": "The hall closed."}
    )
    activity.refresh_from_db()
    assert activity.stage == Activity.Stage.STOPPED
    assert activity.description.startswith("Saturdays.\n\nStopped on ")
    assert activity.description.endswith(": The hall closed.")


@pytest.mark.parametrize("stage", ["finished", "", "IDEA"])
def test_an_unknown_stage_is_refused_and_changes_nothing(member_client, member_user, stage):
    activity = proposed(member_user)
    stamp = activity.stage_changed_at
    response = member_client.post(url("activity_move", activity), {"stage": stage})
    assert response.status_code == 400
    assert "stage" in response.context["stage_form"].errors
    activity.refresh_from_db()
    assert (activity.stage, activity.stage_changed_at) == ("idea", stamp)


def test_the_service_refuses_an_unknown_stage_and_the_stage_it_is_at(member_user):
    activity = ActivityFactory()
    with pytest.raises(ValidationError, match="Choose one of the stages"):
        services.activity_move(activity=activity, stage="finished")
    with pytest.raises(ValidationError, match="already at"):
        services.activity_move(activity=activity, stage="idea")
    with pytest.raises(ValidationError, match="Say why"):
        services.activity_move(activity=activity, stage="stopped", reason="  ")


def test_counts_by_stage_take_one_query(django_assert_num_queries):
    ActivityFactory.create_batch(2, stage="running")
    ActivityFactory(stage="stopped")
    with django_assert_num_queries(1):
        counts = activity_counts()
    assert counts == {"idea": 0, "planning": 0, "running": 2, "stopped": 1}
    assert list(counts) == ["idea", "planning", "running", "stopped"]


# Who may run an activity -----------------------------------------------------------------


def group_organiser():
    user = make_user("organiser", "group-organiser@example.test")
    group = GroupFactory()
    GroupMembershipFactory(group=group, person=user.person, role=GroupMembership.Role.ORGANISER)
    return user, group


def write_requests(activity, person):
    return [
        (
            url("activity_edit", activity),
            {"name": "Renamed", "kind": "service", "need": "N", "group": activity.group_id or ""},
        ),
        (url("activity_move", activity), {"stage": "planning"}),
        (url("activity_person_remove", activity), {"person": person.pk}),
    ]


def test_a_member_who_is_not_involved_may_not_run_it(member_client):
    activity = ActivityFactory()
    person = PersonFactory()
    activity.people.add(person)
    assert member_client.get(url("activity_edit", activity)).status_code == 403
    for path, data in write_requests(activity, person):
        assert member_client.post(path, data).status_code == 403, path
    add = member_client.post(url("activity_person_add", activity), {"person": person.pk})
    assert add.status_code == 403
    activity.refresh_from_db()
    assert (activity.name, activity.stage) != ("Renamed", "planning")
    assert list(activity.people.all()) == [person]
    page = member_client.get(activity.get_absolute_url())
    assert not page.context["can_manage"]
    assert "Move it to another stage" not in page.content.decode()


def test_the_proposer_edits_moves_and_removes_people(member_client, member_user):
    activity = proposed(member_user)
    other = PersonFactory()
    activity.people.add(other)
    assert member_client.get(url("activity_edit", activity)).status_code == 200
    for path, data in write_requests(activity, other):
        assert member_client.post(path, data).status_code == 302, path
    activity.refresh_from_db()
    assert (activity.name, activity.kind, activity.stage) == ("Renamed", "service", "planning")
    assert list(activity.people.all()) == [member_user.person]


def test_the_proposer_as_a_member_does_not_search_or_add_other_people(member_client, member_user):
    activity = proposed(member_user)
    stranger = PersonFactory(first_name="Zainab")
    page = member_client.get(activity.get_absolute_url(), {"q": "Zainab"})
    assert not page.context["can_add_people"]
    assert "Zainab" not in page.content.decode()
    add = member_client.post(url("activity_person_add", activity), {"person": stranger.pk})
    assert add.status_code == 403
    assert stranger not in activity.people.all()


def test_the_organiser_of_its_group_runs_it_and_adds_people(client):
    user, group = group_organiser()
    client.force_login(user)
    activity = ActivityFactory(group=group)
    person = PersonFactory(first_name="Zainab", last_name="Okafor")
    page = client.get(activity.get_absolute_url(), {"q": "zain"})
    assert page.context["can_add_people"]
    assert list(page.context["found"]) == [person]
    add = client.post(url("activity_person_add", activity), {"person": person.pk})
    assert add.status_code == 302
    assert list(activity.people.all()) == [person]
    for path, data in write_requests(activity, person):
        assert client.post(path, data).status_code == 302, path
    activity.refresh_from_db()
    assert (activity.name, activity.stage) == ("Renamed", "planning")
    assert not activity.people.exists()


def test_an_organiser_of_another_group_may_not_run_it(organiser_client):
    activity = ActivityFactory(group=GroupFactory())
    person = PersonFactory()
    for path, data in write_requests(activity, person):
        assert organiser_client.post(path, data).status_code == 403, path
    add = organiser_client.post(url("activity_person_add", activity), {"person": person.pk})
    assert add.status_code == 403


def test_a_helper_may_not_run_it_nor_remove_anyone_but_themself(member_client, member_user):
    activity = joined(member_user, name="Repair café")
    proposer, helper = activity.proposed_by, PersonFactory()
    activity.people.add(helper)
    page = member_client.get(activity.get_absolute_url())
    assert not page.context["can_manage"]
    assert "Move it to another stage" not in page.content.decode()
    assert "Remove<span" not in page.content.decode()
    assert "Step back" in page.content.decode()
    assert member_client.get(url("activity_edit", activity)).status_code == 403
    for person in (proposer, helper):
        for path, data in write_requests(activity, person):
            assert member_client.post(path, data).status_code == 403, path
    activity.refresh_from_db()
    assert (activity.name, activity.stage) == ("Repair café", "idea")
    assert set(activity.people.all()) == {proposer, helper, member_user.person}


def test_the_service_refuses_a_helper_taking_someone_else_off(member_user):
    activity = joined(member_user)
    with pytest.raises(ValidationError, match="Only the people who run this activity"):
        services.activity_person_remove(
            activity=activity, person=activity.proposed_by, by=member_user
        )
    assert activity.proposed_by in activity.people.all()


def test_the_organiser_of_its_group_takes_the_proposer_off_and_ends_their_say(
    client, member_client, member_user
):
    user, group = group_organiser()
    client.force_login(user)
    activity = proposed(member_user, group=group)
    response = client.post(
        url("activity_person_remove", activity), {"person": member_user.person.pk}
    )
    assert response.status_code == 302
    assert not activity.people.exists()
    assert member_client.get(url("activity_edit", activity)).status_code == 403


@pytest.mark.parametrize("who", ["proposer", "helper", "staff"])
def test_removing_someone_not_involved_answers_as_for_an_unknown_id_without_a_name(
    who, member_client, member_user, staff_client
):
    activity = joined(member_user) if who == "helper" else proposed(member_user)
    client = staff_client if who == "staff" else member_client
    stranger = PersonFactory(first_name="Zainab", last_name="Okafor")
    people = set(activity.people.all())
    answers = set()
    for value in (stranger.pk, 999999, "abc"):
        response = client.post(url("activity_person_remove", activity), {"person": value})
        page = response.content.decode()
        assert response.status_code == 400, value
        assert "Zainab" not in page and "Okafor" not in page
        assert "That person is not one of the people involved" in page
        answers.add(tuple(response.context["person_form"].errors["person"]))
    assert len(answers) == 1  # nothing tells a known id from an unknown one
    assert set(activity.people.all()) == people


def test_the_people_search_finds_only_people_not_yet_involved(staff_client):
    activity = ActivityFactory()
    inside = PersonFactory(first_name="Zainab", last_name="One")
    outside = PersonFactory(first_name="Zainab", last_name="Two")
    activity.people.add(inside)
    page = staff_client.get(activity.get_absolute_url(), {"q": "Zainab"}, HTTP_HX_REQUEST="true")
    assert list(page.context["found"]) == [outside]
    assert "<h1>" not in page.content.decode()  # only the results, for htmx to swap in


def test_adding_someone_unknown_gets_a_clear_message(staff_client):
    activity = ActivityFactory()
    for value in ("999999", "abc", ""):
        response = staff_client.post(url("activity_person_add", activity), {"person": value})
        assert response.status_code == 400
        assert "person" in response.context["person_form"].errors
    assert not activity.people.exists()


def test_only_staff_record_the_hub_support(member_client, member_user, staff_client):
    activity = proposed(member_user)
    form = member_client.get(url("activity_edit", activity)).context["form"]
    assert "support" not in form.fields
    member_client.post(
        url("activity_edit", activity),
        {"name": activity.name, "kind": "activity", "need": "N", "support": "Money"},
    )
    activity.refresh_from_db()
    assert activity.support == ""
    staff_client.post(
        url("activity_edit", activity),
        {"name": activity.name, "kind": "activity", "need": "N", "support": "A free room"},
    )
    activity.refresh_from_db()
    assert activity.support == "A free room"
    with pytest.raises(ValidationError, match="Only hub staff"):
        services.activity_update(activity=activity, edited_by=member_user, support="Money")


def test_bad_edits_get_a_clear_message_and_save_nothing(member_client, member_user):
    activity = proposed(member_user, name="Repair café")
    response = member_client.post(
        url("activity_edit", activity), {"name": " ", "kind": "activity", "need": ""}
    )
    assert response.status_code == 400
    assert "Give the activity a name." in response.content.decode()
    assert "Say what local need it meets." in response.content.decode()
    assert "<h1>Edit Repair café</h1>" in response.content.decode()
    activity.refresh_from_db()
    assert activity.name == "Repair café"


def test_anonymous_visitors_see_nothing_and_are_sent_to_sign_in(client):
    activity = ActivityFactory()
    for path in (LIST, PROPOSE, activity.get_absolute_url(), url("activity_edit", activity)):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    for name in ("activity_move", "activity_join", "activity_person_add", "activity_person_remove"):
        response = client.post(url(name, activity), {"stage": "planning"})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert not activity.people.exists()


# I'd like to help ------------------------------------------------------------------------


def test_i_would_like_to_help_is_one_click_and_safe_twice(member_client, member_user):
    activity = ActivityFactory(stage="running")
    page = member_client.get(activity.get_absolute_url()).content.decode()
    assert "I’d like to help" in page
    first = member_client.post(url("activity_join", activity), follow=True)
    second = member_client.post(url("activity_join", activity), follow=True)
    assert "You are now one of the people" in first.content.decode()
    assert "You are already one of the people" in second.content.decode()
    assert list(activity.people.all()) == [member_user.person]
    assert "I’d like to help" not in second.content.decode()
    assert not second.context["can_manage"]  # helping gives a say over oneself only
    assert "Step back" in second.content.decode()


def test_a_helper_steps_back(member_client, member_user):
    activity = joined(member_user)
    response = member_client.post(
        url("activity_person_remove", activity), {"person": member_user.person.pk}, follow=True
    )
    assert "You have stepped back" in response.content.decode()
    assert list(activity.people.all()) == [activity.proposed_by]


def test_a_proposer_who_steps_back_no_longer_runs_it(member_client, member_user):
    activity = proposed(member_user)
    member_client.post(url("activity_person_remove", activity), {"person": member_user.person.pk})
    assert not activity.people.exists()
    assert member_client.get(url("activity_edit", activity)).status_code == 403


def test_joining_without_a_person_record_links_one(client):
    from hubsite.people.models import User

    user = User.objects.create_user(email="new@example.test", password="x" * 20, role="member")
    client.force_login(user)
    activity = ActivityFactory()
    assert client.post(url("activity_join", activity)).status_code == 302
    assert list(activity.people.all()) == [Person.objects.get(user=user)]


# The list --------------------------------------------------------------------------------


def test_the_list_filters_by_stage_kind_locality_group_and_words(member_client):
    here, there = LocalityFactory(), LocalityFactory()
    group = GroupFactory()
    café = ActivityFactory(name="Repair café", stage="running", locality=here, group=group)
    pantry = ActivityFactory(name="Food pantry", kind="service", locality=there)
    shop = ActivityFactory(name="Community shop", kind="enterprise", stage="planning")

    def found(**params):
        response = member_client.get(LIST, params)
        assert response.status_code == 200
        return set(response.context["page"].object_list)

    assert found() == {café, pantry, shop}
    assert found(stage="running") == {café}
    assert found(kind="service") == {pantry}
    assert found(kind="enterprise", stage="planning") == {shop}
    assert found(locality=here.pk) == {café}
    assert found(locality="null") == {shop}
    assert found(group=group.pk) == {café}
    assert found(q="pantry") == {pantry}
    # Filters it cannot read are left out, with a word on the page, never a 500.
    response = member_client.get(LIST, {"stage": "nonsense", "locality": "x"})
    assert set(response.context["page"].object_list) == {café, pantry, shop}
    assert "were not understood" in response.content.decode()


def test_the_list_shows_counts_by_stage(member_client):
    ActivityFactory.create_batch(2, stage="running")
    response = member_client.get(LIST)
    assert ("running", "Running", 2) in response.context["stage_counts"]
    assert "<strong>2</strong> running" in response.content.decode()


def test_the_list_answers_htmx_with_the_results_only(member_client):
    ActivityFactory(name="Repair café")
    response = member_client.get(LIST, {"q": "café"}, HTTP_HX_REQUEST="true")
    assert "Repair café" in response.content.decode()
    assert "<h1>" not in response.content.decode()


def _queries_for_list(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"kind": "activity"})
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_5_and_50_activities(member_client):
    places, groups = LocalityFactory.create_batch(3), GroupFactory.create_batch(3)
    people = PersonFactory.create_batch(4)

    def add(n):
        for i in range(n):
            activity = ActivityFactory(locality=places[i % 3], group=groups[i % 3])
            activity.people.set(people[: i % 4 + 1])

    add(5)
    few = _queries_for_list(member_client)
    add(45)
    many = _queries_for_list(member_client)
    assert few == many


def test_the_list_offers_the_places_and_groups_of_activities_in_a_fixed_number_of_queries(
    member_client, django_assert_num_queries
):
    used_place, used_group = LocalityFactory(name="Larkrise"), GroupFactory(name="Growers")
    LocalityFactory(name="Nowhere Ward"), GroupFactory(name="Quiet Group")
    for n in range(30):
        activity = ActivityFactory(locality=used_place, group=used_group)
        activity.people.set(PersonFactory.create_batch(n % 3 + 1))
    # The session and user; the count, the counts by stage, the places and groups of the
    # filters, and the page with each activity's count of people.
    with django_assert_num_queries(7):
        response = member_client.get(LIST)
    page = response.content.decode()
    assert "Larkrise" in page and "Growers" in page
    assert "Nowhere Ward" not in page and "Quiet Group" not in page
    shown = response.context["page"].object_list
    assert all(a.people_count == a.people.count() for a in shown)
