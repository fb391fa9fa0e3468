"""What Organise contributes to the core about a person and the hub: the timeline (as far as
each viewer may see it), the data export, erasure, and the dashboard's figures."""

import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hubsite.framework import registry
from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue
from hubsite.people import services as people_services
from hubsite.people.models import GroupMembership, Person, Role, User
from organise.models import (
    CallToAction,
    Contribution,
    Decision,
    Delivery,
    GroupProposal,
    JoinApplication,
    Meeting,
    Membership,
    MembershipEvent,
)
from organise.selectors.members import dashboard_tasks as membership_tasks
from organise.selectors.people import dashboard_figures, person_data_export, person_timeline
from tests.conftest import make_user
from tests.organise.factories import (
    CallToActionFactory,
    DecisionFactory,
    MeetingFactory,
    MembershipFactory,
    MembershipTypeFactory,
    SegmentFactory,
)
from tests.people.factories import (
    GroupFactory,
    GroupMembershipFactory,
    LocalityFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

EMAIL = "morag.fenwick@example.test"


def days(n):
    return timezone.localdate() + timedelta(days=n)


def organise_titles(entries):
    return [entry.title for entry in entries if entry.area == "organise"]


def sent_call(subject, by, person, response=""):
    call = CallToActionFactory(
        subject=subject,
        segment=SegmentFactory(created_by=by),
        created_by=by,
        status=CallToAction.Status.SENT,
        sent_at=timezone.now(),
    )
    Delivery.objects.create(
        call=call,
        person=person,
        response=response,
        responded_at=timezone.now() if response else None,
    )
    return call


@pytest.fixture
def morag(staff_user, organiser_user):
    """A household member for over a year: renewed, gave £10, applied online, answered one
    call to action and received another, owns two decisions and proposed a group."""
    place = LocalityFactory(name="Larkrise Estate")
    person = PersonFactory(first_name="Morag", last_name="Fenwick", email=EMAIL, locality=place)
    kind = MembershipTypeFactory(name="Household", slug="household")
    membership = MembershipFactory(
        person=person, type=kind, joined_on=days(-400), term_started_on=days(-35)
    )
    for event_kind, on in (("joined", days(-400)), ("renewed", days(-40))):
        MembershipEvent.objects.create(
            membership=membership, kind=event_kind, on=on, locality=place, type=kind
        )
    Contribution.objects.create(
        membership=membership, amount=Decimal("10.00"), received_on=days(-40), note="Standing order"
    )
    confirmed = JoinApplication.objects.create(
        email=EMAIL,
        first_name="Morag",
        last_name="Fenwick",
        postcode="KL3 2HD",
        type=kind,
        consent_contact=True,
        confirmed_at=timezone.now() - timedelta(days=400),
        membership=membership,
    )
    # She filled in the join page again, under her address in capitals, and never confirmed.
    again = JoinApplication.objects.create(
        email="Morag.Fenwick@Example.test", first_name="Morag", last_name="Fenwick", type=kind
    )
    for application in (confirmed, again):
        message_queue(
            key=f"organise:join:{application.pk}:confirm",
            to_email=application.email,
            subject="Confirm that you want to join",
            body_text="Hello Morag Fenwick, please confirm.",
            category=OutboxMessage.Category.ACCOUNT,
        )
    sent_call("Come to the damp survey meeting", organiser_user, person, Delivery.Response.YES)
    sent_call("Write to the chief executive", staff_user, person)
    DecisionFactory(owner=person, summary="Ask Kelmington Homes for a damp survey")
    group_meeting = MeetingFactory(kind=Meeting.Kind.GROUP, group=GroupFactory(name="Knitters"))
    DecisionFactory(meeting=group_meeting, owner=person, summary="Book the hall for knitting")
    proposal = GroupProposal.objects.create(
        name="Larkrise Knit and Natter", purpose="Knitting on Thursdays", proposed_by=person
    )
    message_queue(
        key=f"organise:proposal:{proposal.pk}:staff:{staff_user.pk}",
        to_email=staff_user.email,
        subject="A group was proposed",
        body_text="Morag Fenwick proposed the Larkrise Knit and Natter.",
        person=staff_user.person,
        category=OutboxMessage.Category.WORK,
    )
    return person


# The timeline ---------------------------------------------------------------------------


def test_staff_see_a_members_whole_organise_timeline_on_their_page(staff_client, morag):
    response = staff_client.get(morag.get_absolute_url())

    titles = organise_titles(response.context["timeline"])
    assert "Joined the hub" in titles
    assert "Renewed their membership" in titles
    assert "Contributed £10.00" in titles
    assert "Received the call to action “Come to the damp survey meeting”" in titles
    assert "Received the call to action “Write to the chief executive”" in titles
    assert "Took on the decision “Ask Kelmington Homes for a damp survey”" in titles
    assert "Took on the decision “Book the hall for knitting”" in titles
    assert "Proposed the group “Larkrise Knit and Natter”" in titles
    entries = {entry.title: entry for entry in response.context["timeline"]}
    answered = entries["Received the call to action “Come to the damp survey meeting”"]
    assert answered.detail == "Answered: Yes"
    assert answered.url == CallToAction.objects.get(subject__startswith="Come").get_absolute_url()
    assert entries["Joined the hub"].url == morag.membership.get_absolute_url()
    assert entries["Joined the hub"].detail == "Household"
    proposal = GroupProposal.objects.get()
    assert entries["Proposed the group “Larkrise Knit and Natter”"].url == reverse(
        "organise:proposal_detail", args=[proposal.pk]
    )
    assert "Morag" in response.content.decode()


def test_an_organiser_sees_the_calls_they_sent_but_not_the_membership(organiser_user, morag):
    entries = person_timeline(morag, organiser_user)
    titles = organise_titles(entries)

    assert "Received the call to action “Come to the damp survey meeting”" in titles
    (call,) = [entry for entry in entries if entry.title.startswith("Received")]
    assert call.url == CallToAction.objects.get(subject__startswith="Come").get_absolute_url()
    assert "Received the call to action “Write to the chief executive”" not in titles
    assert not [title for title in titles if "hub" in title and "Joined" in title]
    assert not [title for title in titles if title.startswith("Contributed")]
    assert "Took on the decision “Ask Kelmington Homes for a damp survey”" in titles
    assert "Took on the decision “Book the hall for knitting”" not in titles, "not their group"
    assert "Proposed the group “Larkrise Knit and Natter”" in titles


def test_an_organiser_in_the_group_sees_the_decisions_of_its_meetings(organiser_user, morag):
    knitters = Meeting.objects.get(kind=Meeting.Kind.GROUP).group
    GroupMembership.objects.create(group=knitters, person=organiser_user.person)

    titles = organise_titles(person_timeline(morag, organiser_user))

    assert "Took on the decision “Book the hall for knitting”" in titles


def test_a_member_sees_their_own_organise_timeline_and_nobody_elses(member_user, morag):
    mine = PersonFactory()
    assert person_timeline(morag, member_user) == []
    Person.objects.filter(user=member_user).update(user=None)
    morag.user = member_user
    morag.save()
    herself = User.objects.get(pk=member_user.pk)

    entries = person_timeline(morag, herself)
    titles = organise_titles(entries)

    assert "Joined the hub" in titles and "Contributed £10.00" in titles
    assert len([title for title in titles if title.startswith("Received")]) == 2
    assert len([title for title in titles if title.startswith("Took on")]) == 2
    assert "Proposed the group “Larkrise Knit and Natter”" in titles
    assert person_timeline(mine, herself) == []
    urls = {entry.title: entry.url for entry in entries}
    assert urls["Joined the hub"] == reverse("organise:my_membership")
    assert urls["Proposed the group “Larkrise Knit and Natter”"] == reverse(
        "organise:proposal_mine"
    )
    assert urls["Received the call to action “Write to the chief executive”"] == ""


def test_a_volunteer_sees_nothing_of_organise_on_someone_elses_timeline(morag):
    volunteer = make_user(Role.VOLUNTEER)

    assert person_timeline(morag, volunteer) == []


def test_the_timeline_costs_the_same_queries_whatever_the_rows(staff_user, organiser_user, morag):
    def queries():
        for viewer in (staff_user, organiser_user):
            viewer.refresh_from_db()  # forget the person cached on the account
        with CaptureQueriesContext(connection) as captured:
            person_timeline(morag, staff_user)
            person_timeline(morag, organiser_user)
        return len(captured)

    few = queries()
    membership = morag.membership
    for n in range(6):
        MembershipEvent.objects.create(membership=membership, kind="renewed", on=days(-n))
        Contribution.objects.create(membership=membership, amount=5, received_on=days(-n))
        sent_call(f"Call {n}", organiser_user, morag, Delivery.Response.NO)
        DecisionFactory(owner=morag, summary=f"Decision {n}")
        GroupProposal.objects.create(name=f"Group {n}", purpose="Things", proposed_by=morag)

    assert queries() == few


# The data export ------------------------------------------------------------------------


def test_the_export_holds_everything_organise_knows(staff_client, morag):
    response = staff_client.get(reverse("people:person_export", args=[morag.pk]))

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    holdings = json.loads(archive.read("data.json"))["holdings"]["organise"]
    assert holdings["label"]
    data = holdings["data"]
    assert data["membership"]["kind"] == "Household"
    assert data["membership"]["status"] == "Active"
    assert data["membership"]["first_joined"] == days(-400).isoformat()
    assert data["membership"]["contributions"] == [
        {"amount": "10.00", "received_on": days(-40).isoformat(), "note": "Standing order"}
    ]
    assert [e["what"] for e in data["membership_history"]] == ["Joined", "Renewed"]
    assert data["membership_history"][0]["locality"] == "Larkrise Estate"
    applications = data["join_applications"]
    assert len(applications) == 2, "the confirmed one and the one under her address in capitals"
    assert {a["confirmed_at"] is None for a in applications} == {True, False}
    calls = {c["subject"]: c for c in data["calls_to_action_received"]}
    assert calls["Come to the damp survey meeting"]["answer"] == "Yes"
    assert calls["Write to the chief executive"]["answer"] is None
    assert {d["decision"] for d in data["decisions_owned"]} == {
        "Ask Kelmington Homes for a damp survey",
        "Book the hall for knitting",
    }
    assert data["decisions_owned"][0]["status"] == "In hand"
    (proposal,) = data["groups_proposed"]
    assert proposal["name"] == "Larkrise Knit and Natter"
    assert proposal["status"] == "Waiting for an answer"


def test_the_export_of_someone_organise_does_not_know_is_empty_and_serialisable():
    data = person_data_export(PersonFactory(email=""), None)

    assert json.loads(json.dumps(data)) == {
        "membership": None,
        "membership_history": [],
        "join_applications": [],
        "calls_to_action_received": [],
        "decisions_owned": [],
        "groups_proposed": [],
    }


# Erasure --------------------------------------------------------------------------------


def organise_rows_naming(*words):
    """Every Organise row whose text fields hold one of ``words``, by model."""
    found = {}
    for model in apps.get_app_config("organise").get_models():
        text_fields = [
            field.name
            for field in model._meta.get_fields()
            if isinstance(field, models.CharField | models.TextField)
        ]
        for word in words:
            query = models.Q()
            for name in text_fields:
                query |= models.Q(**{f"{name}__icontains": word})
            if text_fields and model.objects.filter(query).exists():
                found.setdefault(model.__name__, []).append(word)
    return found


def test_erasure_leaves_no_organise_row_naming_the_person_but_keeps_the_counts(morag):
    assert organise_rows_naming("Fenwick", EMAIL) != {}, "the test finds what it looks for"
    events = MembershipEvent.objects.count()
    call = CallToAction.objects.get(subject="Come to the damp survey meeting")

    people_services.person_erase(person=morag)

    assert not Person.objects.filter(last_name="Fenwick").exists()
    assert organise_rows_naming("Fenwick", "Morag", EMAIL) == {}
    assert not Membership.objects.exists()
    assert not Contribution.objects.exists()
    assert not JoinApplication.objects.exists()
    assert MembershipEvent.objects.count() == events
    assert not MembershipEvent.objects.filter(membership__isnull=False).exists()
    assert set(MembershipEvent.objects.values_list("locality__name", flat=True)) == {
        "Larkrise Estate"
    }, "the growth figures still count the change in its place"
    assert call.deliveries.filter(response=Delivery.Response.YES).count() == 1
    assert not Delivery.objects.filter(person__isnull=False).exists()
    assert Delivery.objects.count() == 2
    assert Decision.objects.count() == 2
    assert not Decision.objects.filter(owner__isnull=False).exists()
    proposal = GroupProposal.objects.get()
    assert (proposal.name, proposal.proposed_by) == ("Larkrise Knit and Natter", None)
    assert not OutboxMessage.objects.filter(key__startswith="organise:").exists()
    assert not OutboxMessage.objects.filter(body_text__contains="Fenwick").exists()


def test_erasure_of_a_sender_takes_their_address_off_their_calls_and_the_copies(
    staff_user,
):
    sender = make_user(Role.ORGANISER, email="ailsa.sender@example.test")
    sender.person.email = "Ailsa.Home@Example.test"  # their record holds another address
    sender.person.save()
    by_login = CallToActionFactory(created_by=sender, reply_to="AILSA.SENDER@example.test")
    by_record = CallToActionFactory(created_by=sender, reply_to="ailsa.home@example.test")
    others = CallToActionFactory(created_by=staff_user, reply_to=staff_user.email)
    recipient = PersonFactory()

    def copy(call, reply_to, prefix="organise:call:"):
        return OutboxMessage.objects.create(
            key=f"{prefix}{call.pk}:{recipient.pk}",
            to_email=recipient.email,
            subject=call.subject,
            body_text=call.body,
            person=recipient,
            category=OutboxMessage.Category.CONTACT,
            reply_to=reply_to,
        )

    copies = [copy(by_login, by_login.reply_to), copy(by_record, by_record.reply_to)]
    kept = copy(others, staff_user.email)
    another_app = copy(by_login, by_login.reply_to, prefix="action:update:")

    people_services.person_erase(person=sender.person)

    assert set(
        CallToAction.objects.filter(pk__in=[by_login.pk, by_record.pk]).values_list(
            "reply_to", flat=True
        )
    ) == {""}
    assert CallToAction.objects.get(pk=others.pk).reply_to == staff_user.email
    assert set(
        OutboxMessage.objects.filter(pk__in=[c.pk for c in copies]).values_list(
            "reply_to", flat=True
        )
    ) == {""}
    assert OutboxMessage.objects.get(pk=kept.pk).reply_to == staff_user.email
    # Other apps' messages are theirs to erase.
    assert OutboxMessage.objects.get(pk=another_app.pk).reply_to == by_login.reply_to
    assert not CallToAction.objects.filter(reply_to__icontains="ailsa").exists()


def test_erasure_of_someone_without_a_membership_changes_nothing_of_others(morag):
    other = MembershipFactory()
    stranger = PersonFactory(email="")

    people_services.person_erase(person=stranger)

    assert Membership.objects.count() == 2
    assert JoinApplication.objects.count() == 2, "an empty address matches nobody's application"
    assert Membership.objects.filter(pk=other.pk).exists()


def test_erasure_is_undone_when_another_app_fails(morag, monkeypatch):
    from hubsite.people import registry

    def fail(person):
        raise RuntimeError("the disk is full")

    providers = registry.personal_data_providers()
    core = providers["people"]
    monkeypatch.setitem(
        registry._registry.personal_data,
        "people",
        registry.PersonalDataProvider(core.name, core.label, core.export, fail),
    )

    with pytest.raises(RuntimeError):
        people_services.person_erase(person=morag)

    assert Membership.objects.filter(person=morag).exists()
    assert Delivery.objects.filter(person=morag).count() == 2
    assert JoinApplication.objects.count() == 2


# The dashboard's figures ----------------------------------------------------------------


@pytest.fixture
def busy_hub(staff_user, organiser_user):
    """Three active members (one joined ten days ago, one due to renew), one who lapsed last
    week, a call sent this month by the organiser, and decisions due for review."""
    MembershipFactory()
    new = MembershipFactory(joined_on=days(-10), term_started_on=days(-10))
    MembershipEvent.objects.create(membership=new, kind="joined", on=days(-10))
    MembershipFactory(term_started_on=days(-350), renews_on=days(15))
    lapsed = MembershipFactory(status=Membership.Status.LAPSED, ended_on=days(-5))
    MembershipEvent.objects.create(membership=lapsed, kind="lapsed", on=days(-5))
    MembershipEvent.objects.create(membership=lapsed, kind="joined", on=days(-400))
    sent_call("Come on Thursday", organiser_user, PersonFactory())
    CallToActionFactory(created_by=organiser_user)  # a draft: not sent
    DecisionFactory(owner=organiser_user.person, review_on=days(-1))
    DecisionFactory(review_on=days(-3))
    DecisionFactory(owner=organiser_user.person, review_on=days(20))  # not due yet
    DecisionFactory(review_on=days(-3), status=Decision.Status.DONE)


def figures_of(client, what="value"):
    return {
        figure.label: getattr(figure, what)
        for figure in client.get(reverse("home")).context["figures"]
        if figure.area == "organise"
    }


def test_staff_see_the_membership_and_mobilisation_figures(staff_client, busy_hub):
    figures = figures_of(staff_client)  # beside the core's own figures of the area
    expected = {
        "Active members": 3,
        "Joined in the last 30 days": 1,
        "Renewals due within 30 days": 1,
        "Lapsed in the last 30 days": 1,
        "Calls to action sent this month": 1,
        "Decisions due for review": 2,
    }

    assert {label: figures.get(label) for label in expected} == expected
    urls = figures_of(staff_client, "url")
    assert urls["Active members"] == reverse("organise:member_list") + "?status=active"
    assert urls["Renewals due within 30 days"] == reverse("organise:member_list") + (
        "?renews_within=30"
    )
    assert urls["Lapsed in the last 30 days"] == reverse("organise:growth")
    assert urls["Decisions due for review"] == reverse("organise:decision_list")


def test_an_organiser_sees_their_own_calls_and_decisions(organiser_client, busy_hub):
    assert figures_of(organiser_client) == {
        "Calls to action you sent this month": 1,
        "Your decisions due for review": 1,
    }


def test_members_and_volunteers_see_no_organise_figures(member_client, client, busy_hub):
    assert figures_of(member_client) == {}
    client.force_login(make_user(Role.VOLUNTEER))
    assert figures_of(client) == {}


def test_the_figures_cost_a_fixed_number_of_queries(
    staff_user, organiser_user, busy_hub, django_assert_num_queries
):
    with django_assert_num_queries(1):
        dashboard_figures(staff_user)
    with django_assert_num_queries(1):
        dashboard_figures(organiser_user)
    for n in range(20):
        member = MembershipFactory(joined_on=days(-3), term_started_on=days(-3))
        MembershipEvent.objects.create(membership=member, kind="joined", on=days(-3))
        sent_call(f"Call {n}", organiser_user, PersonFactory())
    with django_assert_num_queries(1):
        figures = {f.label: f.value for f in dashboard_figures(staff_user)}
    with django_assert_num_queries(1):
        dashboard_figures(organiser_user)
    assert figures["Active members"] == 23
    assert figures["Joined in the last 30 days"] == 21
    assert figures["Calls to action sent this month"] == 21


def test_each_membership_figure_opens_the_member_list_on_the_members_it_counts(
    staff_client, busy_hub
):
    urls = figures_of(staff_client, "url")
    counted = figures_of(staff_client)

    for label in ("Active members", "Renewals due within 30 days"):
        page = staff_client.get(urls[label])
        assert page.status_code == 200
        assert page.context["page"].paginator.count == counted[label], label


# The member's own dashboard -------------------------------------------------------------


def test_a_member_is_asked_to_renew_within_30_days_of_their_renewal_date(member_user):
    membership = MembershipFactory(person=member_user.person, renews_on=days(31))
    assert membership_tasks(member_user) == []

    Membership.objects.filter(pk=membership.pk).update(renews_on=days(30))

    (task,) = membership_tasks(member_user)
    assert task.title == "Renew your membership"
    assert task.url == reverse("organise:my_membership")
    assert task.due_on == days(30) and task.area == "organise"


def test_a_lapsed_member_is_asked_to_renew_and_one_who_left_is_not(member_user):
    membership = MembershipFactory(
        person=member_user.person,
        status=Membership.Status.LAPSED,
        renews_on=days(-40),
        ended_on=days(-10),
    )

    (task,) = membership_tasks(member_user)
    assert task.title == "Renew your membership" and task.is_overdue

    Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.LEFT)
    assert membership_tasks(member_user) == []


