"""A person's own data page: one place for every consent (dated, only what changed, with its
history), the download of everything held about them, and their requests to the hub; only ever
their own, and only when signed in."""

import io
import zipfile

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hubsite.people.models import Consent, Person, Role, User
from hubsite.privacy.mine import OPEN_REQUESTS_PER_KIND
from hubsite.privacy.models import AuditEntry, DataRequest
from tests.conftest import make_user
from tests.people.factories import ConsentFactory

pytestmark = pytest.mark.django_db

MINE = reverse("privacy:mine")
ASK = reverse("privacy:mine_ask")
DOWNLOAD = reverse("privacy:mine_download")
ALL_PAGES = [MINE, ASK, DOWNLOAD]
PURPOSES = Consent.Purpose.values


# Who may use the page -------------------------------------------------------------------


@pytest.mark.parametrize("url", ALL_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", [Role.STAFF, Role.ORGANISER, Role.VOLUNTEER, Role.MEMBER])
def test_everyone_signed_in_sees_their_own_data(role, settings):
    settings.STAFF_MFA_REQUIRED = False
    client = Client()
    client.force_login(make_user(role))
    response = client.get(MINE)
    assert response.status_code == 200
    assert response.context["person"].user.role == role


@pytest.mark.parametrize("url", ALL_PAGES)
def test_an_account_without_a_person_gets_a_clear_page(url):
    user = User.objects.create_user(email="first-admin@example.test", password="x")
    client = Client()
    client.force_login(user)
    for method in (client.get, client.post):
        response = method(url, {"kind": "erasure", "contact_email": "on"})
        assert response.status_code == 200
        assert b"the hub holds no profile for this account" in response.content
    assert not Consent.objects.exists() and not DataRequest.objects.exists()
    assert not AuditEntry.objects.exists()


# Consents ---------------------------------------------------------------------------------


def test_every_purpose_is_a_choice_with_what_it_means_and_since_when(member_client, member_user):
    ConsentFactory(person=member_user.person, purpose="contact_email", given=True, method="paper")
    response = member_client.get(MINE)
    form = response.context["form"]
    assert set(form.fields) == set(PURPOSES)
    assert form["contact_email"].value() is True
    assert form["contact_sms"].value() is False
    assert "Yes since" in form.fields["contact_email"].help_text
    assert "paper form" in form.fields["contact_email"].help_text
    assert "not told us yet" in form.fields["keep_record"].help_text
    content = response.content.decode()
    assert "Keep a record of what I shared in listening conversations" in content
    assert "Show my name publicly" in content
    assert "Even with Email unticked, we still email you about the membership you hold" in content


def test_saving_records_only_what_changed_online_by_the_person(member_client, member_user):
    person = member_user.person
    ConsentFactory(person=person, purpose="contact_email", given=True, method="verbal")
    response = member_client.post(MINE, {"contact_email": "on", "keep_record": "on"})
    assert response.status_code == 302 and response["Location"] == MINE
    new = Consent.objects.exclude(method="verbal").get()
    assert (new.purpose, new.given, new.method, new.recorded_by) == (
        "keep_record",
        True,
        "online",
        member_user,
    )
    member_client.post(MINE, {})  # untick all
    withdrawn = Consent.objects.filter(person=person, method="online", given=False)
    assert set(withdrawn.values_list("purpose", flat=True)) == {"contact_email", "keep_record"}
    assert Consent.objects.count() == 4  # never given elsewhere: nothing written
    response = member_client.post(MINE, {}, follow=True)  # again, without a change
    assert Consent.objects.count() == 4
    assert "Nothing had changed." in response.content.decode()
    form = member_client.get(MINE).context["form"]
    assert not any(form[purpose].value() for purpose in form.fields)


def test_a_change_of_consent_is_audited(member_client, member_user):
    member_client.post(MINE, {"show_name": "on"}, follow=True)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CONSENT_CHANGED)
    assert (entry.actor, entry.subject_id) == (member_user, member_user.person.pk)
    assert entry.detail == "show_name given (online)"


def test_unknown_fields_are_ignored_and_the_page_never_fails(member_client):
    response = member_client.post(MINE, {"contact_email": "x" * 5000, "evil": "<script>"})
    assert response.status_code == 302
    assert Consent.objects.get().purpose == "contact_email"


def test_the_history_says_when_what_and_who(member_client, member_user, staff_user):
    person = member_user.person
    ConsentFactory(person=person, purpose="contact_post", given=True, recorded_by=staff_user)
    member_client.post(MINE, {"contact_post": "on", "contact_sms": "on"})
    response = member_client.get(MINE)
    rows = [(c.purpose, who) for c, who in response.context["history"]]
    assert rows == [("contact_sms", "You"), ("contact_post", "Hub staff")]
    member_client.post(MINE, {})
    content = member_client.get(MINE).content.decode()
    assert "Withdrawn" in content and "Given" in content and "Hub staff" in content


def test_only_ones_own_consents_are_shown_or_changed(member_client, member_user):
    other = make_user(Role.MEMBER, email="other@example.test", first_name="Other")
    ConsentFactory(person=other.person, purpose="contact_email", given=True, note="theirs")
    member_client.post(MINE, {})
    assert Consent.objects.filter(person=other.person).count() == 1
    assert member_client.get(MINE).context["history"] == []


