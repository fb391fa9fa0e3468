"""The framework as reference data, the area home pages, the hub dashboard and its
registry of figures."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from hubsite.framework.models import Area, Practice, Value
from hubsite.framework.registry import Figure, figure_providers, register_figures
from hubsite.framework.selectors import dashboard_figures

AREAS = ["change", "action", "strategy", "leadership", "reach", "listening", "connect", "organise"]
PRACTICES_ON_THE_CARD = {
    "change": 5,
    "action": 4,
    "strategy": 6,
    "leadership": 5,
    "reach": 4,
    "listening": 4,
    "connect": 5,
    "organise": 5,
}


@pytest.mark.django_db
def test_the_eight_areas_and_their_practices_are_loaded_from_the_card():
    assert list(Area.objects.values_list("slug", flat=True)) == AREAS
    for slug, count in PRACTICES_ON_THE_CARD.items():
        assert Practice.objects.filter(area__slug=slug).count() == count, slug
    assert Practice.objects.filter(text="Map local assets and resources").exists()
    assert all(Practice.objects.values_list("plain", flat=True))


@pytest.mark.django_db
def test_the_four_values_are_loaded():
    assert list(Value.objects.values_list("name", flat=True)) == [
        "Participation",
        "Accountability",
        "Reflection",
        "Learning",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("slug", AREAS)
def test_each_area_home_shows_its_purpose_and_practices(member_client, slug):
    area = Area.objects.get(slug=slug)
    response = member_client.get(reverse(f"{slug}:home"))
    content = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{area.name}</h1>" in content
    assert area.purpose in content
    for practice in area.practices.all():
        assert escape(practice.plain) in content


@pytest.mark.django_db
def test_an_area_home_links_only_to_what_the_viewers_role_may_use(
    client, member_user, organiser_user, staff_user
):
    people = f'href="{reverse("people:person_list")}"'
    groups = f'href="{reverse("people:group_list")}"'

    def page_for(user):
        client.force_login(user)
        return client.get(reverse("organise:home")).content.decode()

    assert people not in page_for(member_user)
    organiser_page = page_for(organiser_user)
    assert groups in organiser_page
    assert people not in organiser_page
    staff_page = page_for(staff_user)
    assert people in staff_page and groups in staff_page


@pytest.mark.django_db
def test_visitors_see_the_public_landing_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert reverse("account_login") in response.content.decode()
    assert "framework/landing.html" in [t.name for t in response.templates]


@pytest.mark.django_db
def test_staff_see_the_figures_every_app_registers_with_links(staff_client):
    response = staff_client.get(reverse("home"))
    labels = [figure.label for figure in response.context["figures"]]
    assert "People known to the hub" in labels
    assert reverse("people:person_list") in response.content.decode()


@pytest.mark.django_db
def test_members_see_no_hub_wide_figures(member_client):
    response = member_client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["figures"] == []


@pytest.mark.django_db
def test_figures_from_a_registered_provider_appear_in_framework_order(staff_user):
    def listening_figures(viewer):
        return [Figure("listening", "Conversations", 7, "/listening/")]

    register_figures("test-listening", listening_figures)
    try:
        figures = dashboard_figures(staff_user)
    finally:
        from hubsite.framework import registry

        registry._figures.pop("test-listening")
    areas = [figure.area for figure in figures]
    assert Figure("listening", "Conversations", 7, "/listening/") in figures
    assert areas == sorted(areas, key=AREAS.index)
    assert "test-listening" not in figure_providers()


def _dashboard_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


# What the dashboard costs as each role, whatever the hub holds: (with the overview kept, with
# it counted afresh). Kept: the session, the user, the second factor's check (staff), the
# person, then what waits on them (one query per area's tasks; two for organise's decisions
# of someone who may be a hub member). Afresh, also the areas, the person's groups, every
# area's figures (one or two queries each), what is coming up and the practices least lived.
DASHBOARD_QUERIES = {
    "staff": (10, 22),
    "organiser": (9, 20),
    "volunteer": (9, 14),
    "member": (8, 11),
}


def _fill_the_hub(user, n):
    """``n`` more of everything the dashboard shows, most of it for ``user``."""
    from django.utils import timezone

    from hubsite.framework.models import Practice, PracticeTag, PromptDelivery, PromptSchedule
    from tests.action.factories import CampaignFactory
    from tests.connect.factories import EventFactory, RsvpFactory, ShiftSignupFactory
    from tests.listening.factories import ConversationFactory, FollowUpFactory
    from tests.organise.factories import DecisionFactory, MeetingFactory
    from tests.people.factories import GroupMembershipFactory

    practices = list(Practice.objects.all())
    schedule = PromptSchedule.objects.create(
        question=f"What did we learn? ({PromptSchedule.objects.count()})",
        audience=PromptSchedule.Audience.EVERYONE,
        frequency=PromptSchedule.Frequency.WEEKLY,
    )
    today = timezone.localdate()
    for k in range(n):
        conversation = ConversationFactory(logged_by=user)
        FollowUpFactory(conversation=conversation, owner=user)
        RsvpFactory(event=EventFactory(), person=user.person)
        ShiftSignupFactory(person=user.person)
        GroupMembershipFactory(person=user.person)
        DecisionFactory(owner=user.person, review_on=today)
        MeetingFactory(held_on=today + timezone.timedelta(days=k + 1))
        CampaignFactory()
        PromptDelivery.objects.create(schedule=schedule, recipient=user, period=f"2026-W{k:02d}")
        PracticeTag.objects.create(
            practice=practices[k % len(practices)],
            kind="connect.event",
            object_id=PracticeTag.objects.count() + 1,
            label="An event",
        )


def _dashboard_costs(client, django_assert_num_queries, queries):
    with django_assert_num_queries(queries):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("role", DASHBOARD_QUERIES)
def test_the_dashboard_costs_the_same_queries_however_much_the_hub_holds(
    client, settings, django_assert_num_queries, role
):
    """Every area's figures and tasks are aggregates in SQL: more rows, no more queries; and
    the overview, kept for a minute, costs none when the dashboard is opened again."""
    from allauth.mfa.models import Authenticator

    from tests.conftest import make_user
    from tests.organise.factories import MembershipFactory

    settings.STAFF_MFA_REQUIRED = True  # as in production: staff sign in with a second factor
    user = make_user(role, f"{role}-dash@example.test")
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    MembershipFactory(person=user.person)  # a hub member: the members' meetings are theirs
    client.force_login(user)
    kept, afresh = DASHBOARD_QUERIES[role]

    _fill_the_hub(user, 3)
    few = _dashboard_costs(client, django_assert_num_queries, afresh)
    _fill_the_hub(user, 27)
    many = _dashboard_costs(client, django_assert_num_queries, afresh)
    assert len(many.context["tasks"]) > len(few.context["tasks"])
    assert len(many.context["memberships"]) == 30

    settings.DASHBOARD_FIGURES_SECONDS = 60
    client.get(reverse("home"))  # counts, and keeps the overview
    _fill_the_hub(user, 3)
    kept_page = _dashboard_costs(client, django_assert_num_queries, kept)
    assert len(kept_page.context["memberships"]) == 30  # as kept, for a minute
    assert "read again after a minute" in kept_page.content.decode()


@pytest.mark.django_db
def test_staff_without_a_second_factor_are_asked_to_add_one(staff_client, member_client):
    assert reverse("mfa_activate_totp") in staff_client.get(reverse("home")).content.decode()
    assert reverse("mfa_activate_totp") not in member_client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_the_dashboard_names_the_practices_least_lived_lately(staff_client, member_client):
    from hubsite.framework.models import Practice, PracticeTag

    lived = Practice.objects.order_by("area__order", "order").first()
    PracticeTag.objects.create(practice=lived, kind="connect.event", object_id=1, label="Supper")
    least = staff_client.get(reverse("home")).context["least_served"]
    assert len(least) == 5
    assert lived not in least
    assert all(practice.tagged_recently == 0 for practice in least)
    assert member_client.get(reverse("home")).context["least_served"] == []


@pytest.mark.django_db
def test_the_dashboard_keeps_a_persons_figures_for_a_while(client, settings):
    from tests.conftest import make_user
    from tests.listening.factories import ConversationFactory

    settings.DASHBOARD_FIGURES_SECONDS = 60
    staff = make_user("staff", "figures@example.test")
    client.force_login(staff)
    ConversationFactory()
    first = _dashboard_queries(client)
    assert _dashboard_queries(client) < first  # the aggregates are not run again
    figures = {f.label: f.value for f in client.get(reverse("home")).context["figures"]}
    assert figures["Conversations this month"] == 1
    # Staff may see everything: another of them reads the hub's figures as they were counted.
    ConversationFactory()
    client.force_login(make_user("staff", "other-staff@example.test"))
    figures = {f.label: f.value for f in client.get(reverse("home")).context["figures"]}
    assert figures["Conversations this month"] == 1
