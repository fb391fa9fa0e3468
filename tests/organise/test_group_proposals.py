"""Self-organised groups: a signed-in person proposes a group, staff or organisers approve it
(the group is made with the proposer as its organiser) or decline it with an answer, and the
member-turned-organiser runs their own group, and no one else's."""

import factory
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from connect.models import JoinRequest
from hubsite.framework.registry import Task
from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Group, GroupMembership, Role, User
from organise.models import GroupProposal
from organise.selectors import groups as selectors
from organise.services import groups as services
from tests.conftest import make_user
from tests.people.factories import GroupFactory, GroupMembershipFactory, LocalityFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("organise:proposal_create")
MINE = reverse("organise:proposal_mine")
LIST = reverse("organise:proposal_list")


class GroupProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupProposal

    name = factory.Sequence(lambda n: f"Proposed group {n}")
    purpose = "Neighbours who want to green the estate."
    proposed_by = factory.LazyFunction(lambda: make_user(Role.MEMBER, _email()).person)


_emails = iter(range(10**6))


def _email():
    return f"proposer{next(_emails)}@example.test"


def detail_url(proposal):
    return reverse("organise:proposal_detail", args=[proposal.pk])


def propose(client, **fields):
    data = {
        "name": "Elm Street Gardeners",
        "purpose": "Grow food together on the spare land behind Elm Street.",
        "public": "yes",
        **fields,
    }
    return client.post(CREATE, data)


def answer(client, proposal, decision, text=""):
    return client.post(detail_url(proposal), {"decision": decision, "answer": text})


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def proposal(member_user):
    return GroupProposalFactory(
        name="Elm Street Gardeners",
        purpose="Grow food together on the spare land behind Elm Street.",
        locality=LocalityFactory(name="Northfield"),
        proposed_by=member_user.person,
    )


# Proposing ------------------------------------------------------------------------------


def test_a_member_proposes_a_group_and_sees_it_waiting(member_client, member_user):
    northfield = LocalityFactory(name="Northfield")

    response = propose(member_client, locality=northfield.pk, public="no")

    assert response.status_code == 302
    assert response["Location"] == MINE
    proposal = GroupProposal.objects.get()
    assert proposal.name == "Elm Street Gardeners"
    assert proposal.purpose == "Grow food together on the spare land behind Elm Street."
    assert (proposal.locality, proposal.public) == (northfield, False)
    assert proposal.proposed_by == member_user.person
    assert proposal.status == GroupProposal.Status.PENDING
    assert not Group.objects.exists()
    page = member_client.get(MINE).content.decode()
    assert "Elm Street Gardeners" in page
    assert "Waiting for an answer" in page
    assert "has gone to the hub&#x27;s staff and organisers" in page


def test_the_form_offers_places_and_a_public_page_by_default(member_client):
    LocalityFactory(name="Northfield")

    response = member_client.get(CREATE)

    assert "Northfield" in response.content.decode()
    assert response.context["form"]["public"].value() == "yes"


@pytest.mark.parametrize(
    ("existing", "typed"),
    [("Elm Street Gardeners", "elm street  GARDENERS"), ("Tenants Together", "tenants together")],
)
def test_a_name_a_group_or_a_waiting_proposal_has_is_refused(member_client, existing, typed):
    if existing.startswith("Elm"):
        GroupFactory(name=existing, public=True)
    else:
        GroupProposalFactory(name=existing)
    before = GroupProposal.objects.count()

    response = propose(member_client, name=typed)

    assert response.status_code == 400
    assert "already" in response.context["form"].errors["name"][0]
    assert "Choose another name" in response.content.decode()
    assert GroupProposal.objects.count() == before
    assert not OutboxMessage.objects.exists()


