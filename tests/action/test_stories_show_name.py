"""A story's public credit follows its teller's latest word on "Show my name publicly": once
they say no (on their data page, at the desk, anywhere the hub records it), their stories
are credited "Anonymous" on every public page, whatever credit the story itself chose; said
yes again, the name is back. Staff moderating still see who told it. The answer is read in
the query that loads the stories, so the pages keep their number of queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from action.models import Story
from hubsite.people.models import Consent, Role
from tests.action.factories import CampaignFactory, StoryFactory
from tests.conftest import make_user
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

NAMED = [Story.Credit.FULL_NAME, Story.Credit.FIRST_NAME]


def show_name(person, given, minutes_ago=0):
    Consent.objects.create(
        person=person,
        purpose=Consent.Purpose.SHOW_NAME,
        given=given,
        method=Consent.Method.ONLINE,
        recorded_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def told_by_amina(credit=Story.Credit.FULL_NAME):
    teller = PersonFactory(first_name="Amina", last_name="Yusuf")
    return StoryFactory(
        person=teller,
        campaign=CampaignFactory(),
        credit=credit,
        status=Story.Status.APPROVED,
        published_at=timezone.now(),
    )


def public_pages(client, story):
    return {
        "list": client.get(reverse("action:story_list")).content.decode(),
        "detail": client.get(story.get_absolute_url()).content.decode(),
        "campaign": client.get(story.campaign.get_absolute_url()).content.decode(),
    }


@pytest.mark.parametrize("credit", NAMED)
def test_a_teller_who_said_no_to_showing_their_name_is_not_named(client, credit):
    story = told_by_amina(credit)
    show_name(story.person, True, minutes_ago=60)
    show_name(story.person, False)  # their latest word

    for where, page in public_pages(client, story).items():
        assert story.title in page, where
        assert "Amina" not in page and "Yusuf" not in page, where
        assert "Anonymous" in page, where


@pytest.mark.parametrize("credit", NAMED)
def test_said_yes_again_the_name_is_back(client, credit):
    story = told_by_amina(credit)
    show_name(story.person, False, minutes_ago=60)
    show_name(story.person, True)

    for where, page in public_pages(client, story).items():
        assert "Amina" in page, where
        assert "Anonymous" not in page, where


def test_a_teller_never_asked_is_credited_as_their_story_chose(client):
    story = told_by_amina(Story.Credit.FULL_NAME)

    for where, page in public_pages(client, story).items():
        assert "Amina Yusuf" in page, where


def test_an_anonymous_story_stays_anonymous_whatever_the_teller_said(client):
    story = told_by_amina(Story.Credit.ANONYMOUS)
    show_name(story.person, True)

    for where, page in public_pages(client, story).items():
        assert "Amina" not in page, where


def test_staff_moderating_still_see_who_told_it_and_how_it_is_credited(staff_client):
    story = told_by_amina(Story.Credit.FULL_NAME)
    show_name(story.person, False)

    page = staff_client.get(reverse("action:story_review", args=[story.pk])).content.decode()

    assert "Amina Yusuf" in page  # told by
    assert "Credited as: <strong>Anonymous</strong>" in page


def test_a_signed_in_teller_sees_their_story_credited_as_others_do(client):
    user = make_user(Role.MEMBER, email="teller@example.test", first_name="Amina")
    story = StoryFactory(
        person=user.person,
        campaign=CampaignFactory(),
        credit=Story.Credit.FIRST_NAME,
        status=Story.Status.APPROVED,
        published_at=timezone.now(),
    )
    show_name(user.person, False)
    client.force_login(user)

    page = client.get(story.get_absolute_url()).content.decode()

    assert '<p class="story-credit">Anonymous</p>' in page


def consent_read_apart(queries):
    """Queries that read consents on their own (a subquery has an alias, ``U0``)."""
    return [q["sql"] for q in queries if re.search(r'FROM "people_consent"(?! "?U\d)', q["sql"])]


def test_the_answer_is_read_in_the_query_that_loads_the_stories(client):
    stories = [told_by_amina(credit) for credit in NAMED]
    show_name(stories[0].person, False)
    for other in range(5):
        story = StoryFactory(
            person=PersonFactory(first_name=f"Teller{other}"),
            campaign=stories[0].campaign,
            credit=Story.Credit.FIRST_NAME,
            status=Story.Status.APPROVED,
            published_at=timezone.now(),
        )
        show_name(story.person, other % 2 == 0)

    for url in (
        reverse("action:story_list"),
        stories[0].get_absolute_url(),
        stories[0].campaign.get_absolute_url(),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert not consent_read_apart(queries), url


def test_the_public_list_keeps_its_two_queries_with_answers_recorded(
    client, django_assert_num_queries
):
    for n in range(4):
        story = (
            told_by_amina()
            if n == 0
            else StoryFactory(status=Story.Status.APPROVED, published_at=timezone.now())
        )
        show_name(story.person, n % 2 == 0)
    with django_assert_num_queries(2):  # the count, and the page with teller and campaign
        client.get(reverse("action:story_list"))
