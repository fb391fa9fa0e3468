"""Organise's part of the demo hub, added by ``manage.py seed_demo`` (organise/demo.py)."""

import random
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from action.models import Campaign
from connect.models import Event
from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Consent, Group, GroupMembership, Locality, Person, Tag, User
from hubsite.people.registry import demo_data_providers
from hubsite.people.selectors import people_with_consent
from listening.models import Conversation, Theme
from organise import demo
from organise.models import (
    CallToAction,
    Contribution,
    Decision,
    Delivery,
    GroupProposal,
    JoinApplication,
    Meeting,
    Membership,
    MembershipEvent,
    MembershipType,
    Segment,
    YouSaidWeDid,
)
from organise.selectors.meetings import owner_choices
from organise.services.membership import GRACE_DAYS

Status, Kind = Membership.Status, MembershipEvent.Kind
FILTER_KEYS = {"localities", "tags", "groups", "membership_status", "themes", "campaigns", "events"}


def seed():
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)  # pytest-django runs with DEBUG off
    return out.getvalue()


def counts():
    models = (
        MembershipType,
        Membership,
        MembershipEvent,
        Contribution,
        JoinApplication,
        Segment,
        CallToAction,
        Delivery,
        GroupProposal,
        Meeting,
        Decision,
        YouSaidWeDid,
        Consent,
        Group,
        GroupMembership,
        Person,
    )
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def demo_hub(db):
    return seed()


def test_seed_demo_offers_three_kinds_of_membership(demo_hub):
    kinds = {kind.name: kind for kind in MembershipType.objects.all()}

    assert set(kinds) == {"Individual", "Household", "Member of a local group"}
    assert kinds["Household"].suggested_contribution == Decimal("10.00")
    assert kinds["Individual"].is_free and kinds["Member of a local group"].is_free
    assert all(kind.open_to_join and kind.term_months == 12 for kind in kinds.values())
    assert "Organise: 150 members" in demo_hub


def test_seed_demo_has_about_150_members_joined_over_two_years(demo_hub):
    today = timezone.localdate()
    memberships = Membership.objects.all()
    statuses = dict(memberships.values_list("status").annotate(n=Count("id")))

    assert memberships.count() == 150
    assert statuses == {Status.ACTIVE: 129, Status.LAPSED: 15, Status.LEFT: 6}
    assert not memberships.filter(joined_on__lt=today - timedelta(days=731)).exists()
    assert memberships.filter(joined_on__lt=today - timedelta(days=600)).exists()
    assert memberships.filter(joined_on__gte=today - timedelta(days=30)).exists()
    assert not memberships.filter(joined_on__gt=today).exists()
    for membership in memberships.filter(person__user__isnull=True).select_related("person"):
        met_on = timezone.localtime(membership.person.created_at).date()
        assert membership.joined_on >= met_on, "nobody joined before the hub met them"
    assert memberships.values("type").distinct().count() == 3
    for email in ("member@example.org", "volunteer@example.org", "organiser@example.org"):
        assert memberships.get(person__email=email).status == Status.ACTIVE, email
    assert not memberships.filter(person__email="staff@example.org").exists()


def test_seed_demo_membership_history_is_what_the_services_would_have_written(demo_hub):
    today = timezone.localdate()
    memberships = Membership.objects.select_related("person").prefetch_related("events")

    for membership in memberships:
        events = sorted(membership.events.all(), key=lambda event: (event.on, event.id))
        kinds = [event.kind for event in events]
        assert kinds[0] == Kind.JOINED and events[0].on == membership.joined_on, membership
        assert kinds.count(Kind.JOINED) == 1
        assert all(event.on <= today for event in events)
        assert {event.locality_id for event in events} == {membership.person.locality_id}
        assert {event.type_id for event in events} == {membership.type_id}
        last = events[-1]
        if membership.status == Status.ACTIVE:
            assert last.kind in (Kind.JOINED, Kind.RENEWED, Kind.REJOINED), membership
            assert membership.ended_on is None
            assert membership.renews_on >= today - timedelta(days=GRACE_DAYS), "not lapsed yet"
            assert membership.term_started_on <= today
        elif membership.status == Status.LAPSED:
            assert last.kind == Kind.LAPSED and last.on == membership.ended_on
            assert membership.ended_on == membership.renews_on + timedelta(days=GRACE_DAYS + 1)
        else:
            assert last.kind == Kind.LEFT and last.on == membership.ended_on
        for before, after in zip(kinds, kinds[1:], strict=False):
            if before == Kind.LAPSED:
                assert after == Kind.REJOINED, membership
    rejoined = Membership.objects.filter(events__kind=Kind.REJOINED)
    assert rejoined.count() == 4
    assert not rejoined.exclude(status=Status.ACTIVE).exists()
    assert MembershipEvent.objects.filter(kind=Kind.RENEWED).count() > 20
    lately = MembershipEvent.objects.filter(kind=Kind.LAPSED, on__gt=today - timedelta(days=30))
    assert lately.count() >= 2, "the dashboard shows some lapsed this month"