def test_the_renewal_task_is_the_viewers_own_and_costs_one_query(
    member_user, staff_user, django_assert_num_queries
):
    MembershipFactory(renews_on=days(3))  # someone else's
    MembershipFactory(person=member_user.person, renews_on=days(3))

    with django_assert_num_queries(1):
        assert len(membership_tasks(member_user)) == 1
    with django_assert_num_queries(1):
        assert membership_tasks(staff_user) == []
    with django_assert_num_queries(0):
        assert membership_tasks(AnonymousUser()) == []


def test_the_dashboard_asks_a_member_to_renew(member_client, member_user, monkeypatch):
    # Registered by organise/apps.py; set here too so the test holds on its own.
    monkeypatch.setitem(registry._tasks, "organise-membership", membership_tasks)
    MembershipFactory(person=member_user.person, renews_on=days(12))

    page = member_client.get(reverse("home"))

    tasks = [task for task in page.context["tasks"] if task.title == "Renew your membership"]
    assert len(tasks) == 1
    assert "Renew your membership" in page.text


def test_the_dashboard_links_everyone_with_a_person_to_their_membership(
    member_client, staff_client
):
    link = f'href="{reverse("organise:my_membership")}"'

    assert link in member_client.get(reverse("home")).text
    assert link in staff_client.get(reverse("home")).text


