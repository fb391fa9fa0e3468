"""The data-protection requests log for staff: the open requests first with the days left
before their deadline (or how long overdue), logging one (once however often the form is
sent), extending a deadline with its reason, closing with an outcome, and the links to answer
it; the data-protection home's figures. Only staff see any of it; bad input changes nothing."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hubsite.people.models import Role
from hubsite.privacy import services
from hubsite.privacy.models import AuditEntry, DataRequest, RetentionRun
from tests.conftest import make_user
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
LIST = reverse("privacy:request_list")
NEW = reverse("privacy:request_create")


def log_request(*, kind=DataRequest.Kind.ACCESS, person=None, received_on=None, details=""):
    return services.data_request_create(
        kind=kind,
        person=person,
        received_on=received_on or timezone.localdate(),
        channel=DataRequest.Channel.EMAIL,
        details=details,
    )


def form(**changes):
    data = {
        "kind": "access",
        "channel": "email",
        "received_on": timezone.localdate().isoformat(),
        "person": "",
        "details": "Wants a copy of their conversations.",
    }
    data.update(changes)
    return data


# Who may see it ---------------------------------------------------------------------------


def screens():
    data_request = log_request()
    pk = data_request.pk
    return [
        reverse("privacy:home"),
        LIST,
        NEW,
        reverse("privacy:request_detail", args=[pk]),
        reverse("privacy:request_extend", args=[pk]),
        reverse("privacy:request_close", args=[pk]),
    ]


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VOLUNTEER, Role.ORGANISER])
def test_only_staff_reach_the_requests_screens(role):
    client = Client()
    client.force_login(make_user(role))
    for url in screens():
        assert client.get(url).status_code == 403, url
        assert client.post(url, form(outcome="x", status="done")).status_code == 403, url
    assert DataRequest.objects.count() == 1
    assert DataRequest.objects.get().is_open


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in screens():
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/"), url


def test_staff_reach_every_requests_screen(staff_client):
    urls = screens()
    for url in urls[:4]:
        assert staff_client.get(url).status_code == 200, url
    for url in urls[4:]:  # the forms' own addresses lead back to the request's page
        assert staff_client.get(url)["Location"] == urls[3]


# The home page ----------------------------------------------------------------------------


def test_the_home_page_counts_open_and_overdue_requests_and_todays_audit(staff_client):
    today = timezone.localdate()
    log_request(received_on=today - 40 * DAY)  # overdue
    log_request(received_on=today)
    closed = log_request(received_on=today - 50 * DAY)
    services.data_request_close(request=closed, closed_by=None, status="withdrawn")

    response = staff_client.get(reverse("privacy:home"))

    assert response.context["open_requests"] == 2
    assert response.context["overdue_requests"] == 1
    assert response.context["audit_today"] == AuditEntry.objects.count() == 4
    assert response.context["last_run"] is None
    assert reverse("privacy:audit_list") in response.content.decode()

    run = services.retention_run()
    assert staff_client.get(reverse("privacy:home")).context["last_run"] == run
    assert RetentionRun.objects.count() == 1


# The list ---------------------------------------------------------------------------------


def test_the_list_shows_open_requests_first_with_their_deadline(staff_client):
    today = timezone.localdate()
    resident = PersonFactory(first_name="Amina", last_name="Yusuf")
    overdue = log_request(person=resident, received_on=today - 35 * DAY)
    soon = log_request(kind=DataRequest.Kind.ERASURE, received_on=today - 25 * DAY)
    erased = log_request(person=PersonFactory(), received_on=today - 3 * DAY)
    erased.person.delete()
    done = log_request(received_on=today - 60 * DAY)
    services.data_request_close(request=done, closed_by=None, status="done", outcome="Sent.")

    response = staff_client.get(LIST)

    rows = list(response.context["page"].object_list)
    assert [r.pk for r in rows] == [overdue.pk, soon.pk, erased.pk, done.pk]
    page = response.content.decode()
    days = (today - overdue.due_on).days
    assert f"Overdue by {days} day" in page
    assert 'class="is-overdue"' in page
    assert f"{(soon.due_on - today).days} days left" in page
    assert reverse("people:person_detail", args=[resident.pk]) in page
    assert "Amina Yusuf" in page
    assert "Erased" in page


def test_the_list_filters_by_status_and_kind(staff_client):
    log_request(kind=DataRequest.Kind.ACCESS)
    erasure = log_request(kind=DataRequest.Kind.ERASURE, details="other")
    closed = log_request(kind=DataRequest.Kind.ERASURE, details="third")
    services.data_request_close(request=closed, closed_by=None, status="withdrawn")

    response = staff_client.get(LIST, {"kind": "erasure", "status": "open"})

    assert [r.pk for r in response.context["page"].object_list] == [erasure.pk]


def test_filters_not_understood_are_left_out_without_an_error(staff_client):
    log_request()
    response = staff_client.get(LIST, {"kind": "nonsense", "status": "x" * 5000, "page": "9" * 30})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1
    assert "not understood" in response.content.decode()


def test_the_list_costs_the_same_queries_for_5_and_60_requests(staff_client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(LIST).status_code == 200
        return len(captured)

    for n in range(5):
        log_request(person=PersonFactory(), details=f"request {n}")
    few = queries()
    for n in range(55):
        log_request(person=PersonFactory(), details=f"more {n}")
    assert queries() == few


# Logging a request --------------------------------------------------------------------------


def test_staff_log_a_request_for_a_person_with_its_deadline(staff_client, staff_user):
    resident = PersonFactory()
    received = timezone.localdate() - 3 * DAY

    response = staff_client.post(
        NEW, form(person=resident.pk, received_on=received.isoformat(), kind="erasure")
    )

    data_request = DataRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:request_detail", args=[data_request.pk])
    assert data_request.person == resident
    assert data_request.subject_id == resident.pk
    assert data_request.kind == "erasure"
    assert data_request.logged_by == staff_user
    assert data_request.due_on == services.due_date(received, extended=False)
    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.REQUEST_LOGGED
    assert entry.subject_id == resident.pk
    assert entry.actor == staff_user


def test_a_request_can_be_logged_before_the_person_is_known(staff_client):
    assert staff_client.post(NEW, form()).status_code == 302
    assert DataRequest.objects.get().person is None


def test_the_form_sent_twice_logs_one_request(staff_client):
    first = staff_client.post(NEW, form())
    second = staff_client.post(NEW, form())
    assert DataRequest.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert AuditEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"received_on": (datetime.date.today() + 5 * DAY).isoformat()}, "received_on"),
        ({"received_on": "2001-01-01"}, "received_on"),
        ({"received_on": "99999-01-01"}, "received_on"),
        ({"received_on": ""}, "received_on"),
        ({"person": "9" * 30}, "person"),
        ({"person": "123456789"}, "person"),
        ({"person": "abc"}, "person"),
        ({"kind": "everything"}, "kind"),
        ({"channel": "pigeon"}, "channel"),
        ({"details": "x" * 10_001}, "details"),
        ({"details": "null\x00byte"}, "details"),
    ],
)
def test_bad_input_is_refused_on_the_form_and_nothing_is_saved(staff_client, changes, field):
    response = staff_client.post(NEW, form(**changes))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not DataRequest.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_service_refuses_a_future_or_too_old_date():
    from django.core.exceptions import ValidationError

    for day in (timezone.localdate() + DAY, timezone.localdate() - 400 * DAY):
        with pytest.raises(ValidationError):
            log_request(received_on=day)
    assert not DataRequest.objects.exists()


def test_the_person_is_found_by_name_and_can_come_chosen(staff_client):
    resident = PersonFactory(first_name="Zubair", last_name="Hussain")
    PersonFactory(first_name="Someone", last_name="Else")

    found = staff_client.get(NEW, {"q": "zub"})
    assert list(found.context["people"]) == [resident]
    partial = staff_client.get(NEW, {"q": "zub"}, headers={"HX-Request": "true"})
    assert "Zubair Hussain" in partial.content.decode()
    assert "<h1>" not in partial.content.decode()

    chosen = staff_client.get(NEW, {"person": resident.pk})
    assert chosen.context["chosen"] == resident
    assert staff_client.get(NEW, {"person": "9" * 30}).context["chosen"] is None


# A request's page ----------------------------------------------------------------------------


def test_an_access_request_links_to_the_persons_export(staff_client):
    resident = PersonFactory()
    data_request = log_request(person=resident)
    page = staff_client.get(reverse("privacy:request_detail", args=[data_request.pk]))
    assert reverse("people:person_export", args=[resident.pk]) in page.content.decode()


def test_an_erasure_request_links_to_erasing_the_person(staff_client):
    resident = PersonFactory()
    data_request = log_request(person=resident, kind=DataRequest.Kind.ERASURE)
    page = staff_client.get(reverse("privacy:request_detail", args=[data_request.pk]))
    try:
        link = reverse("privacy:person_erase", args=[resident.pk])
    except Exception:  # noqa: BLE001 - before the erasure screen exists, the person's page
        link = reverse("people:person_detail", args=[resident.pk])
    assert f'href="{link}"' in page.content.decode()


def test_an_erased_persons_request_shows_no_one(staff_client):
    resident = PersonFactory(first_name="Gone")
    data_request = log_request(person=resident, details="Gone's own words")
    services.data_requests_forget_person(resident)
    resident.delete()
    page = staff_client.get(reverse("privacy:request_detail", args=[data_request.pk]))
    assert "Erased" in page.content.decode()
    assert "Gone" not in page.content.decode()


def test_an_unknown_request_is_not_found(staff_client):
    assert staff_client.get(reverse("privacy:request_detail", args=[99999])).status_code == 404


# Extending and closing ----------------------------------------------------------------------


def test_extending_adds_two_months_and_keeps_the_reason(staff_client, staff_user):
    data_request = log_request(received_on=timezone.localdate() - 10 * DAY)
    url = reverse("privacy:request_extend", args=[data_request.pk])

    response = staff_client.post(url, {"extend-reason": "Twelve years of records to gather."})

    data_request.refresh_from_db()
    assert response.status_code == 302
    assert data_request.extended
    assert data_request.due_on == services.due_date(data_request.received_on, extended=True)
    assert "Twelve years of records to gather." in data_request.details
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.REQUEST_UPDATED).get()
    assert entry.actor == staff_user
    assert "extended" in entry.detail

    again = staff_client.post(url, {"extend-reason": "Once more"})
    assert again.status_code == 400
    assert "already extended" in again.content.decode()
    data_request.refresh_from_db()
    assert "Once more" not in data_request.details


def test_a_deadline_is_no_longer_extended_once_the_first_month_has_passed(staff_client):
    data_request = log_request(received_on=timezone.localdate() - 40 * DAY)
    response = staff_client.post(
        reverse("privacy:request_extend", args=[data_request.pk]),
        {"extend-reason": "Late, and now wanting more time"},
    )
    assert response.status_code == 400
    assert "can no longer be extended" in response.content.decode()
    data_request.refresh_from_db()
    assert not data_request.extended
    assert data_request.due_on < timezone.localdate()


def test_a_search_with_a_nul_character_finds_no_one_rather_than_failing(staff_client):
    response = staff_client.get(reverse("privacy:request_create"), {"q": "ab\x00cd"})
    assert response.status_code == 200


def test_searching_keeps_the_person_chosen_from_their_page(staff_client):
    from tests.people.factories import PersonFactory

    chosen = PersonFactory(first_name="Oona", last_name="Lark")
    PersonFactory(first_name="Otto", last_name="Lamb")
    response = staff_client.get(
        reverse("privacy:request_create"), {"person": chosen.pk, "q": "Otto"}
    )
    page = response.content.decode()
    assert f'name="person" value="{chosen.pk}" checked' in page
    assert "Otto Lamb" in page


def test_extending_needs_a_reason(staff_client):
    data_request = log_request()
    response = staff_client.post(
        reverse("privacy:request_extend", args=[data_request.pk]), {"extend-reason": "  "}
    )
    assert response.status_code == 400
    assert response.context["extend_form"].errors["reason"]
    data_request.refresh_from_db()
    assert not data_request.extended


def test_closing_as_done_needs_an_outcome(staff_client):
    data_request = log_request()
    url = reverse("privacy:request_close", args=[data_request.pk])

    response = staff_client.post(url, {"close-status": "done", "close-outcome": ""})

    assert response.status_code == 400
    assert response.context["close_form"].errors["outcome"]
    data_request.refresh_from_db()
    assert data_request.is_open
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REQUEST_UPDATED).exists()


def test_closing_records_the_outcome_and_who_closed_it(staff_client, staff_user):
    data_request = log_request()
    url = reverse("privacy:request_close", args=[data_request.pk])

    response = staff_client.post(
        url, {"close-status": "refused", "close-outcome": "Manifestly unfounded."}
    )

    data_request.refresh_from_db()
    assert response.status_code == 302
    assert data_request.status == "refused"
    assert data_request.outcome == "Manifestly unfounded."
    assert data_request.closed_by == staff_user
    assert data_request.closed_on == timezone.localdate()


def test_a_withdrawn_request_needs_no_outcome(staff_client):
    data_request = log_request()
    staff_client.post(
        reverse("privacy:request_close", args=[data_request.pk]), {"close-status": "withdrawn"}
    )
    data_request.refresh_from_db()
    assert data_request.status == "withdrawn"


@pytest.mark.parametrize("status", ["open", "reopened", ""])
def test_closing_needs_done_refused_or_withdrawn(staff_client, status):
    data_request = log_request()
    response = staff_client.post(
        reverse("privacy:request_close", args=[data_request.pk]),
        {"close-status": status, "close-outcome": "x"},
    )
    assert response.status_code == 400
    data_request.refresh_from_db()
    assert data_request.is_open


def test_a_closed_request_cannot_be_changed(staff_client):
    data_request = log_request()
    services.data_request_close(request=data_request, closed_by=None, status="done", outcome="Ok")
    before = AuditEntry.objects.count()

    close = staff_client.post(
        reverse("privacy:request_close", args=[data_request.pk]),
        {"close-status": "refused", "close-outcome": "Changed my mind"},
    )
    extend = staff_client.post(
        reverse("privacy:request_extend", args=[data_request.pk]), {"extend-reason": "Later"}
    )

    assert close.status_code == extend.status_code == 400
    assert "closed" in close.content.decode()
    data_request.refresh_from_db()
    assert (data_request.status, data_request.outcome, data_request.extended) == (
        "done",
        "Ok",
        False,
    )
    assert AuditEntry.objects.count() == before
    page = staff_client.get(reverse("privacy:request_detail", args=[data_request.pk]))
    assert "Close the request" not in page.content.decode()


def test_the_person_page_leads_staff_to_log_a_request_for_them_already_chosen(staff_client):
    from tests.people.factories import PersonFactory

    resident = PersonFactory(first_name="Oona", last_name="Lark")
    page = staff_client.get(reverse("people:person_detail", args=[resident.pk])).content.decode()
    link = f"{reverse('privacy:request_create')}?person={resident.pk}"
    assert link in page
    form = staff_client.get(link).content.decode()
    assert "Oona Lark" in form
