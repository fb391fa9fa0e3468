""" "You said, we did": the public page shows the published lines in order, each linking what
people said (Listening themes, as counts only) to what the hub did (public campaigns with
their confirmed supporters, public events, decisions of the hub's meetings and of public
groups, without their owners) and what came of it, in the same few queries for 10 people and
for 1,000. Only staff keep it current, and a line sent twice is added once."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from action.models import Campaign, Signup
from connect.models import Event
from hubsite.people.models import Person, Role
from listening.models import Conversation
from organise.models import YouSaidWeDid
from organise.services import you_said as services
from tests.action.factories import CampaignFactory, SignupFactory
from tests.conftest import make_user
from tests.connect.factories import EventFactory
from tests.listening.factories import ConversationFactory, ThemeFactory
from tests.organise.factories import DecisionFactory, MeetingFactory
from tests.organise.factories_meetings import GroupMeetingFactory, YouSaidWeDidFactory
from tests.people.factories import GroupFactory, PersonFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("organise:you_said_we_did")
MANAGE = reverse("organise:you_said_manage")
NEW = reverse("organise:you_said_create")
ThemeLink = Conversation.themes.through


def edit_url(line):
    return reverse("organise:you_said_edit", args=[line.pk])


@pytest.fixture
def hub():
    """What the hub heard and did: themes, campaigns (one still in planning), events (one
    private), decisions with an owner, and lines of the page (one not published)."""
    owner = PersonFactory(first_name="Ophelia", last_name="Owner")
    housing, buses = ThemeFactory(name="Housing repairs"), ThemeFactory(name="Buses")
    lifts = CampaignFactory(name="Fix the lifts", slug="fix-the-lifts")
    secret = CampaignFactory(
        name="Secret plan", slug="secret-plan", status=Campaign.Status.PLANNING
    )
    meeting = EventFactory(title="Tenants' public meeting")
    private = EventFactory(title="Organisers' strategy night", visibility=Event.Visibility.GROUP)
    agm = MeetingFactory(title="AGM 2025", kind="agm")
    decision = DecisionFactory(
        meeting=agm,
        owner=owner,
        summary="Press the council for a repair contract",
        outcome="The council agreed in March.",
        status="done",
    )
    first = YouSaidWeDidFactory(
        you_said="The lifts break every week.",
        we_did="We ran a campaign with the tenants.",
        result="A new repair contract.",
        order=1,
        themes=[housing],
        campaigns=[lifts, secret],
        events=[meeting, private],
        decisions=[decision],
    )
    second = YouSaidWeDidFactory(
        you_said="The buses stopped running to the hospital.",
        we_did="We met the bus company.",
        result="",
        order=2,
        themes=[buses],
    )
    hidden = YouSaidWeDidFactory(
        you_said="A draft not ready for the public.", published=False, order=0
    )
    return locals()


def test_anyone_reads_the_published_lines_in_order(client, hub):
    response = client.get(PAGE)

    assert response.status_code == 200
    assert response.context["lines"] == [hub["first"], hub["second"]]
    content = response.content.decode()
    assert content.index("The lifts break every week.") < content.index("The buses stopped")
    assert "A new repair contract." in content
    assert "A draft not ready for the public." not in content
    assert f"Updated {timezone.localdate():%-d}" in content


def test_what_people_said_shows_as_counts_of_conversations_never_who(client, hub):
    talker = PersonFactory(first_name="Tabitha", last_name="Talker")
    for _ in range(3):
        ConversationFactory(person=talker, themes=[hub["housing"]], concerns="Mould everywhere")
    ConversationFactory(themes=[hub["buses"]])

    content = client.get(PAGE).content.decode()

    assert "Housing repairs: <strong>3</strong> conversations" in content
    assert "Buses: <strong>1</strong> conversation<" in content
    assert "Tabitha" not in content and "Mould everywhere" not in content


def test_public_campaigns_show_with_their_confirmed_supporters_and_planning_ones_never(client, hub):
    for _ in range(4):
        SignupFactory(campaign=hub["lifts"])
    SignupFactory(campaign=hub["lifts"], status=Signup.Status.PENDING, confirmed_at=None)
    SignupFactory(campaign=hub["secret"])

    content = client.get(PAGE).content.decode()

    assert f'<a href="{hub["lifts"].get_absolute_url()}">Fix the lifts</a>' in content
    assert "<strong>4</strong> supporters" in content
    assert "Secret plan" not in content and "secret-plan" not in content


def test_public_events_link_to_their_pages_and_private_ones_never_show(client, hub):
    content = client.get(PAGE).content.decode()
    assert f'<a href="{hub["meeting"].get_absolute_url()}">' in content
    assert "Organisers&#x27; strategy night" not in content
    assert "strategy night" not in content


def test_decisions_show_their_outcome_and_status_but_never_their_owner(client, hub):
    content = client.get(PAGE).content.decode()
    assert "Press the council for a repair contract" in content
    assert "The council agreed in March." in content
    assert "<strong>done</strong>" in content
    assert "Ophelia" not in content and "Owner" not in content


def test_the_page_is_public_and_offers_staff_to_keep_it_current(client, staff_client, hub):
    assert 'href="/organise/you-said-we-did/manage/"' not in client.get(PAGE).content.decode()
    assert MANAGE in staff_client.get(PAGE).content.decode()


def test_an_empty_page_says_so(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "Nothing is on this page yet" in response.content.decode()


def add_people(n, hub, logged_by):
    """``n`` people, each with a conversation on both themes and a confirmed sign-up to the
    campaign, in a few queries."""
    start = Person.objects.count()
    people = Person.objects.bulk_create(
        Person(first_name=f"Resident{start + i}", email=f"resident{start + i}@example.test")
        for i in range(n)
    )
    if people[0].pk is None:  # backends that do not return the new ids
        people = list(Person.objects.order_by("-id")[:n])
    conversations = Conversation.objects.bulk_create(
        Conversation(
            person=person,
            method=Conversation.Method.DOOR_KNOCK,
            concerns="The lifts",
            logged_by=logged_by,
        )
        for person in people
    )
    if conversations[0].pk is None:
        conversations = list(Conversation.objects.order_by("-id")[:n])
    ThemeLink.objects.bulk_create(
        ThemeLink(conversation_id=conversation.pk, theme_id=theme.pk)
        for conversation in conversations
        for theme in (hub["housing"], hub["buses"])
    )
    Signup.objects.bulk_create(
        Signup(
            campaign=hub["lifts"],
            person=person,
            first_name=person.first_name,
            email=person.email,
            status=Signup.Status.CONFIRMED,
            confirmed_at=timezone.now(),
        )
        for person in people
    )


def queries_of(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response


def test_the_public_page_costs_the_same_queries_for_10_and_1000_people(client, hub):
    volunteer = make_user(Role.VOLUNTEER)
    for i in range(3):  # more lines, each linking to more than one of each
        YouSaidWeDidFactory(
            order=3 + i,
            themes=[hub["housing"], hub["buses"]],
            campaigns=[hub["lifts"], CampaignFactory()],
            events=[hub["meeting"], EventFactory()],
            decisions=[hub["decision"], DecisionFactory()],
        )
    add_people(10, hub, volunteer)
    client.get(PAGE)

    with_10, response = queries_of(client, PAGE)
    assert "<strong>10</strong> supporters" in response.content.decode()
    add_people(990, hub, volunteer)
    with_1000, response = queries_of(client, PAGE)

    assert Conversation.objects.count() == 1000
    content = response.content.decode()
    assert "Housing repairs: <strong>1000</strong> conversations" in content
    assert "<strong>1000</strong> supporters" in content
    assert with_10 == with_1000
    assert with_1000 <= 7  # the count, the lines, and one query per kind of link (and session)


def test_the_counts_of_conversations_are_kept_for_a_minute(client, hub, settings):
    settings.DASHBOARD_FIGURES_SECONDS = 60
    ConversationFactory.create_batch(2, themes=[hub["housing"]])
    first, response = queries_of(client, PAGE)
    assert "Housing repairs: <strong>2</strong> conversations" in response.content.decode()
    ConversationFactory(themes=[hub["housing"]])

    kept, response = queries_of(client, PAGE)

    assert kept == first - 1  # the lines and what they link to, read afresh; not the counts
    assert "Housing repairs: <strong>2</strong> conversations" in response.content.decode()


# Keeping it current --------------------------------------------------------------------


def line_data(hub, **fields):
    return {
        "you_said": "The park is not safe after dark.",
        "themes": [hub["housing"].pk],
        "we_did": "We asked the council for lights.",
        "campaigns": [hub["lifts"].pk],
        "events": [hub["meeting"].pk],
        "decisions": [hub["decision"].pk],
        "result": "",
        "published": "on",
        "order": "3",
        **fields,
    }


def test_staff_add_a_line_that_links_what_was_said_to_what_was_done(staff_client, staff_user, hub):
    response = staff_client.post(NEW, line_data(hub))

    assert response.status_code == 302
    assert response["Location"] == MANAGE
    line = YouSaidWeDid.objects.get(you_said="The park is not safe after dark.")
    assert (line.published, line.order, line.updated_by) == (True, 3, staff_user)
    assert list(line.themes.all()) == [hub["housing"]]
    assert list(line.campaigns.all()) == [hub["lifts"]]
    assert list(line.events.all()) == [hub["meeting"]]
    assert list(line.decisions.all()) == [hub["decision"]]
    assert "The park is not safe after dark." in staff_client.get(PAGE).content.decode()


def test_staff_edit_and_unpublish_a_line(staff_client, hub):
    line = hub["first"]
    form = staff_client.get(edit_url(line)).context["form"]
    assert form.initial["themes"] == [hub["housing"].pk]

    response = staff_client.post(
        edit_url(line), line_data(hub, you_said="The lifts still break.", published="")
    )

    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.you_said, line.published) == ("The lifts still break.", False)
    assert list(line.campaigns.all()) == [hub["lifts"]]
    assert "The lifts still break." not in staff_client.get(PAGE).content.decode()


def test_the_manage_list_shows_every_line_published_or_not(staff_client, hub):
    rows = list(staff_client.get(MANAGE).context["page"].object_list)
    assert rows == [hub["hidden"], hub["first"], hub["second"]]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"you_said": "   "}, "you_said"),
        ({"we_did": ""}, "we_did"),
        ({"order": "-1"}, "order"),
        ({"order": "first"}, "order"),
        ({"themes": ["999999"]}, "themes"),
        ({"decisions": ["abc"]}, "decisions"),
        ({"campaigns": ["9" * 30]}, "campaigns"),
        ({"events": ["-1"]}, "events"),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(staff_client, hub, fields, field):
    before = YouSaidWeDid.objects.count()
    response = staff_client.post(NEW, line_data(hub, **fields))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert YouSaidWeDid.objects.count() == before


def test_a_private_event_cannot_be_put_on_the_public_page(staff_client, staff_user, hub):
    response = staff_client.post(NEW, line_data(hub, events=[hub["private"].pk]))
    assert response.status_code == 400
    assert "events" in response.context["form"].errors
    with pytest.raises(ValidationError) as raised:
        services.you_said_create(
            updated_by=staff_user, you_said="x", we_did="y", events=[hub["private"]]
        )
    assert "public page" in raised.value.message_dict["events"][0]
    assert YouSaidWeDid.objects.count() == 3


@pytest.fixture
def group_decisions():
    """A decision of a private group's meeting, and one of a group with a public page."""
    private = GroupMeetingFactory(title="Knitters' meeting", group=GroupFactory(public=False))
    public = GroupMeetingFactory(title="Allotments' meeting", group=GroupFactory(public=True))
    return {
        "private": DecisionFactory(meeting=private, summary="Move the knitting circle"),
        "public": DecisionFactory(meeting=public, summary="Open the allotments on Sundays"),
    }


