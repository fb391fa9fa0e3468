"""Meetings and decisions: who sees which meeting (the hub's own for its active members,
staff and organisers; a group's for the people of the group), who calls and runs them, and
the decisions they record, each with an owner and a review date not before the meeting,
reviewed by the owner (while it is open) or the meeting's runners. A form sent twice records
one meeting or decision. Lists cost a fixed number of queries."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hubsite.notify.models import OutboxMessage
from hubsite.people.models import GroupMembership, Role
from organise import tasks
from organise.models import Decision, Meeting, Membership
from organise.selectors.meetings import meeting_visible, owner_choices
from organise.services import meetings as services
from tests.conftest import make_user
from tests.organise.factories import DecisionFactory, MeetingFactory, MembershipFactory
from tests.organise.factories_meetings import GroupMeetingFactory
from tests.people.factories import GroupFactory, GroupMembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
TODAY = timezone.localdate
LIST = reverse("organise:meeting_list")
NEW = reverse("organise:meeting_create")
DECISIONS = reverse("organise:decision_list")


def url(name, *args):
    return reverse(f"organise:{name}", args=args)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def hub_member(user, status=Membership.Status.ACTIVE):
    fields = {"status": status}
    if status != Membership.Status.ACTIVE:
        fields["ended_on"] = TODAY() - 10 * DAY
    return MembershipFactory(person=user.person, **fields)


def in_group(user, group, role=GroupMembership.Role.MEMBER):
    return GroupMembershipFactory(person=user.person, group=group, role=role)


@pytest.fixture
def group():
    return GroupFactory(name="Elm Court tenants")


@pytest.fixture
def meetings(group):
    return {
        "members": MeetingFactory(title="Spring members' meeting"),
        "agm": MeetingFactory(title="Annual general meeting 2025", kind=Meeting.Kind.AGM),
        "group": GroupMeetingFactory(title="Elm Court tenants' meeting", group=group),
        "other group": GroupMeetingFactory(title="Allotment society meeting"),
    }


@pytest.fixture
def group_organiser(group):
    """A member of the hub's site (role member) who organises a group: they run its
    meetings without being staff or an organiser of the hub."""
    user = make_user(Role.MEMBER, "leila@example.test", first_name="Leila")
    in_group(user, group, GroupMembership.Role.ORGANISER)
    return user


# Who sees which meeting ----------------------------------------------------------------


def _viewer(kind, group):
    if kind == "staff":
        return make_user(Role.STAFF)
    if kind == "organiser":
        return make_user(Role.ORGANISER)
    if kind == "volunteer":
        return make_user(Role.VOLUNTEER)
    user = make_user(Role.MEMBER)
    if kind == "active member":
        hub_member(user)
    elif kind == "lapsed member":
        hub_member(user, Membership.Status.LAPSED)
    elif kind == "member who left":
        hub_member(user, Membership.Status.LEFT)
    elif kind == "member waiting to confirm":
        hub_member(user, Membership.Status.PENDING)
    elif kind == "group member":
        in_group(user, group)
    elif kind == "group organiser":
        in_group(user, group, GroupMembership.Role.ORGANISER)
    elif kind == "volunteer who is a member":
        user.role = Role.VOLUNTEER
        user.save(update_fields=["role"])
        hub_member(user)
    return user


HUB = ["members", "agm"]
VISIBILITY = [
    ("staff", HUB + ["group", "other group"]),
    ("organiser", HUB),
    ("active member", HUB),
    ("volunteer who is a member", HUB),
    ("lapsed member", []),
    ("member who left", []),
    ("member waiting to confirm", []),
    ("member without a membership", []),
    ("volunteer", []),
    ("group member", ["group"]),
    ("group organiser", ["group"]),
]


@pytest.mark.parametrize(("kind", "expected"), VISIBILITY)
def test_each_viewer_lists_and_opens_only_the_meetings_they_may_see(
    kind, expected, group, meetings
):
    client = client_for(_viewer(kind, group))

    response = client.get(LIST)

    assert response.status_code == 200
    listed = {meeting.title for meeting in response.context["page"].object_list}
    assert listed == {meetings[name].title for name in expected}
    for name, meeting in meetings.items():
        status = client.get(meeting.get_absolute_url()).status_code
        assert status == (200 if name in expected else 404), (kind, name)


@pytest.mark.parametrize(("kind", "expected"), VISIBILITY)
def test_the_queryset_applies_the_same_rule_as_the_predicate(kind, expected, group, meetings):
    from organise.rules import can_see_meeting

    user = _viewer(kind, group)
    visible = set(meeting_visible(user))
    assert visible == {meeting for meeting in meetings.values() if can_see_meeting(user, meeting)}


def test_anonymous_visitors_are_sent_to_sign_in_for_every_meeting_page(client, meetings):
    decision = DecisionFactory(meeting=meetings["members"])
    for path in [
        LIST,
        NEW,
        meetings["members"].get_absolute_url(),
        url("meeting_edit", meetings["members"].pk),
        url("decision_create", meetings["members"].pk),
        DECISIONS,
        url("decision_edit", decision.pk),
        url("decision_review", decision.pk),
    ]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_deactivated_account_sees_no_meeting(meetings):
    user = make_user(Role.STAFF)
    user.is_active = False
    user.save()
    assert not meeting_visible(user).exists()


def test_the_list_shows_coming_meetings_soonest_first_then_past_ones_latest_first(staff_client):
    today = TODAY()
    for days, title in [(-30, "Past long ago"), (10, "Later"), (-2, "Just past"), (0, "Today")]:
        MeetingFactory(title=title, held_on=today + days * DAY)
    MeetingFactory(title="Next week", held_on=today + 7 * DAY)

    response = staff_client.get(LIST)

    titles = [meeting.title for meeting in response.context["page"].object_list]
    assert titles == ["Today", "Next week", "Later", "Just past", "Past long ago"]
    content = response.content.decode()
    assert content.index("Coming up") < content.index("Past meetings")


def queries_of(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.STAFF, Role.ORGANISER, Role.MEMBER])
def test_the_meeting_list_costs_the_same_queries_for_few_and_many_meetings(role, group):
    user = make_user(role)
    hub_member(user)
    in_group(user, group)
    client = client_for(user)

    def add(n):
        for i in range(n):
            meeting = MeetingFactory(held_on=TODAY() + (i - n // 2) * DAY)
            DecisionFactory(meeting=meeting)
            GroupMeetingFactory(group=group, held_on=TODAY() + i * DAY)

    add(2)
    client.get(LIST)  # the first request of a client fills caches (session, content types)
    few = queries_of(client, LIST)
    add(30)
    assert queries_of(client, LIST) == few
    assert queries_of(client, LIST + "?page=2") == few


# Calling and running meetings ----------------------------------------------------------


def meeting_data(**fields):
    return {
        "title": "Autumn members' meeting",
        "kind": Meeting.Kind.MEMBERS,
        "group": "",
        "held_on": (TODAY() + 14 * DAY).isoformat(),
        "place": "The Old Library, 3 Market Street",
        "agenda": "1. The lifts\n2. The community garden",
        "minutes": "",
        "attendance": "",
        **fields,
    }


def test_staff_call_a_members_meeting_with_its_agenda(staff_client, staff_user):
    response = staff_client.post(NEW, meeting_data())

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    assert (meeting.kind, meeting.group, meeting.created_by) == ("members", None, staff_user)
    page = staff_client.get(meeting.get_absolute_url()).content.decode()
    assert "The community garden" in page


def test_a_meeting_form_sent_twice_calls_one_meeting(staff_client, staff_user):
    first = staff_client.post(NEW, meeting_data())
    second = staff_client.post(NEW, meeting_data())

    meeting = Meeting.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == meeting.get_absolute_url()
    again = services.meeting_create(
        created_by=staff_user,
        title="  Autumn members'   meeting ",
        kind=Meeting.Kind.MEMBERS,
        held_on=meeting.held_on,
    )
    assert again == meeting
    assert Meeting.objects.count() == 1


def test_a_meeting_like_one_called_a_while_ago_or_on_another_day_is_a_new_one(
    staff_client, staff_user
):
    staff_client.post(NEW, meeting_data())
    Meeting.objects.update(created_at=timezone.now() - 2 * services.RESUBMIT_WINDOW)
    staff_client.post(NEW, meeting_data())
    staff_client.post(NEW, meeting_data(held_on=(TODAY() + 15 * DAY).isoformat()))
    staff_client.post(NEW, meeting_data(kind=Meeting.Kind.AGM))

    assert Meeting.objects.count() == 4


def test_staff_call_the_agm_and_a_meeting_of_any_group(staff_client, group):
    staff_client.post(NEW, meeting_data(title="AGM", kind=Meeting.Kind.AGM))
    staff_client.post(NEW, meeting_data(title="Tenants", kind=Meeting.Kind.GROUP, group=group.pk))

    assert set(Meeting.objects.values_list("title", "kind", "group")) == {
        ("AGM", "agm", None),
        ("Tenants", "group", group.pk),
    }


def test_a_groups_organiser_calls_its_meetings_without_being_staff(group, group_organiser):
    client = client_for(group_organiser)
    GroupFactory(name="Someone else's group")

    page = client.get(NEW + f"?group={group.pk}")
    assert page.status_code == 200
    form = page.context["form"]
    assert list(form.fields["group"].queryset) == [group]
    assert [value for value, _ in form.fields["kind"].choices] == [Meeting.Kind.GROUP]
    assert form.initial["group"] == group

    response = client.post(NEW, meeting_data(kind=Meeting.Kind.GROUP, group=group.pk))

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert (meeting.kind, meeting.group) == ("group", group)
    assert client.get(meeting.get_absolute_url()).context["can_manage"]


def test_a_groups_organiser_cannot_call_the_hubs_meetings_or_another_groups(group, group_organiser):
    client = client_for(group_organiser)
    other = GroupFactory()

    for data in [
        meeting_data(kind=Meeting.Kind.MEMBERS),
        meeting_data(kind=Meeting.Kind.AGM),
        meeting_data(kind=Meeting.Kind.GROUP, group=other.pk),
    ]:
        assert client.post(NEW, data).status_code == 400
    assert not Meeting.objects.exists()
    with pytest.raises(ValidationError):
        services.meeting_create(
            created_by=group_organiser, title="AGM", kind=Meeting.Kind.AGM, held_on=TODAY()
        )
    with pytest.raises(ValidationError):
        services.meeting_create(
            created_by=group_organiser,
            title="Theirs",
            kind=Meeting.Kind.GROUP,
            group=other,
            held_on=TODAY(),
        )
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VOLUNTEER, Role.ORGANISER])
def test_someone_who_runs_no_group_hears_who_calls_meetings_and_cannot_call_one(role):
    client = client_for(make_user(role))

    page = client.get(NEW)
    assert page.status_code == 200
    assert "form" not in page.context
    assert "a group's organisers call" in page.content.decode()
    assert client.post(NEW, meeting_data()).status_code == 403
    assert not Meeting.objects.exists()


def test_odd_query_parameters_do_no_harm(staff_client, group):
    for query in ["?group=" + "9" * 30, "?group=%EF%BC%91", "?group=-1", "?group="]:
        response = staff_client.get(NEW + query)
        assert response.status_code == 200
        assert not response.context["form"].initial
    assert staff_client.get(NEW + f"?group={group.pk}").context["form"].initial["group"] == group
    assert staff_client.get(LIST + "?page=" + "9" * 30).status_code == 200
    assert staff_client.get(DECISIONS + "?show=%00&page=-1").status_code == 200


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "   "}, "title", "Give the meeting a title."),
        ({"held_on": ""}, "held_on", "Enter the date of the meeting."),
        ({"held_on": "31/02/2025"}, "held_on", "Enter the date of the meeting"),
        ({"kind": "party"}, "kind", "Choose one of the kinds"),
        ({"kind": "group"}, "group", "Choose the group whose meeting it is."),
        ({"group": "999999"}, "group", "Choose one of the groups"),
        ({"attendance": "-3"}, "attendance", "greater than or equal to 0"),
        ({"attendance": "many"}, "attendance", "Enter how many came as a number."),
        ({"title": "x" * 141}, "title", "at most 140 characters"),
    ],
)
def test_bad_meeting_input_gets_a_clear_message_and_saves_nothing(
    staff_client, fields, field, message
):
    response = staff_client.post(NEW, meeting_data(**fields))

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Meeting.objects.exists()


def test_a_hub_meeting_cannot_belong_to_a_group(staff_client, staff_user, group):
    response = staff_client.post(NEW, meeting_data(group=group.pk))
    assert response.status_code == 400
    assert "leave the group empty" in response.context["form"].errors["group"][0]
    with pytest.raises(ValidationError):
        services.meeting_create(
            created_by=staff_user,
            title="Members",
            kind=Meeting.Kind.MEMBERS,
            group=group,
            held_on=TODAY(),
        )
    assert not Meeting.objects.exists()


def test_staff_write_up_the_minutes_and_attendance_after_the_meeting(staff_client, meetings):
    meeting = meetings["members"]
    edit = url("meeting_edit", meeting.pk)
    assert staff_client.get(edit).context["form"].initial["title"] == meeting.title

    response = staff_client.post(
        edit,
        meeting_data(
            title=meeting.title,
            held_on=meeting.held_on.isoformat(),
            minutes="We agreed to ask the council about the lifts.",
            attendance="42",
        ),
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.attendance) == (
        "We agreed to ask the council about the lifts.",
        42,
    )


@pytest.mark.parametrize("kind", ["organiser", "active member", "group member"])
def test_those_who_see_a_meeting_but_do_not_run_it_cannot_change_it(kind, group, meetings):
    client = client_for(_viewer(kind, group))
    meeting = meetings["group"] if kind == "group member" else meetings["members"]
    before = Meeting.objects.get(pk=meeting.pk).title

    assert client.get(meeting.get_absolute_url()).status_code == 200
    for path in [url("meeting_edit", meeting.pk), url("decision_create", meeting.pk)]:
        assert client.get(path).status_code == 403
        assert client.post(path, meeting_data(title="Changed")).status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).title == before
    assert not Decision.objects.exists()


def test_a_meeting_the_viewer_may_not_see_is_not_found_even_to_change(group_organiser, meetings):
    client = client_for(group_organiser)
    for meeting in (meetings["members"], meetings["other group"]):
        for path in [url("meeting_edit", meeting.pk), url("decision_create", meeting.pk)]:
            assert client.get(path).status_code == 404
            assert client.post(path, meeting_data()).status_code == 404


def test_a_groups_organiser_runs_its_meetings(group_organiser, meetings):
    client = client_for(group_organiser)
    meeting = meetings["group"]

    response = client.post(
        url("meeting_edit", meeting.pk),
        meeting_data(
            title="Tenants' meeting, moved",
            kind=Meeting.Kind.GROUP,
            group=meeting.group_id,
            held_on=meeting.held_on.isoformat(),
        ),
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Tenants' meeting, moved"


def test_a_meeting_cannot_move_after_the_review_of_its_decisions(staff_client, meetings):
    meeting = meetings["members"]
    DecisionFactory(meeting=meeting, review_on=meeting.held_on + 5 * DAY)

    response = staff_client.post(
        url("meeting_edit", meeting.pk),
        meeting_data(title=meeting.title, held_on=(meeting.held_on + 6 * DAY).isoformat()),
    )

    assert response.status_code == 400
    assert "move its review first" in response.context["form"].errors["held_on"][0]
    meeting.refresh_from_db()
    assert meeting.held_on == TODAY()


def test_a_meeting_with_decisions_keeps_its_group(staff_client, meetings, group):
    meeting = meetings["members"]
    DecisionFactory(meeting=meeting)

    response = staff_client.post(
        url("meeting_edit", meeting.pk),
        meeting_data(title=meeting.title, kind=Meeting.Kind.GROUP, group=group.pk),
    )

    assert response.status_code == 400
    assert Meeting.objects.get(pk=meeting.pk).group is None


# Decisions -----------------------------------------------------------------------------


def decision_data(person, **fields):
    return {
        "summary": "Ask the council to repair the lifts within a day",
        "decided_by": "Members at the meeting, by 30 votes to 2",
        "owner": person.pk if person else "",
        "review_on": (TODAY() + 30 * DAY).isoformat(),
        "status": Decision.Status.OPEN,
        "outcome": "",
        **fields,
    }


def test_staff_record_a_decision_with_its_owner_and_review_date(staff_client, meetings):
    meeting = meetings["members"]
    owner = make_user(Role.ORGANISER, "omar@example.test", first_name="Omar")

    response = staff_client.post(url("decision_create", meeting.pk), decision_data(owner.person))

    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == decision.get_absolute_url()
    assert (decision.meeting, decision.owner, decision.status) == (meeting, owner.person, "open")
    assert decision.review_on == TODAY() + 30 * DAY
    page = staff_client.get(meeting.get_absolute_url()).content.decode()
    assert "Ask the council to repair the lifts within a day" in page
    assert "Omar" in page
    assert "Members at the meeting, by 30 votes to 2" in page


def test_a_decision_form_sent_twice_records_one_decision_and_one_reminder(
    staff_client, staff_user, meetings
):
    meeting = meetings["members"]
    owner = make_user(Role.ORGANISER, "omar@example.test", first_name="Omar")
    data = decision_data(owner.person, review_on=TODAY().isoformat())

    first = staff_client.post(url("decision_create", meeting.pk), data)
    second = staff_client.post(url("decision_create", meeting.pk), data)

    decision = Decision.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == decision.get_absolute_url()
    assert tasks.meetings.decisions_remind_review() == 1
    assert OutboxMessage.objects.filter(key__startswith="organise:decision-review:").count() == 1


def test_the_same_words_for_another_owner_or_a_while_later_are_another_decision(
    staff_user, meetings
):
    meeting = meetings["members"]
    other = make_user(Role.ORGANISER, "other@example.test")

    def record(owner):
        return services.decision_create(
            meeting=meeting,
            created_by=staff_user,
            summary="Fix the lifts",
            decided_by="Members",
            owner=owner,
            review_on=TODAY() + DAY,
        )

    first = record(staff_user.person)
    assert record(staff_user.person) == first
    assert record(other.person) != first
    Decision.objects.update(created_at=timezone.now() - 2 * services.RESUBMIT_WINDOW)
    assert record(staff_user.person) != first
    assert Decision.objects.count() == 3


def test_a_decision_without_an_owner_gets_a_clear_message_and_saves_nothing(
    staff_client, staff_user, meetings
):
    meeting = meetings["members"]

    response = staff_client.post(url("decision_create", meeting.pk), decision_data(None))

    assert response.status_code == 400
    assert "a decision needs an owner" in response.context["form"].errors["owner"][0]
    assert "a decision needs an owner" in response.content.decode()
    with pytest.raises(ValidationError) as raised:
        services.decision_create(
            meeting=meeting,
            created_by=staff_user,
            summary="Fix the lifts",
            decided_by="Members",
            owner=None,
            review_on=TODAY() + DAY,
        )
    assert "a decision needs an owner" in raised.value.message_dict["owner"][0]
    assert not Decision.objects.exists()


def test_a_review_date_before_the_meeting_is_refused(staff_client, staff_user, meetings):
    meeting = meetings["members"]
    before = (meeting.held_on - DAY).isoformat()

    response = staff_client.post(
        url("decision_create", meeting.pk), decision_data(staff_user.person, review_on=before)
    )

    assert response.status_code == 400
    assert "cannot be before the meeting" in response.context["form"].errors["review_on"][0]
    with pytest.raises(ValidationError) as raised:
        services.decision_create(
            meeting=meeting,
            created_by=staff_user,
            summary="Fix the lifts",
            decided_by="Members",
            owner=staff_user.person,
            review_on=meeting.held_on - DAY,
        )
    assert "cannot be before the meeting" in raised.value.message_dict["review_on"][0]
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"summary": "  "}, "summary"),
        ({"decided_by": ""}, "decided_by"),
        ({"review_on": ""}, "review_on"),
        ({"review_on": "soon"}, "review_on"),
        ({"status": "maybe"}, "status"),
        ({"owner": "999999"}, "owner"),
        ({"owner": "abc"}, "owner"),
        ({"owner": "9" * 30}, "owner"),
        ({"review_on": "99999-01-01"}, "review_on"),
    ],
)
def test_bad_decision_input_saves_nothing(staff_client, staff_user, meetings, fields, field):
    response = staff_client.post(
        url("decision_create", meetings["members"].pk), decision_data(staff_user.person, **fields)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Decision.objects.exists()


def test_the_owner_of_a_hub_decision_has_an_account(staff_client, staff_user, meetings):
    meeting = meetings["members"]
    no_login = PersonFactory(first_name="Dora")
    volunteer = make_user(Role.VOLUNTEER, first_name="Vic")
    closed = make_user(Role.MEMBER, "closed@example.test", first_name="Closed")
    closed.is_active = False
    closed.save()

    choices = set(owner_choices(meeting))
    assert {staff_user.person, volunteer.person} <= choices
    assert no_login not in choices and closed.person not in choices
    response = staff_client.post(url("decision_create", meeting.pk), decision_data(no_login))
    assert response.status_code == 400
    with pytest.raises(ValidationError) as raised:
        services.decision_create(
            meeting=meeting,
            created_by=staff_user,
            summary="Fix the lifts",
            decided_by="Members",
            owner=no_login,
            review_on=TODAY() + DAY,
        )
    assert "account" in raised.value.message_dict["owner"][0]
    assert not Decision.objects.exists()


def test_the_owner_of_a_groups_decision_is_one_of_the_group(group, group_organiser, meetings):
    meeting = meetings["group"]
    neighbour = GroupMembershipFactory(group=group, person=PersonFactory(first_name="Nell"))
    stranger = make_user(Role.STAFF, "stranger@example.test")
    client = client_for(group_organiser)

    choices = list(owner_choices(meeting))
    assert set(choices) == {group_organiser.person, neighbour.person}
    labels = dict(
        client.get(url("decision_create", meeting.pk)).context["form"].fields["owner"].choices
    )
    assert "Nell" in " ".join(str(label) for label in labels.values())
    assert (
        client.post(url("decision_create", meeting.pk), decision_data(stranger.person)).status_code
        == 400
    )

    response = client.post(url("decision_create", meeting.pk), decision_data(neighbour.person))

    assert response.status_code == 302
    assert Decision.objects.get().owner == neighbour.person


def test_the_owner_picker_costs_the_same_queries_for_few_and_many_people(staff_client, meetings):
    path = url("decision_create", meetings["members"].pk)
    staff_client.get(path)
    few = queries_of(staff_client, path)
    for _ in range(40):
        make_user(Role.MEMBER, PersonFactory.build().email)
    assert queries_of(staff_client, path) == few
    owners = staff_client.get(path).context["form"].fields["owner"].choices
    assert len(owners) == 1 + 41  # the empty choice, the staff member and the 40 members


def test_editing_a_decision_keeps_an_owner_who_has_since_left_the_group(
    group, group_organiser, meetings
):
    meeting = meetings["group"]
    former = PersonFactory(first_name="Frank")
    decision = DecisionFactory(meeting=meeting, owner=former)
    client = client_for(group_organiser)

    response = client.post(
        url("decision_edit", decision.pk),
        decision_data(former, summary="Repair the lifts, and the lights"),
    )

    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.summary, decision.owner) == ("Repair the lifts, and the lights", former)


def test_a_decision_marked_done_on_edit_is_dated_as_reviewed(staff_client, staff_user, meetings):
    decision = DecisionFactory(meeting=meetings["members"], owner=staff_user.person)

    staff_client.post(
        url("decision_edit", decision.pk),
        decision_data(staff_user.person, status="done", outcome="Fixed in a week."),
    )

    decision.refresh_from_db()
    assert (decision.status, decision.reviewed_on, decision.outcome) == (
        "done",
        TODAY(),
        "Fixed in a week.",
    )


def test_decisions_are_edited_only_by_those_who_run_the_meeting(group, meetings):
    decision = DecisionFactory(meeting=meetings["members"])
    owner_user = make_user(Role.MEMBER, "owner@example.test")
    hub_member(owner_user)
    owned = DecisionFactory(meeting=meetings["members"], owner=owner_user.person)
    organiser = client_for(make_user(Role.ORGANISER))

    assert organiser.get(url("decision_edit", decision.pk)).status_code == 403
    assert client_for(owner_user).get(url("decision_edit", owned.pk)).status_code == 403
    stranger = client_for(_viewer("group member", group))
    assert stranger.get(url("decision_edit", decision.pk)).status_code == 404
    assert stranger.post(url("decision_edit", decision.pk), {}).status_code == 404


# Reviewing a decision ------------------------------------------------------------------


@pytest.fixture
def owned(meetings):
    """An active member who owns a decision of the members' meeting."""
    user = make_user(Role.MEMBER, "maya@example.test", first_name="Maya")
    hub_member(user)
    decision = DecisionFactory(meeting=meetings["members"], owner=user.person)
    return user, decision