def test_the_page_costs_the_same_queries_with_a_long_history(member_client, member_user):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert member_client.get(MINE).status_code == 200
        return len(captured)

    def add(consents, requests):
        for n in range(consents):
            ConsentFactory(person=member_user.person, purpose=PURPOSES[n % 6], given=n % 2 == 0)
        for _ in range(requests):
            DataRequest.objects.create(
                kind="access", person=member_user.person, due_on="2030-01-01", status="done"
            )

    add(1, 1)
    few = queries()
    add(40, 30)
    assert queries() == few


def test_the_history_paginates(member_client, member_user, settings):
    settings.PAGE_SIZE = 5
    for n in range(12):
        ConsentFactory(person=member_user.person, purpose="contact_email", given=n % 2 == 0)
    response = member_client.get(MINE, {"page": 3})
    assert len(response.context["history"]) == 2
    assert "Page 3 of 3" in response.content.decode()


# Download ---------------------------------------------------------------------------------


def test_the_person_downloads_their_own_data_as_a_zip(member_client, member_user):
    other = make_user(Role.MEMBER, email="other@example.test", first_name="Otto")
    response = member_client.post(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="my-data.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {"data.json", "index.html", "README.txt"}
    data = archive.read("data.json").decode()
    assert "member@example.test" in data
    assert other.email not in data and "Otto" not in data
    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.DOWNLOADED_OWN
    assert (entry.actor, entry.subject_id) == (member_user, member_user.person.pk)


def test_a_get_of_the_download_only_leads_to_the_page(member_client):
    response = member_client.get(DOWNLOAD)
    assert response.status_code == 302 and response["Location"] == MINE
    assert not AuditEntry.objects.exists()


# Requests to the hub ------------------------------------------------------------------------


def test_asking_logs_a_request_received_online_today(member_client, member_user):
    response = member_client.post(ASK, {"kind": "erasure", "details": "Please forget me."})
    assert response.status_code == 302
    data_request = DataRequest.objects.get()
    assert data_request.person == member_user.person
    assert data_request.channel == DataRequest.Channel.ONLINE
    assert data_request.logged_by == member_user
    assert (data_request.kind, data_request.status) == ("erasure", "open")
    page = member_client.get(MINE)
    assert list(page.context["requests"].object_list) == [data_request]
    content = page.content.decode()
    assert "Erasure (be forgotten)" in content
    assert data_request.due_on.strftime("%-d %b %Y") in content


def test_a_request_sent_twice_is_logged_once(member_client):
    for _ in range(2):
        response = member_client.post(ASK, {"kind": "access"}, follow=True)
    assert DataRequest.objects.count() == 1
    assert "You had already sent this request" in response.content.decode()


def test_more_than_three_open_requests_of_a_kind_are_refused(member_client, member_user):
    for n in range(OPEN_REQUESTS_PER_KIND):
        member_client.post(ASK, {"kind": "objection", "details": f"Objection {n}"})
    response = member_client.post(ASK, {"kind": "objection", "details": "One more"})
    assert response.status_code == 400
    assert "already have 3 requests of this kind" in response.content.decode()
    assert DataRequest.objects.count() == OPEN_REQUESTS_PER_KIND
    # Another kind is still welcome, and a closed one no longer counts.
    assert member_client.post(ASK, {"kind": "access"}).status_code == 302
    DataRequest.objects.filter(details="Objection 0").update(status="done")
    assert member_client.post(ASK, {"kind": "objection", "details": "Now"}).status_code == 302


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "nonsense"},
        {"kind": "correction"},  # what to correct is needed
        {"kind": "access", "details": "x" * 2001},
        {"kind": ["access", "erasure"], "details": "\x00"},
    ],
)
def test_bad_requests_are_refused_on_the_form_and_nothing_is_saved(member_client, data):
    response = member_client.post(ASK, data)
    assert response.status_code == 400
    assert response.context["ask_form"].errors
    assert not DataRequest.objects.exists()


def test_a_get_of_the_ask_address_leads_to_the_page(member_client):
    assert member_client.get(ASK)["Location"] == MINE
    assert not DataRequest.objects.exists()


def test_only_ones_own_requests_are_listed(member_client):
    other = make_user(Role.MEMBER, email="other@example.test")
    DataRequest.objects.create(kind="access", person=other.person, due_on="2030-01-01")
    assert list(member_client.get(MINE).context["requests"].object_list) == []


# The organise preferences page leads here --------------------------------------------------


def test_the_contact_preferences_page_leads_to_the_one_place_for_consents(member_client):
    for method in (member_client.get, member_client.post):
        response = method(reverse("organise:my_preferences"), {"contact_email": "on"})
        assert response.status_code == 302 and response["Location"] == MINE
    assert not Consent.objects.exists()


def test_the_account_pages_link_to_the_data_page(member_client):
    assert MINE in member_client.get(reverse("account_email")).content.decode()


def test_the_data_page_is_not_a_person_record_someone_else_can_open(member_client):
    other = make_user(Role.MEMBER, email="other@example.test", first_name="Other")
    response = member_client.get(MINE, {"person": other.person.pk})
    assert response.context["person"] != other.person
    assert Person.objects.count() == 2


def test_every_page_leads_a_signed_in_person_to_their_data_and_staff_to_data_protection(
    member_client, staff_client
):
    from django.urls import reverse as url

    member_page = member_client.get(url("home")).content.decode()
    assert f'href="{url("privacy:mine")}"' in member_page
    assert f'href="{url("privacy:home")}"' not in member_page
    staff_page = staff_client.get(url("home")).content.decode()
    assert f'href="{url("privacy:home")}"' in staff_page
