"""Factories for Organise's models."""

from datetime import timedelta

import factory
from django.utils import timezone

from organise.models import (
    CallToAction,
    Decision,
    Meeting,
    Membership,
    MembershipType,
    Segment,
)
from tests.people.factories import PersonFactory


class MembershipTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipType
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Membership kind {n}")
    slug = factory.Sequence(lambda n: f"membership-kind-{n}")
    term_months = 12


class MembershipFactory(factory.django.DjangoModelFactory):
    """An active member, half-way through their term."""

    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    type = factory.SubFactory(MembershipTypeFactory)
    status = Membership.Status.ACTIVE
    joined_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=180))
    term_started_on = factory.LazyAttribute(lambda o: o.joined_on)
    renews_on = factory.LazyAttribute(lambda o: o.term_started_on + timedelta(days=365))


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    name = factory.Sequence(lambda n: f"Segment {n}")
    filters = factory.LazyFunction(dict)


class CallToActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallToAction

    segment = factory.SubFactory(SegmentFactory)
    subject = "Come to the residents' meeting"
    body = "We are meeting on Thursday about the lifts."


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"Members' meeting {n}")
    kind = Meeting.Kind.MEMBERS
    held_on = factory.LazyFunction(timezone.localdate)


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    summary = "Ask the council to repair the lifts"
    decided_by = "Members at the meeting, by show of hands"
    owner = factory.SubFactory(PersonFactory)
    review_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
