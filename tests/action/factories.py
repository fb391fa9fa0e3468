"""Factories for Action's models."""

import factory

from action.models import Activity, Ask, Campaign, Signup, Story
from hubsite.people.models import Consent
from tests.people.factories import PersonFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Fix the lifts {n}")
    slug = factory.Sequence(lambda n: f"fix-the-lifts-{n}")
    summary = "The lifts in the tower blocks break every week."
    need = "Older and disabled residents are stuck at home when the lifts fail."
    demand = "A repair within 24 hours, every time."
    decision_makers = "Housing director\nCabinet member for housing"
    status = Campaign.Status.ACTIVE


class SignupFactory(factory.django.DjangoModelFactory):
    """A confirmed sign-up; one that shows its name carries the person's consent to it, as
    confirming records it."""

    class Meta:
        model = Signup
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    person = factory.SubFactory(PersonFactory)
    first_name = factory.SelfAttribute("person.first_name")
    email = factory.SelfAttribute("person.email")
    status = Signup.Status.CONFIRMED
    consent_contact = True
    confirmed_at = factory.Faker("date_time_this_year", tzinfo=__import__("datetime").UTC)

    @factory.post_generation
    def name_consent(self, create, extracted, **kwargs):
        if create and self.show_name and self.person_id and self.status == "confirmed":
            Consent.objects.create(
                person=self.person, purpose=Consent.Purpose.SHOW_NAME, given=True, method="online"
            )


class AskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ask

    campaign = factory.SubFactory(CampaignFactory)
    kind = Ask.Kind.WRITE
    title = "Write to the housing director"
    suggested_text = "Please fix the lifts within a day, every time."


class StoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Story

    person = factory.SubFactory(PersonFactory)
    title = "Stuck on the ninth floor"
    text = "For three weeks I could not get my mother to her appointments."
    consent_to_publish = True


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    name = factory.Sequence(lambda n: f"Repair café {n}")
    need = "Things get thrown away that could be mended."
