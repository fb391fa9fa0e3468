"""Who may do what in the core (hubsite.people.rules), and that every view says so."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import get_resolver

from hubsite.people import rules
from hubsite.people.models import GroupMembership, Role
from tests.people.factories import GroupFactory, GroupMembershipFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def user_with(role, group=None, group_role=None, **fields):
    user = UserFactory(role=role, **fields)
    person = PersonFactory(user=user)
    if group is not None:
        GroupMembershipFactory(person=person, group=group, role=group_role)
    return user


@pytest.mark.parametrize("role", Role.values)
def test_has_role_for_an_active_user(role):
    user = UserFactory(role=role)

    assert rules.has_role(user, (role,))
    assert not rules.has_role(user, tuple(r for r in Role.values if r != role))


def test_has_role_is_false_for_an_inactive_user_and_for_anonymous():
    assert not rules.has_role(UserFactory(role=Role.STAFF, is_active=False), rules.STAFF)
    assert not rules.has_role(AnonymousUser(), rules.EVERYONE_SIGNED_IN)


def protected(roles):
    @rules.role_required(*roles)
    def view(request):
        return HttpResponse("ok")

    return view


def test_role_required_lets_the_role_in():
    request = RequestFactory().get("/somewhere/")
    request.user = UserFactory(role=Role.ORGANISER)

    assert protected(rules.STAFF_AND_ORGANISERS)(request).content == b"ok"


def test_role_required_refuses_another_role():
    request = RequestFactory().get("/somewhere/")
    request.user = UserFactory(role=Role.VOLUNTEER)

    with pytest.raises(PermissionDenied):
        protected(rules.STAFF_AND_ORGANISERS)(request)


def test_role_required_sends_anonymous_visitors_to_sign_in():
    request = RequestFactory().get("/somewhere/?x=1")
    request.user = AnonymousUser()

    response = protected(rules.STAFF)(request)

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/somewhere/%3Fx%3D1"


def test_role_required_needs_a_role_and_records_them():
    with pytest.raises(ValueError):
        rules.role_required()

    assert protected(rules.STAFF).required_roles == ("staff",)


@pytest.mark.parametrize(
    ("group_role", "organises"),
    [
        (GroupMembership.Role.ORGANISER, True),
        (GroupMembership.Role.LEADER, True),
        (GroupMembership.Role.MEMBER, False),
    ],
)
def test_is_group_organiser_by_role_in_the_group(group_role, organises):
    group = GroupFactory()
    user = user_with(Role.ORGANISER, group, group_role)

    assert rules.is_group_organiser(user, group) is organises
    assert rules.is_group_organiser(user, GroupFactory()) is False


def test_is_group_organiser_is_false_for_anonymous():
    assert rules.is_group_organiser(AnonymousUser(), GroupFactory()) is False


def test_staff_may_manage_any_group_and_people():
    staff = user_with(Role.STAFF)

    assert rules.can_manage_group(staff, GroupFactory())


def test_an_organiser_may_manage_only_the_groups_they_organise():
    theirs, other = GroupFactory(), GroupFactory()
    organiser = user_with(Role.ORGANISER, theirs, GroupMembership.Role.ORGANISER)

    assert rules.can_manage_group(organiser, theirs)
    assert not rules.can_manage_group(organiser, other)


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.MEMBER])
def test_a_leader_in_a_group_without_the_organiser_role_may_not_manage_it(role):
    group = GroupFactory()
    user = user_with(role, group, GroupMembership.Role.LEADER)

    assert not rules.can_manage_group(user, group)


def test_an_inactive_organiser_may_not_manage_their_group():
    group = GroupFactory()
    organiser = user_with(Role.ORGANISER, group, GroupMembership.Role.ORGANISER, is_active=False)

    assert not rules.can_manage_group(organiser, group)


def people_views():
    resolver = get_resolver()
    namespace = resolver.namespace_dict["people"][1]
    return {
        name: pattern.callback
        for name, pattern in (
            (p.name, p) for p in namespace.url_patterns if getattr(p, "name", None)
        )
    }


def test_every_people_view_declares_its_roles_except_the_invitation_link():
    views = people_views()

    undeclared = {name for name, view in views.items() if not hasattr(view, "required_roles")}

    assert undeclared == {"invite_accept"}
    assert views["invite_accept"].login_required is False


@pytest.mark.parametrize(
    ("name", "roles"),
    [
        ("person_list", ("staff",)),
        ("person_create", ("staff",)),
        ("person_invite", ("staff",)),
        ("group_create", ("staff",)),
        ("locality_list", ("staff",)),
        ("tag_list", ("staff",)),
        # Open to everyone signed in; the queryset holds only the groups one may manage (the
        # self-organised groups a member runs among them).
        ("group_list", ("staff", "organiser", "volunteer", "member")),
        ("group_detail", ("staff", "organiser", "volunteer", "member")),
        ("membership_update", ("staff", "organiser", "volunteer", "member")),
    ],
)
def test_people_views_are_open_to_the_right_roles(name, roles):
    assert people_views()[name].required_roles == roles


@pytest.mark.django_db
@pytest.mark.parametrize("account_role", [Role.STAFF, Role.ORGANISER, Role.VOLUNTEER, Role.MEMBER])
@pytest.mark.parametrize("place", list(GroupMembership.Role.values))
@pytest.mark.parametrize("kind", ["self_organised", "residents"])
def test_the_rule_read_from_ones_own_membership_agrees_with_the_groups_rule(
    account_role, place, kind
):
    user = UserFactory(role=account_role)
    person = PersonFactory(user=user)
    membership = GroupMembershipFactory(person=person, group=GroupFactory(kind=kind), role=place)

    assert rules.can_manage_group_of(user, membership) == rules.can_manage_group(
        user, membership.group
    )
