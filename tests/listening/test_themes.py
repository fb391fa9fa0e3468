"""Themes: staff rename and merge them; the themes page counts what its viewer may read, by
month and by place, filters by round, place and dates, and links each count to the
conversations behind it, in the same number of queries at any number of conversations."""

import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hubsite.people.models import Role
from listening import services
from listening.models import Conversation, Theme
from tests.conftest import make_user
from tests.listening.factories import ConversationFactory, ListeningRoundFactory, ThemeFactory
from tests.people.factories import LocalityFactory, PersonFactory

pytestmark = pytest.mark.django_db

JAN = datetime.date(2024, 1, 10)
FEB = datetime.date(2024, 2, 20)
MAR = datetime.date(2024, 3, 5)

ThemeLink = Conversation.themes.through


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def counts_url(**params):
    url = reverse("listening:theme_counts")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def edit_url(theme):
    return reverse("listening:theme_edit", args=[theme.pk])


def totals(response):
    """What the page counts: theme name -> conversations."""
    return {theme.name: theme.total for theme in response.context["counts"].themes}


def listed(client, url):
    """The conversations a link of the themes page lists (first page)."""
    response = client.get(url)
    assert response.status_code == 200
    return {conversation.pk for conversation in response.context["page"].object_list}


@pytest.fixture
def volunteer_client(volunteer_user):
    return client_for(volunteer_user)


# Rename ---------------------------------------------------------------------------------


def test_staff_renames_a_theme(staff_client):
    theme = ThemeFactory(name="Buses", slug="buses")

    response = staff_client.post(edit_url(theme), {"rename-name": "  public   transport "})

    assert response.status_code == 302
    assert response.url == reverse("listening:theme_list")
    theme.refresh_from_db()
    assert (theme.name, theme.slug) == ("Public transport", "public-transport")


def test_rename_to_another_themes_name_in_any_case_is_refused(staff_client):
    ThemeFactory(name="Housing", slug="housing")
    theme = ThemeFactory(name="Homes", slug="homes")

    response = staff_client.post(edit_url(theme), {"rename-name": "hOUSING"})

    assert response.status_code == 400
    assert "Another theme already has this name" in response.content.decode()
    theme.refresh_from_db()
    assert (theme.name, theme.slug) == ("Homes", "homes")
    assert Theme.objects.count() == 2


def test_rename_to_nothing_is_refused(staff_client):
    theme = ThemeFactory(name="Homes", slug="homes")

    response = staff_client.post(edit_url(theme), {"rename-name": "   "})

    assert response.status_code == 400
    theme.refresh_from_db()
    assert theme.name == "Homes"


def test_theme_edit_page_shows_both_forms_and_warns_about_merging(staff_client):
    theme = ThemeFactory(name="Homes")
    ConversationFactory(themes=[theme])

    response = staff_client.get(edit_url(theme))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="rename-name"' in content and 'name="merge-target"' in content
    assert content.count('name="csrfmiddlewaretoken"') >= 2
    assert "moves every conversation" in content and "removes “Homes”" in content


# Merge ----------------------------------------------------------------------------------