def review(client, decision, htmx=False, **fields):
    data = {f"decision-{decision.pk}-{name}": value for name, value in fields.items()}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(url("decision_review", decision.pk), data, **headers)


def test_the_owner_marks_their_decision_done_with_what_came_of_it(owned):
    user, decision = owned
    client = client_for(user)

    response = review(client, decision, status="done", outcome="The lifts were fixed in June.")

    assert response.status_code == 302
    assert response["Location"] == decision.get_absolute_url()
    decision.refresh_from_db()
    assert (decision.status, decision.outcome, decision.reviewed_on) == (
        "done",
        "The lifts were fixed in June.",
        TODAY(),
    )


def test_keeping_a_decision_open_needs_a_new_review_date_after_today(owned):
    user, decision = owned
    client = client_for(user)
    first = decision.review_on

    for review_on in ["", TODAY().isoformat(), (TODAY() - DAY).isoformat()]:
        response = review(client, decision, status="open", review_on=review_on)
        assert response.status_code == 400
        assert "review_on" in response.context["form"].errors
    assert Decision.objects.get(pk=decision.pk).review_on == first

    later = TODAY() + 60 * DAY
    response = review(client, decision, status="open", review_on=later.isoformat(), outcome="")
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.status, decision.review_on, decision.reviewed_on) == ("open", later, TODAY())


