"""Factories for Connect's models."""

import datetime

import factory
from django.utils import timezone

from connect.models import (
    Event,
    JoinRequest,
    Opportunity,
    Rsvp,
    Shift,
    ShiftSignup,
    Skill,
    VolunteerOffer,
)
from tests.people.factories import GroupFactory, PersonFactory


def soon(days=7, hour=18):
    """A moment ``days`` from now at ``hour`` o'clock, local time."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Community supper {n}")
    description = "Food, music and a chance to meet the neighbours."
    purpose = "Bring people together across the estate."
    starts_at = factory.LazyFunction(soon)
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + datetime.timedelta(hours=2))
    venue = "The Old Library, 3 Market Street"
    capacity = 30
    visibility = Event.Visibility.PUBLIC


class RsvpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rsvp

    event = factory.SubFactory(EventFactory)
    person = factory.SubFactory(PersonFactory)
    status = Rsvp.Status.CONFIRMED


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    name = factory.Sequence(lambda n: f"Skill {n}")
    slug = factory.Sequence(lambda n: f"skill-{n}")


class VolunteerOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerOffer
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    description = "Happy to help on Saturdays."
    availability = factory.LazyFunction(lambda: ["weekend_morning"])

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Food bank helper {n}")
    description = "Sort donations and welcome visitors."

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    opportunity = factory.SubFactory(OpportunityFactory)
    starts_at = factory.LazyFunction(lambda: soon(days=5, hour=10))
    ends_at = factory.LazyAttribute(lambda shift: shift.starts_at + datetime.timedelta(hours=3))
    places = 3


class ShiftSignupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShiftSignup

    shift = factory.SubFactory(ShiftFactory)
    person = factory.SubFactory(PersonFactory)


class JoinRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JoinRequest

    group = factory.SubFactory(GroupFactory, public=True)
    person = factory.SubFactory(PersonFactory)
    message = "I would love to help."
