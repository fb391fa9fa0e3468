"""Erasure of what Organise holds about a person (the core's personal-data registry)."""

from django.db import transaction

from hubsite.notify.models import OutboxMessage

from ..models import Decision, Delivery, GroupProposal, JoinApplication, Membership
from ..selectors.people import join_applications_of


def _forget_messages(*prefixes):
    """Messages about the person's rows (some went to staff and name them) go with them;
    the outbox's own erasure takes those sent to the person."""
    for prefix in prefixes:
        OutboxMessage.objects.filter(key__startswith=prefix).delete()


@transaction.atomic
def person_data_erase(person):
    """The person's membership goes with its contributions and the join applications under
    their address. What the hub counts or decided stays, without them: the dated changes of
    the membership (with their locality, for the growth figures), their answers to calls to
    action, the decisions they owned and the groups they proposed."""
    applications = list(join_applications_of(person).values_list("pk", flat=True))
    _forget_messages(*(f"organise:join:{pk}:" for pk in applications))
    JoinApplication.objects.filter(pk__in=applications).delete()

    membership = Membership.objects.filter(person=person).first()
    if membership is not None:
        _forget_messages(f"organise:renewal:{membership.pk}:", f"organise:lapsed:{membership.pk}:")
        membership.contributions.all().delete()
        membership.delete()  # its MembershipEvent rows stay, anonymous (SET_NULL)

    Delivery.objects.filter(person=person).update(person=None)
    Decision.objects.filter(owner=person).update(owner=None)
    proposals = GroupProposal.objects.filter(proposed_by=person)
    _forget_messages(*(f"organise:proposal:{pk}:" for pk in proposals.values_list("pk", flat=True)))
    proposals.update(proposed_by=None)
