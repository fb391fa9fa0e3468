"""How people find the reflection pages: the framework overview and the dashboard link to
them, each only for the roles that may open them."""

import pytest
from django.test import Client
from django.urls import reverse

from hubsite.people.models import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ASSESSMENTS = reverse("framework:assessment_list")
MY_PROMPTS = reverse("framework:prompt_mine")
PROMPTS = reverse("framework:prompt_list")
LEARNING = reverse("framework:learning_list")

# What each role is shown, and what it is not.
LINKS = {
    Role.STAFF: ({ASSESSMENTS, MY_PROMPTS, PROMPTS, LEARNING}, set()),
    Role.ORGANISER: ({ASSESSMENTS, MY_PROMPTS, LEARNING}, {PROMPTS}),
    Role.VOLUNTEER: ({MY_PROMPTS, LEARNING}, {ASSESSMENTS, PROMPTS}),
    Role.MEMBER: ({MY_PROMPTS, LEARNING}, {ASSESSMENTS, PROMPTS}),
}


@pytest.mark.parametrize("page", [reverse("framework:overview"), reverse("home")])
@pytest.mark.parametrize("role", list(LINKS))
def test_reflection_links_are_shown_to_those_who_may_open_them(page, role):
    client = Client()
    client.force_login(make_user(role))
    shown, hidden = LINKS[role]

    response = client.get(page)

    assert response.status_code == 200
    html = response.content.decode()
    for url in shown:
        assert f'href="{url}"' in html, url
        assert client.get(url).status_code == 200, url
    for url in hidden:
        assert f'href="{url}"' not in html, url