def test_only_decisions_of_the_hubs_meetings_and_public_groups_are_offered(
    staff_client, hub, group_decisions
):
    offered = staff_client.get(NEW).context["form"].fields["decisions"].queryset
    assert set(offered) == {hub["decision"], group_decisions["public"]}


def test_a_private_groups_decision_cannot_be_put_on_the_public_page(
    staff_client, staff_user, hub, group_decisions
):
    private = group_decisions["private"]
    response = staff_client.post(NEW, line_data(hub, decisions=[private.pk]))
    assert response.status_code == 400
    assert "decisions" in response.context["form"].errors
    response = staff_client.post(edit_url(hub["first"]), line_data(hub, decisions=[private.pk]))
    assert response.status_code == 400

    fields = {"you_said": "x", "we_did": "y", "decisions": [hub["decision"], private]}
    with pytest.raises(ValidationError) as raised:
        services.you_said_create(updated_by=staff_user, **fields)
    assert "groups with a public page" in raised.value.message_dict["decisions"][0]
    with pytest.raises(ValidationError):
        services.you_said_edit(line=hub["first"], updated_by=staff_user, **fields)
    assert YouSaidWeDid.objects.count() == 3
    assert list(hub["first"].decisions.all()) == [hub["decision"]]

    public = group_decisions["public"]
    line = services.you_said_create(
        updated_by=staff_user, you_said="Sundays", we_did="We asked.", decisions=[public]
    )
    assert list(line.decisions.all()) == [public]


