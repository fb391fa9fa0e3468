"""Access control, proven by walking every URL pattern of the URLconf: anonymous visitors are
refused everywhere but the short public allow-list, every view of the hub declares the roles
it serves, and a member cannot reach any screen that is not for members."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# The whole public allow-list. A new public view must be added here on purpose.
PUBLIC = {
    "home",
    "health",
    "people:invite_accept",
    # Events: a public event's page, answering it without an account, and the cancel link.
    # Campaigns: the public list and page, signing, and the links in the emails.
    "action:campaign_list",
    "action:campaign_page",
    "action:campaign_count",
    "action:signup",
    "action:signup_sent",
    "action:signup_confirm",
    "action:unsubscribe",
    # Stories: the public list, a story's page and photo, telling one (a visitor through an
    # emailed link), and the teller's link from their emails (follow, edit, consent).
    "action:story_list",
    "action:story_detail",
    "action:story_photo",
    "action:story_create",
    "action:story_link_sent",
    "action:story_write",
    "action:story_teller",
    "action:story_teller_edit",
    "action:story_teller_photo",
    # Asks: a supporter asks for their link by email, and says what they did from it.
    "action:actions_link",
    "action:supporter_actions",
    "connect:event_detail",
    "connect:event_detail_short",
    "connect:rsvp",
    "connect:rsvp_cancel",
    # The calendar: upcoming events, by month, the iCalendar feeds and an event's .ics file.
    "connect:event_list",
    "connect:event_month",
    "connect:events_ics",
    "connect:group_events_ics",
    "connect:event_ics",
    # Interest groups: the public groups, a group's page, and asking to join it.
    "connect:group_list",
    "connect:group_page",
    "connect:group_join",
    # "Yes, keep me posted": the link in those RSVP and join emails that confirms consent to
    # be contacted from the address itself (a page, then a POST).
    "connect:contact_confirm",
    # Membership: joining, the page that says a link was sent, and confirming by that link
    # (where a new member may also choose a password). Calls to action: answering the ask
    # and unsubscribing from the links in the email. The public "You said, we did" page.
    "organise:join",
    "organise:join_sent",
    "organise:join_confirm",
    "organise:call_respond",
    "organise:call_unsubscribe",
    "organise:you_said_we_did",
    # django-allauth's pages for signing in, signing up and recovering an account.
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",
    "account_email_verification_sent",
    "account_confirm_login_code",
    "account_confirm_email",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "mfa_authenticate",
}
# Addresses whose GET leads to another page: an old address kept for links and bookmarks
# (every consent is now chosen on privacy:mine), and buttons on the data page.
LEADS_ELSEWHERE = {"organise:my_preferences", "privacy:mine_ask", "privacy:mine_download"}
HUB_MODULES = ("hubsite.", "change.", "action.", "strategy.", "leadership.", "reach.")
HUB_MODULES += ("listening.", "connect.", "organise.")


def walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name, pattern.callback


def example_path(route):
    """A concrete path for a route, with made-up values for its parameters."""
    path = re.sub(r"<int:\w+>", "999999", route)
    path = re.sub(r"<(?:slug|str):\w+>", "no-such-thing", path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "abc", path)  # regex routes (allauth)
    return "/" + path.replace("^", "").replace("$", "")


ROUTES = [r for r in walk(get_resolver().url_patterns) if not r[0].startswith("admin/")]


def is_hub_view(callback):
    module = getattr(callback, "__module__", "") or ""
    return module.startswith(HUB_MODULES)


def test_the_public_allow_list_is_exactly_the_views_open_to_anonymous_visitors():
    open_views = {name for _, name, cb in ROUTES if not getattr(cb, "login_required", True)}
    assert open_views == PUBLIC


def test_every_hub_view_that_needs_sign_in_declares_its_roles():
    undeclared = [
        name
        for _, name, cb in ROUTES
        if is_hub_view(cb) and name not in PUBLIC and not getattr(cb, "required_roles", None)
    ]
    assert undeclared == []


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), [(r, n) for r, n, _ in ROUTES if n not in PUBLIC])
def test_anonymous_visitors_are_sent_to_sign_in(client, route, name):
    for method in (client.get, client.post):
        response = method(example_path(route))
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name


STAFF_ONLY = [
    (route, name)
    for route, name, cb in ROUTES
    if is_hub_view(cb) and name not in PUBLIC and "member" not in cb.required_roles
]


def test_the_staff_screens_are_walked():
    assert len(STAFF_ONLY) >= 15  # guard: the walk found the core's staff screens


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), STAFF_ONLY)
def test_a_member_cannot_reach_staff_screens(member_client, route, name):
    for method in (member_client.get, member_client.post):
        assert method(example_path(route)).status_code == 403, name


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "name"),
    [
        (route, name)
        for route, name, cb in ROUTES
        if is_hub_view(cb) and "member" in getattr(cb, "required_roles", ()) and "<" not in route
    ],
)
def test_a_member_can_use_the_pages_for_everyone_signed_in(member_client, route, name):
    response = member_client.get(example_path(route))
    if name in LEADS_ELSEWHERE:
        assert response.status_code == 302, name
        response = member_client.get(response["Location"])
    assert response.status_code == 200, name


@pytest.mark.django_db
def test_a_member_cannot_use_the_admin(member_client):
    response = member_client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