def test_done_or_dropped_needs_to_say_what_came_of_it(owned):
    user, decision = owned
    for status in ("done", "dropped"):
        response = review(client_for(user), decision, status=status, outcome="  ")
        assert response.status_code == 400
        assert "Say what came of it" in response.context["form"].errors["outcome"][0]
    assert Decision.objects.get(pk=decision.pk).status == "open"
    with pytest.raises(ValidationError):
        services.decision_review(decision=decision, reviewed_by=user, status="done", outcome="")
    with pytest.raises(ValidationError):
        services.decision_review(decision=decision, reviewed_by=user, status="finished")


def test_the_review_on_the_meetings_page_swaps_the_decision_with_htmx(owned):
    user, decision = owned
    client = client_for(user)
    page = client.get(decision.meeting.get_absolute_url()).content.decode()
    assert f'hx-post="{url("decision_review", decision.pk)}"' in page

    error = review(client, decision, htmx=True, status="open", review_on="")
    assert error.status_code == 200  # htmx swaps only successful answers
    assert "Choose when it comes back for review." in error.content.decode()

    response = review(client, decision, htmx=True, status="dropped", outcome="The council said no.")

    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith(f'<article id="decision-{decision.pk}"')
    assert "Reviewed: marked dropped." in content
    assert "<html" not in content
    assert "Save the review" not in content, "closed: the owner has no form any more"
    assert Decision.objects.get(pk=decision.pk).status == "dropped"