def test_seed_demo_records_contributions_mostly_from_households(demo_hub):
    contributions = Contribution.objects.select_related("membership__type")
    today = timezone.localdate()

    assert contributions.count() > 20
    by_kind = dict(contributions.values_list("membership__type__name").annotate(n=Count("id")))
    assert by_kind["Household"] > sum(by_kind.values()) / 2
    for contribution in contributions:
        assert contribution.amount > 0
        assert contribution.membership.joined_on <= contribution.received_on <= today
        assert contribution.recorded_by.email == "staff@example.org"


def test_seed_demo_most_members_can_hear_from_the_hub_by_email(demo_hub):
    members = Person.objects.filter(membership__isnull=False)
    with_email = members.exclude(email="")

    reachable = people_with_consent(Consent.Purpose.CONTACT_EMAIL, with_email).count()
    assert reachable > with_email.count() * 0.7
    assert with_email.count() > members.count() * 0.7


def test_seed_demo_has_join_applications_waiting_and_confirmed(demo_hub):
    waiting = JoinApplication.objects.filter(confirmed_at__isnull=True)
    confirmed = JoinApplication.objects.filter(confirmed_at__isnull=False)
    emails = {email.lower() for email in Person.objects.values_list("email", flat=True)}

    assert waiting.count() == 4
    assert not waiting.filter(membership__isnull=False).exists()
    for application in waiting:
        assert application.email.endswith("@example.org")
        assert application.email.lower() not in emails, "nobody confirmed it yet"
        assert application.created_at < timezone.now()
    assert confirmed.exists()
    assert not confirmed.filter(membership__isnull=True).exists()
    assert not confirmed.exclude(email__iexact=F("membership__person__email")).exists()
    assert not confirmed.filter(created_at__gt=F("confirmed_at")).exists()


def test_seed_demo_saves_segments_as_filters_of_ids(demo_hub):
    segments = Segment.objects.all()
    known = {
        "localities": set(Locality.objects.values_list("pk", flat=True)),
        "tags": set(Tag.objects.values_list("pk", flat=True)),
        "groups": set(Group.objects.values_list("pk", flat=True)),
        "themes": set(Theme.objects.values_list("pk", flat=True)),
        "campaigns": set(Campaign.objects.values_list("pk", flat=True)),
        "events": set(Event.objects.values_list("pk", flat=True)),
        "membership_status": {*Status.values, "none"},
    }

    assert segments.count() >= 2
    names = set(segments.values_list("name", flat=True))
    assert {"Members in Larkrise Estate", "People who raised damp and mould"} <= names
    for segment in segments:
        assert segment.filters, segment
        assert set(segment.filters) <= FILTER_KEYS, segment
        for key, values in segment.filters.items():
            assert values and set(values) <= known[key], (segment, key)
    damp = segments.get(name="People who raised damp and mould")
    assert Conversation.objects.filter(themes__pk__in=damp.filters["themes"]).exists()


