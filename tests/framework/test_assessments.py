"""The self-assessment: staff start dated rounds, staff and organisers rate each practice, and
the round's page shows where they agree and differ; the trend follows each area across rounds.
Bad input is refused with a message and saves nothing; members and volunteers never see it."""

import datetime
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import escape

from hubsite.framework.models import Area, AssessmentAnswer, AssessmentRound, Practice
from hubsite.framework.selectors.assessments import round_summary, trend
from hubsite.framework.services.assessments import answers_save, round_create
from hubsite.people.models import Role
from tests.conftest import make_user

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def start_round(staff, name="Spring", opens_on=None, closes_on=None):
    return round_create(
        created_by=staff, name=name, opens_on=opens_on or TODAY - 10 * DAY, closes_on=closes_on
    )


def rate(round_, user, ratings, notes=("", "")):
    """``user`` answers ``round_``: {practice: rating}, each with the same two notes."""
    answers_save(
        round=round_,
        respondent=user,
        answers={practice.pk: (rating, *notes) for practice, rating in ratings.items()},
    )


@pytest.fixture
def practices(db):
    """The first four practices of the Change area, from the framework's reference data."""
    return list(Practice.objects.filter(area__slug="change").order_by("order")[:4])


@pytest.fixture
def three(db, staff_user):
    """Three respondents: a member of staff and two organisers."""
    return [
        staff_user,
        make_user(Role.ORGANISER, "ana@example.test", "Ana"),
        make_user(Role.ORGANISER, "ben@example.test", "Ben"),
    ]


@pytest.fixture
def answered_round(staff_user, three, practices):
    """A round the three answered: they agree on the first and third practices, differ on the
    second, and only one of them rated the fourth."""
    round_ = start_round(staff_user)
    first, second, third, fourth = practices
    staff, ana, ben = three
    rate(round_, staff, {first: 3, second: 1, third: 2, fourth: 5}, ("We run a forum", ""))
    rate(round_, ana, {first: 4, second: 3, third: 2}, ("", "Ask the tenants"))
    rate(round_, ben, {first: 4, second: 5, third: 2})
    return round_


# Agreement and difference --------------------------------------------------------------


@pytest.mark.django_db
def test_three_respondents_show_where_they_agree_and_differ_per_practice(answered_round, practices):
    summary = round_summary(answered_round)
    change = summary.areas[0]
    assert change.area.slug == "change"
    rows = {row.practice: row for row in change.practices}
    first, second, third, fourth = (rows[practice] for practice in practices)

    assert (first.respondents, first.low, first.high, first.spread) == (3, 3, 4, 1)
    assert first.mean == pytest.approx(11 / 3)
    assert first.agreement == "agree"
    assert (second.respondents, second.low, second.high, second.spread) == (3, 1, 5, 4)
    assert second.mean == 3
    assert second.agreement == "differ"
    assert (third.spread, third.mean, third.agreement) == (0, 2, "agree")
    assert (fourth.respondents, fourth.agreement) == (1, "one view")
    assert rows[Practice.objects.get(area__slug="change", order=5)].agreement == ""

    assert [row.practice for row in summary.differ] == [practices[1]]
    assert [row.practice for row in summary.agree] == [practices[0], practices[2]]
    assert change.ratings == 10
    assert change.mean == pytest.approx((11 + 9 + 6 + 5) / 10)
    assert [user.respondent_name for user in summary.respondents] == ["Ana", "Ben", "Staff"]
    assert len(summary.areas) == 8


