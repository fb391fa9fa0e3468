"""Subject access as a zip: data.json for machines, index.html to read (standalone, escaped,
one section per provider), README.txt; staff download anyone's, a person their own; sensitive
notes only in the staff's; every download audited."""

import io
import json
import zipfile

import pytest
from django.conf import settings
from django.urls import reverse

from hubsite.people.export import person_zip, readable_page, render_value
from hubsite.people.registry import personal_data_providers
from hubsite.privacy.models import AuditEntry
from tests.listening.factories import ConversationFactory
from tests.people.factories import ConsentFactory, PersonFactory

pytestmark = pytest.mark.django_db

NOTES = "Bereaved last month."


def unzip(content):
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {name: archive.read(name).decode() for name in archive.namelist()}


def test_staff_download_a_persons_zip(staff_client, staff_user):
    person = PersonFactory(first_name="Nadia", email="nadia@example.test")
    response = staff_client.get(reverse("people:person_export", args=[person.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="person-{person.pk}.zip"'
    files = unzip(response.content)
    assert set(files) == {"data.json", "index.html", "README.txt"}
    data = json.loads(files["data.json"])
    assert data["hub"] == settings.HUB_NAME
    assert data["exported_at"]
    assert data["person_id"] == person.pk
    assert set(data["holdings"]) == set(personal_data_providers())
    assert data["holdings"]["people"]["data"]["person"]["email"] == "nadia@example.test"
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.subject_id) == ("exported", staff_user, person.pk)


@pytest.mark.parametrize("client_name", ["member_client", "organiser_client", "client"])
def test_only_staff_download_someone_elses_zip(request, client_name):
    person = PersonFactory()
    response = request.getfixturevalue(client_name).get(
        reverse("people:person_export", args=[person.pk])
    )
    assert response.status_code in (302, 403)
    assert not AuditEntry.objects.exists()


def test_sensitive_notes_are_in_the_staff_zip_only(staff_client, member_client, member_user):
    ConversationFactory(person=member_user.person, sensitive_notes=NOTES)
    staff_files = unzip(
        staff_client.get(reverse("people:person_export", args=[member_user.person.pk])).content
    )
    assert NOTES in staff_files["data.json"] and NOTES in staff_files["index.html"]
    own_files = unzip(member_client.post(reverse("privacy:mine_download")).content)
    assert "The bus to the hospital stopped running." in own_files["data.json"]
    for text in own_files.values():
        assert NOTES not in text
        assert "sensitive_notes" not in text and "Sensitive notes" not in text


def test_the_readable_page_has_a_section_per_provider_and_needs_nothing_else():
    person = PersonFactory(first_name="Nadia")
    ConsentFactory(person=person, purpose="contact_email", given=True)
    page = unzip(person_zip(person))["index.html"]
    assert page.startswith("<!doctype html>") and page.count("<h1>") == 1
    for name, provider in personal_data_providers().items():
        assert f'<section id="{name}"' in page
        assert f">{provider.label}</h2>" in page.replace("&#x27;", "'")
    assert "Nadia" in page
    assert "<table>" in page and "Contact by email" in page
    # Standalone: no script, no outside address to fetch.
    assert "<script" not in page and "src=" not in page and "http" not in page
    readme = unzip(person_zip(person))["README.txt"]
    assert "index.html" in readme and "data.json" in readme


def test_what_people_typed_is_escaped_on_the_readable_page():
    person = PersonFactory(first_name="<script>alert(1)</script>", last_name="O'Brien & Co")
    page = unzip(person_zip(person))["index.html"]
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "O&#x27;Brien &amp; Co" in page


def test_any_json_renders_readably():
    html = str(
        render_value(
            {
                "record": {"a_date": "2025-01-01", "yes": True, "no": False, "empty": None},
                "rows": [{"x": 1}, {"x": 2, "y": "two\nlines"}],
                "plain": ["one", ["nested"], {"deep": [{"k": "v"}]}],
                "nothing": [],
            }
        )
    )
    assert "<dt>A date</dt><dd>2025-01-01</dd>" in html
    assert "<dd>Yes</dd>" in html and "<dd>No</dd>" in html
    assert '<th scope="col">Y</th>' in html and "two<br>lines" in html
    assert "<li>one</li>" in html and "None." in html
    page = readable_page(
        {"hub": "Hub <b>", "holdings": {"x": {"label": "X & Y", "data": {}}}}, "today"
    )
    assert "Hub &lt;b&gt;" in page and "X &amp; Y" in page and "Nothing held." in page


def test_a_download_for_no_one_is_not_audited_but_one_for_a_viewer_is(member_user):
    person_zip(member_user.person)
    assert not AuditEntry.objects.exists()
    person_zip(member_user.person, member_user)
    assert AuditEntry.objects.get().action == AuditEntry.Action.DOWNLOADED_OWN


def test_the_zip_holds_the_emails_without_links_that_act_for_the_person(
    client, staff_client, member_user
):
    """A password reset's link in a staff export would let staff into the person's account;
    the copy keeps the words and drops every link."""
    client.post(reverse("account_reset_password"), {"email": member_user.email})
    response = staff_client.get(reverse("people:person_export", args=[member_user.person.pk]))
    files = unzip(response.content)
    emails = json.loads(files["data.json"])["holdings"]["notify"]["data"]
    assert emails, "the reset email is part of what the hub holds"
    assert all("/accounts/password/reset/key/" not in email["body"] for email in emails)
    assert any("[link removed]" in email["body"] for email in emails)
    assert "/accounts/password/reset/key/" not in files["index.html"]