def test_the_meetings_runners_review_its_decisions_too(staff_client, owned):
    _, decision = owned
    assert review(staff_client, decision, status="done", outcome="Done.").status_code == 302
    assert Decision.objects.get(pk=decision.pk).status == "done"


@pytest.mark.parametrize("status", ["done", "dropped"])
def test_an_owner_cannot_reopen_or_rewrite_a_closed_decision(owned, status):
    user, decision = owned
    Decision.objects.filter(pk=decision.pk).update(status=status, outcome="Fixed in June.")

    with pytest.raises(ValidationError) as raised:
        services.decision_review(
            decision=decision,
            reviewed_by=user,
            status="open",
            review_on=TODAY() + 30 * DAY,
        )
    assert "only the people who run its meeting" in raised.value.messages[0]
    with pytest.raises(ValidationError):
        services.decision_review(
            decision=decision, reviewed_by=user, status=status, outcome="Nothing happened."
        )

    decision.refresh_from_db()
    assert (decision.status, decision.outcome) == (status, "Fixed in June.")


def test_a_closed_decision_offers_its_owner_no_review_form(owned):
    user, decision = owned
    Decision.objects.filter(pk=decision.pk).update(status="done", outcome="Fixed in June.")
    client = client_for(user)

    page = client.get(url("decision_review", decision.pk))
    assert page.status_code == 200
    assert page.context["form"] is None
    content = page.content.decode()
    assert "Save the review" not in content
    assert "only the people who run its meeting can reopen it" in content
    assert "Fixed in June." in content
    meeting_page = client.get(decision.meeting.get_absolute_url())
    assert not meeting_page.context["decisions"][0].review_form

    posted = review(client, decision, status="open", review_on=(TODAY() + 9 * DAY).isoformat())
    assert posted.status_code == 400
    assert "only the people who run its meeting" in posted.content.decode()
    swapped = review(client, decision, htmx=True, status="dropped", outcome="Changed my mind.")
    assert swapped.status_code == 200
    assert "only the people who run its meeting" in swapped.content.decode()
    assert "Save the review" not in swapped.content.decode()
    decision.refresh_from_db()
    assert (decision.status, decision.outcome) == ("done", "Fixed in June.")