def test_the_dashboard_links_the_groups_the_viewer_runs_and_names_the_others(
    member_client, member_user
):
    run = GroupFactory(name="Millbrook Carers' Circle", kind="self_organised")
    led = GroupFactory(name="Knit and Natter", kind="self_organised")
    joined = GroupFactory(name="Repair café", kind="self_organised")
    # A hub group's page is for staff and the hub's organisers, not a member who leads it.
    hub_group = GroupFactory(name="Larkrise TRA")
    for group, role in ((run, "organiser"), (led, "leader"), (joined, "member")):
        GroupMembershipFactory(group=group, person=member_user.person, role=role)
    GroupMembershipFactory(group=hub_group, person=member_user.person, role="leader")

    text = member_client.get(reverse("home")).text.replace("&#x27;", "'")

    for group in (run, led):
        url = reverse("people:group_detail", args=[group.slug])
        assert f'<a href="{url}">{group.name}</a>' in text
        assert member_client.get(url).status_code == 200, "the page where they run it"
    for group in (joined, hub_group):
        assert reverse("people:group_detail", args=[group.slug]) not in text
    assert "Repair café (member)" in text and "Larkrise TRA (leader)" in text


def test_an_organiser_of_the_hub_gets_a_link_to_each_group_they_run(
    organiser_client, organiser_user
):
    hub_group = GroupFactory(name="Larkrise TRA")
    joined = GroupFactory(name="Repair café")
    GroupMembershipFactory(group=hub_group, person=organiser_user.person, role="organiser")
    GroupMembershipFactory(group=joined, person=organiser_user.person, role="member")

    text = organiser_client.get(reverse("home")).text

    url = reverse("people:group_detail", args=[hub_group.slug])
    assert f'<a href="{url}">Larkrise TRA</a>' in text
    assert organiser_client.get(url).status_code == 200
    assert reverse("people:group_detail", args=[joined.slug]) not in text