def test_the_public_page_never_shows_a_private_groups_decision(client, hub, group_decisions):
    hub["first"].decisions.add(group_decisions["private"], group_decisions["public"])

    content = client.get(PAGE).content.decode()

    assert "Open the allotments on Sundays" in content
    assert "Press the council for a repair contract" in content
    assert "Move the knitting circle" not in content


def test_a_line_sent_twice_is_added_once(staff_client, staff_user, hub):
    first = staff_client.post(NEW, line_data(hub))
    second = staff_client.post(NEW, line_data(hub))

    assert first.status_code == second.status_code == 302
    assert YouSaidWeDid.objects.filter(you_said="The park is not safe after dark.").count() == 1
    line = YouSaidWeDid.objects.get(you_said="The park is not safe after dark.")
    again = services.you_said_create(
        updated_by=staff_user, you_said=" The park is not safe after dark.\r\n", we_did="Lights."
    )
    assert again == line

    YouSaidWeDid.objects.filter(pk=line.pk).update(
        updated_at=timezone.now() - 2 * services.RESUBMIT_WINDOW
    )
    staff_client.post(NEW, line_data(hub))
    assert YouSaidWeDid.objects.filter(you_said="The park is not safe after dark.").count() == 2


def test_a_campaign_in_planning_may_be_linked_ahead_and_shows_once_it_starts(
    staff_client, client, hub
):
    label = dict(staff_client.get(NEW).context["form"].fields["campaigns"].choices)
    assert "in planning" in str(label[hub["secret"].pk])
    Campaign.objects.filter(pk=hub["secret"].pk).update(status=Campaign.Status.ACTIVE)
    assert "Secret plan" in client.get(PAGE).content.decode()


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.VOLUNTEER, Role.MEMBER])
def test_only_staff_keep_the_page_current(role, hub):
    client = Client()
    client.force_login(make_user(role))
    line = hub["first"]
    for path in (MANAGE, NEW, edit_url(line)):
        assert client.get(path).status_code == 403
        assert client.post(path, line_data(hub)).status_code == 403
    line.refresh_from_db()
    assert line.you_said == "The lifts break every week."
    assert YouSaidWeDid.objects.count() == 3
    with pytest.raises(ValidationError):
        services.you_said_create(
            updated_by=make_user(Role.ORGANISER, "o2@example.test"), you_said="x", we_did="y"
        )


def test_anonymous_visitors_are_sent_to_sign_in_to_manage(client, hub):
    for path in (MANAGE, NEW, edit_url(hub["first"])):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_line_that_does_not_exist_is_not_found(staff_client):
    assert staff_client.get(reverse("organise:you_said_edit", args=[999999])).status_code == 404


def test_the_pages_of_lines_are_paginated(client, settings):
    settings.PAGE_SIZE = 2
    for i in range(5):
        YouSaidWeDidFactory(you_said=f"Line {i}", order=i)
    response = client.get(PAGE + "?page=3")
    assert [line.you_said for line in response.context["lines"]] == ["Line 4"]
    assert 'rel="prev"' in response.content.decode()
    assert client.get(PAGE + "?page=abc").status_code == 200


def test_the_updated_date_is_the_latest_change(client):
    old = YouSaidWeDidFactory()
    YouSaidWeDid.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=40)
    )
    new = YouSaidWeDidFactory()
    assert client.get(PAGE).context["updated_at"] == YouSaidWeDid.objects.get(pk=new.pk).updated_at