def test_the_meetings_runners_reopen_a_closed_decision(group, group_organiser, meetings):
    owner = PersonFactory()
    decision = DecisionFactory(
        meeting=meetings["group"], owner=owner, status="done", outcome="Booked."
    )
    client = client_for(group_organiser)

    assert client.get(url("decision_review", decision.pk)).context["form"] is not None
    later = TODAY() + 30 * DAY
    response = review(client, decision, status="open", review_on=later.isoformat())

    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.status, decision.review_on) == ("open", later)


def test_others_who_see_the_meeting_cannot_review_its_decisions(owned, meetings):
    _, decision = owned
    other = make_user(Role.MEMBER, "other@example.test")
    hub_member(other)
    organiser = make_user(Role.ORGANISER)
    for user in (other, organiser):
        client = client_for(user)
        assert client.get(url("decision_review", decision.pk)).status_code == 403
        assert review(client, decision, status="done", outcome="x").status_code == 403
        page = client.get(meetings["members"].get_absolute_url())
        assert not page.context["decisions"][0].review_form
    assert Decision.objects.get(pk=decision.pk).status == "open"


def test_an_owner_who_cannot_open_the_meeting_still_reviews_their_decision(meetings):
    volunteer = make_user(Role.VOLUNTEER, first_name="Vic")
    decision = DecisionFactory(meeting=meetings["members"], owner=volunteer.person)
    client = client_for(volunteer)

    assert client.get(meetings["members"].get_absolute_url()).status_code == 404
    page = client.get(url("decision_review", decision.pk))
    assert page.status_code == 200
    assert decision.summary in page.content.decode()
    response = review(client, decision, status="done", outcome="Done and dusted.")
    assert response.status_code == 302
    assert response["Location"].startswith(DECISIONS)