def test_merge_moves_every_conversation_and_removes_the_theme(staff_client):
    homes = ThemeFactory(name="Homes")
    housing = ThemeFactory(name="Housing")
    other = ThemeFactory(name="Buses")
    only_homes = ConversationFactory.create_batch(2, themes=[homes, other])
    both = ConversationFactory(themes=[homes, housing])
    only_housing = ConversationFactory(themes=[housing])

    response = staff_client.post(edit_url(homes), {"merge-target": housing.pk}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("listening:theme_list")
    assert "3 conversations moved" in response.content.decode()
    assert not Theme.objects.filter(pk=homes.pk).exists()
    about_housing = set(housing.conversations.values_list("pk", flat=True))
    assert about_housing == {c.pk for c in [*only_homes, both, only_housing]}
    assert ThemeLink.objects.filter(conversation=both).count() == 1
    assert all(set(c.themes.all()) == {housing, other} for c in only_homes)


def test_merging_a_theme_into_itself_is_refused(staff_client):
    theme = ThemeFactory(name="Homes")
    conversation = ConversationFactory(themes=[theme])

    response = staff_client.post(edit_url(theme), {"merge-target": theme.pk})

    assert response.status_code == 400
    assert list(conversation.themes.all()) == [theme]
    with pytest.raises(ValidationError):
        services.theme_merge(source=theme, target=theme)
    assert Theme.objects.filter(pk=theme.pk).exists()


def test_merging_into_a_theme_that_is_gone_changes_nothing(staff_client):
    theme = ThemeFactory(name="Homes")
    ConversationFactory(themes=[theme])

    response = staff_client.post(edit_url(theme), {"merge-target": "999999"})

    assert response.status_code == 400
    assert "Choose another theme from the list." in response.content.decode()
    assert theme.conversations.count() == 1


# Who reaches the pages ------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.VOLUNTEER, Role.MEMBER])
def test_only_staff_manage_themes(role):
    theme = ThemeFactory()
    client = client_for(make_user(role))

    for url in (reverse("listening:theme_list"), edit_url(theme)):
        assert client.get(url).status_code == 403
    assert client.post(edit_url(theme), {"rename-name": "Taken over"}).status_code == 403
    assert client.post(edit_url(theme), {"merge-target": ThemeFactory().pk}).status_code == 403
    assert Theme.objects.filter(pk=theme.pk, name=theme.name).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    theme = ThemeFactory()
    for url in (reverse("listening:theme_list"), edit_url(theme), counts_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_members_do_not_see_theme_counts(member_client):
    assert member_client.get(counts_url()).status_code == 403


def test_theme_list_shows_counts_and_links(staff_client):
    homes = ThemeFactory(name="Homes", slug="homes")
    ThemeFactory(name="Unused", slug="unused")
    ConversationFactory.create_batch(2, themes=[homes])

    response = staff_client.get(reverse("listening:theme_list"))

    content = response.content.decode()
    assert response.status_code == 200
    assert edit_url(homes) in content
    assert reverse("listening:conversation_list") + "?theme=homes" in content
    assert {t.name: t.conversation_count for t in response.context["page"]} == {
        "Homes": 2,
        "Unused": 0,
    }


# What each viewer counts ----------------------------------------------------------------


def test_volunteer_counts_only_their_own_conversations(volunteer_user, volunteer_client):
    housing, buses = ThemeFactory(name="Housing"), ThemeFactory(name="Buses")
    mine = ConversationFactory.create_batch(2, logged_by=volunteer_user, themes=[housing])
    ConversationFactory.create_batch(3, themes=[housing])
    ConversationFactory(themes=[buses])

    response = volunteer_client.get(counts_url())

    assert response.status_code == 200
    assert totals(response) == {"Housing": 2}
    assert "Buses" not in response.content.decode()
    total_url = response.context["month_rows"][0][2]
    assert listed(volunteer_client, total_url) == {c.pk for c in mine}


def test_organiser_counts_the_rounds_they_run_and_their_own(organiser_user, organiser_client):
    housing = ThemeFactory(name="Housing")
    theirs = ListeningRoundFactory(organisers=[organiser_user])
    other_round = ListeningRoundFactory()
    in_their_round = ConversationFactory.create_batch(2, round=theirs, themes=[housing])
    own = ConversationFactory(logged_by=organiser_user, themes=[housing])
    ConversationFactory.create_batch(4, round=other_round, themes=[housing])
    ConversationFactory(themes=[housing])

    response = organiser_client.get(counts_url())

    assert totals(response) == {"Housing": 3}
    total_url = response.context["month_rows"][0][2]
    assert listed(organiser_client, total_url) == {c.pk for c in [*in_their_round, own]}


def test_staff_count_everything(staff_client):
    housing, buses = ThemeFactory(name="Housing"), ThemeFactory(name="Buses")
    ConversationFactory.create_batch(3, themes=[housing, buses])
    ConversationFactory(themes=[buses])
    ConversationFactory()  # no theme: nothing to count

    response = staff_client.get(counts_url())

    assert totals(response) == {"Buses": 4, "Housing": 3}
    assert [theme.name for theme in response.context["counts"].themes] == ["Buses", "Housing"]


# Filters --------------------------------------------------------------------------------


@pytest.fixture
def heard(staff_user):
    """Conversations in two rounds, two places and three months."""
    housing, buses = ThemeFactory(name="Housing", slug="housing"), ThemeFactory(name="Buses")
    riverside, hilltop = LocalityFactory(name="Riverside"), LocalityFactory(name="Hilltop")
    spring = ListeningRoundFactory(name="Spring")
    winter = ListeningRoundFactory(name="Winter")
    make = ConversationFactory
    return {
        "housing": housing,
        "buses": buses,
        "riverside": riverside,
        "hilltop": hilltop,
        "spring": spring,
        "winter": winter,
        "jan_riverside": make.create_batch(
            2, held_on=JAN, locality=riverside, round=winter, themes=[housing]
        ),
        "jan_hilltop": [make(held_on=JAN, locality=hilltop, round=winter, themes=[housing, buses])],
        "feb_riverside": [make(held_on=FEB, locality=riverside, round=spring, themes=[housing])],
        "mar_hilltop": [make(held_on=MAR, locality=hilltop, round=spring, themes=[buses])],
        "mar_nowhere": [make(held_on=MAR, locality=None, round=spring, themes=[housing])],
    }


def test_counts_by_month_and_by_place(staff_client, heard):
    response = staff_client.get(counts_url())

    counts = response.context["counts"]
    housing, buses = heard["housing"], heard["buses"]
    assert counts.months == [JAN.replace(day=1), FEB.replace(day=1), MAR.replace(day=1)]
    assert counts.by_month[housing.pk] == [3, 1, 1]
    assert counts.by_month[buses.pk] == [1, 0, 1]
    assert counts.localities == [heard["hilltop"], heard["riverside"], None]
    assert counts.by_locality[housing.pk] == [1, 3, 1]
    assert counts.by_locality[buses.pk] == [2, 0, 0]
    content = response.content.decode()
    assert "<caption" in content and 'scope="row"' in content
    assert 'id="theme-chart-data"' in content and 'role="img"' in content
    assert "Not recorded" in content


def test_filter_by_round(staff_client, heard):
    response = staff_client.get(counts_url(round=heard["spring"].pk))

    assert totals(response) == {"Housing": 2, "Buses": 1}


def test_filter_by_locality(staff_client, heard):
    response = staff_client.get(counts_url(locality=heard["hilltop"].pk))

    assert totals(response) == {"Housing": 1, "Buses": 2}
    assert response.context["counts"].localities == [heard["hilltop"]]


def test_filter_by_dates(staff_client, heard):
    response = staff_client.get(counts_url(date_from="2024-01-15", date_to="2024-03-01"))

    assert totals(response) == {"Housing": 1}
    assert response.context["counts"].months == [FEB.replace(day=1)]


def test_reversed_dates_show_an_error_and_count_from_the_start_date(staff_client, heard):
    response = staff_client.get(counts_url(date_from="2024-02-01", date_to="2024-01-01"))

    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert totals(response) == {"Housing": 2, "Buses": 1}


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "not-a-date"},
        {"date_to": "2024-13-45"},
        {"round": "999999"},
        {"round": "abc"},
        {"locality": "-1"},
    ],
)
def test_filters_not_understood_are_reported_not_a_500(staff_client, heard, params):
    response = staff_client.get(counts_url(**params))

    assert response.status_code == 200
    assert "Some filters were not understood" in response.content.decode()
    assert totals(response) == {"Housing": 5, "Buses": 2}