def test_a_name_of_a_declined_proposal_may_be_proposed_again(member_client):
    GroupProposalFactory(name="Elm Street Gardeners", status=GroupProposal.Status.DECLINED)

    assert propose(member_client).status_code == 302
    assert GroupProposal.objects.filter(status=GroupProposal.Status.PENDING).count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": ""}, "name"),
        ({"purpose": " \n "}, "purpose"),
        ({"purpose": ""}, "purpose"),
        ({"public": ""}, "public"),
        ({"public": "maybe"}, "public"),
        ({"locality": "999999"}, "locality"),
        ({"locality": "not-a-number"}, "locality"),
        ({"name": "x" * 121}, "name"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_saves_nothing(member_client, fields, field):
    response = propose(member_client, **fields)

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not GroupProposal.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_an_empty_post_is_refused(member_client):
    response = member_client.post(CREATE, {})

    assert response.status_code == 400
    assert not GroupProposal.objects.exists()


def test_more_than_three_waiting_proposals_from_one_person_are_refused(member_client, member_user):
    for n in range(3):
        assert propose(member_client, name=f"Group {n}").status_code == 302
    GroupProposalFactory(
        proposed_by=member_user.person, status=GroupProposal.Status.DECLINED, name="Old idea"
    )

    response = propose(member_client, name="A fourth idea")

    assert response.status_code == 400
    assert "You already have 3 proposals waiting" in response.content.decode()
    assert GroupProposal.objects.filter(proposed_by=member_user.person).count() == 4
    # Once one is answered, another may be proposed.
    GroupProposal.objects.filter(name="Group 0").update(status=GroupProposal.Status.DECLINED)
    assert propose(member_client, name="A fourth idea").status_code == 302


def test_an_account_without_a_person_gets_a_clear_page_and_saves_nothing():
    user = User.objects.create_user(email="lonely@example.test", password="x", role=Role.MEMBER)
    client = signed_in(user)

    for response in (client.get(CREATE), propose(client)):
        assert response.status_code == 403
        assert "not linked to a person in the hub" in response.content.decode()
    assert not GroupProposal.objects.exists()
    mine = client.get(MINE)
    assert mine.status_code == 200
    assert "not linked to a person" in mine.content.decode()
    with pytest.raises(ValidationError):
        services.proposal_create(person=None, name="Anything", purpose="Something")


def test_the_service_rechecks_what_the_form_checks(member_user):
    person = member_user.person
    GroupFactory(name="Tenants Together")
    cases = [
        ({"name": " ", "purpose": "x"}, "name"),
        ({"name": "A group", "purpose": ""}, "purpose"),
        ({"name": "n" * 121, "purpose": "x"}, "name"),
        ({"name": "A group", "purpose": "p" * 5001}, "purpose"),
        ({"name": "tenants  together", "purpose": "x"}, "name"),
        ({"name": "A group", "purpose": "x", "locality": "Northfield"}, "locality"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as error:
            services.proposal_create(person=person, **fields)
        assert field in error.value.message_dict
    assert not GroupProposal.objects.exists()


def test_a_name_typed_over_two_lines_becomes_one_line(member_user):
    proposal = services.proposal_create(
        person=member_user.person, name="Elm\nStreet\r\n  Gardeners", purpose="Grow food."
    )

    assert proposal.name == "Elm Street Gardeners"


# Telling staff and organisers -------------------------------------------------------------


def test_each_active_staff_account_is_emailed_once_about_a_proposal(member_client, staff_user):
    other_staff = make_user(Role.STAFF, "second-staff@example.test", "Sam")
    make_user(Role.STAFF, "gone@example.test")
    User.objects.filter(email="gone@example.test").update(is_active=False)
    make_user(Role.ORGANISER, "organiser@example.test")

    propose(member_client)
    proposal = GroupProposal.objects.get()

    messages = OutboxMessage.objects.order_by("to_email")
    assert [m.to_email for m in messages] == ["second-staff@example.test", "staff@example.test"]
    for message, user in zip(messages, [other_staff, staff_user], strict=True):
        assert message.key == f"organise:proposal:{proposal.pk}:staff:{user.pk}"
        assert message.category == OutboxMessage.Category.WORK
        assert "Elm Street Gardeners" in message.subject
        assert "Grow food together" in message.body_text
        assert detail_url(proposal) in message.body_text
        assert "Member proposes a group" in message.body_text


def test_a_staff_proposer_is_not_emailed_about_their_own_proposal(staff_client, staff_user):
    make_user(Role.STAFF, "second-staff@example.test")

    propose(staff_client)

    assert [m.to_email for m in OutboxMessage.objects.all()] == ["second-staff@example.test"]


def test_staff_and_organisers_find_waiting_proposals_on_their_dashboard(
    proposal, staff_user, organiser_user, member_user, volunteer_user
):
    GroupProposalFactory(status=GroupProposal.Status.APPROVED, name="Done already")

    for viewer in (staff_user, organiser_user):
        tasks = selectors.dashboard_tasks(viewer)
        assert tasks == [
            Task(
                area="organise",
                title="Answer the proposal of a group: Elm Street Gardeners",
                url=detail_url(proposal),
            )
        ]
        assert list(selectors.proposals_waiting(viewer)) == [proposal]
    for viewer in (member_user, volunteer_user):
        assert selectors.dashboard_tasks(viewer) == []
        assert not selectors.proposals_waiting(viewer).exists()


def test_an_email_to_staff_is_not_sent_once_the_proposal_is_answered(
    member_client, staff_user, organiser_user
):
    propose(member_client)
    proposal = GroupProposal.objects.get()
    to_staff = OutboxMessage.objects.get()
    assert services.message_still_wanted(to_staff)

    services.proposal_decline(proposal=proposal, decided_by=organiser_user, answer="Not now.")

    assert not services.message_still_wanted(to_staff)
    to_proposer = OutboxMessage.objects.get(key=f"organise:proposal:{proposal.pk}:answer")
    assert services.message_still_wanted(to_proposer)


# Approving ------------------------------------------------------------------------------


def test_approving_makes_the_group_with_the_proposer_as_organiser(
    staff_client, staff_user, member_user, proposal
):
    response = answer(staff_client, proposal, "approve", "Welcome aboard!")

    assert response.status_code == 302
    assert response["Location"] == detail_url(proposal)
    group = Group.objects.get()
    assert group.name == "Elm Street Gardeners"
    assert group.kind == Group.Kind.SELF_ORGANISED
    assert group.description == proposal.purpose
    assert group.locality.name == "Northfield"
    assert group.public is True
    membership = GroupMembership.objects.get(group=group)
    assert (membership.person, membership.role) == (member_user.person, "organiser")
    member_user.refresh_from_db()
    assert member_user.role == Role.MEMBER  # organiser of their group, not of the hub
    proposal.refresh_from_db()
    assert proposal.status == GroupProposal.Status.APPROVED
    assert (proposal.group, proposal.decided_by) == (group, staff_user)
    assert proposal.answer == "Welcome aboard!"
    assert proposal.decided_at is not None
    page = staff_client.get(detail_url(proposal)).content.decode()
    assert "is approved: the group is made" in page
    assert 'name="decision"' not in page


def test_the_proposer_is_emailed_the_links_to_run_their_group(
    organiser_client, member_user, proposal
):
    answer(organiser_client, proposal, "approve", "Go for it.")

    message = OutboxMessage.objects.get(to_email=member_user.email)
    group = Group.objects.get()
    assert message.key == f"organise:proposal:{proposal.pk}:answer"
    assert message.category == OutboxMessage.Category.ACCOUNT
    assert "Your proposed group “Elm Street Gardeners” is approved" in message.subject
    assert "Go for it." in message.body_text
    assert reverse("people:group_detail", args=[group.slug]) in message.body_text
    assert reverse("connect:group_page", args=[group.slug]) in message.body_text
    assert reverse("connect:join_requests") in message.body_text


def test_a_group_without_a_public_page_has_no_link_to_requests_to_join(staff_client, member_user):
    proposal = GroupProposalFactory(proposed_by=member_user.person, public=False)

    answer(staff_client, proposal, "approve")

    group = Group.objects.get()
    assert group.public is False
    body = OutboxMessage.objects.get(to_email=member_user.email).body_text
    assert reverse("people:group_detail", args=[group.slug]) in body
    assert reverse("connect:join_requests") not in body


HOW_A_PRIVATE_GROUP_GETS_MEMBERS = ("hub staff add its members", "public page")


def test_every_text_says_how_a_group_without_a_public_page_gets_members(
    member_client, staff_client, member_user
):
    """The form, the proposal's page and the approval email agree: staff add the members,
    and the organisers may give the group a public page later from its edit page."""
    form_page = member_client.get(CREATE).content.decode()
    proposal = GroupProposalFactory(proposed_by=member_user.person, public=False)
    proposal_page = staff_client.get(detail_url(proposal)).content.decode()
    answer(staff_client, proposal, "approve")
    body = OutboxMessage.objects.get(to_email=member_user.email).body_text

    for text in (form_page, proposal_page, body.replace("hub's staff", "hub staff")):
        for words in HOW_A_PRIVATE_GROUP_GETS_MEMBERS:
            assert words in text
        assert "add its members themselves" not in text
    assert "edit page" in proposal_page
    assert "Edit" in body


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VOLUNTEER, Role.ORGANISER, Role.STAFF])
def test_approving_never_changes_the_proposers_account_role(staff_user, role):
    proposer = make_user(role, f"proposer-{role}@example.test")
    proposal = GroupProposalFactory(proposed_by=proposer.person)

    services.proposal_approve(proposal=proposal, decided_by=staff_user)

    proposer.refresh_from_db()
    assert proposer.role == role
    assert GroupMembership.objects.get(person=proposer.person).role == "organiser"


def test_a_member_who_runs_a_group_cannot_answer_proposals_or_open_hub_meetings(
    staff_user, member_user
):
    from tests.organise.factories import MeetingFactory

    mine = GroupProposalFactory(proposed_by=member_user.person, name="Elm Street Gardeners")
    services.proposal_approve(proposal=mine, decided_by=staff_user)
    someone_elses = GroupProposalFactory(name="Beta Walkers")
    agm = MeetingFactory(kind="agm")
    client = signed_in(member_user)

    assert client.get(reverse("organise:proposal_list")).status_code == 403
    assert client.post(detail_url(someone_elses), {"decision": "approve"}).status_code == 403
    assert client.get(agm.get_absolute_url()).status_code == 404  # not a member of the hub
    someone_elses.refresh_from_db()
    assert someone_elses.status == GroupProposal.Status.PENDING


def test_the_new_organiser_runs_their_own_group_and_no_one_elses(staff_user, member_user):
    mine = GroupProposalFactory(proposed_by=member_user.person, name="Elm Street Gardeners")
    services.proposal_approve(proposal=mine, decided_by=staff_user)
    our_group = Group.objects.get(name="Elm Street Gardeners")
    other_group = GroupFactory(name="Riverside Tenants", public=True)
    GroupMembershipFactory(group=other_group, role="organiser")
    # In another group too, but only as a member: that one is not theirs to run.
    member_of = GroupFactory(name="Park Friends", public=True)
    GroupMembershipFactory(group=member_of, person=member_user.person, role="member")
    asker = make_user(Role.MEMBER, "asker@example.test", "Asha").person
    ours = JoinRequest.objects.create(group=our_group, person=asker, message="Hello")
    theirs = JoinRequest.objects.create(group=other_group, person=asker, message="Hi there")
    JoinRequest.objects.create(group=member_of, person=asker, message="Hi again")
    client = signed_in(member_user)

    assert client.get(reverse("people:group_detail", args=[our_group.slug])).status_code == 200
    for group in (other_group, member_of):
        # The core's group pages hold only the groups one organises: others are not found.
        assert client.get(reverse("people:group_detail", args=[group.slug])).status_code == 404
    assert client.get(reverse("people:group_list")).context["page"].object_list[0] == our_group
    requests_page = client.get(reverse("connect:join_requests"))
    assert requests_page.status_code == 200
    content = requests_page.content.decode()
    assert "Elm Street Gardeners" in content
    assert "Riverside Tenants" not in content
    assert "Park Friends" not in content
    decide = reverse("connect:join_request_decide", args=[theirs.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 404
    assert not GroupMembership.objects.filter(group=other_group, person=asker).exists()
    decide = reverse("connect:join_request_decide", args=[ours.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    assert GroupMembership.objects.filter(group=our_group, person=asker).exists()
    page = client.get(MINE).content.decode()
    assert reverse("people:group_detail", args=[our_group.slug]) in page
    assert reverse("connect:join_requests") in page
    # Staff screens stay closed: an organiser of their own group is not staff.
    assert client.get(reverse("people:person_list")).status_code == 403


def test_a_name_taken_meanwhile_is_a_clear_error_and_nothing_is_saved(
    staff_client, member_user, proposal
):
    GroupFactory(name="ELM STREET gardeners")

    page = staff_client.get(detail_url(proposal)).content.decode()
    assert "already exists" in page
    response = answer(staff_client, proposal, "approve")

    assert response.status_code == 400
    assert "has been made since this proposal was sent" in response.content.decode()
    assert Group.objects.count() == 1
    assert not GroupMembership.objects.exists()
    member_user.refresh_from_db()
    assert member_user.role == Role.MEMBER
    proposal.refresh_from_db()
    assert proposal.status == GroupProposal.Status.PENDING
    assert not OutboxMessage.objects.exists()


def test_a_failure_half_way_saves_nothing(staff_user, member_user, proposal, monkeypatch):
    def broken(proposal):
        raise ValidationError("The outbox is broken.")

    monkeypatch.setattr(services, "_tell_proposer", broken)

    with pytest.raises(ValidationError):
        services.proposal_approve(proposal=proposal, decided_by=staff_user)

    assert not Group.objects.exists()
    assert not GroupMembership.objects.exists()
    member_user.refresh_from_db()
    assert member_user.role == Role.MEMBER
    proposal.refresh_from_db()
    assert proposal.status == GroupProposal.Status.PENDING


def test_a_proposal_whose_proposer_was_erased_cannot_be_approved(staff_user):
    proposal = GroupProposalFactory(proposed_by=None)

    with pytest.raises(ValidationError, match="Decline it instead"):
        services.proposal_approve(proposal=proposal, decided_by=staff_user)
    assert not Group.objects.exists()
    declined = services.proposal_decline(
        proposal=proposal, decided_by=staff_user, answer="No one to run it."
    )
    assert declined.status == GroupProposal.Status.DECLINED
    assert not OutboxMessage.objects.exists()


def test_no_one_answers_their_own_proposal(organiser_user, organiser_client):
    proposal = GroupProposalFactory(proposed_by=organiser_user.person)

    page = organiser_client.get(detail_url(proposal)).content.decode()
    assert "You proposed this group, so someone else answers it" in page
    assert 'name="decision"' not in page
    response = answer(organiser_client, proposal, "approve")

    assert response.status_code == 400
    assert not Group.objects.exists()
    proposal.refresh_from_db()
    assert proposal.status == GroupProposal.Status.PENDING


# Declining ------------------------------------------------------------------------------


def test_declining_needs_an_answer(staff_client, staff_user, proposal):
    for text in ("", "   \n  "):
        response = answer(staff_client, proposal, "decline", text)

        assert response.status_code == 400
        assert "Say why the group is not approved" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == GroupProposal.Status.PENDING
    assert not OutboxMessage.objects.exists()
    with pytest.raises(ValidationError) as error:
        services.proposal_decline(
            proposal=proposal, decided_by=make_user(Role.STAFF, "s@x.test"), answer=" "
        )
    assert "answer" in error.value.message_dict


def test_declining_records_the_answer_and_emails_it(
    staff_client, staff_user, member_user, proposal
):
    response = answer(
        staff_client, proposal, "decline", "Tenants Together already does this: join them!"
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == GroupProposal.Status.DECLINED
    assert proposal.answer == "Tenants Together already does this: join them!"
    assert proposal.decided_by == staff_user
    assert proposal.group is None
    assert not Group.objects.exists()
    member_user.refresh_from_db()
    assert member_user.role == Role.MEMBER
    message = OutboxMessage.objects.get()
    assert message.to_email == member_user.email
    assert message.category == OutboxMessage.Category.ACCOUNT
    assert "is not approved" in message.subject
    assert "Tenants Together already does this: join them!" in message.body_text
    page = signed_in(member_user).get(MINE).content.decode()
    assert "Declined" in page
    assert "Tenants Together already does this: join them!" in page


@pytest.mark.parametrize("data", [{}, {"decision": "maybe"}, {"decision": ""}])
def test_an_answer_without_a_decision_is_refused(staff_client, proposal, data):
    response = staff_client.post(detail_url(proposal), data)

    assert response.status_code == 400
    assert "Choose to approve or to decline the proposal." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == GroupProposal.Status.PENDING


def test_an_overlong_answer_is_refused(staff_client, proposal):
    response = answer(staff_client, proposal, "decline", "x" * 5001)

    assert response.status_code == 400
    proposal.refresh_from_db()
    assert proposal.status == GroupProposal.Status.PENDING


# Deciding twice -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [("approve", "approve"), ("approve", "decline"), ("decline", "approve")],
)
def test_deciding_twice_is_refused_and_emails_once(
    staff_client, organiser_client, member_user, proposal, first, second
):
    assert answer(staff_client, proposal, first, "First answer").status_code == 302

    response = answer(organiser_client, proposal, second, "Second answer")

    assert response.status_code == 302
    page = organiser_client.get(response["Location"]).content.decode()
    assert "This proposal has already been answered." in page
    assert 'name="decision"' not in page
    # Even an answer that would not do (a decline without words) hears the same.
    response = answer(organiser_client, proposal, "decline", "")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.answer == "First answer"
    assert Group.objects.count() == (1 if first == "approve" else 0)
    assert GroupMembership.objects.count() == (1 if first == "approve" else 0)
    assert OutboxMessage.objects.filter(to_email=member_user.email).count() == 1
    with pytest.raises(ValidationError, match="cannot be answered again"):
        services.proposal_approve(proposal=proposal, decided_by=make_user(Role.STAFF, "s@x.test"))


def test_an_answer_given_meanwhile_elsewhere_wins(
    staff_client, organiser_user, member_user, proposal, monkeypatch
):
    from organise.views import groups as views

    stale = GroupProposal.objects.get(pk=proposal.pk)  # read before the other answer
    services.proposal_decline(proposal=proposal, decided_by=organiser_user, answer="No.")
    monkeypatch.setattr(views, "get_object_or_404", lambda queryset, pk: stale)

    response = answer(staff_client, proposal, "approve")

    assert response.status_code == 302
    monkeypatch.undo()
    page = staff_client.get(response["Location"]).content.decode()
    assert "This proposal has already been declined; it cannot be answered again." in page
    assert not Group.objects.exists()
    assert OutboxMessage.objects.filter(to_email=member_user.email).count() == 1


# Who may do what ------------------------------------------------------------------------


def test_members_and_volunteers_cannot_see_or_answer_proposals(
    member_client, member_user, proposal
):
    volunteer_client = signed_in(make_user(Role.VOLUNTEER))
    for client in (member_client, volunteer_client):
        assert client.get(LIST).status_code == 403
        assert client.get(detail_url(proposal)).status_code == 403
        assert answer(client, proposal, "approve").status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == GroupProposal.Status.PENDING
    assert not Group.objects.exists()
    with pytest.raises(ValidationError, match="Only hub staff and organisers"):
        services.proposal_approve(proposal=proposal, decided_by=member_user)


def test_anonymous_visitors_are_sent_to_sign_in(client, proposal):
    for url in (CREATE, MINE, LIST, detail_url(proposal)):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
    assert not Group.objects.exists()


def test_everyone_signed_in_may_propose_and_see_their_own(proposal):
    for role in Role.values:
        client = signed_in(make_user(role, f"{role}-viewer@example.test"))
        assert client.get(CREATE).status_code == 200
        mine = client.get(MINE)
        assert mine.status_code == 200
        assert "Elm Street Gardeners" not in mine.content.decode()  # someone else's


def test_staff_and_organisers_see_proposals_waiting_first(staff_client, organiser_client):
    answered = GroupProposalFactory(name="Answered one", status=GroupProposal.Status.DECLINED)
    waiting = GroupProposalFactory(name="Waiting one")
    unknown = GroupProposalFactory(name="Orphaned one", proposed_by=None)

    for client in (staff_client, organiser_client):
        response = client.get(LIST)
        assert response.status_code == 200
        assert list(response.context["page"].object_list) == [waiting, unknown, answered]
        assert "no longer in the hub" in response.content.decode()
        only_waiting = client.get(LIST, {"status": "pending"}).context["page"].object_list
        assert list(only_waiting) == [waiting, unknown]
        # An unknown status shows them all rather than failing.
        assert client.get(LIST, {"status": "nonsense"}).status_code == 200
        assert client.get(detail_url(answered)).status_code == 200


def test_a_missing_proposal_is_not_found(staff_client):
    assert staff_client.get(reverse("organise:proposal_detail", args=[999999])).status_code == 404
    assert staff_client.get(LIST, {"page": "nonsense"}).status_code == 200


# Queries --------------------------------------------------------------------------------


def test_the_list_of_proposals_costs_the_same_with_10_or_100(staff_client, staff_user):
    decider = make_user(Role.ORGANISER, "decider@example.test")

    def add(count):
        for n in range(count):
            proposal = GroupProposalFactory(locality=LocalityFactory())
            if n % 2:
                services.proposal_approve(proposal=proposal, decided_by=decider)

    def queries():
        with CaptureQueriesContext(connection) as context:
            response = staff_client.get(LIST)
        assert response.status_code == 200
        return len(context)

    add(10)
    few = queries()
    add(90)
    assert queries() == few


def test_the_proposers_own_list_costs_the_same_with_few_or_many(member_client, member_user):
    decider = make_user(Role.STAFF, "decider@example.test")
    proposer = member_user.person

    def add(count):
        for _ in range(count):
            proposal = GroupProposalFactory(proposed_by=proposer, locality=LocalityFactory())
            services.proposal_approve(proposal=proposal, decided_by=decider)

    def queries():
        with CaptureQueriesContext(connection) as context:
            response = member_client.get(MINE)
        assert response.status_code == 200
        return len(context)

    add(2)
    few = queries()
    add(20)
    assert queries() == few


def test_a_private_groups_name_is_refused_without_telling_that_the_group_exists(member_client):
    GroupFactory(name="Millbrook Carers Circle", public=False)

    response = propose(member_client, name="millbrook carers circle")

    assert response.status_code == 400
    error = response.context["form"].errors["name"][0]
    assert error == "This name is not available. Choose another name."
    assert not GroupProposal.objects.exists()
