"""The role × URL matrix: every URL pattern, for an anonymous visitor and for each role, with
real objects in the paths. Anonymous visitors are sent to sign in except on public pages; a
role a view does not declare is refused (403); a role it declares gets through the role gate
(only the object rules listed below refuse it); staff see every page of the world; and no
one, whatever they send, gets a 500."""

import pytest

from tests.robustness import (
    ADMIN_ROUTES,
    ROLES,
    SIGNS_OUT,
    admin_path,
    failure,
    is_public,
    seed_world,
)
from tests.test_access import ROUTES

# Object rules that refuse a role the view declares, for the objects of the world: each
# names who may do it instead.
GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")
OBJECT_RULES = {
    ("member", "framework:learning_edit"): (BOTH, "only its author and staff edit a learning"),
    ("organiser", "framework:learning_edit"): (BOTH, "only its author and staff edit a learning"),
    ("member", "action:activity_edit"): (BOTH, "only the people running an activity edit it"),
    ("volunteer", "action:activity_edit"): (BOTH, "only the people running an activity edit it"),
    ("member", "action:activity_move"): (POST, "only the people running an activity move it"),
    ("volunteer", "action:activity_move"): (POST, "only the people running an activity move it"),
    ("member", "organise:meeting_create"): (POST, "a member records meetings of groups they run"),
    ("volunteer", "organise:meeting_create"): (POST, "the same for a volunteer"),
    ("member", "organise:meeting_edit"): (BOTH, "members' meetings are recorded by staff"),
    ("organiser", "organise:meeting_edit"): (BOTH, "members' meetings are recorded by staff"),
    ("member", "organise:decision_create"): (BOTH, "members' meetings are recorded by staff"),
    ("organiser", "organise:decision_create"): (BOTH, "members' meetings are recorded by staff"),
    ("member", "organise:decision_edit"): (BOTH, "members' meetings are recorded by staff"),
    ("organiser", "organise:decision_edit"): (BOTH, "members' meetings are recorded by staff"),
    ("member", "organise:decision_review"): (BOTH, "members' meetings are recorded by staff"),
    ("organiser", "organise:decision_review"): (BOTH, "members' meetings are recorded by staff"),
    ("organiser", "connect:opportunity_edit"): (BOTH, "an opportunity of no group is staff's"),
    ("organiser", "connect:opportunity_close"): (POST, "an opportunity of no group is staff's"),
    ("organiser", "connect:shift_add"): (BOTH, "an opportunity of no group is staff's"),
    ("organiser", "connect:hours_log"): (BOTH, "an opportunity of no group is staff's"),
    ("organiser", "listening:conversation_edit"): (BOTH, "only its author and staff edit it"),
    ("organiser", "listening:follow_up_done"): (POST, "only its owner and staff close it"),
}

# The hub's pages staff open without a 200, and why.
STAFF_PAGES_NOT_200 = {
    "action:story_edit": 404,  # only the teller edits their own story from here
    "action:story_photo": 404,  # the world's story has no photo
    "action:story_teller_photo": 404,  # the world's story has no photo
    "connect:event_detail_short": 301,  # to the page's address with its slug
    "connect:checkin_walk_in": 302,  # a form on the check-in page, which it leads to
    "organise:my_preferences": 302,  # contact preferences are consents, on the data page
    # Buttons on another page, which a GET leads back to.
    "privacy:mine_ask": 302,
    "privacy:mine_download": 302,
    "privacy:request_extend": 302,
    "privacy:request_close": 302,
    "privacy:retention_apply": 302,
}

# Answers a view may give to a role it serves: a page, a redirect after a POST, a form with
# errors (400), an object outside the person's reach (404), a method it does not take (405),
# a change refused because of the object's state (409), a rate limit (429).
THROUGH_THE_GATE = {200, 301, 302, 400, 404, 405, 409, 429}


@pytest.fixture
def world(db, settings):
    settings.STAFF_MFA_REQUIRED = False
    return seed_world()


def walk(world, role):
    """Every route by GET, then every route by POST (so that a POST that deletes or closes
    something does not hide the page from the GETs): the failures, one line each."""
    client = world.client(role)
    failures = []
    for method in ("GET", "POST"):
        for route, name, callback in ROUTES:
            path = world.path(route, name)
            response = getattr(client, method.lower())(path)
            if name in SIGNS_OUT and role != "anonymous":
                client.force_login(world.users[role])
            if not expected(role, method, name, callback, response):
                failures.append(failure(name, path, method, response))
    return failures


def expected(role, method, name, callback, response):
    status = response.status_code
    if status >= 500:
        return False
    if role == "anonymous":
        if is_public(name):
            return status != 403
        return status == 302 and response["Location"].startswith("/accounts/login/")
    roles = getattr(callback, "required_roles", None)
    if roles is None:  # allauth's own pages, and the public ones: for anyone signed in
        return status != 403
    if role not in roles:
        return status == 403
    methods, _ = OBJECT_RULES.get((role, name), ((), ""))
    if method in methods:
        # Refused by the object rule; or, for a POST, no longer there for them at all
        # (a member who left the membership by an earlier POST sees no members' meeting).
        return status == 403 or (method == "POST" and status == 404)
    if role == "staff" and method == "GET":
        return status == STAFF_PAGES_NOT_200.get(name, 200) or status == 405
    return status in THROUGH_THE_GATE


@pytest.mark.parametrize("role", ("anonymous", *ROLES))
def test_every_url_answers_each_role_as_its_roles_say(world, role):
    failures = walk(world, role)
    assert not failures, "\n".join(failures)


# Where the admin sends a visitor who is not staff: the hub's sign-in for one not signed in
# (the login-required middleware answers first), the admin's for one signed in.
TO_SIGN_IN = ("/accounts/login/", "/admin/login/")
ADMIN_OWN = {"admin:login", "admin:logout"}  # its sign-in and sign-out pages


@pytest.mark.parametrize("role", ("anonymous", "member", "volunteer", "organiser"))
def test_no_role_but_staff_gets_into_the_admin(world, role):
    """Every admin URL, by GET: sent to sign in (or refused), never a page with data."""
    assert len(ADMIN_ROUTES) >= 100  # guard: the admin's patterns were found
    client = world.client(role)
    failures = []
    for route, name in ADMIN_ROUTES:
        path = admin_path(route)
        response = client.get(path)
        status = response.status_code
        if name in ADMIN_OWN and status in (200, 302, 405):
            continue
        if status == 403 or status == 302 and response["Location"].startswith(TO_SIGN_IN):
            continue
        failures.append(failure(name, path, "GET", response) + f" {response.get('Location')}")
    assert not failures, "\n".join(failures)


def test_a_staff_superuser_opens_the_admin(world):
    """Staff who are superusers are the admin's only users: its index answers them."""
    staff = world.users["staff"]
    staff.is_staff = staff.is_superuser = True
    staff.save(update_fields=["is_staff", "is_superuser"])
    response = world.client("staff").get("/admin/")
    assert response.status_code == 200
    assert response.context["app_list"]  # the index, with the models to administer


def test_the_object_rules_and_exceptions_name_real_routes():
    names = {name for _, name, _ in ROUTES}
    assert {name for _, name in OBJECT_RULES} <= names
    assert set(STAFF_PAGES_NOT_200) <= names