def test_volunteer_cannot_filter_by_a_round_they_are_not_on(volunteer_user, volunteer_client):
    theirs = ListeningRoundFactory(volunteers=[volunteer_user])
    other = ListeningRoundFactory()
    housing = ThemeFactory(name="Housing")
    ConversationFactory(round=theirs, logged_by=volunteer_user, themes=[housing])
    ConversationFactory(round=other, themes=[housing])

    response = volunteer_client.get(counts_url(round=other.pk))

    assert response.status_code == 200
    assert "Some filters were not understood" in response.content.decode()
    assert totals(response) == {"Housing": 1}


def test_no_conversations_shows_an_empty_state(staff_client, heard):
    response = staff_client.get(counts_url())
    assert response.status_code == 200

    Conversation.objects.all().delete()
    response = staff_client.get(counts_url())

    content = response.content.decode()
    assert "No conversations with themes yet" in content
    assert "<table" not in content and "theme-chart" not in content
    response = staff_client.get(counts_url(locality=heard["hilltop"].pk))
    assert "No conversations with themes match these filters" in response.content.decode()


# Each count leads to the conversations behind it ----------------------------------------


def test_month_counts_link_to_their_conversations(staff_client, heard):
    response = staff_client.get(counts_url(round=heard["winter"].pk))

    theme, cells, total_url = response.context["month_rows"][0]
    assert theme == heard["housing"]
    month, n, url = cells[0]
    assert (month, n) == (JAN.replace(day=1), 3)
    assert html.escape(url) in response.content.decode()  # the page shows that very link
    expected = {c.pk for c in heard["jan_riverside"] + heard["jan_hilltop"]}
    assert listed(staff_client, url) == expected
    assert listed(staff_client, total_url) == expected