def test_a_decision_neither_seen_nor_owned_is_not_found(meetings):
    decision = DecisionFactory(meeting=meetings["group"])
    client = client_for(make_user(Role.ORGANISER))
    assert client.get(url("decision_review", decision.pk)).status_code == 404
    assert review(client, decision, status="done", outcome="x").status_code == 404


# The list of decisions -----------------------------------------------------------------


def test_staff_follow_every_open_decision_by_review_date_the_overdue_marked(staff_client, meetings):
    late = DecisionFactory(
        meeting=MeetingFactory(held_on=TODAY() - 60 * DAY),
        summary="Late one",
        review_on=TODAY() - 3 * DAY,
    )
    soon = DecisionFactory(meeting=meetings["group"], summary="Soon", review_on=TODAY() + DAY)
    DecisionFactory(meeting=meetings["agm"], summary="Done one", status="done")

    response = staff_client.get(DECISIONS)

    rows = list(response.context["page"].object_list)
    assert rows == [late, soon]
    assert [row.is_overdue for row in rows] == [True, False]
    assert "<strong>Overdue</strong>" in response.content.decode()


def test_organisers_follow_the_decisions_of_the_meetings_they_see(meetings):
    hub = DecisionFactory(meeting=meetings["members"])
    DecisionFactory(meeting=meetings["group"])
    client = client_for(make_user(Role.ORGANISER))

    rows = list(client.get(DECISIONS).context["page"].object_list)

    assert rows == [hub]
    assert not rows[0].can_manage_meeting