@pytest.mark.django_db
def test_the_round_page_shows_agreement_difference_notes_and_charts(
    organiser_client, answered_round, practices
):
    response = organiser_client.get(answered_round.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert "3 people answered: Ana, Ben, Staff." in content
    differ = content.split('id="differ-heading"')[1].split('id="agree-heading"')[0]
    assert escape(practices[1].text) in differ
    assert "ratings from 1 to 5, a spread of 4" in differ
    agree = content.split('id="agree-heading"')[1].split('class="assessment-area"')[0]
    assert escape(practices[0].text) in agree and escape(practices[2].text) in agree
    assert escape(practices[1].text) not in agree
    # Each respondent's notes, under the practice they are about.
    notes = content.split(f'id="practice-{practices[0].pk}"')[1].split("</article>")[0]
    assert "Staff</strong>: 3 · Sometimes" in notes
    assert "What we're doing:</span> We run a forum" in notes.replace("&#x27;", "'")
    assert "What we'll try next:</span> Ask the tenants" in notes.replace("&#x27;", "'")
    # The charts' figures, and the same figures in a table.
    chart = json.loads(
        content.split('id="assessment-chart-data" type="application/json">')[1].split("</script>")[
            0
        ]
    )
    assert chart["change"]["mean"][:4] == [3.67, 3.0, 2.0, 5.0]
    assert chart["change"]["range"][1] == [1, 5]
    assert 'data-assessment-area="change"' in content
    assert '<caption id="caption-change">' in content
    assert "js/assessment-chart.js" in content


@pytest.mark.django_db
def test_the_trend_follows_each_area_across_two_rounds(staff_user, three, practices):
    older = start_round(
        staff_user, "Autumn", opens_on=TODAY - 100 * DAY, closes_on=TODAY - 60 * DAY
    )
    newer = start_round(staff_user, "Spring", opens_on=TODAY - 10 * DAY)
    strategy = Practice.objects.filter(area__slug="strategy").first()
    AssessmentAnswer.objects.bulk_create(  # the older round is closed: its answers came earlier
        AssessmentAnswer(round=older, respondent=user, practice=practices[0], rating=rating)
        for user, rating in zip(three, (1, 2, 3), strict=True)
    )
    rate(newer, three[0], {practices[0]: 4, strategy: 2})
    rate(newer, three[1], {practices[0]: 5})

    result = trend()
    assert [round_.name for round_ in result.rounds] == ["Autumn", "Spring"]
    rows = {str(area): means for area, means in result.rows}
    assert rows["Change"] == [2, 4.5]
    assert rows["Strategy"] == [None, 2]
    assert rows["All areas"] == [2, pytest.approx(11 / 3)]
    assert [round_.respondent_count for round_ in result.rounds] == [3, 2]

    response = client_for(staff_user).get(reverse("framework:assessment_trend"))
    content = re.sub(r">\s+<", "><", response.content.decode())
    assert response.status_code == 200
    assert content.index(">Autumn</a>") < content.index(">Spring</a>")
    assert '<th scope="row">Change</th><td>2.0</td><td>4.5</td>' in content
    assert '<th scope="row">Strategy</th><td>—</td><td>2.0</td>' in content
    chart = json.loads(
        content.split('id="assessment-trend-data" type="application/json">')[1].split("</script>")[
            0
        ]
    )
    assert chart["labels"] == ["Autumn", "Spring"]
    assert chart["datasets"][0] == {"label": "Change", "data": [2.0, 4.5]}


# Answering -----------------------------------------------------------------------------


def form_data(answers):
    """POST data for the answer form: {practice: (rating, doing, try next)}."""
    data = {}
    for practice, (rating, doing, try_next) in answers.items():
        data[f"rating_{practice.pk}"] = rating
        data[f"doing_{practice.pk}"] = doing
        data[f"try_next_{practice.pk}"] = try_next
    return data


@pytest.mark.django_db
def test_a_respondent_answers_and_comes_back_to_change_their_answers(
    staff_user, organiser_user, organiser_client, practices
):
    round_ = start_round(staff_user)
    url = reverse("framework:assessment_answer", args=[round_.pk])
    page = organiser_client.get(url).content.decode()
    assert page.count('class="assessment-practice"') == Practice.objects.count()
    assert page.count('<fieldset id="area-') == 8

    response = organiser_client.post(
        url,
        form_data(
            {practices[0]: ("2", "A monthly forum", "Go door to door"), practices[1]: ("4", "", "")}
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == round_.get_absolute_url()
    answers = AssessmentAnswer.objects.filter(round=round_, respondent=organiser_user)
    assert {(a.practice, a.rating, a.doing, a.try_next) for a in answers} == {
        (practices[0], 2, "A monthly forum", "Go door to door"),
        (practices[1], 4, "", ""),
    }

    page = organiser_client.get(url).content.decode()
    assert "A monthly forum" in page
    assert "Your earlier answers are filled in" in page

    # Changed: a new rating for the first practice, "Not sure" for the second.
    organiser_client.post(
        url, form_data({practices[0]: ("5", "", "More"), practices[1]: ("", "", "")})
    )
    answers = AssessmentAnswer.objects.filter(round=round_, respondent=organiser_user)
    assert [(a.practice, a.rating, a.try_next) for a in answers] == [(practices[0], 5, "More")]


@pytest.mark.django_db
def test_the_answer_form_is_prefilled_with_the_earlier_rating(
    staff_user, organiser_user, organiser_client, practices
):
    round_ = start_round(staff_user)
    rate(round_, organiser_user, {practices[0]: 4})
    response = organiser_client.get(reverse("framework:assessment_answer", args=[round_.pk]))
    form = response.context["form"]
    assert form[f"rating_{practices[0].pk}"].value() == "4"
    assert form[f"rating_{practices[1].pk}"].value() is None


# Bad input -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["0", "6", "abc", "3.5"])
def test_a_rating_outside_the_scale_is_refused_and_nothing_of_the_set_is_saved(
    staff_user, organiser_client, practices, bad
):
    round_ = start_round(staff_user)
    response = organiser_client.post(
        reverse("framework:assessment_answer", args=[round_.pk]),
        form_data({practices[0]: ("4", "Good notes", ""), practices[1]: (bad, "", "")}),
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in content
    assert "Choose a rating from 1 (not yet) to 5 (it is how we work)" in content
    assert not AssessmentAnswer.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [0, 6, "abc", None, 2.5, True])
def test_the_service_refuses_a_bad_rating_and_keeps_the_earlier_answers(
    staff_user, organiser_user, practices, bad
):
    round_ = start_round(staff_user)
    rate(round_, organiser_user, {practices[0]: 3})
    with pytest.raises(ValidationError) as error:
        answers_save(
            round=round_,
            respondent=organiser_user,
            answers={practices[0].pk: (5, "", ""), practices[1].pk: (bad, "", "")},
        )
    assert f"Rate “{practices[1].text}” with a whole number from 1 (not yet) to 5" in str(
        error.value
    )
    assert list(AssessmentAnswer.objects.values_list("practice", "rating")) == [
        (practices[0].pk, 3)
    ]


@pytest.mark.django_db
def test_notes_without_a_rating_are_refused(staff_user, organiser_client, practices):
    round_ = start_round(staff_user)
    response = organiser_client.post(
        reverse("framework:assessment_answer", args=[round_.pk]),
        form_data({practices[0]: ("4", "", ""), practices[1]: ("", "We do a bit", "")}),
    )
    assert "Choose a rating for the notes you wrote, or clear them." in response.content.decode()
    assert not AssessmentAnswer.objects.exists()


@pytest.mark.django_db
def test_an_empty_answer_set_is_refused(staff_user, organiser_client, organiser_user):
    round_ = start_round(staff_user)
    response = organiser_client.post(reverse("framework:assessment_answer", args=[round_.pk]), {})
    assert "Rate at least one practice before saving." in response.content.decode()
    with pytest.raises(ValidationError):
        answers_save(round=round_, respondent=organiser_user, answers={})
    with pytest.raises(ValidationError, match="not in the framework"):
        answers_save(round=round_, respondent=organiser_user, answers={999999: (3, "", "")})
    assert not AssessmentAnswer.objects.exists()


@pytest.mark.django_db
def test_a_closed_round_takes_no_answers(staff_user, organiser_user, organiser_client, practices):
    round_ = start_round(staff_user, opens_on=TODAY - 30 * DAY, closes_on=TODAY - DAY)
    url = reverse("framework:assessment_answer", args=[round_.pk])
    closed = f"This round closed on {date_format(TODAY - DAY, 'j F Y')}"

    page = organiser_client.get(url).content.decode()
    assert closed in page
    assert 'class="assessment-form"' not in page
    response = organiser_client.post(url, form_data({practices[0]: ("4", "", "")}))
    assert response.status_code == 200
    assert closed in response.content.decode()
    with pytest.raises(ValidationError, match="its answers can no longer change"):
        rate(round_, organiser_user, {practices[0]: 4})
    assert not AssessmentAnswer.objects.exists()


@pytest.mark.django_db
def test_a_round_not_open_yet_takes_no_answers(staff_user, organiser_user, practices):
    round_ = start_round(staff_user, opens_on=TODAY + DAY)
    with pytest.raises(ValidationError, match="This round opens on"):
        rate(round_, organiser_user, {practices[0]: 4})
    assert not AssessmentAnswer.objects.exists()


@pytest.mark.django_db
def test_members_and_volunteers_cannot_answer_through_the_service(
    staff_user, member_user, volunteer_user, practices
):
    round_ = start_round(staff_user)
    for user in (member_user, volunteer_user):
        with pytest.raises(PermissionDenied):
            rate(round_, user, {practices[0]: 4})
    assert not AssessmentAnswer.objects.exists()


# Starting a round ----------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_start_a_round(staff_client, staff_user):
    response = staff_client.post(
        reverse("framework:assessment_create"),
        {"name": "  Spring   2026 ", "opens_on": TODAY.isoformat(), "closes_on": ""},
    )
    round_ = AssessmentRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == round_.get_absolute_url()
    assert (round_.name, round_.opens_on, round_.closes_on) == ("Spring 2026", TODAY, None)
    assert round_.created_by == staff_user


@pytest.mark.django_db
def test_a_round_name_is_unique_whatever_its_case(staff_client, staff_user):
    start_round(staff_user, "Spring 2026")
    response = staff_client.post(
        reverse("framework:assessment_create"),
        {"name": "spring 2026", "opens_on": TODAY.isoformat()},
    )
    assert response.status_code == 200
    assert "A round with this name already exists" in response.content.decode()
    assert AssessmentRound.objects.count() == 1
    with pytest.raises(ValidationError, match="already exists"):
        start_round(staff_user, "SPRING 2026")


@pytest.mark.django_db
def test_a_round_cannot_close_before_it_opens(staff_client, staff_user):
    response = staff_client.post(
        reverse("framework:assessment_create"),
        {"name": "Spring", "opens_on": TODAY.isoformat(), "closes_on": (TODAY - DAY).isoformat()},
    )
    assert response.status_code == 200
    assert "The round cannot close before it opens." in response.content.decode()
    with pytest.raises(ValidationError, match="cannot close before it opens"):
        start_round(staff_user, opens_on=TODAY, closes_on=TODAY - DAY)
    assert not AssessmentRound.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "opens_on": TODAY.isoformat()}, "Give the round a name"),
        ({"name": "Spring", "opens_on": "not a date"}, "Enter the day the round opens as a date."),
        ({"name": "Spring", "opens_on": ""}, "Enter the day the round opens."),
    ],
)
def test_a_round_with_missing_or_bad_fields_is_refused(staff_client, data, message):
    response = staff_client.post(reverse("framework:assessment_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AssessmentRound.objects.exists()


@pytest.mark.django_db
def test_only_staff_start_rounds(organiser_user, organiser_client):
    response = organiser_client.post(
        reverse("framework:assessment_create"), {"name": "Mine", "opens_on": TODAY.isoformat()}
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        start_round(organiser_user)
    assert not AssessmentRound.objects.exists()


# Access --------------------------------------------------------------------------------


def assessment_urls(round_):
    return [
        reverse("framework:assessment_list"),
        reverse("framework:assessment_trend"),
        reverse("framework:assessment_detail", args=[round_.pk]),
        reverse("framework:assessment_answer", args=[round_.pk]),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STAFF, Role.ORGANISER])
def test_staff_and_organisers_see_the_self_assessment(answered_round, role):
    client = client_for(make_user(role, f"another-{role}@example.test"))
    for url in assessment_urls(answered_round):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.MEMBER])
