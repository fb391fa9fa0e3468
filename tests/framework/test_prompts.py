"""Reflection prompts: staff schedule which questions go to whom and how often; the tick
sends each prompt once per person and period, by email and on the dashboard; only the person
it reached answers it; staff read the answers by period."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from hubsite.framework import registry
from hubsite.framework.models import AssessmentRound, PromptDelivery, PromptSchedule
from hubsite.framework.registry import Occasion, register_occasions
from hubsite.framework.selectors import prompts as selectors
from hubsite.framework.services import prompts as services
from hubsite.notify.models import OutboxMessage
from hubsite.people.models import GroupMembership, Role
from tests.conftest import make_user
from tests.connect.factories import EventFactory
from tests.people.factories import GroupFactory, GroupMembershipFactory

Audience = PromptSchedule.Audience
Frequency = PromptSchedule.Frequency
LONDON = ZoneInfo("Europe/London")
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def at(*args):
    return datetime.datetime(*args, tzinfo=LONDON)


def schedule(question="What did we hear this month that surprised us?", **fields):
    fields = {"audience": Audience.ORGANISERS, "frequency": Frequency.MONTHLY, **fields}
    return PromptSchedule.objects.create(question=question, **fields)


def sent(schedule_=None):
    deliveries = PromptDelivery.objects.all()
    if schedule_ is not None:
        deliveries = deliveries.filter(schedule=schedule_)
    return sorted(deliveries.values_list("recipient__email", "period"))


@pytest.fixture
def fake_occasions():
    """Register a provider of occasions the test chooses; unregister it afterwards."""
    occasions = []

    def provider(since, until):
        return [occasion for ended_at, occasion in occasions if since < ended_at <= until]

    register_occasions("test-occasions", provider)
    yield occasions
    registry._occasions.pop("test-occasions")


# Periods -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "day", "period"),
    [
        (Frequency.WEEKLY, datetime.date(2026, 11, 26), "2026-W48"),
        (Frequency.WEEKLY, datetime.date(2027, 1, 1), "2026-W53"),  # the ISO week's year
        (Frequency.WEEKLY, datetime.date(2025, 12, 29), "2026-W01"),
        (Frequency.MONTHLY, datetime.date(2026, 11, 26), "2026-11"),
        (Frequency.MONTHLY, datetime.date(2026, 1, 31), "2026-01"),
        (Frequency.QUARTERLY, datetime.date(2026, 11, 26), "2026-Q4"),
        (Frequency.QUARTERLY, datetime.date(2026, 3, 31), "2026-Q1"),
        (Frequency.QUARTERLY, datetime.date(2026, 4, 1), "2026-Q2"),
    ],
)
def test_each_frequency_names_its_period(frequency, day, period):
    assert services.period_for(frequency, day) == period


def test_periods_read_as_people_say_them():
    assert selectors.period_label("2026-W48") == "week 48 of 2026"
    assert selectors.period_label("2026-11") == "November 2026"
    assert selectors.period_label("2026-Q4") == "Oct–Dec 2026"
    assert selectors.period_label("event:42") == "event:42"


@pytest.mark.django_db
def test_the_period_is_the_hubs_local_one():
    """Half past midnight on 1 April in London is still 31 March in UTC."""
    organiser = make_user(Role.ORGANISER)
    monthly, quarterly = schedule(), schedule("How are we doing?", frequency=Frequency.QUARTERLY)
    services.prompts_send_due(now=at(2026, 4, 1, 0, 30))
    assert sent(monthly) == [(organiser.email, "2026-04")]
    assert sent(quarterly) == [(organiser.email, "2026-Q2")]


# Sending -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_prompt_goes_once_per_person_and_period_however_often_the_tick_runs():
    ann = make_user(Role.ORGANISER, "ann@example.test", "Ann")
    bo = make_user(Role.ORGANISER, "bo@example.test", "Bo")
    monthly = schedule()

    made = services.prompts_send_due(now=at(2026, 11, 3, 9, 30))
    assert len(made) == 2
    for hour in (10, 11, 23):  # later ticks in the month send nothing more
        assert services.prompts_send_due(now=at(2026, 11, 30, hour, 30)) == []
    assert sent(monthly) == [("ann@example.test", "2026-11"), ("bo@example.test", "2026-11")]
    assert OutboxMessage.objects.count() == 2

    carl = make_user(Role.ORGANISER, "carl@example.test", "Carl")  # joins late in the month
    assert [d.recipient for d in services.prompts_send_due(now=at(2026, 11, 30, 12, 30))] == [carl]
    services.prompts_send_due(now=at(2026, 12, 1, 9, 30))  # a new month: everyone again
    assert len(sent(monthly)) == 6
    assert OutboxMessage.objects.count() == 6
    assert {ann, bo, carl} == {d.recipient for d in PromptDelivery.objects.filter(period="2026-12")}


@pytest.mark.django_db
def test_each_new_prompt_is_emailed_with_its_link():
    ann = make_user(Role.ORGANISER, "ann@example.test", "Ann")
    monthly = schedule()
    (delivery,) = services.prompts_send_due(now=at(2026, 11, 3, 9, 30))

    message = OutboxMessage.objects.get()
    assert message.key == f"framework:prompt:{delivery.pk}"
    assert message.to_email == "ann@example.test"
    assert message.person == ann.person
    assert message.category == OutboxMessage.Category.WORK
    assert message.subject.endswith(f"Time to reflect: {monthly.question}")
    assert "Hello Ann" in message.body_text
    assert "For November 2026" in message.body_text
    assert reverse("framework:prompt_answer", args=[delivery.pk]) in message.body_text
    assert "self-assessment" not in message.body_text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("audience", "roles"),
    [
        (Audience.STAFF, {"staff"}),
        (Audience.ORGANISERS, {"organiser"}),
        (Audience.STAFF_AND_ORGANISERS, {"staff", "organiser"}),
        (Audience.VOLUNTEERS, {"volunteer"}),
        (Audience.EVERYONE, {"staff", "organiser", "volunteer", "member"}),
    ],
)
def test_the_audience_is_the_active_accounts_with_its_roles(audience, roles):
    for role in Role.values:
        make_user(role)
        gone = make_user(role, f"gone-{role}@example.test")
        gone.is_active = False
        gone.save()
    services.prompts_send_due(now=at(2026, 11, 3, 9, 30))  # no schedule yet: nothing
    assert not PromptDelivery.objects.exists()

    schedule(audience=audience)
    services.prompts_send_due(now=at(2026, 11, 3, 9, 30))
    recipients = PromptDelivery.objects.values_list("recipient__email", flat=True)
    assert sorted(recipients) == sorted(f"{role}@example.test" for role in roles)


@pytest.mark.django_db
def test_a_stopped_schedule_sends_nothing(staff_user):
    make_user(Role.ORGANISER)
    monthly = schedule()
    services.schedule_deactivate(schedule=monthly, by=staff_user)
    assert services.prompts_send_due(now=at(2026, 11, 3, 9, 30)) == []
    assert not PromptDelivery.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_after_each_occasion_a_prompt_goes_to_those_who_ran_it_once(fake_occasions):
    ann = make_user(Role.ORGANISER, "ann@example.test", "Ann")
    bo = make_user(Role.ORGANISER, "bo@example.test", "Bo")
    vol = make_user(Role.VOLUNTEER, "vol@example.test", "Vol")
    now = at(2026, 11, 20, 12, 30)
    fake_occasions += [
        (now - HOUR, Occasion("event:1", "Supper club, 20 Nov 2026", "/e/1/", (ann.pk, vol.pk))),
        (now - 2 * DAY, Occasion("event:2", "Litter pick, 18 Nov 2026", "/e/2/", (ann.pk, bo.pk))),
        (now - 4 * DAY, Occasion("event:3", "Too long ago", "/e/3/", (ann.pk,))),
        (now + HOUR, Occasion("event:4", "Not ended yet", "/e/4/", (ann.pk,))),
    ]
    after = schedule("What went well, what would we change?", frequency=Frequency.AFTER_OCCASION)

    for _ in range(2):
        services.prompts_send_due(now=now)

    # The volunteer ran the supper club, but the prompt is for organisers.
    assert sent(after) == [
        ("ann@example.test", "event:1"),
        ("ann@example.test", "event:2"),
        ("bo@example.test", "event:2"),
    ]
    supper = PromptDelivery.objects.get(recipient=ann, period="event:1")
    assert supper.about == "Supper club, 20 Nov 2026"
    assert OutboxMessage.objects.count() == 3
    message = OutboxMessage.objects.get(key=f"framework:prompt:{supper.pk}")
    assert "After Supper club, 20 Nov 2026" in message.body_text


@pytest.mark.django_db
def test_connects_events_are_occasions_for_their_host_and_group_organisers():
    host = make_user(Role.ORGANISER, "host@example.test", "Host")
    leader = make_user(Role.ORGANISER, "leader@example.test", "Leader")
    staff = make_user(Role.STAFF, "staff@example.test", "Staff")
    member = make_user(Role.ORGANISER, "member@example.test", "Member")
    group = GroupFactory()
    GroupMembershipFactory(group=group, person=leader.person, role=GroupMembership.Role.LEADER)
    GroupMembershipFactory(group=group, person=staff.person, role=GroupMembership.Role.ORGANISER)
    GroupMembershipFactory(group=group, person=member.person, role=GroupMembership.Role.MEMBER)
    GroupMembershipFactory(group=group, role=GroupMembership.Role.ORGANISER)  # no account
    now = timezone.now()
    ended = EventFactory(
        title="Supper club", group=group, host=host, starts_at=now - 5 * HOUR, ends_at=now - HOUR
    )
    EventFactory(
        title="Called off",
        host=host,
        starts_at=now - 5 * HOUR,
        ends_at=now - HOUR,
        status="cancelled",
    )
    EventFactory(title="Last week", host=host, starts_at=now - 7 * DAY, ends_at=now - 6 * DAY)
    EventFactory(title="Tonight", host=host, starts_at=now + HOUR, ends_at=now + 3 * HOUR)
    after = schedule(
        "What went well, what would we change?",
        audience=Audience.STAFF_AND_ORGANISERS,
        frequency=Frequency.AFTER_OCCASION,
    )

    for _ in range(2):
        services.prompts_send_due(now=now)

    key = f"event:{ended.pk}"
    assert sent(after) == [
        ("host@example.test", key),
        ("leader@example.test", key),
        ("staff@example.test", key),
    ]
    assert PromptDelivery.objects.filter(about__startswith="Supper club, ").count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_ticks_at_the_same_moment_send_each_prompt_once():
    for n in range(5):
        make_user(Role.ORGANISER, f"organiser{n}@example.test")
    schedule()
    now = at(2026, 11, 3, 9, 30)
    start, errors = threading.Barrier(2), []

    def tick():
        try:
            start.wait()
            services.prompts_send_due(now=now)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert PromptDelivery.objects.count() == 5
    assert OutboxMessage.objects.count() == 5


@pytest.mark.django_db
def test_a_self_assessment_prompt_links_to_the_open_round():
    organiser = make_user(Role.ORGANISER, "ann@example.test", "Ann")
    quarterly = schedule(
        "Time for the self-assessment", frequency=Frequency.QUARTERLY, self_assessment=True
    )
    today = timezone.localdate()
    AssessmentRound.objects.create(name="Closed", opens_on=today - 90 * DAY, closes_on=today - DAY)
    services.prompts_send_due()
    assert "self-assessment round is open" not in OutboxMessage.objects.get().body_text

    open_round = AssessmentRound.objects.create(name="This quarter", opens_on=today - DAY)
    PromptDelivery.objects.all().delete()
    OutboxMessage.objects.all().delete()
    (delivery,) = services.prompts_send_due()
    round_url = reverse("framework:assessment_detail", args=[open_round.pk])
    assert round_url in OutboxMessage.objects.get().body_text
    assert delivery.schedule == quarterly and delivery.recipient == organiser


# Schedules -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_schedule_a_prompt(staff_client, staff_user):
    response = staff_client.post(
        reverse("framework:prompt_create"),
        {
            "question": "  What did we hear this month\nthat surprised us? ",
            "audience": "organisers",
            "frequency": "monthly",
        },
    )
    assert response.status_code == 302
    monthly = PromptSchedule.objects.get()
    assert monthly.question == "What did we hear this month that surprised us?"
    assert (monthly.audience, monthly.frequency, monthly.active) == ("organisers", "monthly", True)
    assert monthly.created_by == staff_user
    listing = staff_client.get(reverse("framework:prompt_list")).content.decode()
    assert "What did we hear this month that surprised us?" in listing


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"question": "   "}, "question", "Write the question people will be asked."),
        ({"question": "Why? " * 70}, "question", "Keep the question to 300 characters"),
        ({"audience": "mayors"}, "audience", "Choose who the prompt goes to."),
        ({"audience": ""}, "audience", "Choose who the prompt goes to."),
        ({"frequency": "daily"}, "frequency", "Choose how often the prompt goes out."),
        (
            {"frequency": "after_occasion", "audience": "staff", "self_assessment": "on"},
            "self_assessment",
            "not after each event",
        ),
        (
            {"audience": "volunteers", "self_assessment": "on"},
            "self_assessment",
            "Only staff and organisers take part in the self-assessment",
        ),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(staff_client, data, field, message):
    data = {"question": "How did it go?", "audience": "organisers", "frequency": "monthly", **data}
    response = staff_client.post(reverse("framework:prompt_create"), data)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not PromptSchedule.objects.exists()


@pytest.mark.django_db
def test_bad_input_to_an_edit_changes_nothing(staff_client):
    monthly = schedule()
    response = staff_client.post(
        reverse("framework:prompt_edit", args=[monthly.pk]),
        {"question": "", "audience": "organisers", "frequency": "weekly", "active": "on"},
    )
    assert response.status_code == 200
    assert "Write the question people will be asked." in response.content.decode()
    monthly.refresh_from_db()
    assert (monthly.question, monthly.frequency) == (
        "What did we hear this month that surprised us?",
        "monthly",
    )


@pytest.mark.django_db
def test_the_services_refuse_what_the_forms_would(staff_user, organiser_user):
    with pytest.raises(ValidationError) as caught:
        services.schedule_create(by=staff_user, question="", audience="x", frequency="daily")
    assert set(caught.value.error_dict) == {"question", "audience", "frequency"}
    with pytest.raises(PermissionDenied):
        services.schedule_create(
            by=organiser_user, question="Why?", audience="staff", frequency="weekly"
        )
    assert not PromptSchedule.objects.exists()


@pytest.mark.django_db
def test_staff_edit_and_stop_a_prompt(staff_client):
    monthly = schedule()
    url = reverse("framework:prompt_edit", args=[monthly.pk])
    assert "Stop sending this prompt" in staff_client.get(url).content.decode()
    response = staff_client.post(
        url,
        {
            "question": "What surprised us this week?",
            "audience": "staff_and_organisers",
            "frequency": "weekly",
            "active": "on",
        },
    )
    assert response.status_code == 302
    monthly.refresh_from_db()
    assert (monthly.question, monthly.audience, monthly.frequency, monthly.active) == (
        "What surprised us this week?",
        "staff_and_organisers",
        "weekly",
        True,
    )
    assert staff_client.post(url, {"deactivate": "1"}).status_code == 302
    monthly.refresh_from_db()
    assert monthly.active is False


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["organiser", "volunteer", "member"])
def test_only_staff_reach_the_schedule_pages(client, role):
    monthly = schedule()
    client.force_login(make_user(role))
    for url in _staff_urls(monthly):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"deactivate": "1"}).status_code == 403, url
    monthly.refresh_from_db()
    assert monthly.active is True


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in_from_the_prompt_pages(client):
    monthly = schedule()
    delivery = PromptDelivery.objects.create(
        schedule=monthly, recipient=make_user(Role.ORGANISER), period="2026-11"
    )
    urls = _staff_urls(monthly) + [
        reverse("framework:prompt_mine"),
        reverse("framework:prompt_answer", args=[delivery.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


def _staff_urls(monthly):
    return [
        reverse("framework:prompt_list"),
        reverse("framework:prompt_create"),
        reverse("framework:prompt_edit", args=[monthly.pk]),
        reverse("framework:prompt_answers", args=[monthly.pk]),
    ]


@pytest.mark.django_db
def test_the_schedule_list_costs_the_same_queries_however_many(staff_client):
    def queries():
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(reverse("framework:prompt_list")).status_code == 200
        return len(captured)

    schedule()
    few = queries()
    for n in range(6):
        schedule(f"Question {n}?", frequency=Frequency.WEEKLY)
    make_user(Role.ORGANISER)
    services.prompts_send_due()
    assert queries() == few


# Answers -------------------------------------------------------------------------------


@pytest.fixture
def delivery(organiser_user):
    schedule()
    (delivery,) = services.prompts_send_due(now=at(2026, 11, 3, 9, 30))
    return delivery


@pytest.mark.django_db
def test_the_recipient_answers_their_prompt(organiser_client, delivery):
    url = reverse("framework:prompt_answer", args=[delivery.pk])
    page = organiser_client.get(url).content.decode()
    assert "What did we hear this month that surprised us?" in page
    assert "For November 2026" in page

    response = organiser_client.post(url, {"answer": "How many people want a youth club."})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.answer == "How many people want a youth club."
    assert delivery.answered_at is not None
    mine = organiser_client.get(reverse("framework:prompt_mine")).content.decode()
    assert "answered" in mine


@pytest.mark.django_db
@pytest.mark.parametrize("answer", ["", "   \n "])
def test_an_empty_answer_is_refused(organiser_client, delivery, answer):
    url = reverse("framework:prompt_answer", args=[delivery.pk])
    response = organiser_client.post(url, {"answer": answer})
    assert response.status_code == 200
    assert "Write your answer before sending it." in response.content.decode()
    delivery.refresh_from_db()
    assert (delivery.answer, delivery.answered_at) == ("", None)
    with pytest.raises(ValidationError):
        services.prompt_answer(delivery=delivery, answer=answer, by=delivery.recipient)


@pytest.mark.django_db
def test_an_overlong_answer_is_refused(organiser_client, delivery):
    url = reverse("framework:prompt_answer", args=[delivery.pk])
    response = organiser_client.post(url, {"answer": "x" * (services.ANSWER_MAX_LENGTH + 1)})
    assert response.status_code == 200
    assert "Keep your answer to 5000 characters" in response.content.decode()
    assert PromptDelivery.objects.filter(answered_at__isnull=False).count() == 0


@pytest.mark.django_db
def test_only_the_recipient_may_open_or_answer_a_prompt(staff_client, staff_user, delivery):
    url = reverse("framework:prompt_answer", args=[delivery.pk])
    assert staff_client.get(url).status_code == 404
    assert staff_client.post(url, {"answer": "Answering for them"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.prompt_answer(delivery=delivery, answer="Answering for them", by=staff_user)
    delivery.refresh_from_db()
    assert delivery.answer == ""


@pytest.mark.django_db
def test_staff_read_the_answers_by_period(staff_client, organiser_user):
    monthly = schedule()
    bo = make_user(Role.ORGANISER, "bo@example.test", "Bo")
    services.prompts_send_due(now=at(2026, 10, 3, 9, 30))
    services.prompts_send_due(now=at(2026, 11, 3, 9, 30))
    october = PromptDelivery.objects.get(recipient=organiser_user, period="2026-10")
    services.prompt_answer(delivery=october, answer="A queue at the food bank.", by=organiser_user)

    page = staff_client.get(reverse("framework:prompt_answers", args=[monthly.pk]))
    content = page.content.decode()
    assert content.index("November 2026") < content.index("October 2026")
    assert "A queue at the food bank." in content
    assert "Not answered yet" in content
    assert bo.person.full_name in content
    assert [d.period for d in page.context["page"].object_list] == [
        "2026-11",
        "2026-11",
        "2026-10",
        "2026-10",
    ]


# The dashboard -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_dashboard_shows_the_open_prompts_of_the_person_they_reached(
    organiser_client, organiser_user, member_client, delivery
):
    answer_url = reverse("framework:prompt_answer", args=[delivery.pk])
    dashboard = organiser_client.get(reverse("home")).content.decode()
    assert "What did we hear this month that surprised us?" in dashboard
    assert f'href="{answer_url}"' in dashboard
    assert "What did we hear" not in member_client.get(reverse("home")).content.decode()

    services.prompt_answer(delivery=delivery, answer="Plenty.", by=organiser_user)
    assert "What did we hear" not in organiser_client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_the_dashboard_leaves_out_prompts_no_longer_sent(organiser_user, staff_user, delivery):
    assert [task.url for task in selectors.dashboard_tasks(organiser_user)] == [
        delivery.get_absolute_url()
    ]
    services.schedule_deactivate(schedule=delivery.schedule, by=staff_user)
    assert selectors.dashboard_tasks(organiser_user) == []
    # Still there to answer from "My prompts".
    assert list(selectors.prompt_list_mine(organiser_user)) == [delivery]


def test_the_dashboard_tells_apart_a_question_asked_after_two_events(db):
    from hubsite.framework.models import PromptDelivery, PromptSchedule
    from hubsite.framework.selectors.prompts import dashboard_tasks

    organiser = make_user("organiser", "twice@example.test")
    schedule = PromptSchedule.objects.create(
        question="What went well?", audience="organisers", frequency="after_occasion"
    )
    for n, about in enumerate(["Tuesday coffee morning", "Repair café"]):
        PromptDelivery.objects.create(
            schedule=schedule, recipient=organiser, period=f"event:{n}", about=about
        )
    titles = {task.title for task in dashboard_tasks(organiser)}
    assert titles == {
        "What went well? (after Tuesday coffee morning)",
        "What went well? (after Repair café)",
    }


def test_someone_whose_role_changed_is_not_asked_as_their_old_role(db):
    from hubsite.framework.models import PromptDelivery, PromptSchedule
    from hubsite.framework.selectors.prompts import dashboard_tasks

    person = make_user("organiser", "was-organiser@example.test")
    schedule = PromptSchedule.objects.create(
        question="What surprised us?", audience="organisers", frequency="monthly"
    )
    PromptDelivery.objects.create(schedule=schedule, recipient=person, period="2026-11")
    assert len(dashboard_tasks(person)) == 1
    person.role = "member"
    person.save()
    assert dashboard_tasks(person) == []
