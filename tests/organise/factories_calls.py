"""Factories and helpers for segments and calls to action: people who may (or may not) be
emailed, made one by one or a thousand at a time."""

import factory
from django.utils import timezone

from hubsite.people.models import Consent, Person
from organise.models import Delivery
from tests.organise.factories import CallToActionFactory
from tests.people.factories import ConsentFactory, PersonFactory


def consent(person, *, given=True, when=None):
    """A statement of ``person``'s consent to email (the latest one is what holds)."""
    return ConsentFactory(person=person, given=given, recorded_at=when or timezone.now())


def reachable(**fields):
    """Someone with an email address who agreed to hear from the hub by email."""
    person = PersonFactory(**fields)
    consent(person)
    return person


def people_in_bulk(count, *, prefix="bulk", consent_given=True, **fields):
    """``count`` people made in two queries (and their consents in one more), for the tests
    that need hundreds: their ids in order."""
    made = Person.objects.bulk_create(
        [
            Person(
                first_name=f"Resident{n}",
                last_name=f"{prefix.title()}{n:05d}",
                email=f"{prefix}{n}@example.test",
                **fields,
            )
            for n in range(count)
        ]
    )
    if not made or made[0].pk is None:  # a database that does not return the new ids
        made = list(Person.objects.filter(email__startswith=prefix).order_by("pk"))
    if consent_given is not None:
        now = timezone.now()
        Consent.objects.bulk_create(
            Consent(
                person=person,
                purpose=Consent.Purpose.CONTACT_EMAIL,
                given=consent_given,
                method=Consent.Method.ONLINE,
                recorded_at=now,
            )
            for person in made
        )
    return [person.pk for person in made]


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    call = factory.SubFactory(CallToActionFactory)
    person = factory.SubFactory(PersonFactory)