def test_month_links_keep_the_date_filter_inside_the_month(staff_client, heard):
    response = staff_client.get(counts_url(date_from="2024-01-01", date_to="2024-02-10"))

    rows = {theme.name: cells for theme, cells, _ in response.context["month_rows"]}
    assert [n for _, n, _ in rows["Housing"]] == [3]
    month, n, url = rows["Housing"][0]
    assert "held_from=2024-01-01" in url and "held_to=2024-01-31" in url
    assert len(listed(staff_client, url)) == 3


def test_total_links_keep_every_filter(staff_client, heard):
    response = staff_client.get(
        counts_url(locality=heard["riverside"].pk, date_from="2024-02-01", date_to="2024-12-31")
    )

    theme, _, total_url = response.context["month_rows"][0]
    assert (theme, theme.total) == (heard["housing"], 1)
    assert listed(staff_client, total_url) == {c.pk for c in heard["feb_riverside"]}


def test_locality_counts_link_to_their_conversations(staff_client, heard):
    response = staff_client.get(counts_url())

    rows = {theme.name: cells for theme, cells in response.context["place_rows"]}
    place, n, url = rows["Housing"][1]
    assert (place, n) == (heard["riverside"], 3)
    assert html.escape(url) in response.content.decode()
    expected = {c.pk for c in heard["jan_riverside"] + heard["feb_riverside"]}
    assert listed(staff_client, url) == expected
    place, n, url = rows["Housing"][2]
    assert (place, n) == (None, 1)
    unplaced = listed(staff_client, url)  # "not recorded" links to those with no locality
    assert len(unplaced) == 1
    assert Conversation.objects.get(pk=unplaced.pop()).locality is None


def test_volunteer_links_list_only_their_own_conversations(volunteer_user, volunteer_client):
    housing = ThemeFactory(name="Housing")
    riverside = LocalityFactory(name="Riverside")
    mine = ConversationFactory(
        logged_by=volunteer_user, held_on=JAN, locality=riverside, themes=[housing]
    )
    ConversationFactory.create_batch(2, held_on=JAN, locality=riverside, themes=[housing])

    response = volunteer_client.get(counts_url())

    (_, month_cells, total_url) = response.context["month_rows"][0]
    (_, place_cells) = response.context["place_rows"][0]
    for url in (month_cells[0][2], total_url, place_cells[0][2]):
        assert listed(volunteer_client, url) == {mine.pk}


# A fixed number of queries ----------------------------------------------------------------


def add_conversations(n, *, logged_by, themes, localities, rounds):
    """``n`` conversations over several months, places, rounds and themes, in a few queries."""
    person = PersonFactory()
    start = Conversation.objects.count()
    conversations = Conversation.objects.bulk_create(
        Conversation(
            person=person if i % 3 else None,
            locality=localities[i % len(localities)] if i % 7 else None,
            round=rounds[i % len(rounds)],
            held_on=JAN + datetime.timedelta(days=(start + i) * 3 % 400),
            method=Conversation.Method.DOOR_KNOCK,
            concerns="The buses",
            logged_by=logged_by,
        )
        for i in range(n)
    )
    if conversations[0].pk is None:  # backends that do not return the new ids
        conversations = list(Conversation.objects.order_by("-id")[:n])
    ThemeLink.objects.bulk_create(
        ThemeLink(conversation_id=conversation.pk, theme_id=theme.pk)
        for i, conversation in enumerate(conversations)
        for theme in themes[: 1 + i % len(themes)]
    )


