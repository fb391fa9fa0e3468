"""Erasure of what Action holds about a person (the core's personal-data registry)."""

from hubsite.notify.models import OutboxMessage

from ..models import ActionTaken, Activity, Signup
from . import stories


def person_data_erase(person):
    """Their sign-ups, actions, stories (with their photos) and place in activities go.
    Sign-ups never confirmed hold only what was typed: those with the person's address go
    too, with the emails sent about them."""
    signups = Signup.objects.filter(person=person)
    if person.email:
        signups = signups | Signup.objects.filter(email__iexact=person.email)
    for pk in signups.values_list("pk", flat=True):
        OutboxMessage.objects.filter(key__startswith=f"action:signup:{pk}:").delete()
    Signup.objects.filter(pk__in=list(signups.values_list("pk", flat=True))).delete()
    ActionTaken.objects.filter(person=person).delete()
    stories.story_erase(person=person)  # with their photos, once the erasure commits
    for activity in Activity.objects.filter(people=person):
        activity.people.remove(person)
    Activity.objects.filter(proposed_by=person).update(proposed_by=None)