def test_seed_demo_sent_one_call_to_action_to_the_people_it_could_reach(demo_hub):
    (call,) = CallToAction.objects.filter(status=CallToAction.Status.SENT)
    deliveries = Delivery.objects.filter(call=call).select_related("person__membership")
    larkrise = Locality.objects.get(name="Larkrise Estate")
    segment_people = Person.objects.filter(membership__status=Status.ACTIVE, locality=larkrise)
    reachable = people_with_consent(Consent.Purpose.CONTACT_EMAIL, segment_people).exclude(email="")

    assert call.segment.name == "Members in Larkrise Estate"
    assert call.recipients == deliveries.count() > 5
    assert set(deliveries.values_list("person", flat=True)) == set(
        reachable.values_list("pk", flat=True)
    )
    assert call.event is not None and call.event.starts_at > timezone.now()
    assert call.created_at <= call.started_at <= call.sent_at <= timezone.now()
    answers = dict(deliveries.values_list("response").annotate(n=Count("id")))
    assert answers.get(Delivery.Response.YES) and answers.get(Delivery.Response.NO)
    assert answers.get(""), "some have not answered"
    assert not deliveries.filter(response="", responded_at__isnull=False).exists()
    assert not deliveries.filter(~Q(response=""), responded_at__lt=call.started_at).exists()
    # Each copy has its outbox row, already sent: the call's page shows them delivered and
    # the demo queues no email.
    assert not deliveries.filter(message__isnull=True).exists()
    for delivery in deliveries.select_related("message"):
        message = delivery.message
        assert message.key == f"organise:call:{call.pk}:{delivery.person_id}"
        assert message.person_id == delivery.person_id
        assert message.to_email == delivery.person.email
        assert message.status == OutboxMessage.Status.SENT and message.sent_at is not None
        assert message.category == OutboxMessage.Category.CONTACT
        assert call.started_at <= message.sent_at <= timezone.now()
    organise_mail = OutboxMessage.objects.filter(key__startswith="organise:")
    assert organise_mail.count() == call.recipients
    assert not organise_mail.exclude(status=OutboxMessage.Status.SENT).exists(), "none queued"
    assert CallToAction.objects.filter(status=CallToAction.Status.DRAFT).count() == 1


def test_seed_demo_has_one_group_approved_and_one_waiting(demo_hub):
    waiting = GroupProposal.objects.get(status=GroupProposal.Status.PENDING)
    approved = GroupProposal.objects.select_related("group", "proposed_by").get(
        status=GroupProposal.Status.APPROVED
    )

    assert waiting.group is None and waiting.proposed_by is not None
    assert not Group.objects.filter(name=waiting.name).exists()
    group = approved.group
    assert group.kind == Group.Kind.SELF_ORGANISED and group.name == approved.name
    assert not group.public, "the demo's public groups are Connect's"
    assert group.memberships.get(person=approved.proposed_by).role == "organiser"
    # The demo member runs it with them: a member organising a group without being staff.
    member = group.memberships.get(person__user__email="member@example.org")
    assert member.role == "organiser"
    assert group.memberships.count() >= 10
    assert approved.answer and approved.decided_by.email == "staff@example.org"
    assert approved.created_at < approved.decided_at < timezone.now()
    for proposal in (waiting, approved):
        assert proposal.proposed_by.membership.status == Status.ACTIVE


def test_seed_demo_holds_the_agm_and_a_members_meeting_with_decisions(demo_hub):
    today = timezone.localdate()
    meetings = Meeting.objects.annotate(n=Count("decisions"))
    decisions = Decision.objects.select_related("owner", "meeting")

    agm = meetings.get(kind=Meeting.Kind.AGM)
    held = meetings.filter(held_on__lt=today)
    assert {meeting.kind for meeting in held} == {Meeting.Kind.AGM, Meeting.Kind.MEMBERS}
    for meeting in held:
        assert meeting.agenda and meeting.minutes and meeting.attendance, meeting
        assert meeting.n >= 2
    assert agm.held_on < today
    assert meetings.filter(held_on__gt=today, minutes="").exists(), "one still to come"
    assert 4 <= decisions.count() <= 5
    assert not decisions.filter(owner__isnull=True).exists()
    assert decisions.filter(review_on__lt=today).exists()
    assert decisions.filter(review_on__gt=today).exists()
    assert not decisions.filter(review_on__lt=F("meeting__held_on")).exists()
    assert decisions.filter(status=Decision.Status.DONE).exclude(outcome="").exists()
    owners = {decision.owner.email for decision in decisions}
    assert {"staff@example.org", "organiser@example.org"} <= owners
    for decision in decisions:  # owners the decision form would offer: with an account
        assert decision.owner in owner_choices(decision.meeting), decision