def response_has_counts(client, url):
    return bool(client.get(url).context["counts"].themes)


def queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.STAFF, Role.ORGANISER, Role.VOLUNTEER])
def test_theme_counts_page_takes_the_same_queries_for_5_and_200_conversations(role):
    user = make_user(role)
    client = client_for(user)
    themes = [ThemeFactory() for _ in range(4)]
    localities = [LocalityFactory() for _ in range(3)]
    rounds = [ListeningRoundFactory(organisers=[user], volunteers=[user]) for _ in range(2)]
    add_conversations(5, logged_by=user, themes=themes, localities=localities, rounds=rounds)
    urls = [
        counts_url(),
        # The first five already hold a conversation of this round, place and dates.
        counts_url(round=rounds[0].pk, locality=localities[2].pk, date_from="2024-01-02"),
    ]
    client.get(urls[0])  # the first request of a client fills caches (session, content types)

    with_5 = [queries_of(client, url) for url in urls]
    assert all(response_has_counts(client, url) for url in urls)
    add_conversations(195, logged_by=user, themes=themes, localities=localities, rounds=rounds)
    with_200 = [queries_of(client, url) for url in urls]

    assert Conversation.objects.count() == 200
    assert with_5 == with_200


def test_theme_list_takes_the_same_queries_for_few_and_many_themes(staff_client):
    themes = [ThemeFactory() for _ in range(3)]
    for theme in themes:
        ConversationFactory(themes=[theme])
    url = reverse("listening:theme_list")
    staff_client.get(url)

    few = queries_of(staff_client, url)
    Theme.objects.bulk_create(Theme(name=f"Extra {i}", slug=f"extra-{i}") for i in range(60))
    many = queries_of(staff_client, url)

    assert few == many


# Counts kept for a minute -----------------------------------------------------------------


@pytest.fixture
def counts_kept(settings):
    settings.DASHBOARD_FIGURES_SECONDS = 60


def test_counts_are_kept_for_a_minute_and_the_page_says_when(staff_client, counts_kept):
    housing = ThemeFactory(name="Housing")
    ConversationFactory.create_batch(2, themes=[housing])
    first = staff_client.get(counts_url())
    ConversationFactory(themes=[housing])  # logged since: counted within the minute

    again = staff_client.get(counts_url())

    assert totals(first) == totals(again) == {"Housing": 2}
    content = again.content.decode()
    assert "Counted at" in content and "minute later at most" in content
    assert content.count("about Housing in all") == 1  # the tables, kept with the counts
    assert totals(staff_client.get(counts_url(date_from="2000-01-01"))) == {"Housing": 3}


def test_renaming_or_merging_a_theme_counts_afresh(
    staff_client, counts_kept, django_capture_on_commit_callbacks
):
    homes, housing = ThemeFactory(name="Homes", slug="homes"), ThemeFactory(name="Housing")
    ConversationFactory(themes=[homes])
    ConversationFactory(themes=[housing])
    assert totals(staff_client.get(counts_url())) == {"Homes": 1, "Housing": 1}

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(edit_url(homes), {"rename-name": "Homes and rents"})
    renamed = staff_client.get(counts_url())
    assert totals(renamed) == {"Homes and rents": 1, "Housing": 1}
    assert "theme=homes-and-rents" in renamed.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(edit_url(homes), {"merge-target": housing.pk})
    merged = staff_client.get(counts_url())
    assert totals(merged) == {"Housing": 2}
    assert "about Homes and rents" not in merged.content.decode()


def test_kept_counts_cost_the_page_no_aggregate(counts_kept, django_assert_num_queries):
    user = make_user(Role.STAFF)
    client = client_for(user)
    themes = [ThemeFactory() for _ in range(3)]
    localities = [LocalityFactory() for _ in range(2)]
    rounds = [ListeningRoundFactory()]
    add_conversations(3, logged_by=user, themes=themes, localities=localities, rounds=rounds)
    client.get(counts_url())  # counts them, and fills the client's caches

    # The session, the user, and the filters' rounds and localities.
    with django_assert_num_queries(4):
        kept = client.get(counts_url())
    assert sum(theme.total for theme in kept.context["counts"].themes) == 6