def test_everyone_sees_the_decisions_they_see_through(owned, meetings):
    user, decision = owned
    DecisionFactory(meeting=meetings["members"])
    DecisionFactory(meeting=meetings["members"], owner=user.person, status="done")

    response = client_for(user).get(DECISIONS + "?show=open")

    assert list(response.context["page"].object_list) == [decision]
    assert response.context["mine"]
    assert "You" in response.content.decode()


def test_staff_can_narrow_the_list_to_their_own(staff_client, staff_user, meetings):
    mine = DecisionFactory(meeting=meetings["members"], owner=staff_user.person)
    DecisionFactory(meeting=meetings["members"])
    rows = staff_client.get(DECISIONS + "?show=mine").context["page"].object_list
    assert list(rows) == [mine]


@pytest.mark.parametrize("role", [Role.STAFF, Role.ORGANISER, Role.MEMBER])
def test_the_decision_list_costs_the_same_queries_for_few_and_many(role, group):
    user = make_user(role)
    hub_member(user)
    in_group(user, group)
    client = client_for(user)

    def add(n):
        for _ in range(n):
            DecisionFactory(meeting=MeetingFactory(), owner=user.person)
            DecisionFactory(meeting=GroupMeetingFactory(group=group), owner=user.person)

    add(1)
    client.get(DECISIONS)
    few = queries_of(client, DECISIONS)
    add(30)
    assert queries_of(client, DECISIONS) == few


