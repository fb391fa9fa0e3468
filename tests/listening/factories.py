"""Factories for Listening's models."""

import datetime

import factory
from django.utils import timezone

from listening.models import Conversation, FollowUp, ListeningRound, Theme
from tests.people.factories import LocalityFactory, PersonFactory, UserFactory


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class ListeningRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ListeningRound
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Round {n}")
    purpose = "Hear what people want changed on their street."
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    target = 50
    prompts = "What do you love about where you live?\nWhat would you change?"

    @factory.post_generation
    def organisers(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisers.set(extracted)

    @factory.post_generation
    def volunteers(self, create, extracted, **kwargs):
        if create and extracted:
            self.volunteers.set(extracted)

    @factory.post_generation
    def localities(self, create, extracted, **kwargs):
        if create and extracted:
            self.localities.set(extracted)


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    locality = factory.SubFactory(LocalityFactory)
    held_on = factory.LazyFunction(timezone.localdate)
    method = Conversation.Method.DOOR_KNOCK
    concerns = "The bus to the hospital stopped running."
    hopes = "A community garden on the estate."
    needs = "Help with the heating bills."
    talents = "Cooking for big groups."
    sensitive_notes = "Mentioned a recent bereavement."
    logged_by = factory.SubFactory(UserFactory, role="volunteer")

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    conversation = factory.SubFactory(ConversationFactory)
    action = "Call back about the food bank"
    owner = factory.SelfAttribute("conversation.logged_by")
    due_on = factory.LazyFunction(timezone.localdate)
