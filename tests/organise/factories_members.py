"""Factories for the membership rows staff see (A2): the dated events the growth page
counts, contributions and join applications. The shared ones are in factories.py."""

import factory
from django.utils import timezone

from organise.models import Contribution, JoinApplication, MembershipEvent
from tests.organise.factories import MembershipFactory, MembershipTypeFactory


class MembershipEventFactory(factory.django.DjangoModelFactory):
    """A dated change of a membership, kept with the member's place and kind."""

    class Meta:
        model = MembershipEvent

    membership = factory.SubFactory(MembershipFactory)
    kind = MembershipEvent.Kind.JOINED
    on = factory.LazyFunction(timezone.localdate)
    locality = factory.LazyAttribute(
        lambda o: o.membership.person.locality if o.membership else None
    )
    type = factory.LazyAttribute(lambda o: o.membership.type if o.membership else None)


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    membership = factory.SubFactory(MembershipFactory)
    amount = "10.00"
    received_on = factory.LazyFunction(timezone.localdate)


class JoinApplicationFactory(factory.django.DjangoModelFactory):
    """Someone who filled in the join page and has not confirmed their email yet."""

    class Meta:
        model = JoinApplication

    email = factory.Sequence(lambda n: f"applicant{n}@example.test")
    first_name = factory.Sequence(lambda n: f"Applicant{n}")
    type = factory.SubFactory(MembershipTypeFactory)