def test_a_meetings_page_costs_the_same_queries_for_few_and_many_decisions(
    group_organiser, meetings
):
    meeting = meetings["group"]
    client = client_for(group_organiser)
    DecisionFactory(meeting=meeting, owner=group_organiser.person)
    client.get(meeting.get_absolute_url())
    few = queries_of(client, meeting.get_absolute_url())
    for _ in range(20):
        DecisionFactory(meeting=meeting, owner=PersonFactory())
    assert queries_of(client, meeting.get_absolute_url()) == few


# Coming up on the dashboard ---------------------------------------------------------------


def coming_titles(user):
    from organise.selectors.meetings import coming_up

    return [item.title for item in coming_up(user)]


def test_coming_up_lists_the_next_meetings_within_60_days_soonest_first(group):
    staff = make_user(Role.STAFF)
    MeetingFactory(title="Held last week", held_on=TODAY() - 7 * DAY)
    MeetingFactory(title="In a month", held_on=TODAY() + 30 * DAY)
    MeetingFactory(title="Today", held_on=TODAY())
    MeetingFactory(title="Too far ahead", held_on=TODAY() + 61 * DAY)
    GroupMeetingFactory(title="Group's", group=group, held_on=TODAY() + 60 * DAY)

    from organise.selectors.meetings import coming_up

    items = coming_up(staff)

    assert [item.title for item in items] == ["Today", "In a month", "Group's (Elm Court tenants)"]
    today = items[0]
    assert today.area == "organise" and timezone.is_aware(today.when)
    assert timezone.localtime(today.when).date() == TODAY()
    assert today.url == Meeting.objects.get(title="Today").get_absolute_url()


def test_coming_up_holds_only_the_meetings_the_viewer_may_see(group):
    MeetingFactory(title="Members' meeting", held_on=TODAY() + 3 * DAY)
    GroupMeetingFactory(title="Tenants", group=group, held_on=TODAY() + 4 * DAY)
    GroupMeetingFactory(title="Another group", held_on=TODAY() + 5 * DAY)
    member, in_the_group, lapsed = (make_user(Role.MEMBER, f"m{n}@example.test") for n in (1, 2, 3))
    hub_member(member)
    in_group(in_the_group, group)
    hub_member(lapsed, Membership.Status.LAPSED)

    assert coming_titles(member) == ["Members' meeting"]
    assert coming_titles(in_the_group) == ["Tenants (Elm Court tenants)"]
    assert coming_titles(lapsed) == []


def test_coming_up_shows_at_most_five_in_one_query(django_assert_num_queries):
    member = make_user(Role.MEMBER)
    hub_member(member)
    for n in range(8):
        MeetingFactory(title=f"Meeting {n}", held_on=TODAY() + (n + 1) * DAY)
    # Known already on the dashboard, where the decisions' tasks ask it.
    assert member.person.membership.status == Membership.Status.ACTIVE

    from organise.selectors.meetings import coming_up

    with django_assert_num_queries(1):
        items = coming_up(member)
    assert [item.title for item in items] == [f"Meeting {n}" for n in range(5)]


def test_the_dashboard_shows_the_meetings_coming_up(monkeypatch):
    from hubsite.framework import registry
    from organise.selectors.meetings import coming_up

    # Registered by organise/apps.py; set here too so the test holds on its own.
    monkeypatch.setitem(registry._coming_up, "organise", coming_up)
    member = make_user(Role.MEMBER)
    hub_member(member)
    meeting = MeetingFactory(title="Members' meeting: the budget", held_on=TODAY() + 9 * DAY)

    page = client_for(member).get(reverse("home"))

    assert "Members' meeting: the budget" in [item.title for item in page.context["coming_up"]]
    assert f'href="{meeting.get_absolute_url()}"' in page.text