def test_seed_demo_publishes_you_said_we_did_linking_the_areas(demo_hub):
    published = YouSaidWeDid.objects.filter(published=True).prefetch_related(
        "themes", "campaigns", "events", "decisions"
    )

    assert published.count() == 4
    assert YouSaidWeDid.objects.filter(published=False).exists()
    for line in published:
        assert line.you_said and line.we_did and line.result
        assert line.themes.all(), f"{line} links what listening heard"
        assert line.campaigns.all() or line.events.all() or line.decisions.all(), line
        for campaign in line.campaigns.all():
            assert campaign.status != Campaign.Status.PLANNING
        for event in line.events.all():
            assert event.visibility == Event.Visibility.PUBLIC
    assert {"campaigns", "events", "decisions"} == {
        kind
        for line in published
        for kind in ("campaigns", "events", "decisions")
        if getattr(line, kind).all()
    }


def test_seed_demo_twice_adds_no_more_organise(demo_hub):
    first = counts()

    out = seed()

    assert counts() == first
    assert "Organise: the hub already has members" in out


def test_the_demo_needs_the_cores_people_and_a_staff_login(db):
    out = StringIO()

    demo.seed(rng=random.Random(1), stdout=out)

    assert "no demo staff account" in out.getvalue()
    assert not Membership.objects.exists()


def test_organise_seeds_after_the_areas_it_builds_on():
    names = list(demo_data_providers())

    assert "organise" in names
    below = [names.index(name) for name in ("listening", "connect", "action")]
    assert names.index("organise") > max(below)


def test_the_admin_lists_and_opens_every_organise_record_of_the_demo(demo_hub, client):
    client.force_login(User.objects.get(email="staff@example.org"))
    registered = [model for model in admin.site._registry if model._meta.app_label == "organise"]
    assert len(registered) == 12
    for model in registered:
        url = f"admin:organise_{model._meta.model_name}"
        listing = client.get(reverse(f"{url}_changelist"), {"q": "Larkrise"})
        assert listing.status_code == 200, model
        some = model.objects.order_by("pk").first()
        assert some is not None, f"the demo has no {model.__name__}"
        assert client.get(reverse(f"{url}_change", args=[some.pk])).status_code == 200, model


def test_the_demo_shows_organise_on_the_dashboard_and_a_members_timeline(demo_hub, client):
    client.force_login(User.objects.get(email="staff@example.org"))
    figures = {
        figure.label: figure.value
        for figure in client.get(reverse("home")).context["figures"]
        if figure.area == "organise"
    }
    assert figures["Active members"] == 129
    assert figures["Joined in the last 30 days"] > 0
    assert figures["Lapsed in the last 30 days"] >= 2
    assert figures["Calls to action sent this month"] in (0, 1)  # sent six days ago
    assert figures["Decisions due for review"] == 1

    volunteer = Person.objects.get(email="volunteer@example.org")
    timeline = client.get(volunteer.get_absolute_url()).context["timeline"]
    titles = [entry.title for entry in timeline if entry.area == "organise"]
    assert titles.count("Joined the hub") == 1 and "Renewed their membership" in titles

    client.force_login(User.objects.get(email="organiser@example.org"))
    figures = {
        figure.label: figure.value
        for figure in client.get(reverse("home")).context["figures"]
        if figure.area == "organise"
    }
    assert figures["Your decisions due for review"] == 1


def test_the_demo_call_shows_every_copy_sent_and_the_member_runs_their_group(demo_hub, client):
    call = CallToAction.objects.get(status=CallToAction.Status.SENT)
    client.force_login(User.objects.get(email="staff@example.org"))

    totals = client.get(call.get_absolute_url()).context["totals"]

    assert totals["written"] == totals["sent"] == call.recipients
    assert totals["waiting"] == totals["not_sent"] == 0

    member = User.objects.get(email="member@example.org")
    group = Group.objects.get(kind=Group.Kind.SELF_ORGANISED, memberships__person__user=member)
    client.force_login(member)
    dashboard = client.get(reverse("home")).text
    group_url = reverse("people:group_detail", args=[group.slug])
    assert f'href="{group_url}"' in dashboard
    assert f'href="{reverse("organise:my_membership")}"' in dashboard
    assert client.get(group_url).status_code == 200
