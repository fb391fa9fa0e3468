"""Factories for accountability (C2): group meetings and "You said, we did" lines. The
members' meeting and decision factories are shared, in factories.py."""

import factory

from organise.models import Meeting, YouSaidWeDid
from tests.organise.factories import MeetingFactory
from tests.people.factories import GroupFactory


class GroupMeetingFactory(MeetingFactory):
    """A group's own meeting, open to the people of the group."""

    title = factory.Sequence(lambda n: f"Group meeting {n}")
    kind = Meeting.Kind.GROUP
    group = factory.SubFactory(GroupFactory)


class YouSaidWeDidFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YouSaidWeDid
        skip_postgeneration_save = True

    you_said = "The lifts in the towers break every week."
    we_did = "We campaigned with the tenants for a repair within a day."
    result = "The council signed a new repair contract."
    published = True

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def campaigns(self, create, extracted, **kwargs):
        if create and extracted:
            self.campaigns.set(extracted)

    @factory.post_generation
    def events(self, create, extracted, **kwargs):
        if create and extracted:
            self.events.set(extracted)

    @factory.post_generation
    def decisions(self, create, extracted, **kwargs):
        if create and extracted:
            self.decisions.set(extracted)