def test_members_and_volunteers_cannot_see_the_self_assessment(answered_round, role):
    client = client_for(make_user(role))
    for url in [*assessment_urls(answered_round), reverse("framework:assessment_create")]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "X", "opens_on": TODAY.isoformat()}).status_code == 403
    assert AssessmentRound.objects.count() == 1


@pytest.mark.django_db
def test_visitors_are_sent_to_sign_in(client, answered_round):
    for url in [*assessment_urls(answered_round), reverse("framework:assessment_create")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_the_list_shows_each_round_with_its_respondents(staff_client, staff_user, answered_round):
    start_round(staff_user, "Next", opens_on=TODAY + 5 * DAY)
    content = staff_client.get(reverse("framework:assessment_list")).content.decode()
    assert '<td data-label="People who answered">3</td>' in content
    assert "Not open yet" in content
    assert reverse("framework:assessment_answer", args=[answered_round.pk]) in content
    assert reverse("framework:assessment_create") in content
    organiser = client_for(make_user(Role.ORGANISER, "o2@example.test"))
    assert (
        reverse("framework:assessment_create")
        not in organiser.get(reverse("framework:assessment_list")).content.decode()
    )


# Queries -------------------------------------------------------------------------------


def respondents_answer_everything(rounds, count):
    practices = list(Practice.objects.all())
    for n in range(count):
        user = make_user(Role.ORGANISER, f"organiser{n}@example.test", f"Organiser {n}")
        for round_ in rounds:
            rate(round_, user, {p: 1 + (n + p.pk) % 5 for p in practices}, ("Doing", "Trying"))


@pytest.mark.django_db
@pytest.mark.parametrize("respondents", [1, 5])
def test_the_round_page_uses_a_fixed_number_of_queries(
    staff_client, staff_user, django_assert_num_queries, respondents
):
    round_ = start_round(staff_user)
    respondents_answer_everything([round_], respondents)
    # session, user, the round, the figures per practice, the answers, the practices
    with django_assert_num_queries(6):
        response = staff_client.get(round_.get_absolute_url())
    assert response.status_code == 200
    assert (
        response.content.decode().count("<strong>Organiser")
        == respondents * Practice.objects.count()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("rounds", [1, 4])
def test_the_trend_and_the_list_use_a_fixed_number_of_queries(
    staff_client, staff_user, django_assert_num_queries, rounds
):
    respondents_answer_everything(
        [
            start_round(staff_user, f"Round {n}", opens_on=TODAY - (n + 1) * DAY)
            for n in range(rounds)
        ],
        2,
    )
    # session, user, the rounds, the means per round and area, the areas
    with django_assert_num_queries(5):
        assert staff_client.get(reverse("framework:assessment_trend")).status_code == 200
    # session, user, the count for the pages, one page of rounds
    with django_assert_num_queries(4):
        assert staff_client.get(reverse("framework:assessment_list")).status_code == 200


@pytest.mark.django_db
def test_the_answer_form_uses_a_fixed_number_of_queries(
    staff_client, staff_user, django_assert_num_queries
):
    round_ = start_round(staff_user)
    rate(round_, staff_user, dict.fromkeys(Practice.objects.all(), 3))
    # session, user, the round, the earlier answers, the practices with their areas
    with django_assert_num_queries(5):
        response = staff_client.get(reverse("framework:assessment_answer", args=[round_.pk]))
    assert response.status_code == 200
    assert Area.objects.count() == 8
