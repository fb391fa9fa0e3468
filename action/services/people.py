"""Erasure of what Action holds about a person (the core's personal-data registry)."""

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from hubsite.notify.models import OutboxMessage

from ..models import ActionTaken, Activity, Signup
from . import stories


def person_data_erase(person):
    """Their stories (with their photos) and place in activities go. A confirmed sign-up
    stays as a count of the campaign's supporters, with nothing of who signed (never shown,
    never written to); sign-ups never confirmed hold only what was typed: those with the
    person's address go. The emails sent about any of them go too. The actions they took
    stay as counts (the campaign's "actions taken so far", each ask's), without them or
    their note."""
    signups = Signup.objects.filter(person=person)
    if person.email:
        signups = signups | Signup.objects.filter(email__iexact=person.email)
    pks = list(signups.values_list("pk", flat=True))
    for pk in pks:
        OutboxMessage.objects.filter(key__startswith=f"action:signup:{pk}:").delete()
    signups = Signup.objects.filter(pk__in=pks)
    signups.exclude(status=Signup.Status.CONFIRMED).delete()
    now = timezone.now()
    # The address is what makes a sign-up unique on its campaign: each keeps one of its own.
    signups.update(
        person=None,
        first_name="",
        last_name="",
        email=Concat(Value("erased-"), Cast("pk", CharField()), Value("@invalid")),
        postcode="",
        comment="",
        show_name=False,
        consent_contact=False,
        unsubscribed_at=Coalesce("unsubscribed_at", Value(now)),
    )
    ActionTaken.objects.filter(person=person).update(person=None, note="")
    stories.story_erase(person=person)  # with their photos, once the erasure commits
    for activity in Activity.objects.filter(people=person):
        activity.people.remove(person)
    Activity.objects.filter(proposed_by=person).update(proposed_by=None)
